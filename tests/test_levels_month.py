"""Two months of simulated days (``--today``) over one workbook: each day the clerk runs
``check --json`` and ``send``; payments arrive through ``payments import``. The levels,
the exactly-once rule, payments stopping reminders and the effectiveness figures are
compared with a hand count."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from core.core_helpers import column_values, run_cli, write_book

from tagihlite import clock

HEADER = ["Nama Pelanggan", "Nomor Indibiz", "Jumlah Tagihan", "No WhatsApp", "Status Bayar",
          "Jatuh Tempo", "Periode"]
A, B, C, D = "1001", "1002", "1003", "1004"
ROWS = [
    ["Toko A", A, 200_000, "0812-7000-0001", "BELUM BAYAR", dt.date(2026, 12, 20), None],
    ["Toko B", B, 300_000, "0812-7000-0002", "BELUM BAYAR", None, "2026-12"],  # due the 20th
    ["Toko C", C, 400_000, "0812-7000-0003", "BELUM BAYAR", dt.date(2026, 12, 10), None],
    ["Toko D", D, 500_000, "0812-7000-0004", "LUNAS", dt.date(2026, 12, 20), None],
]
# (customer, period) for the payment lists: B pays in full on 24 Dec; C pays 150,000 on
# 15 Dec and the rest on 28 Dec.
PAYMENTS = {
    dt.date(2026, 12, 15): [(C, "2026-12", dt.date(2026, 12, 15), 150_000)],
    dt.date(2026, 12, 24): [(B, "2026-12", dt.date(2026, 12, 24), 300_000)],
    dt.date(2026, 12, 28): [(C, "2026-12", dt.date(2026, 12, 28), 250_000)],
}
D_ = dt.date
# Hand count with the default levels (0: -3..0, 1: 1..10 gap 1, 2: 11..40 gap 5,
# 3: 41.. gap 7).
EXPECTED_SENDS = {
    (A, 0): D_(2026, 12, 17), (A, 1): D_(2026, 12, 21), (A, 2): D_(2026, 12, 31),
    (A, 3): D_(2027, 1, 30),
    (B, 0): D_(2026, 12, 17), (B, 1): D_(2026, 12, 21),
    (C, 0): D_(2026, 12, 7), (C, 1): D_(2026, 12, 11), (C, 2): D_(2026, 12, 21),
}


@pytest.fixture(autouse=True)
def _unpin() -> Iterator[None]:
    yield
    clock.pin(None)


def _payment_list(path: Path, lines: list[tuple]) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Daftar pembayaran (fiktif)"])
    ws.append(["No Internet", "Periode", "Tgl Bayar", "Jumlah Bayar"])
    for cid, per, day, amount in lines:
        ws.append([cid, per, day, amount])
        ws.cell(ws.max_row, 1).number_format = "@"
    wb.save(path)
    return path


def _outbox(folder: Path) -> list[dict]:
    f = folder / "outbox.jsonl"
    return [json.loads(x) for x in f.read_text("utf-8").splitlines()] if f.exists() else []


def test_two_months_of_days(tmp_path):
    book = write_book(tmp_path / "tagihan.xlsx", ROWS, header=HEADER)
    ob = tmp_path / "ob"
    sent_on: dict[tuple[str, int], dt.date] = {}
    day = D_(2026, 12, 1)
    while day <= D_(2027, 1, 31):
        if day in PAYMENTS:
            pay = _payment_list(tmp_path / f"bayar-{day}.xlsx", PAYMENTS[day])
            code, out, err = run_cli("--today", day.isoformat(), "payments", "import", pay, book)
            assert code == 0, err
            # importing the same list again changes nothing (journaled once)
            code, out2, _ = run_cli("payments", "import", pay, book, "--today", day.isoformat())
            assert code == 0 and "0 baru" in out2
        code, out, err = run_cli("--today", day.isoformat(), "check", book, "--json")
        assert code == 0, err
        rows = {r["customer_id"]: r for r in json.loads(out)["rows"]}
        due_today = {(cid, lvl) for (cid, lvl), d in EXPECTED_SENDS.items() if d == day}
        for cid, r in rows.items():
            expected = next((lvl for c, lvl in due_today if c == cid), None)
            if expected is not None:
                assert (r["eligible"], r["level"]) == (True, expected), (day, r["reason"])
                assert r["next_reminder"] == day.isoformat()
            else:
                assert not r["eligible"], (day, r)
        assert rows[D]["reason_code"] == "paid" and rows[D]["next_reminder"] is None
        before = len(_outbox(ob))
        code, out, err = run_cli("send", book, "--yes", "--outbox", ob, "--today",
                                 day.isoformat())
        assert code == 0, err
        for item in _outbox(ob)[before:]:
            cid, _, lvl = item["key"].split("|")
            assert (cid, int(lvl)) not in sent_on, f"two reminders of one level: {item}"
            sent_on[cid, int(lvl)] = day
        day += dt.timedelta(days=1)

    assert sent_on == EXPECTED_SENDS  # every level on its day, nothing after a payment
    keys = [i["key"] for i in _outbox(ob)]
    assert len(keys) == len(set(keys)) == 9
    # the sheet: B and C are LUNAS with their paid dates, C's amount went down and back
    rows = [2, 3, 4, 5]
    assert column_values(book, "Status Bayar", rows)[1:4] == ["LUNAS", "LUNAS", "LUNAS"]
    paid_dates = column_values(book, "Tanggal Bayar", rows)
    assert paid_dates[1].date() == D_(2026, 12, 24) and paid_dates[2].date() == D_(2026, 12, 28)
    assert column_values(book, "Tingkat", rows) == [3, 1, 2, None]
    assert column_values(book, "Hari Terlambat", rows)[0] == 42  # 31 Jan - 20 Dec

    code, out, err = run_cli("--today", "2027-01-31", "report", book, "--json")
    assert code == 0, err
    eff = json.loads(out)["effectiveness"]
    # Hand count: B settled 3 days after its level-1 reminder (21 -> 24 Dec); C settled 7
    # days after its level-2 reminder (21 -> 28 Dec); C's 150,000 on 15 Dec fell after its
    # level-1 reminder (11 Dec) and before the next one.
    assert eff["total"] == {"reminded": 9, "paid": 2, "paid_within_3_days": 1,
                            "paid_within_7_days": 2, "paid_within_14_days": 2,
                            "rate": round(2 / 9, 4), "median_days_to_pay": 5.0,
                            "collected": 700_000}
    by_level = {g["level"]: g for g in eff["by_level"]}
    assert {n: (g["reminded"], g["paid"]) for n, g in by_level.items()} == {
        0: (3, 0), 1: (3, 1), 2: (2, 1), 3: (1, 0)}
    assert (by_level[1]["paid_within_3_days"], by_level[1]["collected"]) == (1, 450_000)
    assert (by_level[2]["paid_within_3_days"], by_level[2]["paid_within_7_days"],
            by_level[2]["median_days_to_pay"], by_level[2]["collected"]) == (0, 1, 7, 250_000)
    assert [g["reminded"] for g in eff["by_channel"]] == [9]
    assert eff["curve"][-1]["cumulative"] == 700_000
