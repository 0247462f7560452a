"""Laporan in live Excel: the dashboard tables and three charts through xlwings' public
chart API (on the in-memory engine, which fails on any ``.api`` use)."""

from __future__ import annotations

from report.report_scenario import scenario
from xlengine import MemoryExcel
from xlengine.engine import _parse_areas

import tagihlite.excel as tx
from tagihlite import clock


def _charts(xl: MemoryExcel) -> list:
    return list(xl._book().impl._data.sheet("Laporan").charts)


def test_report_click_draws_three_charts_over_the_right_cells(xl: MemoryExcel, tmp_path,
                                                              monkeypatch):
    book = scenario(tmp_path)
    monkeypatch.setenv("TAGIHLITE_NOW", "2026-12-06T10:00")
    xl.open(book)
    tx.on_ribbon("tl_report")
    assert not [a for a in xl.alerts if "kesalahan" in a["prompt"]], xl.alerts
    charts = _charts(xl)
    assert [c.name for c in charts] == [f"TagihLite Grafik {i}" for i in (1, 2, 3)]
    assert [c.chart_type for c in charts] == ["column_clustered", "column_clustered",
                                              "line_markers"]
    assert [c.title for c in charts] == ["Jumlah baris per status",
                                         "Lunas setelah pengingat, per tingkat",
                                         "Kurva penagihan (kumulatif)"]
    cells = xl.cells("Laporan")
    # chart 2 plots the per-level table: header row, then one row per level
    (top, left, bottom, _), *rest = _parse_areas(charts[1].source)
    assert [cells.get((r, left)) for r in range(top + 1, bottom + 1)] == [
        "1 Jatuh tempo", "2 Denda dan isolir"]
    assert [cells.get((top, a[1])) for a in rest] == ["Diingatkan", "Lunas"]
    assert [cells.get((bottom, a[1])) for a in rest] == [8, 2]
    # a second click redraws: still three charts, never more
    xl.reset()
    tx.on_ribbon("tl_report")
    assert len(_charts(xl)) == 3
    clock.pin(None)
