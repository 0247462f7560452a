"""One message template per reminder level, and the one place that chooses it.

Per level, first found wins: an explicit ``--template FILE`` (the operator's choice; a
workbook from elsewhere must not change it), the workbook's ``Template`` sheet column for
that level (row 2 says ``Tingkat N``; a sheet with only column A uses it for every level),
the level's ``template`` file in settings, the packaged
``templates/levelN.j2``, the packaged ``default.j2``. :func:`select_template` is that rule
(approval of templates hooks in there).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from importlib import resources
from typing import Any

from tagihlite.core.levels import Level
from tagihlite.core.messages import (
    MessageTemplate,
    TemplateError,
    TemplateSource,
    default_template,
    template_file,
    template_from_sheet_lines,
)

TEMPLATE_FIRST_ROW = 3
_LEVEL_HEADER = re.compile(r"^\s*tingkat\s*(\d+)\b", re.IGNORECASE)

# level number (None = every level) -> the Template sheet's text for it
SheetTemplates = Mapping[int | None, TemplateSource]


def templates_from_sheet(grid: Sequence[Sequence[Any]], origin: tuple[int, int],
                         sheet: str = "Template") -> dict[int | None, TemplateSource]:
    """Read the Template sheet: a column per level (row 2 ``Tingkat N``), or column A alone."""
    top, left = origin

    def cell(row: int, col: int) -> Any:
        r, c = row - top, col - left
        if 0 <= r < len(grid) and 0 <= c < len(grid[r]):
            return grid[r][c]
        return None

    last_row = top + len(grid) - 1
    width = max((left + len(r) - 1 for r in grid), default=0)
    out: dict[int | None, TemplateSource] = {}
    for col in range(1, width + 1):
        header = cell(2, col)
        m = _LEVEL_HEADER.match(str(header)) if header is not None else None
        if m is None and col != 1:
            continue
        lines = [cell(r, col) for r in range(TEMPLATE_FIRST_ROW, last_row + 1)]
        letter = chr(64 + col) if col <= 26 else str(col)
        name = f"{sheet}' kolom '{letter}" if m else sheet
        source = template_from_sheet_lines(lines, sheet=name, first_row=TEMPLATE_FIRST_ROW)
        if source is not None:
            out[int(m.group(1)) if m else None] = source
    return out


def packaged_template(number: int) -> TemplateSource | None:
    res = resources.files("tagihlite").joinpath(f"templates/level{number}.j2")
    if not res.is_file():
        return None
    return TemplateSource(res.read_text("utf-8"), f"template bawaan tingkat {number}")


def select_template(number: int, *, sheet: SheetTemplates | None = None,
                    file: str | None = None, levels: Sequence[Level] = ()
                    ) -> TemplateSource:
    """The template text (and where it came from) for reminder level ``number``."""
    if file:  # the operator's explicit choice: a workbook from elsewhere cannot override it
        return template_file(file)
    sheet = sheet or {}
    if number in sheet:
        return sheet[number]
    if None in sheet:
        return sheet[None]
    configured = next((lv.template for lv in levels if lv.number == number), "")
    if configured:
        return template_file(configured)
    return packaged_template(number) or default_template()


class LevelTemplates:
    """Behaves like one :class:`MessageTemplate`; renders each row with its level's text."""

    def __init__(self, by_level: dict[int, MessageTemplate], names: Mapping[int, str]
                 ) -> None:
        self.by_level = by_level
        self.names = dict(names)
        self.variables = frozenset().union(*(t.variables for t in by_level.values()))
        origins = sorted({t.source.origin for t in by_level.values()})
        self.source = TemplateSource("", "; ".join(origins))

    def sources(self, levels: Collection[int] | None = None) -> tuple[TemplateSource, ...]:
        """Every distinct text used for ``levels`` (default: all), in level order."""
        seen: dict[str, TemplateSource] = {}
        for number in sorted(self.by_level if levels is None else set(levels) & set(self.by_level)):
            source = self.by_level[number].source
            seen.setdefault(source.text, source)
        return tuple(seen.values())

    def for_level(self, number: int) -> MessageTemplate:
        try:
            return self.by_level[number]
        except KeyError:
            raise TemplateError(f"Tidak ada template untuk tingkat {number}.") from None

    def render(self, context: Mapping[str, Any]) -> str:
        level = context["level"]
        template = self.for_level(level)
        if "level_name" in template.variables:
            context = {**context, "level_name": self.names.get(level, "")}
        return template.render(context)


def load_level_templates(levels: Sequence[Level], *, sheet: SheetTemplates | None = None,
                         file: str | None = None, rupiah_style: str = "puebi",
                         constants: Mapping[str, Any] | None = None) -> LevelTemplates:
    """Every configured level's template, each checked before anything is sent."""
    by_level = {}
    cache: dict[str, MessageTemplate] = {}
    for lv in levels:
        source = select_template(lv.number, sheet=sheet, file=file, levels=levels)
        key = source.origin + "\0" + source.text
        if key not in cache:
            cache[key] = MessageTemplate(source, rupiah_style=rupiah_style,
                                         constants=constants)
        by_level[lv.number] = cache[key]
    return LevelTemplates(by_level, {lv.number: lv.name for lv in levels})
