"""Headers by meaning (issue 11): real header vocabularies, content evidence, stored
mappings and the message when a column cannot be found."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from core_helpers import run_cli, write_book

from tagihlite.core.content import column_evidence, thbl_period, value_kinds
from tagihlite.core.headers import (
    BILL_VOCABULARY,
    FieldVocab,
    header_scores,
    match_headers,
    tokens,
)
from tagihlite.core.ledger import build
from tagihlite.core.table import locate
from tagihlite.errors import InputError
from tagihlite.workbook.file import read_table

FIELDS = ("name", "customer_id", "amount", "phone", "paid_status", "due_date", "period")


def _rows(n: int = 8) -> list[list[object]]:
    """Values in FIELDS order that look like a real arrears list."""
    return [[f"Toko Fiktif {i}", f"1412345{i:05d}", 150_000 + 1000 * i, f"0812-7000-{i:04d}",
             "BELUM BAYAR" if i % 3 else "LUNAS", dt.datetime(2026, 11, 20),
             "2026-11"] for i in range(1, n + 1)]


# field order of each vocabulary is FIELDS; None = the column is absent
VOCABULARIES = {
    "issue: unit in brackets, slash alternatives": (
        "Nama Pelanggan", "Nomor Indibiz", "Jumlah Tagihan (Rp)", "No HP / WA", "Status",
        "Jatuh Tempo", "Periode"),
    "issue: the headers a person reads at a glance": (
        "Nama", "INET", "Total Tagihan (Rupiah)", "No. HP (WA aktif)",
        "Status Pembayaran Terakhir", "Tgl Jatuh Tempo", "Bulan"),
    "kontak and tunggakan": (
        "Nama Pelanggan", "No Internet", "Jml Tunggakan", "Kontak Pelanggan",
        "Keterangan Bayar", None, None),
    "Telkom export upper case with underscores": (
        "NAMA_PELANGGAN", "ND_INTERNET", "JML_TAGIHAN", "NO_HP", "STATUS_BAYAR", "TGL_JT",
        "THBL"),
    "glued words": ("NAMAPELANGGAN", "NOINET", "JMLTAGIHAN", "NOHP", "STATUSBAYAR", None,
                    None),
    "Excel Table headers (camelCase)": (
        "NamaPelanggan", "IdPelanggan", "TotalTagihan", "NoWhatsApp", "StatusPembayaran",
        "TanggalJatuhTempo", "PeriodeTagihan"),
    "English export": ("Customer Name", "Customer ID", "Outstanding (IDR)", "Mobile Phone",
                       "Payment Status", "Due Date", "Period"),
    "abbreviations nobody listed": ("Nm. Plg", "No. Plg", "Nominal (IDR)", "Tlp/HP",
                                    "Sts Byr", "Tgl JT", "Bln Tagihan"),
    "SND and ponsel": ("Pelanggan", "SND", "Tagihan (Rp.)", "Ponsel", "Lunas?", None,
                       "Periode Tagihan"),
    "layanan and handphone": ("Nama Usaha / Pelanggan", "Nomor Layanan", "Nilai Tunggakan",
                              "Handphone", "Status Lunas", "Batas Pembayaran", None),
    "whatsapp with extra words": ("Nama Customer", "ID Indibiz", "Piutang (Rp)",
                                  "Nomor WhatsApp Aktif", "Ket. Pembayaran", "Due", None),
    "telepon and saldo": ("Nama PIC", "No Indibiz", "Saldo Tagihan", "Telepon Seluler",
                          "Keterangan", None, "Periode"),
    "mobile and amount": ("Client", "Account", "Amount", "Mobile", "Paid", "Deadline",
                          "Month"),
}


def _grid(headers: tuple[str | None, ...], title: bool = True) -> list[list[object]]:
    cols = [i for i, h in enumerate(headers) if h is not None]
    grid: list[list[object]] = []
    if title:
        grid += [["DAFTAR TUNGGAKAN INDIBIZ (DATA FIKTIF)"], [], ["Unit: Dumai"]]
    grid.append(["No", *[headers[i] for i in cols], "Sales"])
    for n, row in enumerate(_rows(), 1):
        grid.append([n, *[row[i] for i in cols], "Andi"])
    return grid


@pytest.mark.parametrize("name", list(VOCABULARIES))
def test_realistic_header_vocabularies(name: str) -> None:
    headers = VOCABULARIES[name]
    grid = _grid(headers)
    t = locate(grid, "Tagihan", file="ekspor.xlsx")
    assert t.header_row == 4
    for i, fld in enumerate(FIELDS):
        if headers[i] is None:
            assert fld not in t.fields
        else:
            assert t.column_name(fld) == headers[i], (fld, t.how)
    led = build(t, today=dt.date(2026, 11, 25), fallback_period="2026-11")
    paid = 2 if headers[4] else 0  # rows 3 and 6 are LUNAS
    assert sum(led["eligible"]) == 8 - paid  # every row read right


def test_tokens_drop_units_brackets_and_split_alternatives() -> None:
    assert tokens("Jumlah Tagihan (Rp)") == ("jumlah", "tagihan")
    assert tokens("No HP / WA") == ("no", "hp", "wa")
    assert tokens("Nominal [IDR]") == ("nominal",)
    assert tokens("NamaPelanggan") == ("nama", "pelanggan")
    assert tokens("NOHP") == ("no", "hp")


def test_a_column_belongs_to_its_best_field() -> None:
    scores = header_scores("Bulan Tagihan")
    assert scores["period"] > scores["amount"]
    assert header_scores("Tgl Bayar")["paid_status"] <= 0  # a date, not a status
    assert max(header_scores("Status Kirim").values()) <= 0  # TagihLite's own column


def test_excel_table_default_headers_content_only() -> None:
    """Kolom1..Kolom6 say nothing: the values decide, and say so ("content")."""
    header = ["Kolom1", "Kolom2", "Kolom3", "Kolom4", "Kolom5", "Kolom6"]
    grid = [header] + [[r[3], r[0], r[2], r[1], r[4], r[5]] for r in _rows()]
    t = locate(grid, "Tabel1", file="x.xlsx")
    assert {f: t.column_name(f) for f in t.fields} == {
        "phone": "Kolom1", "name": "Kolom2", "amount": "Kolom3", "customer_id": "Kolom4",
        "paid_status": "Kolom5", "due_date": "Kolom6"}
    assert set(t.how.values()) == {"content"}


def test_weak_header_needs_its_values() -> None:
    """"Total" alone is weak: numbers under it make it the amount; names do not."""
    base = ["Nama Pelanggan", "Nomor Indibiz", "No WhatsApp"]
    good = [[*base, "Total"]] + [[r[0], r[1], r[3], r[2]] for r in _rows()]
    t = locate(good, "S")
    assert (t.column_name("amount"), t.how["amount"]) == ("Total", "content")
    bad = [[*base, "Total"]] + [[r[0], r[1], r[3], "Andi"] for r in _rows()]
    with pytest.raises(InputError) as exc:
        locate(bad, "S", file="b.xlsx")
    assert "paling mirip 'Total'" in str(exc.value)


def test_a_tie_is_settled_by_values_or_reported() -> None:
    header = ["Nama", "Nomor Indibiz", "Tagihan", "No HP", "No HP"]
    rows = [[r[0], r[1], r[2], "0761-31234", r[3]] for r in _rows()]  # first: a landline
    t = locate([header, *rows], "S")
    assert (t.fields["phone"], t.how["phone"]) == (4, "content")
    same = [[r[0], r[1], r[2], r[3], r[3]] for r in _rows()]
    with pytest.raises(InputError) as exc:
        locate([header, *same], "S", file="t.xlsx")
    assert "'No HP' dan 'No HP' sama-sama cocok" in str(exc.value)


def test_stored_mapping_wins_over_guessing() -> None:
    header = ["Nama Pelanggan", "Nomor Indibiz", "Jumlah Tagihan", "No HP", "HP Pemilik"]
    rows = [[r[0], r[1], r[2], "0761-31234", r[3]] for r in _rows()]
    t = locate([header, *rows], "S", mapping={"phone": "hp pemilik"})
    assert (t.column_name("phone"), t.how["phone"]) == ("HP Pemilik", "mapping")
    # a mapping makes headers that mean nothing usable
    odd = ["A", "B", "C", "D"]
    mapping = {"name": "A", "customer_id": "B", "amount": "C", "phone": "D"}
    t = locate([["judul"], odd, *[r[:4] for r in _rows()]], "S", mapping=mapping)
    assert t.header_row == 2 and set(t.how.values()) == {"mapping"}


def test_thbl_period() -> None:
    assert thbl_period(202611) == "2026-11"
    assert thbl_period("202611") == "2026-11"
    assert thbl_period(202611.0) == "2026-11"
    assert thbl_period(202613) is None and thbl_period(1250000) is None
    header = ["Nama", "Nomor Indibiz", "Tagihan", "No HP", "THBL"]
    rows = [[r[0], r[1], r[2], r[3], 202611] for r in _rows()]
    t = locate([header, *rows], "S")
    led = build(t, today=dt.date(2027, 1, 5))
    assert set(led["period"]) == {"2026-11"}


def test_value_kinds() -> None:
    assert value_kinds("0812-7000-0001") == {"phone"}
    assert value_kinds(81270000001) == {"phone"}  # a number cell lost its leading 0
    assert value_kinds("141234500001") == {"service"}
    assert value_kinds("Rp1.250.000") == {"amount"}
    assert value_kinds("BELUM BAYAR") == {"paid"}
    assert value_kinds(dt.date(2026, 11, 20)) == {"date"}
    assert value_kinds(202611) == {"period", "amount"}
    assert value_kinds("Toko Maju Jaya") == {"name"}
    assert column_evidence([]) == {}


def test_match_headers_takes_any_vocabulary() -> None:
    """Another importer (payments) reuses the matcher with its own fields."""
    payments = {
        "customer_id": BILL_VOCABULARY["customer_id"],
        "paid_on": FieldVocab("Tanggal Bayar", {"tanggal bayar": 5, "tgl": 1, "bayar": 2},
                              ("Tanggal Bayar",), "date"),
    }
    grid = [["Rekap pembayaran"], ["No", "INET", "Tgl. Bayar"],
            [1, "141234500001", dt.date(2026, 11, 3)]]
    m = match_headers(grid, payments, required=("customer_id", "paid_on"))
    assert m.row == 1 and m.indexes() == {"customer_id": 1, "paid_on": 2}


def test_miss_message_names_headers_missing_closest_and_the_fix(tmp_path: Path) -> None:
    header = ["No", "Nama Pelanggan", "Nomor Indibiz", "Total", "Keterangan"]
    path = write_book(tmp_path / "m.xlsx",
                      [[1, "Toko A", "141234500001", "belum", "x"]], header=header,
                      header_row=3)
    code, _, err = run_cli("check", path)
    assert code == 2 and "Traceback" not in err
    assert "Kolom Jumlah Tagihan, No WhatsApp tidak ditemukan di berkas 'm.xlsx'" in err
    assert ("Judul kolom di baris 3 (yang paling cocok di 30 baris pertama): 'No', "
            "'Nama Pelanggan', 'Nomor Indibiz', 'Total'") in err
    assert "Jumlah Tagihan: paling mirip 'Total'" in err
    assert "No WhatsApp: tidak ada judul yang mirip" in err
    assert "[columns]" in err and 'phone = "JUDUL KOLOM"' in err and 'amount = "Total"' in err


def test_settings_columns_and_check_json(tmp_path: Path, monkeypatch) -> None:
    header = ["No", "Pelanggan", "Nomor Indibiz", "Total", "Kontak", "Kolom6"]
    rows = [[i, f"Toko {i}", f"1412345{i:05d}", 200_000, f"0812-7000-{i:04d}", "LUNAS"]
            for i in range(1, 6)]
    path = write_book(tmp_path / "s.xlsx", rows, header=header)
    code, out, _ = run_cli("check", path, "--json", "--period", "2026-11")
    assert code == 0
    cols = json.loads(out)["columns"]
    assert cols["phone"] == {"header": "Kontak", "column": "E", "how": "tokens"}
    assert cols["name"] == {"header": "Pelanggan", "column": "B", "how": "alias"}
    assert cols["amount"]["how"] == "content"
    assert cols["paid_status"] == {"header": "Kolom6", "column": "F", "how": "content"}
    settings = Path(__import__("os").environ["TAGIHLITE_CONFIG"])
    settings.write_text('[columns]\nphone = "Kontak"\namount = "Total"\n', encoding="utf-8")
    code, out, _ = run_cli("check", path, "--json", "--period", "2026-11")
    cols = json.loads(out)["columns"]
    assert cols["phone"]["how"] == "mapping" and cols["amount"]["how"] == "mapping"
    settings.write_text('[columns]\nhp = "Kontak"\n', encoding="utf-8")
    code, _, err = run_cli("check", path, "--period", "2026-11")
    assert code == 2 and "columns.hp" in err


def test_libreoffice_written_file_with_odd_headers(tmp_path: Path) -> None:
    """The same headers survive a LibreOffice round trip (another writer's strings)."""
    import shutil
    import subprocess

    headers = VOCABULARIES["issue: the headers a person reads at a glance"]
    src = write_book(tmp_path / "src.xlsx", [r for r in _rows()], header=list(headers),
                     header_row=2, text_columns=("INET", "No. HP (WA aktif)"))
    out = tmp_path / "lo"
    done = subprocess.run(
        ["/usr/bin/soffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
         "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out), str(src)],
        capture_output=True, timeout=180)
    assert done.returncode == 0, done.stderr
    lo = shutil.move(out / "src.xlsx", tmp_path / "lo.xlsx")
    t = read_table(lo)
    assert t.header_row == 2
    assert {f: t.column_name(f) for f in FIELDS} == dict(zip(FIELDS, headers, strict=True))


def test_content_never_names_a_column_whose_header_says_otherwise() -> None:
    """The only mobile numbers are the sales person's: no customer phone, no guess."""
    header = ["Nama Pelanggan", "Nomor Indibiz", "Jumlah Tagihan", "HP Sales", "Tgl Pasang"]
    rows = [[r[0], r[1], r[2], r[3], r[5]] for r in _rows()]
    with pytest.raises(InputError) as exc:
        locate([header, *rows], "S", file="s.xlsx")
    assert "No WhatsApp: tidak ada judul yang mirip" in str(exc.value)
    # an optional field is taken from values only under a header that says nothing
    header[3] = "Kontak"
    t = locate([header, *rows], "S")
    assert "due_date" not in t.fields  # "Tgl Pasang" is no due date
    header[4] = "Tanggal Pasang"
    assert "due_date" not in locate([header, *rows], "S").fields
    header[4] = "Kolom5"
    assert locate([header, *rows], "S").how["due_date"] == "content"


def test_kolom_headers_pick_their_sheet_among_others(tmp_path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Tabel1"
    ws.append([f"Kolom{i}" for i in range(1, 6)])
    for r in _rows():
        ws.append([r[0], r[1], r[2], r[3], r[4]])
    wb.create_sheet("Rekap").append(["Total baris", 8])
    wb.save(tmp_path / "k.xlsx")
    t = read_table(tmp_path / "k.xlsx")
    assert t.sheet == "Tabel1" and len(t.rows) == 8


def test_excel_table_with_odd_headers(tmp_path: Path) -> None:
    """An Excel Table (ListObject) under title lines, headers as a clerk typed them."""
    import openpyxl
    from openpyxl.worksheet.table import Table

    headers = VOCABULARIES["issue: unit in brackets, slash alternatives"]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data"
    ws.append(["Rekap tunggakan (fiktif)"])
    ws.append(["Catatan: data per 25 November"])
    ws.append(list(headers))
    for r in _rows():
        ws.append(r)
    ws.add_table(Table(displayName="Tunggakan", ref=f"A3:G{3 + len(_rows())}"))
    wb.save(tmp_path / "tabel.xlsx")
    t = read_table(tmp_path / "tabel.xlsx")
    assert (t.table_name, t.header_row) == ("Tunggakan", 3)
    assert t.column_name("phone") == "No HP / WA" and t.how["phone"] == "tokens"
    assert t.column_name("amount") == "Jumlah Tagihan (Rp)"
