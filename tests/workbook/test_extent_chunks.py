"""The extent scan's chunks: the whole part, never a tag cut in two, long runs joined once."""

from __future__ import annotations

import io
import zipfile

from tagihlite.workbook import extent


def _part(xml: bytes) -> zipfile.ZipFile:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("p.xml", xml)
    return zipfile.ZipFile(buf)


def test_chunks_are_the_part_cut_before_tags(monkeypatch) -> None:
    monkeypatch.setattr(extent, "CHUNK", 1 << 12)  # many blocks even for a small part
    rows = b"".join(b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (i, i, i)
                    for i in range(1, 5000))
    # A run far longer than a block with no '<' in it (a hostile attribute value).
    xml = b"<worksheet><sheetData>" + rows + b'<x a="' + b"z" * 100_000 + b'"/></sheetData>'
    parts = list(extent._chunks(_part(xml), "p.xml"))
    assert b"".join(parts) == xml
    assert len(parts) > 10 and all(p.startswith(b"<") for p in parts)
    assert max(map(len, parts)) > 100_000  # the run came out in one piece


def test_a_far_cell_is_found_across_block_boundaries(monkeypatch) -> None:
    monkeypatch.setattr(extent, "CHUNK", 1 << 10)
    filler = b"".join(b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (i, i)
                      for i in range(1, 3000))
    xml = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
           b"<sheetData>" + filler + b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
           b"</sheetData></worksheet>")
    found = extent.sheet_extent(_part(xml), "p.xml")
    assert (found.last_row, found.last_col) == (1_048_576, 16_384) and found.too_big
