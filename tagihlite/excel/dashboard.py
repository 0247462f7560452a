"""The Laporan sheet's dashboard in live Excel: the same tables and charts as the file
shell's ``report --write``, through xlwings' public chart API (no ``.api``, no PRO).

A constant number of Excel calls: one block write, then three charts (each added with its
source, type and place in one call, plus its title).
"""

from __future__ import annotations

from typing import Any

from tagihlite.core.report_layout import Layout
from tagihlite.core.writeplan import column_letter

CHART_PREFIX = "TagihLite Grafik"
CHART_TYPES = {"bar": "column_clustered", "line": "line_markers"}
POINTS_PER_COL, POINTS_PER_ROW = 48.0, 15.0


def dashboard_layout(analysis: Any, report: Any, settings: Any) -> Layout:
    from tagihlite.core.report_layout import laporan
    from tagihlite.followup.dashboard import dashboard
    from tagihlite.journal.backend import open_journal

    with open_journal(settings) as journal:
        data = dashboard(analysis, journal, report)
    return laporan(data, style=settings.rupiah_style)


def write_dashboard(sheet: Any, layout: Layout, first_row: int) -> None:
    """Write ``layout`` from ``first_row`` down and (re)draw its charts beside it."""
    from tagihlite.excel.sheet import excel_value, write_block

    width = max(len(r) for r in layout.rows)
    write_block(sheet, first_row, 1, [[excel_value(v) for v in r] + [""] * (width - len(r))
                                      for r in layout.rows])
    for chart in [c for c in sheet.charts if c.name.startswith(CHART_PREFIX)]:
        chart.delete()  # ours from the last click; the clerk's own charts stay
    offset = first_row - 1
    for i, spec in enumerate(layout.charts, 1):
        top, bottom = spec.first_row - 1 + offset, spec.last_row + offset  # with headers
        cols = [spec.category_col, *(s.col for s in spec.series)]
        source = ",".join(f"{column_letter(c)}{top}:{column_letter(c)}{bottom}" for c in cols)
        chart = sheet.charts.add(
            anchor=sheet.range((spec.anchor_row, spec.anchor_col)),
            width=spec.width_cols * POINTS_PER_COL, height=spec.height_rows * POINTS_PER_ROW,
            chart_type=CHART_TYPES[spec.kind], source=sheet.range(source), plot_by="columns",
            name=f"{CHART_PREFIX} {i}")
        chart.title = spec.title
