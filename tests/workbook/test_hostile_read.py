"""Hostile workbooks through the command line: exit 2 with one sentence, or read correctly.

Never a crash, never a traceback, never a changed file. The sparse giants run in a child
process with its address space capped: a reader that allocates the dense grid again aborts
that child (a failed test), not pytest.
"""

from __future__ import annotations

import json
import os
import resource
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from file_shell_helpers import needs_soffice, sha256
from support.spreadsheetml import (
    HEADER,
    Formula,
    customer_cells,
    ods_cell,
    ods_row,
    write_ods,
    write_xlsx,
)

from tagihlite.cli import main
from tagihlite.workbook.extent import oversized_sheets
from tagihlite.workbook.read import read_workbook

GIB = 1 << 30


def run(*args: str | Path, cap: int = 6 * GIB) -> tuple[int, str, str]:
    """``tagihlite ARGS`` in a child process with at most ``cap`` bytes of address space."""
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    proc = subprocess.run([sys.executable, "-m", "tagihlite", *map(str, args)],
                          capture_output=True, text=True, timeout=300,
                          preexec_fn=limit, env=os.environ.copy())
    return proc.returncode, proc.stdout, proc.stderr


def assert_refused(result: tuple[int, str, str], path: Path, before: str, *words: str) -> str:
    code, out, stderr = result
    assert code == 2, (code, out[-500:], stderr[-2000:])
    assert "Traceback" not in stderr, stderr
    # `send` may say first that logins are off; the refusal is one line of its own.
    errors = [line for line in stderr.splitlines() if line.startswith("tagihlite:")]
    assert len(errors) == 1, stderr
    err = errors[0]
    assert f"'{path.name}'" in err, err
    for word in words:
        assert word in err, err
    assert sha256(path) == before
    return err


def giant(path: Path, *, table: bool = True, kind: str = "xlsx") -> Path:
    """A 2 KB workbook: (a customer table or A1) plus one number at XFD1048576."""
    cells = list(customer_cells(2)) if table else [(1, 1, "x")]
    return write_xlsx(path, {"Tagihan": [*cells, (1_048_576, 16_384, 1)]}, kind=kind)


# --- 1. sparse giants -----------------------------------------------------------------------

@pytest.mark.parametrize("command", [["check"], ["mark"],
                                     ["send", "--yes", "--operator", "Uji", "--period",
                                      "2026-11"]])
@pytest.mark.parametrize("suffix", [".xlsx", ".xlsm"])
def test_sparse_giant_is_refused_by_every_command(tmp_path: Path, command: list[str],
                                                  suffix: str) -> None:
    path = giant(tmp_path / f"raksasa{suffix}", kind=suffix[1:])
    assert path.stat().st_size < 4096
    before = sha256(path)
    err = assert_refused(run(command[0], path, *command[1:]), path, before,
                         "sheet 'Tagihan'", "XFD", "1048576", "Ctrl+End")
    assert err.startswith("tagihlite: Berkas 'raksasa")


def test_giant_sheet_beside_the_table_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "dua_sheet.xlsx"
    write_xlsx(path, {"Tagihan": customer_cells(3),
                      "Catatan": [(1, 1, "coretan"), (1_048_576, 16_384, "?")]})
    before = sha256(path)
    code, out, err = run("check", path, "--json")
    assert code == 0, err
    assert [r["row"] for r in json.loads(out)["rows"]] == [2, 3, 4]
    assert_refused(run("check", path, "--sheet", "Catatan"), path, before, "sheet 'Catatan'")


def test_giant_import_target_is_never_written(tmp_path: Path) -> None:
    source = write_xlsx(tmp_path / "ekspor.xlsx", {"Tagihan": customer_cells(2)})
    target = giant(tmp_path / "kerja.xlsx", table=False)
    before = sha256(target)
    assert_refused(run("import", source, target), target, before, "sheet 'Tagihan'")
    assert not list(tmp_path.glob("*.bak*")) and len(list(tmp_path.iterdir())) == 2


