"""When a claim is time-barred (prescription), and what restarts the clock. Pure functions.

- B2B: 5 years from the due date (Code de commerce L110-4).
- Consumers: 2 years (Code de la consommation L218-2).
- Both restart in full on the debtor's acknowledgment of the debt (Code civil 2240): a signed
  payment plan, a partial payment, a promise in writing. A mise en demeure does NOT interrupt it.
- Public bodies as debtors: the "prescription quadriennale" (loi 68-1250 of 31 December 1968):
  4 years from the 1 January after the year the claim arose; any written claim for payment sent
  to the body (a reminder letter, the mise en demeure) or its acknowledgment restarts it, again
  from the next 1 January.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from enum import StrEnum

from relance_tui.domain.penalties import Regime


class Event(StrEnum):
    SIGNED_PLAN = "signed_plan"
    PARTIAL_PAYMENT = "partial_payment"
    WRITTEN_PROMISE = "written_promise"
    WRITTEN_CLAIM = "written_claim"  # a letter or e-mail we sent asking for payment
    FORMAL_NOTICE = "formal_notice"


ACKNOWLEDGMENTS = frozenset({Event.SIGNED_PLAN, Event.PARTIAL_PAYMENT, Event.WRITTEN_PROMISE})
YEARS = {Regime.B2B: 5, Regime.CONSUMER: 2, Regime.PUBLIC_BODY: 4}


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def prescription_date(
    due_date: date, regime: Regime, events: Iterable[tuple[date, Event]] = ()
) -> date:
    """The day from which the claim is time-barred (no court claim can be brought from then on)."""
    if regime is Regime.PUBLIC_BODY:
        restarts = {Event.WRITTEN_CLAIM, Event.FORMAL_NOTICE, *ACKNOWLEDGMENTS}
    else:
        restarts = set(ACKNOWLEDGMENTS)
    start = due_date
    for day, kind in sorted(events):
        if kind in restarts and day >= due_date:
            start = max(start, day)
    if regime is Regime.PUBLIC_BODY:
        return date(start.year + 1 + YEARS[regime], 1, 1)
    return _add_years(start, YEARS[regime])
