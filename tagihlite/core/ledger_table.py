"""The ledger's container: a small column store (name -> list), one entry per customer row.

Plain lists, not a pandas DataFrame: importing pandas costs ~57 MB of peak memory and
~0.4 s per click, more than the whole ``mark`` of a 30,000-row sheet otherwise needs, and
every step of check/preview/mark/send walks the rows one by one anyway. :meth:`Ledger.frame`
hands a DataFrame to the places that aggregate (the report).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    import pandas as pd


class LedgerRow(NamedTuple):
    """One customer row and its verdict (the ledger's columns, in order)."""

    row: int  # Excel row number
    name: str
    customer_id: str
    phone: str | None  # E.164, None when unusable
    phone_note: str
    amount: int | None  # None: missing, unreadable or over the ceiling
    paid: bool
    paid_raw: str
    due_date: dt.date | None
    period: str
    key: str  # reminder key, "" without customer or level
    eligible: bool
    reason_code: str | None  # None when eligible
    reason: str
    sheet_status: str
    # Reminder levels (None when unknown): the level this row is (or would be) sent at, the
    # highest level already sent, today - due date, and the date the next one is due.
    level: int | None
    last_level: int | None
    days_overdue: int | None
    next_reminder: dt.date | None
    level_due: dt.date | None  # the due date the level rules used
    sheet_sent_at: dt.datetime | None


LEDGER_COLUMNS: tuple[str, ...] = LedgerRow._fields


class Ledger:
    """Columns of equal length, keyed by :data:`LEDGER_COLUMNS`."""

    __slots__ = ("_cols",)

    def __init__(self, columns: Mapping[str, list[Any]]) -> None:
        if set(columns) != set(LEDGER_COLUMNS):
            raise ValueError(f"ledger columns {sorted(columns)} != {sorted(LEDGER_COLUMNS)}")
        self._cols = {name: columns[name] for name in LEDGER_COLUMNS}
        if len({len(c) for c in self._cols.values()}) > 1:
            raise ValueError("ledger columns differ in length")

    def __len__(self) -> int:
        return len(self._cols["row"])

    def __getitem__(self, name: str) -> list[Any]:
        """The live column: read it; change rows with :meth:`update`."""
        return self._cols[name]

    column = __getitem__

    def __repr__(self) -> str:
        return f"<Ledger {len(self)} rows>"

    def rows(self) -> Iterator[LedgerRow]:
        return map(LedgerRow._make, zip(*self._cols.values(), strict=True))

    def row(self, i: int) -> LedgerRow:
        return LedgerRow._make(c[i] for c in self._cols.values())

    def select(self, which: Iterable[int] | Sequence[bool]) -> Ledger:
        """A new ledger of the rows at these positions, or where a bool mask is true."""
        which = list(which)
        if which and type(which[0]) is bool:
            if len(which) != len(self):
                raise ValueError(f"mask of {len(which)} for {len(self)} rows")
            which = [i for i, keep in enumerate(which) if keep]
        return Ledger({name: [c[i] for i in which] for name, c in self._cols.items()})

    @property
    def eligible(self) -> Ledger:
        return self.select(self._cols["eligible"])

    def update(self, i: int, **values: Any) -> None:
        """Set some columns of the row at position ``i`` (the verdict, after the build)."""
        for name, value in values.items():
            self._cols[name][i] = value

    def to_dict(self) -> dict[str, list[Any]]:
        """Column name -> a copy of the column."""
        return {name: list(c) for name, c in self._cols.items()}

    def frame(self) -> pd.DataFrame:
        """A pandas DataFrame of the ledger (object columns: None stays None)."""
        import pandas as pd

        # dtype=object: pandas 3 would turn text columns into its string dtype with NaN,
        # and ints with gaps into floats.
        frame = pd.DataFrame(self._cols, columns=list(LEDGER_COLUMNS), dtype=object)
        return frame.astype({"row": "int64", "paid": "bool", "eligible": "bool"})