def test_far_cells_without_references_are_counted(tmp_path: Path) -> None:
    # No r attributes: each cell follows the previous one, as calamine places them.
    # Row 1,048,576 with 40 cells spans A..AN: 1,048,576 x 40 cells.
    far_row = "".join("<c><v>1</v></c>" for _ in range(40))
    path = write_xlsx(tmp_path / "tanpa_ref.xlsx", {"Tagihan": (
        '<row><c t="inlineStr"><is><t>x</t></is></c></row>'
        f'<row r="1048576">{far_row}</row>')}, dimension=None)
    before = sha256(path)
    assert_refused(run("check", path), path, before, "kolom AN baris 1048576")


@pytest.mark.parametrize("ref,words", [
    ("xfd1048576", "kolom XFD baris 1048576"),      # lower case
    ("AAAA1048576", "kolom AAAA baris 1048576"),    # past XFD
    ("AB99999999", "baris 99999999"),               # past row 1,048,576
    ("A99999999", "baris 99999999"),
], ids=["lower-case", "four-letters", "narrow-past-last-row", "column-a-past-last-row"])
def test_references_outside_excels_grid_are_counted(tmp_path: Path, ref: str,
                                                    words: str) -> None:
    # calamine accepts all of these references and allocated 90-610 GB for them.
    path = write_xlsx(tmp_path / "ref_aneh.xlsx", {"Tagihan": (
        '<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>'
        f'<row r="2"><c r="{ref}"><v>1</v></c></row>')}, dimension="A1:A2")
    before = sha256(path)
    assert_refused(run("check", path), path, before, words)


def test_wide_sheet_reaching_far_down_is_refused(tmp_path: Path) -> None:
    # 34 columns x 1,000,000 rows is over the limit although no cell is past column AH.
    path = write_xlsx(tmp_path / "lebar.xlsx", {
        "Tagihan": [*customer_cells(2), (1_000_000, 34, 5)]}, dimension="A1:B2")
    before = sha256(path)
    assert_refused(run("check", path), path, before, "kolom AH baris 1000000")


def test_wide_or_styled_far_cells_are_not_refused(tmp_path: Path) -> None:
    # A value at XFD1 (16,384 cells) and an empty styled cell at XFD1048576 (no value:
    # calamine ignores it) are fine: no false alarm.
    rows = "".join(
        f'<row r="{r}">' + "".join(
            f'<c r="{chr(64 + c)}{r}" t="inlineStr"><is><t>{v}</t></is></c>'
            for c, v in enumerate(values, 1)) + "</row>"
        for r, values in enumerate([
            ["Nama Pelanggan", "Nomor Indibiz", "Jumlah Tagihan", "No HP", "Status Bayar"],
            ["Toko Satu", "141200000001", "150000", "081200000001", "BELUM BAYAR"]], 1))
    rows = rows.replace("</row>", '<c r="XFD1"><v>7</v></c></row>', 1)
    rows += '<row r="1048576"><c r="XFD1048576" s="0"/></row>'
    path = write_xlsx(tmp_path / "rapi.xlsx", {"Tagihan": rows}, dimension="A1:XFD1048576")
    code, out, err = run("check", path, "--json", "--period", "2026-11")
    assert code == 0, err
    assert [r["row"] for r in json.loads(out)["rows"]] == [2]


def _ods_table(rows: int = 1) -> str:
    values = ["Toko Satu", "141200000001", 150000, "081234567890", "BELUM BAYAR", "2026-11"]
    return (ods_row("".join(ods_cell(h) for h in HEADER))
            + ods_row("".join(ods_cell(v) for v in values), repeat=rows))


