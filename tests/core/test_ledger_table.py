"""The ledger's column store, the verdict updates over it, and the report's sums (issue 10)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import pytest

from tagihlite.core.ledger import mark_already_sent, mark_message_too_long, mark_sent_by_sheet
from tagihlite.core.ledger_table import LEDGER_COLUMNS, Ledger, LedgerRow
from tagihlite.core.report import StatusLine, counts, tally
from tagihlite.core.vocab import Status

SENT_AT = dt.datetime(2026, 11, 20, 9, 30)


def _row(n: int, **over: Any) -> dict[str, Any]:
    row = dict.fromkeys(LEDGER_COLUMNS)
    row.update(row=n, name=f"Toko {n}", customer_id=f"14120000{n:04d}", phone="+62812700000",
               phone_note="", amount=100_000 * n, paid=False, paid_raw="BELUM", period="2026-11",
               key=f"14120000{n:04d}|2026-11|1", eligible=True, reason="", sheet_status="",
               level=1)
    row.update(over)
    return row


def _ledger(*rows: dict[str, Any]) -> Ledger:
    return Ledger({c: [r[c] for r in rows] for c in LEDGER_COLUMNS})


def test_rows_are_named_tuples_in_column_order() -> None:
    led = _ledger(_row(2), _row(3, amount=None))
    assert len(led) == 2 and led["row"] == [2, 3] and led.column("amount") == [200_000, None]
    rows = list(led.rows())
    assert isinstance(rows[0], LedgerRow) and rows[0]._fields == LEDGER_COLUMNS
    assert (rows[1].row, rows[1].name, rows[1].amount) == (3, "Toko 3", None)
    assert led.row(1) == rows[1]


def test_select_by_positions_or_mask_copies() -> None:
    led = _ledger(_row(2), _row(3, eligible=False), _row(4))
    assert led.select([2, 0])["row"] == [4, 2]
    assert led.select([True, False, True])["row"] == [2, 4]
    assert led.eligible["row"] == [2, 4]
    picked = led.select([0])
    picked.update(0, name="lain")
    assert led["name"][0] == "Toko 2"  # a copy: the ledger it came from is untouched
    with pytest.raises(ValueError, match="mask"):
        led.select([True, False])


def test_columns_must_be_complete_and_equal_in_length() -> None:
    cols = _ledger(_row(2)).to_dict()
    with pytest.raises(ValueError, match="columns"):
        Ledger({k: v for k, v in cols.items() if k != "key"})
    cols["name"] = []
    with pytest.raises(ValueError, match="length"):
        Ledger(cols)


def test_frame_keeps_none_and_types() -> None:
    frame = _ledger(_row(2), _row(3, amount=None, reason_code="amount_invalid")).frame()
    assert list(frame.columns) == list(LEDGER_COLUMNS)
    assert str(frame["row"].dtype) == "int64" and str(frame["eligible"].dtype) == "bool"
    assert frame["amount"].tolist() == [200_000, None]
    assert frame["reason_code"].tolist() == [None, "amount_invalid"]


def test_marks_change_only_eligible_rows_they_name() -> None:
    led = _ledger(_row(2), _row(3), _row(4, eligible=False, reason_code="paid", paid=True),
                  _row(5, sheet_status=Status.QUEUED, sheet_sent_at=SENT_AT),
                  _row(6, sheet_status=Status.QUEUED, sheet_sent_at=SENT_AT))
    mark_already_sent(led, {led["key"][0]: "kemarin", led["key"][2]: "kemarin"})
    mark_message_too_long(led, [3, 4])
    own = {led["customer_id"][4]: [SENT_AT + dt.timedelta(seconds=1)]}  # this PC wrote row 6
    mark_sent_by_sheet(led, known_keys=(), own_times=own)
    assert led["reason_code"] == ["already_sent", "message_too_long", "paid", "already_sent",
                                  None]
    assert led["eligible"] == [False, False, False, False, True]
    assert "kemarin" in led["reason"][0] and Status.QUEUED in led["reason"][3]


def test_counts_and_tally() -> None:
    led = _ledger(_row(2), _row(3, amount=None, eligible=False, reason_code="amount_invalid"),
                  _row(4, paid=True, eligible=False, reason_code="paid"),
                  _row(5, eligible=False, reason_code="duplicate"),
                  _row(6, eligible=False, reason_code="phone_missing"),
                  _row(7, eligible=False, reason_code="duplicate"))
    c = counts(led)
    assert (c["rows"], c["eligible"], c["paid"], c["to_fix"], c["eligible_amount"]) == (
        6, 1, 1, 4, 200_000)
    assert c["reasons"] == {"duplicate": 2, "amount_invalid": 1, "paid": 1, "phone_missing": 1}
    statuses = [Status.READY, Status.SKIPPED, Status.PAID, Status.SKIPPED, Status.SKIPPED,
                Status.QUEUED]
    rep = tally(led, statuses, [None] * 5 + ["Budi"])
    assert rep.lines == [StatusLine(Status.READY, 1, 200_000),
                         StatusLine(Status.PAID, 1, 400_000),
                         StatusLine(Status.SKIPPED, 3, 1_100_000),
                         StatusLine(Status.QUEUED, 1, 700_000)]
    assert rep.outstanding == 200_000 + 600_000  # no paid row, no duplicate, None is 0
    assert rep.reasons == Counter({"duplicate": 2, "amount_invalid": 1, "phone_missing": 1})
    assert rep.operators == Counter({"Budi": 1})
    assert tally(_ledger(), [], []).lines == []


def test_map_unique_keeps_numbers_of_other_types_apart() -> None:
    from tagihlite.core.ledger import _map_unique

    seen: list[Any] = []

    def fn(v: Any) -> str:
        seen.append(v)
        return f"{type(v).__name__}:{v}"

    values = [1, 1.0, True, "1", dt.date(2026, 11, 1), dt.datetime(2026, 11, 1), None, 1]
    assert _map_unique(fn, values) == [fn(v) for v in values]
    texts = ["LUNAS", "BELUM", "LUNAS", None] * 1000
    seen.clear()
    assert _map_unique(fn, texts) == [fn(v) for v in texts]
    assert len(seen) == 3 + len(texts)  # each distinct value once, then the reference
    assert _map_unique(fn, [["a"], "b"]) == ["list:['a']", "str:b"]  # unhashable
