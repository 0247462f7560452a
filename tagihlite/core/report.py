"""Supervisor summary: counts and Rupiah by status, failures and their reasons.

:func:`counts` (the check/mark sentence) is plain Python over the ledger's columns;
:func:`tally` (``report``, the ribbon's Laporan) aggregates a pandas DataFrame. Why pandas
here and not on the click path: its import costs ~57 MB of peak memory and ~0.4 s, which
check/preview/mark/send (run many times a day, on 30,000-row sheets) must not pay; the
report is a supervisor's occasional summary, where a group-by reads best.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tagihlite.core.formats import rupiah
from tagihlite.core.vocab import REASON_LABELS, Status

if TYPE_CHECKING:
    from tagihlite.core.ledger_table import Ledger


@dataclass
class StatusLine:
    status: str
    count: int = 0
    amount: int = 0


@dataclass
class Report:
    lines: list[StatusLine]
    reasons: Counter[str] = field(default_factory=Counter)
    outstanding: int = 0  # unpaid Rupiah still owed (all unpaid rows)
    operators: Counter[str] = field(default_factory=Counter)

    def as_dict(self) -> dict[str, object]:
        return {
            "by_status": {ln.status: {"count": ln.count, "amount": ln.amount}
                          for ln in self.lines},
            "reasons": dict(self.reasons),
            "outstanding": self.outstanding,
            "by_operator": dict(self.operators),
        }


def counts(ledger: Ledger) -> dict[str, Any]:
    """The check summary of a ledger both shells show (``check --json`` prints it as "summary")."""
    rows = len(ledger)
    eligible = sum(ledger["eligible"])
    # Most frequent first, ties in order of first appearance (as pandas' value_counts).
    codes = Counter(c for c in ledger["reason_code"] if c is not None).most_common()
    reasons = dict(codes)
    paid = sum(ledger["paid"])
    already = reasons.get("already_sent", 0)
    not_due = reasons.get("not_due", 0)
    return {
        "rows": rows,
        "eligible": eligible,
        "ineligible": rows - eligible,
        "paid": paid,
        "already_sent": already,
        "not_due": not_due,
        "to_fix": rows - eligible - paid - already - not_due,
        "eligible_amount": sum(a for a, ok in zip(ledger["amount"], ledger["eligible"],
                                                  strict=True) if ok),
        "reasons": reasons,
    }


# Not a reason to fix: reported elsewhere (paid, sent) or simply not yet due.
_NOT_PROBLEMS = ("paid", "already_sent", "not_due")


def tally(ledger: Ledger, statuses: Sequence[str], senders: Sequence[str | None]) -> Report:
    """The report's figures: rows and Rupiah per status (``statuses``: each row's Status
    Kirim as the sheet will show it), Rupiah still owed, reasons held back, reminders per
    sender (``senders``: who sent each row's reminder, None if nobody)."""
    frame = ledger.frame()
    frame["status"] = list(statuses)
    frame["sender"] = list(senders)
    amount = frame["amount"]
    frame["amount"] = amount.where(amount.notna(), 0).astype("int64")
    by_status = frame.groupby("status", sort=False)["amount"].agg(["size", "sum"])
    lines = [StatusLine(s, int(by_status.at[s, "size"]), int(by_status.at[s, "sum"]))
             for s in Status.ALL if s in by_status.index]
    # A duplicate row is the same bill as its first row: owed once.
    owed = frame.loc[~frame["paid"] & (frame["reason_code"] != "duplicate"), "amount"]
    codes = frame["reason_code"]
    held = frame[codes.notna() & ~codes.isin(_NOT_PROBLEMS)]
    # sort=False: groups in order of first appearance, so most_common() breaks ties alike.
    reasons = held.groupby("reason_code", sort=False).size()
    senders_ = frame[frame["sender"].notna()].groupby("sender", sort=False).size()
    return Report(lines=lines, outstanding=int(owed.sum()),
                  reasons=Counter({k: int(v) for k, v in reasons.items()}),
                  operators=Counter({k: int(v) for k, v in senders_.items()}))


def check_sentence(c: dict[str, Any], style: str = "puebi") -> str:
    """'4 dari 12 baris siap dikirim (Rp...); 2 sudah lunas; 6 sudah dikirim; 0 perlu diperiksa.'"""
    text = (f"{c['eligible']} dari {c['rows']} baris siap dikirim "
            f"({rupiah(c['eligible_amount'], style)}); {c['paid']} sudah lunas; ")
    if c["already_sent"]:
        text += f"{c['already_sent']} sudah dikirim sebelumnya; "
    if c.get("not_due"):
        text += f"{c['not_due']} belum waktunya diingatkan; "
    return text + f"{c['to_fix']} perlu diperiksa."


def format_text(rep: Report, style: str = "puebi") -> str:
    width = max([len(ln.status) for ln in rep.lines] + [6])
    out = [f"{'Status':<{width}}  {'Jumlah':>6}  Nominal"]
    for ln in rep.lines:
        out.append(f"{ln.status:<{width}}  {ln.count:>6}  {rupiah(ln.amount, style)}")
    out.append(f"Total belum dibayar: {rupiah(rep.outstanding, style)}")
    if rep.reasons:
        out.append("Alasan dilewati:")
        out += [f"  {v} x {REASON_LABELS.get(k, k)}" for k, v in rep.reasons.most_common()]
    return "\n".join(out)
