"""Supervisor summary: counts and Rupiah by status, failures and their reasons."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tagihlite.core.formats import rupiah
from tagihlite.core.vocab import REASON_LABELS

if TYPE_CHECKING:
    import pandas as pd


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


def counts(df: pd.DataFrame) -> dict[str, Any]:
    """The check summary of a ledger both shells show (``check --json`` prints it as "summary")."""
    eligible = df[df["eligible"]]
    codes = df["reason_code"].value_counts()
    paid = int(df["paid"].sum())
    already = int(codes.get("already_sent", 0))
    not_due = int(codes.get("not_due", 0))
    return {
        "rows": len(df),
        "eligible": len(eligible),
        "ineligible": len(df) - len(eligible),
        "paid": paid,
        "already_sent": already,
        "not_due": not_due,
        "to_fix": len(df) - len(eligible) - paid - already - not_due,
        "eligible_amount": int(eligible["amount"].sum()) if len(eligible) else 0,
        "reasons": {k: int(v) for k, v in codes.items()},
    }


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
