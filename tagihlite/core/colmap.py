"""The column mapping a person stores in the workbook: the ``Pengaturan`` sheet.

Ribbon button Atur Kolom writes it; every action (and the command line on the same file)
reads it, and it wins over guessing. One line per (sheet, field)::

    Sheet    | Bidang        | Kode   | Judul kolom
    Tagihan  | No WhatsApp   | phone  | Kontak Pelanggan

Pure: grids in, grids out; the shells do the reading and writing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from tagihlite.core.columns import INPUT_COLUMNS

MAPPING_SHEET: Final = "Pengaturan"
TITLE: Final = "Pengaturan TagihLite"
NOTE: Final = ("Pemetaan kolom: diisi lewat tombol Atur Kolom. Judul kolom di sini dipakai "
               "apa adanya, tanpa menebak.")
HEADER: Final = ("Sheet", "Bidang", "Kode", "Judul kolom")
FIRST_ROW: Final = 4  # rows 1-3: title, note, header


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def read_mapping(grid: Sequence[Sequence[Any]], sheet: str) -> dict[str, str]:
    """field -> header text stored for ``sheet`` (sheet names compared without case)."""
    out: dict[str, str] = {}
    want = sheet.strip().casefold()
    for row in grid:
        cells = [_text(c) for c in list(row)[:4]] + [""] * 4
        name, _, code, header = cells[:4]
        if name.casefold() == want and code in INPUT_COLUMNS and header:
            out[code] = header
    return out


def mapping_grid(grid: Sequence[Sequence[Any]], sheet: str, mapping: Mapping[str, str]
                 ) -> list[list[str]]:
    """The whole sheet after storing ``mapping`` for ``sheet``: other sheets' lines kept,
    this sheet's lines replaced (a field mapped to "" is removed)."""
    want = sheet.strip().casefold()
    kept: list[list[str]] = []
    for row in list(grid)[FIRST_ROW - 1:]:
        cells = ([_text(c) for c in list(row)[:4]] + [""] * 4)[:4]
        if cells[2] in INPUT_COLUMNS and cells[0].casefold() != want and cells[3]:
            kept.append(cells)
    mine = [[sheet, INPUT_COLUMNS[f][0], f, h] for f, h in
            ((f, mapping.get(f, "")) for f in INPUT_COLUMNS) if h.strip()]
    return [[TITLE, "", "", ""], [NOTE, "", "", ""], list(HEADER), *kept, *mine]
