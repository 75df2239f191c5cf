"""A debtor's payment behaviour, learned from its own ledger: how late it pays its invoices.

Over its last HISTORY_INVOICES paid invoices (by the day they were paid): the days late at
payment (0 when paid on time), averaged with weights RECENCY⁰, RECENCY¹, … from the most recent
one, so that a debtor who mends its ways is seen to; the share of them paid late; and their days
late themselves, most recent first (the queue's score reads from them the chance that money
overdue now is still unpaid in 30 days: domain.scoring.unpaid_chance). Promises kept and broken
are counted where they are settled (services.followup).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

HISTORY_INVOICES = 12
RECENCY = 0.85


@dataclass(frozen=True, slots=True)
class PaymentBehaviour:
    invoices: int  # paid invoices it is learned from (at most HISTORY_INVOICES)
    avg_days_late: float  # recency-weighted, one decimal
    share_late: float  # 0..1, two decimals
    recent_days_late: str = ""  # days late of each, most recent first, space-separated


def learn_behaviour(paid: Sequence[tuple[date, date]]) -> PaymentBehaviour:
    """`paid`: (due date, paid on) of the debtor's paid invoices, most recently paid first."""
    recent = paid[:HISTORY_INVOICES]
    if not recent:
        return PaymentBehaviour(0, 0.0, 0.0)
    days = [max(0, (paid_on - due).days) for due, paid_on in recent]
    weights = [RECENCY**rank for rank in range(len(days))]
    average = sum(w * d for w, d in zip(weights, days, strict=True)) / sum(weights)
    late = sum(1 for d in days if d > 0)
    return PaymentBehaviour(
        len(days), round(average, 1), round(late / len(days), 2), " ".join(map(str, days))
    )
