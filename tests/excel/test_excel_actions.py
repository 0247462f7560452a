"""Every ribbon button on the memory engine: what the clerk sees, what lands in the sheet."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from xlcompare import columns
from xlengine import MemoryExcel

import tagihlite.excel as tx
from tagihlite import clock
from tagihlite.addin.ribbon_ids import RIBBON_IDS
from tagihlite.core import columns as C
from tagihlite.core.vocab import Status
from tagihlite.excel import actions as excel_actions
from tagihlite.journal.sqlite import Journal
from tagihlite.settings import load

PASSWORD = "Rahasia-Dumai-2026"


def _criticals(xl: MemoryExcel) -> list[str]:
    return [a["prompt"] for a in xl.alerts if a["mode"] == "critical"]


def _journal_keys() -> set[str]:
    with Journal(load().journal_file) as journal:
        return set(journal.entries())


# --- dispatch and errors ---------------------------------------------------------------

def test_every_ribbon_id_is_handled_and_nothing_else() -> None:
    assert set(tx.ACTIONS) == set(RIBBON_IDS)
    for name in tx.ACTIONS.values():
        assert callable(getattr(excel_actions, name))


def test_an_unknown_button_is_an_indonesian_alert(xl: MemoryExcel, addin_xlsm: Path) -> None:
    xl.open(addin_xlsm)
    tx.on_ribbon("tl_teleport")
    assert _criticals(xl) == [] and len(xl.alerts) == 1
    assert "Tombol 'tl_teleport' tidak dikenal" in xl.alerts[0]["prompt"]
    assert xl.highlights == []


def test_import_of_the_module_stays_lean() -> None:
    code = ("import sys, tagihlite.excel; heavy = ('pandas', 'xlwings', 'httpx', 'pywhatkit', "
            "'openpyxl', 'numpy', 'jinja2'); print(sorted(m for m in heavy if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


def test_a_clerk_problem_is_one_sentence(xl: MemoryExcel, tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active.title = "Catatan Rapat"
    wb.active["A1"] = "bukan tabel tagihan"
    wb.save(tmp_path / "lain.xlsx")
    xl.open(tmp_path / "lain.xlsx")
    tx.on_ribbon("tl_mark")
    (message,) = _criticals(xl)
    assert "tidak berisi tabel tagihan" in message and "Traceback" not in message


def test_a_bug_is_logged_and_the_alert_says_where(xl: MemoryExcel, addin_xlsm: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from tagihlite.paths import log_dir

    def broken(click: tx.Click) -> None:
        raise ZeroDivisionError("Toko Maju 0812")  # customer data must not reach the log

    monkeypatch.setattr(excel_actions, "mark", broken)
    xl.open(addin_xlsm)
    tx.on_ribbon("tl_mark")
    (message,) = _criticals(xl)
    log = log_dir() / "tagihlite-error.log"
    assert str(log) in message and "kesalahan tak terduga" in message
    text = log.read_text("utf-8")
    assert "ZeroDivisionError" in text and "Toko" not in text


def test_without_a_calling_book_nothing_is_raised_into_vba(tmp_path: Path) -> None:
    from tagihlite.paths import log_dir

    with MemoryExcel():
        tx.on_ribbon("tl_mark")  # no mock caller: xlwings cannot find Excel
    assert (log_dir() / "tagihlite-error.log").exists()


# --- which sheet -----------------------------------------------------------------------

def test_the_active_sheet_wins_when_it_holds_a_table(xl: MemoryExcel, tmp_path: Path,
                                                     addin_xlsm: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    book = xl.open(addin_xlsm)
    pasted = book.sheets.add("Tempel", after=book.sheets[-1])
    pasted.range("C3").value = [["Nama", "No Internet", "Nominal", "No HP"],
                                ["Toko A", "'0123", 150000, "'081270001001"]]
    pasted.activate()
    asked = []
    monkeypatch.setattr(excel_actions, "_ask_period", lambda **kw: asked.append(kw) or "2026-11")
    tx.on_ribbon("tl_mark")
    assert [kw["default"] for kw in asked] == [f"{clock.today():%Y-%m}"]  # no Periode: ask
    assert xl.value("Tempel", "G4") == Status.READY  # first new column right of the table
    assert xl.highlights[-1].sheet == "Tempel"
    book.sheets["Petunjuk"].activate()  # no table there: Tagihan
    tx.on_ribbon("tl_mark")
    assert xl.highlights[-1].sheet == "Tagihan"


def test_mark_refuses_to_create_a_column_over_data_right_of_the_table(
        xl: MemoryExcel, demo_xlsx: Path) -> None:
    wb = openpyxl.load_workbook(demo_xlsx)
    ws = wb["Tagihan"]
    assert ws.max_column == 8  # the table ends at H: Status Kirim would go to I
    ws["I6"] = "catatan petugas"
    wb.save(demo_xlsx)
    xl.open(demo_xlsx)
    before = xl.cells("Tagihan")
    tx.on_ribbon("tl_mark")
    (message,) = _criticals(xl)
    assert "I6" in message and "sudah berisi data" in message and "Traceback" not in message
    assert xl.cells("Tagihan") == before and xl.highlights == []
    tx.on_ribbon("tl_send_all")  # refused before the clerk is asked to confirm
    assert [a["buttons"] for a in xl.alerts] == ["ok", "ok"] and "I6" in _criticals(xl)[-1]
    assert xl.cells("Tagihan") == before
    assert not Path(load().journal_file).exists() or _journal_keys() == set()


# --- round trips -----------------------------------------------------------------------

def _customers(n: int, prefix: str = "14123") -> list[dict[str, object]]:
    return [{"Nama Pelanggan": f"Pelanggan Fiktif {i}", "Nomor Indibiz": f"{prefix}{i:07d}",
             "Jumlah Tagihan": 100000 + i, "No WhatsApp": f"0812{i:08d}",
             "Status Bayar": "LUNAS" if i % 5 == 0 else "BELUM BAYAR",
             "Periode": "2026-11"} for i in range(1, n + 1)]


@pytest.mark.parametrize("control_id", ["tl_mark", "tl_check", "tl_preview", "tl_report"])
def test_a_click_costs_the_same_for_10_and_600_rows(control_id: str, xl: MemoryExcel,
                                                    tmp_path: Path) -> None:
    from tagihlite.addin.build import build_workbook

    costs = []
    for n in (10, 600):
        path = build_workbook(tmp_path / f"n{n}.xlsm", customers=_customers(n))
        xl.open(path)
        tx.on_ribbon(control_id)
        assert _criticals(xl) == []
        costs.append(xl.calls)
    assert costs[0] == costs[1] < 100


def test_send_costs_a_constant_plus_one_small_write_per_row(xl: MemoryExcel,
                                                            tmp_path: Path) -> None:
    from tagihlite.addin.build import build_workbook

    costs = {}
    for n, prefix in ((5, "14100"), (25, "14200")):
        path = build_workbook(tmp_path / f"s{n}.xlsm", customers=_customers(n, prefix))
        xl.open(path)
        xl.answer("yes")
        tx.on_ribbon("tl_send_all")
        sent = len([k for k in _journal_keys() if k.startswith(prefix)])
        costs[sent] = (xl.calls, xl.call_counts["Range.raw_value="])
    (few, (calls_few, writes_few)), (many, (calls_many, writes_many)) = sorted(costs.items())
    assert writes_many - writes_few == many - few  # one block write per sent row
    assert (calls_many - calls_few) / (many - few) <= 3


# --- customer text stays text --------------------------------------------------------

def test_formula_like_customer_text_is_written_as_text(xl: MemoryExcel,
                                                       tmp_path: Path) -> None:
    from tagihlite.addin.build import build_workbook

    rows = _customers(3)
    rows[0]["Nama Pelanggan"] = "=HYPERLINK(\"http://x\",\"klik\")"
    rows[1]["Nama Pelanggan"] = "-Toko Minus-"
    book = xl.open(build_workbook(tmp_path / "f.xlsm", customers=rows))
    template = book.sheets["Template"]
    template.used_range.clear_contents()
    template.range("A3").raw_value = "{{ name }}, tagihan {{ amount_rupiah }}."
    tx.on_ribbon("tl_preview")  # the engine raises if Excel would parse any of it
    assert _criticals(xl) == []
    out = xl.save(tmp_path / "out.xlsm")
    ws = openpyxl.load_workbook(out)["Tagihan"]
    pesan = columns(out, "Tagihan", 1)[C.MESSAGE]
    assert pesan[2].startswith("=HYPERLINK") and ws.cell(2, 13).data_type == "s"
    assert pesan[3] == "-Toko Minus-, tagihan Rp100.002."


# --- sending ---------------------------------------------------------------------------

def test_kirim_terpilih_sends_only_the_selected_rows(xl: MemoryExcel, addin_xlsm: Path,
                                                     tmp_path: Path) -> None:
    xl.open(addin_xlsm)
    xl.select("Tagihan", "B2:C3,E13")  # rows 2, 3 (eligible) and 13 (eligible)
    xl.answer("yes")
    tx.on_ribbon("tl_send_selected")
    confirm = next(a for a in xl.alerts if a["buttons"] == "yes_no")["prompt"]
    assert "Kirim 3 pengingat" in confirm
    statuses = columns(xl.save(tmp_path / "o.xlsm"), "Tagihan", 1)[C.STATUS]
    assert {r for r, s in statuses.items() if s == Status.QUEUED} == {2, 3, 13}
    assert len(_journal_keys()) == 3


def test_kirim_terpilih_with_clicked_row_headers(xl: MemoryExcel, addin_xlsm: Path,
                                                tmp_path: Path) -> None:
    xl.open(addin_xlsm)
    xl.select("Tagihan", "$2:$3,$13:$13")  # row headers 2-3, then Ctrl+row header 13
    xl.answer("yes")
    tx.on_ribbon("tl_send_selected")
    assert _criticals(xl) == []
    statuses = columns(xl.save(tmp_path / "o.xlsm"), "Tagihan", 1)[C.STATUS]
    assert {r for r, s in statuses.items() if s == Status.QUEUED} == {2, 3, 13}


def test_kirim_terpilih_with_whole_columns_sends_every_row(xl: MemoryExcel, addin_xlsm: Path,
                                                           tmp_path: Path) -> None:
    xl.open(addin_xlsm)
    xl.select("Tagihan", "$B:$C")  # column headers: the whole table
    xl.answer("yes")
    tx.on_ribbon("tl_send_selected")
    assert _criticals(xl) == []
    statuses = columns(xl.save(tmp_path / "o.xlsm"), "Tagihan", 1)[C.STATUS]
    assert len([s for s in statuses.values() if s == Status.QUEUED]) > 3
    tx.on_ribbon("tl_send_all")  # Kirim Semua finds nothing left to send
    assert xl.alerts[-1]["prompt"].startswith("Tidak ada pengingat yang siap dikirim")


def test_kirim_terpilih_without_a_selection_in_the_table(xl: MemoryExcel,
                                                         addin_xlsm: Path) -> None:
    xl.open(addin_xlsm)
    xl.select("Petunjuk", "A1")
    tx.on_ribbon("tl_send_selected")
    (message,) = _criticals(xl)
    assert "Pilih dulu baris pelanggan" in message
    assert not Path(load().journal_file).exists() or _journal_keys() == set()


def test_saying_no_sends_nothing_and_writes_nothing(xl: MemoryExcel, addin_xlsm: Path) -> None:
    xl.open(addin_xlsm)
    before = xl.cells("Tagihan")
    xl.answer("no")
    tx.on_ribbon("tl_send_all")
    assert xl.cells("Tagihan") == before
    assert _journal_keys() == set()
    assert xl.status_texts[-1] == "TagihLite: Pengiriman dibatalkan."


# --- login -----------------------------------------------------------------------------

@pytest.fixture
def users() -> None:
    from tagihlite.auth.users import add_user

    add_user(load(), "sari", "supervisor", PASSWORD)


def test_masuk_and_keluar_show_who_is_logged_in(users: None, xl: MemoryExcel,
                                                addin_xlsm: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    asked = []

    def window(**kwargs: object) -> tuple[str, str]:
        asked.append(kwargs)
        return ("sari", "salah-sandi") if len(asked) == 1 else ("sari", PASSWORD)

    monkeypatch.setattr(excel_actions, "_ask_login", window)
    xl.open(addin_xlsm)
    tx.on_ribbon("tl_login")
    assert len(asked) == 2 and asked[1]["message"]  # the second window says why
    assert xl.value("Laporan", "B2") == "sari (supervisor)"
    assert xl.status_texts[-1] == "TagihLite: Pengguna: sari (supervisor)"
    tx.on_ribbon("tl_logout")
    assert xl.value("Laporan", "B2") == "Belum masuk"
    assert xl.status_texts[-1] == "TagihLite: sari sudah keluar."


def test_sending_without_a_session_opens_the_login_window(users: None, xl: MemoryExcel,
                                                          addin_xlsm: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    monkeypatch.setattr(excel_actions, "_ask_login", lambda **kw: None)  # clerk cancels
    xl.open(addin_xlsm)
    tx.on_ribbon("tl_send_all")
    assert "belum masuk" in _criticals(xl)[0]
    assert _journal_keys() == set()

    monkeypatch.setattr(excel_actions, "_ask_login", lambda **kw: ("sari", PASSWORD))
    xl.answer("yes")
    tx.on_ribbon("tl_send_all")
    sent_by = columns(xl.save(tmp_path / "o.xlsm"), "Tagihan", 1)[C.SENT_BY]
    assert set(sent_by.values()) == {"sari"} and len(sent_by) == 6
    assert xl.value("Laporan", "B2") == "sari (supervisor)"


# --- report and help -------------------------------------------------------------------

def test_laporan_lists_who_sent_what(xl: MemoryExcel, addin_xlsm: Path) -> None:
    xl.open(addin_xlsm)
    xl.answer("yes")
    tx.on_ribbon("tl_send_all")
    tx.on_ribbon("tl_report")
    laporan = xl.cells("Laporan")
    texts = [v for v in laporan.values() if isinstance(v, str)]
    assert "Riwayat pengiriman" in texts and "Total belum dibayar" in texts
    history = [r for (r, c), v in laporan.items() if c == 6 and v == Status.QUEUED]
    assert len(history) == 6
    assert laporan[(2, 2)].endswith("(tanpa login)")
    assert xl.app.books.active.sheets.active.name == "Laporan"


def test_laporan_keeps_the_add_in_layout(xl: MemoryExcel, addin_xlsm: Path) -> None:
    from tagihlite.addin import build

    xl.open(addin_xlsm)
    layout = xl.cells("Laporan")
    assert layout[(2, 1)] == build.LOGIN_LABEL == excel_actions.LOGIN_LABEL
    tx.on_ribbon("tl_report")
    assert xl.cells("Laporan")[(2, 1)] == layout[(2, 1)]
    assert xl.cells("Laporan")[(1, 1)] == layout[(1, 1)]


def test_petunjuk_is_shown(xl: MemoryExcel, addin_xlsm: Path, demo_xlsx: Path) -> None:
    book = xl.open(addin_xlsm)
    tx.on_ribbon("tl_help")
    assert book.sheets.active.name == "Petunjuk"
    xl.open(demo_xlsx)
    tx.on_ribbon("tl_help")
    assert "Petunjuk" in _criticals(xl)[0]


def test_kirim_semua_refuses_while_a_command_line_send_holds_the_file(
        xl: MemoryExcel, addin_xlsm: Path) -> None:
    import json

    from tagihlite.workbook.lock import lock_path

    lock_path(addin_xlsm).write_text(json.dumps({"host": "PC-KASIR-2", "pid": 4242,
                                                 "operator": "Sari", "sending": True}))
    xl.open(addin_xlsm)
    before = xl.cells("Tagihan")
    xl.answer("yes")
    tx.on_ribbon("tl_send_all")
    assert any("PC-KASIR-2" in a["prompt"] for a in xl.alerts)
    assert xl.cells("Tagihan") == before and _journal_keys() == set()