def test_ods_far_cell_refused_below_calamines_own_limit(tmp_path: Path) -> None:
    # 1,024 columns x 50,000 rows = 51.2 M cells: calamine (limit 100 M) would allocate
    # 1.6 GB for it as it opens the file; refused from a walk of content.xml instead, within
    # 2 GiB of address space. Repeats are counted.
    far = (_ods_table(rows=2) + ods_row(ods_cell(None), repeat=49_996)
           + ods_row(ods_cell(None, repeat=1_023) + ods_cell(1)))
    path = write_ods(tmp_path / "jauh.ods", {"Tagihan": far})
    before = sha256(path)
    assert_refused(run("check", path, cap=2 * GIB), path, before, "sheet 'Tagihan'",
                   "kolom AMJ baris 50000", "51.200.000 sel")


def test_ods_trailing_empty_repeats_are_not_counted(tmp_path: Path) -> None:
    # LibreOffice pads every sheet with empty repeated rows and cells to the sheet's end.
    padded = (_ods_table(rows=3).replace("</table:table-row>",
                                         ods_cell(None, repeat=16_378) + "</table:table-row>")
              + ods_row(ods_cell(None, repeat=16_384), repeat=1_048_572))
    path = write_ods(tmp_path / "rapi.ods", {"Tagihan": padded})
    code, out, err = run("check", path, "--json")
    assert code == 0, err
    assert [r["row"] for r in json.loads(out)["rows"]] == [2, 3, 4]


# --- 2. a 1,048,575-row sheet ------------------------------------------------------------------

def test_sheet_reaching_the_last_rows_is_read(tmp_path: Path) -> None:
    # A table and one note in row 1,048,575: a dense 1,048,575 x 6 grid, read, not refused.
    path = write_xlsx(tmp_path / "panjang.xlsx", {
        "Tagihan": [*customer_cells(3), (1_048_575, 1, "catatan paling bawah")]})
    before = sha256(path)
    code, out, err = run("check", path, "--json", "--period", "2026-11")
    assert code == 0, err
    rows = json.loads(out)["rows"]
    assert [r["row"] for r in rows if r["eligible"]] == [2, 3]
    assert sha256(path) == before


# --- 5. odd cells, odd sheet XML ---------------------------------------------------------------

def _odd_cells() -> list[tuple[int, int, object]]:
    cells = [c for c in customer_cells(5) if not (c[0] > 1 and c[1] in (1, 3, 4))]
    return [
        *cells,
        (2, 1, "A" * 32_767), (2, 3, 1e19), (2, 4, "081234567890"),
        (3, 1, Formula('CONCAT("a","b")')), (3, 3, Formula("1+1")), (3, 4, Formula("A1")),
        (4, 1, "Toko Besar"), (4, 3, 12345678901234567890123), (4, 4, "081234567891"),
        (5, 1, "Toko Teks"), (5, 3, "12345678901234567890123"), (5, 4, "081234567892"),
        (6, 1, "Toko Cache"), (6, 3, Formula("1000*2", 2000)),
        (6, 4, Formula('"0812"&"34567893"', "081234567893")),
    ]


@pytest.mark.parametrize("dimension", [None, "A1:B2"], ids=["no-dimension", "lying-dimension"])
def test_odd_cells_and_rows_out_of_order_are_read(tmp_path: Path, capsys,
                                                  dimension: str | None) -> None:
    path = tmp_path / "aneh.xlsx"
    # Rows written bottom-up: the reader must place each row by its reference.
    write_xlsx(path, {"Tagihan": sorted(_odd_cells(), key=lambda c: (-c[0], c[1]))},
               sort_rows=False, dimension=dimension)
    before = sha256(path)
    grid = read_workbook(path)[0].grid
    assert len(grid[1][0]) == 32_767 and grid[1][2] == 1e19
    assert grid[2][0] is None and grid[2][2] is None and grid[2][3] is None  # no cached value
    assert grid[3][0] == "Toko Besar" and grid[4][2] == "12345678901234567890123"
    assert grid[5][2] == 2000 and grid[5][3] == "081234567893"
    assert main(["check", str(path), "--json", "--period", "2026-11"]) == 0
    rows = json.loads(capsys.readouterr().out)["rows"]
    assert [r["row"] for r in rows] == [2, 3, 4, 5, 6]
    assert len(rows[0]["name"]) == 32_767
    assert sha256(path) == before


