"""Message templates: Jinja2 in a sandbox, with Indonesian filters.

Template sources, first found wins: an explicit ``--template FILE``, the workbook's
``Template`` sheet, the packaged default (``templates/default.j2``); a workbook from
elsewhere must not override what the operator chose. A template is checked completely
before anything is sent: syntax, unknown variables and forbidden code are reported with
their line. Customer values are data: they are inserted, never evaluated.

Rendering is bounded: no loops, macros, ``set``/``with`` variables or attribute access; a
template of at most MAX_TEMPLATE_CHARS; filters from an allow-list whose numeric arguments
and results are capped (MAX_FILTER_NUMBER, MAX_PIECE_CHARS). With no way to repeat or store
work, one render costs at most (template size x piece size): some MB and milliseconds.
A row whose message exceeds WhatsApp's limit is that row's problem (:class:`MessageTooLong`),
not the template's.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

from tagihlite.core.formats import periode, rupiah, tanggal
from tagihlite.core.levels import effective_due, isolation_date, late_fee, revoke_date
from tagihlite.errors import TagihError

# Everything a template may use. Anything else is an "unknown variable".
VARIABLES = {
    "name": "nama pelanggan",
    "customer_id": "nomor Indibiz",
    "amount": "jumlah tagihan (angka)",
    "amount_rupiah": "jumlah tagihan, mis. Rp1.250.000",
    "due_date": "tanggal jatuh tempo (boleh kosong)",
    "due_date_text": "tanggal jatuh tempo, mis. 20 November 2026",
    "period": "periode tagihan, mis. 2026-11",
    "period_text": "periode tagihan, mis. November 2026",
    "company": "nama perusahaan",
    "branch": "nama cabang",
    "contact": "kontak layanan",
    "level": "tingkat pengingat (0, 1, 2, ...)",
    "level_name": "nama tingkat pengingat, mis. Jatuh tempo",
    "late_fee_rupiah": "denda keterlambatan bulan ini (5%, minimal Rp5.000)",
    "late_fee_next_rupiah": "denda bulan berikutnya (10%, minimal Rp10.000)",
    "isolation_date_text": "tanggal layanan mulai diisolir (sehari setelah jatuh tempo)",
    "revoke_date_text": "tanggal layanan dapat dicabut (tanggal 20, dua bulan kemudian)",
}
LEVEL_VARIABLES = frozenset({"late_fee_rupiah", "late_fee_next_rupiah", "isolation_date_text",
                             "revoke_date_text"})
MAX_MESSAGE_CHARS = 4096  # WhatsApp's text limit
MAX_TEMPLATE_CHARS = 10_000  # a reminder template is a few hundred characters
MAX_PIECE_CHARS = 4 * MAX_MESSAGE_CHARS  # any one filter / + / * result
MAX_FILTER_NUMBER = 1000  # widths and counts given to filters
# Filters a reminder can use; the rest (format, attr, map, join, ...) reach too far.
ALLOWED_FILTERS = frozenset({
    "abs", "capitalize", "center", "count", "d", "default", "first", "float", "indent",
    "int", "last", "length", "lower", "replace", "round", "string", "striptags", "title",
    "trim", "truncate", "upper", "wordcount", "wordwrap", "rupiah", "tanggal", "periode"})


class MessageTooLong(TagihError):
    """This row's message would exceed WhatsApp's limit (e.g. a 32,767-character name)."""

    def __init__(self, length: int | None = None) -> None:
        self.length = length
        super().__init__("pesan terlalu panjang")


class TemplateError(TagihError):
    """The template cannot be used; the message names the source and line."""


@dataclass(frozen=True)
class TemplateSource:
    text: str
    origin: str  # Indonesian description: "sheet 'Template'", "berkas 'x.j2'", "template bawaan"
    first_line: int = 1  # sheet row of template line 1 (Template sheet), for messages


def default_template() -> TemplateSource:
    text = resources.files("tagihlite").joinpath("templates/default.j2").read_text("utf-8")
    return TemplateSource(text, "template bawaan")


def template_from_sheet_lines(cells: Iterable[Any], sheet: str = "Template",
                              first_row: int = 3) -> TemplateSource | None:
    """The Template sheet: column A from ``first_row`` down, one line per row."""
    lines = ["" if c is None else str(c) for c in cells]
    while lines and not lines[-1].strip():
        lines.pop()
    if not any(line.strip() for line in lines):
        return None
    return TemplateSource("\n".join(lines) + "\n", f"sheet '{sheet}'", first_line=first_row)


def _environment() -> Any:
    from jinja2 import StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    class _Env(SandboxedEnvironment):
        # "x" * 10**9 and 9**9**9 are the sandbox's classic resource attacks.
        intercepted_binops = frozenset({"*", "**"})

        intercepted_binops = frozenset({"*", "**", "+"})

        def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
            if operator == "**":
                raise TemplateSecurity("operator ** tidak diizinkan")
            if operator == "*" and (isinstance(left, (str, list))
                                    or isinstance(right, (str, list))):
                size = (len(left) if isinstance(left, (str, list)) else len(right)) * (
                    right if isinstance(right, int) else left if isinstance(left, int) else 1)
                if size > MAX_MESSAGE_CHARS:
                    raise TemplateSecurity("hasil perkalian teks terlalu panjang")
            if operator == "+" and isinstance(left, (str, list)) and isinstance(
                    right, (str, list)) and len(left) + len(right) > MAX_PIECE_CHARS:
                raise TemplateSecurity("hasil penjumlahan teks terlalu panjang")
            return super().call_binop(context, operator, left, right)

    env = _Env(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False,
               trim_blocks=True, lstrip_blocks=True)
    env.globals.clear()  # no range, lipsum, cycler, joiner, namespace, dict
    env.filters.update(rupiah=rupiah, tanggal=tanggal, periode=periode, replace=_replace)
    # Our formatting filters return a few dozen characters whatever they get: unwrapped,
    # they keep 100,000 renders under a second.
    env.filters = {name: fn if name in _SHORT_OUTPUT else _bounded(fn)
                   for name, fn in env.filters.items() if name in ALLOWED_FILTERS}
    return env


_SHORT_OUTPUT = frozenset({"rupiah", "tanggal", "periode"})


def _replace(value: Any, old: Any, new: Any, count: int | None = None) -> str:
    """Jinja's replace, refused before it builds a string too big (``replace("", name)``
    inserts the name between every character)."""
    s, old, new = str(value), str(old), str(new)
    hits = (s.count(old) if old else len(s) + 1) if count is None else count
    if len(s) + hits * max(0, len(new) - len(old)) > MAX_PIECE_CHARS:
        raise TemplateSecurity("hasil filter 'replace' terlalu panjang")
    return s.replace(old, new) if count is None else s.replace(old, new, count)


def _bounded(fn: Any) -> Any:
    """A filter whose numeric arguments and text result are capped."""
    from jinja2.utils import _PassArg

    passed = _PassArg.from_obj(fn)
    skip = 2 if passed is not None else 1  # (environment/context,) value, arguments...

    def bounded(*args: Any, **kwargs: Any) -> Any:
        for arg in (*args[skip:], *kwargs.values()):
            if type(arg) in (int, float) and abs(arg) > MAX_FILTER_NUMBER:
                raise TemplateSecurity(f"angka {arg} pada filter terlalu besar")
        out = fn(*args, **kwargs)
        if isinstance(out, str) and len(out) > MAX_PIECE_CHARS:
            raise TemplateSecurity(f"hasil filter terlalu panjang ({len(out)} karakter)")
        return out

    if passed is not None:
        bounded.jinja_pass_arg = passed  # type: ignore[attr-defined]
    return bounded


class TemplateSecurity(Exception):
    pass


def _template_line(exc: BaseException, name: str) -> int | None:
    tb = exc.__traceback__
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == name:
            line = tb.tb_lineno
        tb = tb.tb_next
    return getattr(exc, "lineno", None) or line


class MessageTemplate:
    """A checked template, ready to render many rows fast."""

    NAME = "<tagihlite-template>"

    def sources(self, levels: Collection[int] | None = None) -> tuple[TemplateSource, ...]:
        """Every text this template sends (one here; one per level in LevelTemplates)."""
        return (self.source,)

    def __init__(self, source: TemplateSource, *, rupiah_style: str = "puebi",
                 constants: Mapping[str, Any] | None = None) -> None:
        from jinja2 import TemplateSyntaxError, meta, nodes

        self.source = source
        self.rupiah_style = rupiah_style
        self.constants = dict(constants or {})
        env = _environment()
        env.filters["rupiah"] = lambda n, style=rupiah_style: rupiah(n, style)
        if len(source.text) > MAX_TEMPLATE_CHARS:
            raise self._error(None, f"template terlalu panjang ({len(source.text)} karakter, "
                                    f"maksimal {MAX_TEMPLATE_CHARS})")
        try:
            tree = env.parse(source.text, name=self.NAME)
        except TemplateSyntaxError as exc:
            raise self._error(exc.lineno, f"penulisan template salah ({exc.message})") from None
        self._refuse_constructs(tree)
        try:
            self.variables = frozenset(meta.find_undeclared_variables(tree))
            unknown = self.variables - VARIABLES.keys()
        except TemplateSyntaxError as exc:  # e.g. an unknown filter, found while compiling
            raise self._error(exc.lineno, f"penulisan template salah ({exc.message})") from None
        if unknown:
            bad = sorted(unknown)[0]
            line = next((n.lineno for n in tree.find_all(nodes.Name) if n.name == bad), None)
            known = ", ".join(sorted(VARIABLES))
            raise self._error(line, f"variabel '{bad}' tidak dikenal. Variabel yang ada: {known}")
        # Company, branch and contact are the same for every row: template globals, not
        # per-row context (missing ones still fail the sample render below, with the line).
        self._template = env.from_string(source.text, globals=self.constants)
        self._template.name = self.NAME
        self._template.filename = self.NAME
        # Render two sample rows now, so runtime errors surface before anything is sent.
        for due in (dt.date(2026, 11, 20), None):
            try:
                self.render(sample_context(due))
            except MessageTooLong as exc:  # too long for any customer: the template's fault
                raise self._error(None, f"pesan contoh sudah {exc.length} karakter (maksimal "
                                        f"{MAX_MESSAGE_CHARS})") from None

    def _refuse_constructs(self, tree: Any) -> None:
        """A reminder needs text, variables, filters and ``if``: refuse the rest up front.

        Loops and macros can burn the CPU for hours, includes/imports read other files,
        method calls reach past the filters (``'x'.ljust(10**9)``), and ``self`` exposes
        the template object: none belongs in a message, so they never get to run.
        """
        from jinja2 import nodes

        banned: dict[type, str] = {
            nodes.For: "perulangan {% for %}",
            nodes.Macro: "{% macro %}",
            nodes.CallBlock: "{% call %}",
            nodes.Include: "{% include %}",
            nodes.Import: "{% import %}",
            nodes.FromImport: "{% from ... import %}",
            nodes.Extends: "{% extends %}",
            nodes.Call: "pemanggilan fungsi/metode (pakai filter, mis. {{ name | upper }})",
            # Stored results can be doubled again and again ({% set a = a ~ a %}).
            nodes.Assign: "{% set %}",
            nodes.AssignBlock: "{% set %}",
            nodes.With: "{% with %}",
            # name.upper is a method, name[0] an index: filters do what a message needs.
            nodes.Getattr: "akses atribut/metode seperti {{ name.upper }} (pakai filter, "
                           "mis. {{ name | upper }})",
            nodes.Getitem: "akses indeks seperti {{ name[0] }}",
        }
        for node in tree.find_all(tuple(banned)):
            raise self._error(node.lineno, f"{banned[type(node)]} tidak diizinkan di template")
        for node in tree.find_all(nodes.Name):
            if node.name == "self":
                raise self._error(node.lineno, "'self' tidak diizinkan di template")
        for node in tree.find_all((nodes.Filter, nodes.Test)):
            if isinstance(node, nodes.Filter) and node.name not in ALLOWED_FILTERS:
                raise self._error(node.lineno, f"filter '{node.name}' tidak diizinkan. Filter "
                                  f"yang ada: {', '.join(sorted(ALLOWED_FILTERS))}")
            for arg in [*node.args, *(kw.value for kw in node.kwargs)]:
                if isinstance(arg, nodes.Const) and isinstance(arg.value, (int, float)) and (
                        abs(arg.value) > 1000):
                    raise self._error(node.lineno, f"angka {arg.value} pada filter '"
                                      f"{node.name}' terlalu besar (tidak diizinkan)")

    def _error(self, line: int | None, what: str) -> TemplateError:
        where = self.source.origin
        if line is not None:
            if self.source.first_line != 1:
                where += f", baris {line + self.source.first_line - 1} (baris template {line})"
            else:
                where += f", baris {line}"
        return TemplateError(f"Template pesan tidak dapat dipakai ({where}): {what}. "
                             "Perbaiki template lalu coba lagi; belum ada pesan yang dikirim.")

    def render(self, context: Mapping[str, Any]) -> str:
        """The message for one row. 100,000 rows must render in well under a second, so
        the usual case runs Jinja's compiled function directly; any failure is rendered
        again through :meth:`_render_checked`, which reports it with its template line."""
        # The sheet's free text (a 32,767-character name): this row's problem, not the
        # template's; every other variable is a short formatted value.
        if (len(context.get("name") or "") > MAX_MESSAGE_CHARS
                or len(context.get("customer_id") or "") > MAX_MESSAGE_CHARS):
            raise MessageTooLong()
        template = self._template
        try:
            # shared=True: the merged dict is the whole context (no copy of the globals).
            ctx = template.new_context({**self.constants, **context}, shared=True)
            text = "".join(template.root_render_func(ctx)).strip()
        except Exception:
            return self._render_checked(context)
        if len(text) > MAX_MESSAGE_CHARS:
            return self._render_checked(context)
        return text

    def _render_checked(self, context: Mapping[str, Any]) -> str:
        from jinja2 import TemplateError as JinjaError
        from jinja2.exceptions import SecurityError

        try:
            text = self._template.render(context)
        except (SecurityError, TemplateSecurity) as exc:
            raise self._error(_template_line(exc, self.NAME),
                              f"kode yang tidak diizinkan ({exc})") from None
        except JinjaError as exc:
            raise self._error(_template_line(exc, self.NAME), str(exc)) from None
        except Exception as exc:  # e.g. a filter on the wrong type
            line = _template_line(exc, self.NAME)
            raise self._error(line, f"{exc.__class__.__name__}: {exc}") from None
        text = text.strip()
        if len(text) > MAX_MESSAGE_CHARS:
            raise MessageTooLong(len(text))
        return text


def sample_context(due: dt.date | None = dt.date(2026, 11, 20)) -> dict[str, Any]:
    """One made-up row (company, branch and contact come from the template's constants)."""
    return {
        "name": "Contoh Pelanggan", "customer_id": "141234567890", "amount": 1250000,
        "amount_rupiah": "Rp1.250.000", "due_date": due, "due_date_text": tanggal(due),
        "period": "2026-11", "period_text": "November 2026", "level": 1,
        "level_name": "Jatuh tempo", "late_fee_rupiah": "Rp62.500",
        "late_fee_next_rupiah": "Rp125.000", "isolation_date_text": "21 November 2026",
        "revoke_date_text": "20 Januari 2027",
    }


def row_context(*, name: str, customer_id: str, amount: int, due_date: dt.date | None,
                period: str, level: int, rupiah_style: str,
                needs: frozenset[str] | None = None) -> dict[str, Any]:
    """A row's template variables; ``needs`` (a template's ``variables``) skips the
    formatted ones the template never uses."""
    ctx: dict[str, Any] = {"name": name, "customer_id": customer_id, "amount": amount,
                           "due_date": due_date, "period": period, "level": level}
    if needs is None or "amount_rupiah" in needs:
        ctx["amount_rupiah"] = rupiah(amount, rupiah_style)
    if needs is None or "due_date_text" in needs:
        ctx["due_date_text"] = tanggal(due_date)
    if needs is None or "period_text" in needs:
        ctx["period_text"] = periode(period)
    if needs is None or needs & LEVEL_VARIABLES:
        due = effective_due(due_date, period)
        ctx["late_fee_rupiah"] = rupiah(late_fee(amount, 1), rupiah_style)
        ctx["late_fee_next_rupiah"] = rupiah(late_fee(amount, 2), rupiah_style)
        ctx["isolation_date_text"] = tanggal(isolation_date(due))
        ctx["revoke_date_text"] = tanggal(revoke_date(due))
    return ctx


def template_file(path: str) -> TemplateSource:
    """A ``--template`` file's text, or a sentence saying why it cannot be used."""
    try:
        with open(path, encoding="utf-8-sig") as fh:
            return TemplateSource(fh.read(), f"berkas '{path}'")
    except OSError as exc:
        raise TemplateError(f"Berkas template '{path}' tidak dapat dibaca "
                            f"({exc.strerror}).") from None
    except UnicodeDecodeError:
        raise TemplateError(f"Berkas template '{path}' bukan teks UTF-8. Simpan ulang "
                            "sebagai UTF-8.") from None


def load_template(*, sheet: TemplateSource | None = None, file: str | None = None,
                  rupiah_style: str = "puebi",
                  constants: Mapping[str, Any] | None = None) -> MessageTemplate:
    """An explicit ``--template FILE`` first, then the workbook's sheet, then the default."""
    if file:
        source = template_file(file)
    elif sheet is not None:
        source = sheet
    else:
        source = default_template()
    return MessageTemplate(source, rupiah_style=rupiah_style, constants=constants)


assert sys.version_info >= (3, 11)  # the floor pyproject.toml and xlwings share
