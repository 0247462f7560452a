"""The Laporan sheet's cells and charts, decided once for both shells.

Rows are plain values (text, whole numbers); each chart names the cell ranges it plots, so
the file shell can write them as OOXML chart parts and the Excel shell through xlwings'
chart API, and both show the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tagihlite.core.formats import rupiah

SHEET = "Laporan"
TITLE = "Laporan TagihLite"
CHART_COL = 12  # charts sit right of the tables, from column L


@dataclass(frozen=True)
class Series:
    name: str
    col: int  # values column (1-based)


@dataclass(frozen=True)
class ChartSpec:
    kind: str  # "bar" (clustered columns) | "line"
    title: str
    first_row: int  # data rows (1-based, inclusive), without the header row
    last_row: int
    category_col: int
    series: tuple[Series, ...]
    anchor_row: int  # top-left cell of the chart
    anchor_col: int = CHART_COL
    width_cols: int = 8
    height_rows: int = 16


@dataclass
class Layout:
    rows: list[list[Any]] = field(default_factory=list)
    charts: list[ChartSpec] = field(default_factory=list)

    def add(self, *cells: Any) -> int:
        self.rows.append(list(cells))
        return len(self.rows)


EFF_HEAD = ("Diingatkan", "Lunas", "Lunas ≤3 hari", "Lunas ≤7 hari", "Lunas ≤14 hari",
            "Tingkat bayar (%)", "Median hari", "Terkumpul (Rp)")


def _eff_row(label: Any, g: dict[str, Any]) -> list[Any]:
    median = g["median_days_to_pay"]
    return [label, g["reminded"], g["paid"], g["paid_within_3_days"], g["paid_within_7_days"],
            g["paid_within_14_days"], round(g["rate"] * 100, 1),
            "" if median is None else median, g["collected"]]


def laporan(data: dict[str, Any], *, style: str = "puebi", who: str = "") -> Layout:
    """``data``: :func:`tagihlite.followup.dashboard.dashboard`."""
    lay = Layout()
    lay.add(TITLE)
    lay.add("Dibuat", data["generated"].replace("T", " ") + " WIB")
    lay.add("Sumber", f"sheet '{data['sheet']}', {data['rows']} baris")
    if who:
        lay.add("Petugas", who)
    lay.add()
    lay.add("Status", "Jumlah baris", "Nominal")
    first = len(lay.rows) + 1
    for status, v in data["by_status"].items():
        lay.add(status, v["count"], rupiah(v["amount"], style))
    last = len(lay.rows)
    lay.add("Total belum dibayar", "", rupiah(data["outstanding"], style))
    if last >= first:
        lay.charts.append(ChartSpec("bar", "Jumlah baris per status", first, last, 1,
                                    (Series("Jumlah baris", 2),), anchor_row=1))
    eff = data["effectiveness"]
    lay.add()
    lay.add("Efektivitas pengingat per tingkat", *EFF_HEAD)
    first = len(lay.rows) + 1
    for g in eff["by_level"]:
        lay.add(f"{g['level']} {g['label']}", *_eff_row("", g)[1:])
    last = len(lay.rows)
    if last >= first:
        lay.charts.append(ChartSpec("bar", "Lunas setelah pengingat, per tingkat", first, last,
                                    1, (Series("Diingatkan", 2), Series("Lunas", 3)),
                                    anchor_row=18))
    lay.add(*_eff_row("Semua pengingat", eff["total"]))
    for title, key, groups in (("Per saluran", "label", eff["by_channel"]),
                               ("Per petugas", "operator", eff["by_operator"])):
        lay.add()
        lay.add(title, *EFF_HEAD)
        for g in groups:
            lay.add(*_eff_row(g.get(key) or "-", g))
    lay.add()
    lay.add("Kurva penagihan", "Terkumpul hari itu (Rp)", "Kumulatif (Rp)")
    first = len(lay.rows) + 1
    for c in eff["curve"]:
        lay.add(c["date"], c["collected"], c["cumulative"])
    last = len(lay.rows)
    if last >= first:
        lay.charts.append(ChartSpec("line", "Kurva penagihan (kumulatif)", first, last, 1,
                                    (Series("Kumulatif (Rp)", 3),), anchor_row=35))
    return lay