# --- LibreOffice-written files ------------------------------------------------------------------

def _soffice(src: Path, fmt: str, out_dir: Path, profile: Path) -> Path:
    subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless",
                    "--convert-to", fmt, "--outdir", str(out_dir), str(src)],
                   check=True, capture_output=True, timeout=180)
    return out_dir / f"{src.stem}.{fmt.split(':')[0]}"


@needs_soffice
def test_libreoffice_written_odd_cells_and_giants(tmp_path: Path, capsys) -> None:
    out_dir, profile = tmp_path / "lo", tmp_path / "profile"
    # An export saved by LibreOffice: a 32,767-character name, 1e19, a 23-digit amount.
    csv_path = tmp_path / "aneh_lo.csv"
    csv_path.write_text(
        "Nama Pelanggan,Nomor Indibiz,Jumlah Tagihan,No HP,Status Bayar,Periode\n"
        f"{'B' * 32_767},141200000001,1e19,081234567890,BELUM BAYAR,2026-11\n"
        "Toko Dua,141200000002,12345678901234567890123,081234567891,BELUM BAYAR,2026-11\n"
        "Toko Tiga,141200000003,150000,081234567892,BELUM BAYAR,2026-11\n", encoding="utf-8")
    lo_xlsx = _soffice(csv_path, "xlsx", out_dir, profile)
    assert main(["check", str(lo_xlsx), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["rows"]
    assert [r["row"] for r in rows] == [2, 3, 4] and len(rows[0]["name"]) == 32_767
    # The sparse giant, saved by LibreOffice as .ods: calamine's own cell limit, as a sentence.
    ods = _soffice(giant(tmp_path / "raksasa_lo.xlsx"), "ods", out_dir, profile)
    assert_refused(run("check", ods), ods, sha256(ods), "terlalu luas", "Ctrl+End")


@needs_soffice
def test_xls_cell_record_far_out_is_refused(tmp_path: Path) -> None:
    # BIFF8 has 256 columns, but a cell record's column is 16 bits and calamine trusts it:
    # a NUMBER record moved to row 65,536, column 65,536 asked for 137 GB.
    source = write_xlsx(tmp_path / "lama.xlsx", {"Tagihan": [*customer_cells(2),
                                                             (3, 8, 123456.789)]})
    xls = _soffice(source, "xls", tmp_path / "lo", tmp_path / "profile")
    data = bytearray(xls.read_bytes())
    value_at = data.find(struct.pack("<d", 123456.789))
    assert value_at > 10 and data[value_at - 10:value_at - 8] == b"\x03\x02"  # NUMBER
    struct.pack_into("<HH", data, value_at - 6, 0xFFFF, 0xFFFF)
    xls.write_bytes(bytes(data))
    before = sha256(xls)
    assert_refused(run("check", xls), xls, before, "sheet 'Tagihan'", "baris 65536")


# --- 3. CSV ---------------------------------------------------------------------------------------

CSV_TEXT = ("Nama Pelanggan;Nomor Indibiz;Jumlah Tagihan;No HP;Status Bayar;Periode\n"
            "Kopi Ñusantara Café;141200000001;150000;081234567890;BELUM BAYAR;2026-11\n"
            "Toko Śrī Jaya;141200000002;250000;081234567891;BELUM BAYAR;2026-11\n")


def _check_names(capsys, path: Path) -> list[str]:
    code = main(["check", str(path), "--json"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return [r["name"] for r in json.loads(captured.out)["rows"]]


@pytest.mark.parametrize("encoding,bom", [
    ("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff"), ("utf-16-le", b""),
    ("utf-16-be", b""), ("utf-32-le", b"\xff\xfe\x00\x00"), ("utf-8", b"\xef\xbb\xbf"),
    ("utf-8", b"")])
def test_csv_unicode_encodings_are_detected(tmp_path: Path, capsys, encoding: str,
                                            bom: bytes) -> None:
    path = tmp_path / "unicode.csv"
    path.write_bytes(bom + CSV_TEXT.encode(encoding))
    assert _check_names(capsys, path) == ["Kopi Ñusantara Café", "Toko Śrī Jaya"]


def test_excel_unicode_text_export_is_read(tmp_path: Path, capsys) -> None:
    # Excel's "Unicode Text (*.txt)": UTF-16 LE with BOM, tab-separated, CRLF.
    path = tmp_path / "ekspor_unicode.txt"
    path.write_bytes(b"\xff\xfe" + CSV_TEXT.replace(";", "\t").replace("\n", "\r\n")
                     .encode("utf-16-le"))
    assert _check_names(capsys, path) == ["Kopi Ñusantara Café", "Toko Śrī Jaya"]


def test_csv_cp1252_is_still_read(tmp_path: Path, capsys) -> None:
    path = tmp_path / "ansi.csv"
    path.write_bytes(CSV_TEXT.replace("Śrī", "Müller").encode("cp1252"))
    assert _check_names(capsys, path) == ["Kopi Ñusantara Café", "Toko Müller Jaya"]


@pytest.mark.parametrize("encoding", ["gbk", "shift_jis", "cp1251", "koi8_r"])
def test_csv_other_encodings_are_refused_not_garbled(tmp_path: Path, capsys,
                                                     encoding: str) -> None:
    names = {"gbk": ["雅加达咖啡店", "杜迈五金行"], "shift_jis": ["東京商店", "大阪食堂"],
             "cp1251": ["Магазин Дюмай", "Кафе Пеканбару"],
             "koi8_r": ["Магазин Дюмай", "Кафе Пеканбару"]}[encoding]
    path = tmp_path / f"{encoding}.csv"
    text = "Nama Pelanggan;Nomor Indibiz;Jumlah Tagihan;No HP\n" + "".join(
        f"{n};14120000000{i};150000;08123456789{i}\n" for i, n in enumerate(names))
    path.write_bytes(text.encode(encoding))
    before = sha256(path)
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert "pengodean" in err and "Traceback" not in err and len(err.splitlines()) == 1
    assert f"'{path.name}'" in err and sha256(path) == before


def test_csv_with_binary_bytes_is_refused(tmp_path: Path, capsys) -> None:
    path = tmp_path / "biner.csv"
    path.write_bytes(b"Nama;Nomor\n" + bytes(range(256)) * 4)
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert "'biner.csv'" in err and "Traceback" not in err and len(err.splitlines()) == 1


@pytest.mark.parametrize("unclosed", [False, True])
def test_csv_field_over_the_limit_is_one_sentence(tmp_path: Path, capsys,
                                                  unclosed: bool) -> None:
    path = tmp_path / "panjang.csv"
    big = "C" * 140_000
    field = f'"{big}' if unclosed else big
    path.write_text("Nama Pelanggan;Nomor Indibiz;Jumlah Tagihan;No HP\n"
                    "Toko Satu;141200000001;150000;081234567890\n"
                    f"{field};141200000002;150000;081234567891\n"
                    "Toko Tiga;141200000003;150000;081234567892\n", encoding="utf-8")
    before = sha256(path)
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert "'panjang.csv' baris 3" in err and "131.072 karakter" in err
    assert "Traceback" not in err and len(err.splitlines()) == 1 and sha256(path) == before



def test_a_damaged_sheet_does_not_hide_a_giant_behind_it(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "campur.xlsx", {
        "Rusak": [(1, 1, "x")], "Raksasa": [(1, 1, "x"), (1_048_576, 16_384, 1)]})
    with zipfile.ZipFile(path) as zf:
        parts = {i.filename: zf.read(i) for i in zf.infolist()}
    parts["xl/worksheets/sheet1.xml"] = b'<worksheet><sheetData><row><c s="1"><v>1</v></c'
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    assert set(oversized_sheets(path)) == {"Raksasa"}
    before = sha256(path)
    assert_refused(run("check", path), path, before)  # calamine: sheet 'Rusak' is damaged
