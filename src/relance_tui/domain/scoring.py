"""Queue ranking: the urgency of time-bound items, then a priority score made of weighted parts.

Pure functions: no SQL, no clock (the caller passes `today`). Each part maps one fact about a case
to a value between 0 and 1; the priority is the weighted mean of those values on a 0–100 scale,
and the breakdown gives each part's share of the priority (the shares add up to 1).

Parts (the reference values come from the settings, `[scoring]` in the TOML file):
- amount: the money overdue (disputed invoices excluded) that is likely to be still unpaid in
  30 days, with diminishing returns: `L / (L + ln 2)` where `L = ln(1 + at risk / reference)` —
  the reference amount scores 0.5, 10 000 € scores 0.61 and 500 € scores 0.12 against a 5 000 €
  reference. At risk: the overdue money times the chance it is still unpaid in 30 days, learned
  from the debtor's own last paid invoices (`unpaid_chance`); all of it for a debtor without one;
- age: days past the oldest due date, `d / (d + reference days)`;
- payer_type: very bad 1.0, bad 0.8, smart 0.6, unknown 0.5, good 0.25;
- history: average days late and broken promises, `1 - (1 - late)(1 - broken)`; a partly kept
  promise counts half kept, half broken;
- segment: large account 0.8, multi-site 0.7, public body 0.6, SME 0.5, consumer 0.3, moved
  towards 1 by the strategic bonus for strategic debtors;
- risk: the debtor's risk score / 100;
- prescription: rises from 0 to 1 over the last `prescription_window_days` before the claim is
  time-barred; 0 once it is (no court action left to protect);
- stage: how far up the dunning ladder the case is.

Urgency comes before any score: 3 a callback is due now, 2 a promise (or plan installment) falls
due today, 1 a promise was broken or partly kept (its rest not all in yet), or an installment
missed, since work was last recorded on the case;
-1 the case was worked today (a call or a contact recorded): it waits below every case not yet
worked, until a callback set on it comes due or the day ends.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import IntEnum

SCORING_VERSION = 3  # bump when the formulas change: every database then re-scores once

PARTS: tuple[str, ...] = (
    "amount",
    "age",
    "payer_type",
    "history",
    "segment",
    "risk",
    "prescription",
    "stage",
)
PART_KEYS: dict[str, str] = {
    "amount": "queue.part.amount",
    "age": "queue.part.age",
    "payer_type": "queue.part.payer_type",
    "history": "queue.part.history",
    "segment": "queue.part.segment",
    "risk": "queue.part.risk",
    "prescription": "queue.part.prescription",
    "stage": "queue.part.stage",
}

PAYER_TYPE_VALUES: Mapping[str, float] = {
    "very_bad": 1.0,
    "bad": 0.8,
    "smart": 0.6,
    "unknown": 0.5,
    "good": 0.25,
}
SEGMENT_VALUES: Mapping[str, float] = {
    "large_account": 0.8,
    "multi_site": 0.7,
    "public_body": 0.6,
    "sme": 0.5,
    "consumer": 0.3,
}
STAGE_VALUES: Mapping[str, float] = {
    "pre_reminder": 0.1,
    "friendly_reminder": 0.25,
    "phone_reminder": 0.4,
    "second_reminder": 0.55,
    "registered_letter": 0.7,
    "formal_notice": 0.85,
    "legal_action": 0.5,  # the court has it: fewer calls to make
    "closed": 0.0,
}
HISTORY_LATE_REFERENCE_DAYS = 30.0
_LN2 = math.log(2)
UNPAID_HORIZON_DAYS = 30
UNPAID_PRIOR = 0.5  # the chance before the debtor's record says anything
UNPAID_PRIOR_NEVER_THIS_LATE = 0.6  # … when it is later than it has ever paid
UNPAID_PRIOR_WEIGHT = 2.0  # the prior counts as this many invoices


def unpaid_chance(recent_days_late: str, days_overdue: int) -> float:
    """The chance that money `days_overdue` days late is still unpaid `UNPAID_HORIZON_DAYS` later,
    from the debtor's record: `recent_days_late` holds the days late at payment of its last paid
    invoices (domain.behaviour), space-separated. Of those still unpaid at `days_overdue` days,
    the share paid more than 30 days after that, smoothed towards a prior worth two invoices
    (0.5; 0.6 when the debtor is later than it has ever paid). 1.0 without a record: an unknown
    debtor's money all counts.

    A debtor paying 20 days late, 10 days late now: about 0.2. A public body paying 55 days
    late, 10 days late now: about 0.8. A debtor always on time, 40 days late now: 0.6.
    """
    if not recent_days_late:
        return 1.0
    delays = [int(part) for part in recent_days_late.split()]
    longer = [d for d in delays if d > days_overdue]
    later = sum(1 for d in longer if d > days_overdue + UNPAID_HORIZON_DAYS)
    prior = UNPAID_PRIOR_NEVER_THIS_LATE if not longer else UNPAID_PRIOR
    return (later + UNPAID_PRIOR_WEIGHT * prior) / (len(longer) + UNPAID_PRIOR_WEIGHT)


class Urgency(IntEnum):
    WORKED_TODAY = -1
    NONE = 0
    BROKEN_PROMISE = 1
    PROMISE_DUE = 2
    CALLBACK_DUE = 3


URGENCY_KEYS: dict[int, str] = {
    Urgency.WORKED_TODAY: "queue.urgency.worked",
    Urgency.NONE: "queue.urgency.none",
    Urgency.BROKEN_PROMISE: "queue.urgency.broken",
    Urgency.PROMISE_DUE: "queue.urgency.promise_due",
    Urgency.CALLBACK_DUE: "queue.urgency.callback",
}
PARTLY_KEPT = "partly_kept"
# What puts a case first, told in words: its urgency, or PARTLY_KEPT (see `urgency_reason`).
URGENCY_REASON_KEYS: dict[int | str, str] = {
    Urgency.WORKED_TODAY: "queue.urgency.worked",
    Urgency.NONE: "queue.urgency.none",
    Urgency.BROKEN_PROMISE: "queue.urgency.broken",
    Urgency.PROMISE_DUE: "queue.urgency.promise_due",
    Urgency.CALLBACK_DUE: "queue.urgency.callback",
    PARTLY_KEPT: "queue.urgency.partly_kept",
}


def urgency_reason(urgency: int, next_action: str | None) -> int | str:
    """The URGENCY_REASON_KEYS entry of a case: a promise partly kept (its next action is to
    claim the rest) is told apart from one broken with nothing paid."""
    if urgency == Urgency.BROKEN_PROMISE and next_action == "claim_remainder":
        return PARTLY_KEPT
    return urgency


@dataclass(frozen=True, slots=True)
class ScoringParams:
    """The numbers the score depends on (built from `config.ScoringSettings`)."""

    weights: Mapping[str, float]
    amount_reference_cents: int = 500_000
    age_reference_days: int = 90
    strategic_bonus: float = 0.5
    prescription_window_days: int = 365

    def fingerprint(self) -> str:
        """Changes whenever a weight, a reference or the formulas change."""
        payload = json.dumps(
            {
                "version": SCORING_VERSION,
                "weights": {name: float(self.weights.get(name, 0.0)) for name in PARTS},
                "amount": self.amount_reference_cents,
                "age": self.age_reference_days,
                "strategic": self.strategic_bonus,
                "prescription": self.prescription_window_days,
            },
            sort_keys=True,
        )
        return hashlib.sha256(payload.encode()).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class CaseFacts:
    """What the score of one case is computed from."""

    overdue_cents: int
    oldest_due_date: date | None
    payer_type: str = "unknown"
    avg_days_late: float = 0.0
    promises_broken: int = 0
    promises_kept: int = 0
    segment: str = "sme"
    strategic: bool = False
    risk_score: int = 50
    prescription_on: date | None = None
    stage: str = "friendly_reminder"
    recent_days_late: str = ""  # days late at payment of the last paid invoices (behaviour)


@dataclass(frozen=True, slots=True)
class Score:
    priority: float  # 0–100
    parts: dict[str, float]  # each part's share of the priority, adding up to 1 (all 0 if 0)


class Scorer:
    """Scores many cases for one day with the same parameters (the bulk re-rank's inner loop).

    Facts come in as plain values (dates as ISO strings, as stored) so that scoring 100 000 cases
    stays well under a second; `score_case` is the same computation for one `CaseFacts`.
    """

    def __init__(self, params: ScoringParams, today: date) -> None:
        self.params = params
        self.today = today
        self._today = today.toordinal()
        self._weights = tuple(max(float(params.weights.get(name, 0.0)), 0.0) for name in PARTS)
        self._total_weight = sum(self._weights)
        self._amount_ref = float(params.amount_reference_cents)
        self._age_ref = float(params.age_reference_days)
        self._bonus = params.strategic_bonus
        self._window = float(params.prescription_window_days)
        self._ordinals: dict[str, int] = {}
        self._chances: dict[tuple[str, int], float] = {}

    def _ordinal(self, iso: str) -> int:
        value = self._ordinals.get(iso)
        if value is None:
            value = self._ordinals[iso] = date.fromisoformat(iso).toordinal()
        return value

    def values(
        self,
        overdue_cents: int,
        oldest_due_date: str | None,
        payer_type: str,
        avg_days_late: float,
        promises_broken: int,
        promises_kept: int,
        segment: str,
        strategic: bool,
        risk_score: int,
        prescription_on: str | None,
        stage: str,
        recent_days_late: str = "",
    ) -> tuple[float, float, float, float, float, float, float, float]:
        """Each part's value between 0 and 1, in the order of PARTS."""
        days = self._today - self._ordinal(oldest_due_date) if oldest_due_date else 0
        amount = 0.0
        if overdue_cents > 0:
            at_risk = float(overdue_cents)
            if recent_days_late:
                key = (recent_days_late, days)
                chance = self._chances.get(key)
                if chance is None:
                    chance = self._chances[key] = unpaid_chance(recent_days_late, days)
                at_risk *= chance
            log_amount = math.log1p(at_risk / self._amount_ref)
            amount = log_amount / (log_amount + _LN2)
        age = 0.0
        if days > 0:
            age = days / (days + self._age_ref)
        payer = PAYER_TYPE_VALUES.get(payer_type, 0.5)
        late = (
            avg_days_late / (avg_days_late + HISTORY_LATE_REFERENCE_DAYS)
            if avg_days_late > 0
            else 0.0
        )
        broken = 0.0
        if promises_broken > 0:
            broken = promises_broken / (promises_broken + max(promises_kept, 0) + 1)
        history = 1.0 - (1.0 - late) * (1.0 - broken)
        seg = SEGMENT_VALUES.get(segment, 0.5)
        if strategic:
            seg += self._bonus * (1.0 - seg)
        risk = (0 if risk_score < 0 else 100 if risk_score > 100 else risk_score) / 100
        prescription = 0.0
        if prescription_on:
            days_left = self._ordinal(prescription_on) - self._today
            if 0 <= days_left < self._window:
                prescription = 1.0 - days_left / self._window
        return (amount, age, payer, history, seg, risk, prescription, STAGE_VALUES.get(stage, 0.0))

    def contributions(self, values: tuple[float, ...]) -> tuple[float, tuple[float, ...]]:
        """(priority 0–100, each part's share of it) for part values."""
        w = self._weights
        contributions = (
            w[0] * values[0], w[1] * values[1], w[2] * values[2], w[3] * values[3],
            w[4] * values[4], w[5] * values[5], w[6] * values[6], w[7] * values[7],
        )  # fmt: skip
        total = sum(contributions)
        if self._total_weight <= 0 or total <= 0:
            return 0.0, (0.0,) * len(PARTS)
        return 100.0 * total / self._total_weight, tuple(c / total for c in contributions)

    def score(self, facts: CaseFacts) -> Score:
        values = self.values(
            facts.overdue_cents,
            facts.oldest_due_date.isoformat() if facts.oldest_due_date else None,
            facts.payer_type,
            facts.avg_days_late,
            facts.promises_broken,
            facts.promises_kept,
            facts.segment,
            facts.strategic,
            facts.risk_score,
            facts.prescription_on.isoformat() if facts.prescription_on else None,
            facts.stage,
            facts.recent_days_late,
        )
        priority, shares = self.contributions(values)
        return Score(priority, dict(zip(PARTS, shares, strict=True)))


def part_values(facts: CaseFacts, params: ScoringParams, today: date) -> tuple[float, ...]:
    """Each part's value between 0 and 1, in the order of PARTS."""
    scorer = Scorer(params, today)
    return scorer.values(
        facts.overdue_cents,
        facts.oldest_due_date.isoformat() if facts.oldest_due_date else None,
        facts.payer_type,
        facts.avg_days_late,
        facts.promises_broken,
        facts.promises_kept,
        facts.segment,
        facts.strategic,
        facts.risk_score,
        facts.prescription_on.isoformat() if facts.prescription_on else None,
        facts.stage,
        facts.recent_days_late,
    )


def score_case(facts: CaseFacts, params: ScoringParams, today: date) -> Score:
    """The priority of a case (0–100) and each part's share of it."""
    return Scorer(params, today).score(facts)


PARTS_JSON_TEMPLATE = "{" + ",".join(f'"{name}":%.3f' for name in PARTS) + "}"


def parts_json(shares: tuple[float, ...]) -> str:
    """`{"amount":0.412,"age":0.300,…}`: the breakdown as stored in `cases.score_parts`."""
    return PARTS_JSON_TEMPLATE % shares


def urgency_of(
    *,
    callback_due: bool,
    promise_due_today: bool,
    last_broken_on: date | None,
    last_visit_on: date | None,
    worked_today: bool = False,
) -> Urgency:
    """Time-bound items first: a due callback, then a promise due today, then a broken promise;
    a case worked today goes below all of them unless a callback on it is due.

    `last_broken_on` is the latest day a promise or installment was found broken (a pending one
    counts from the day after its due date); it is urgent until something is recorded on the case
    after it (`last_visit_on`: the day of the last recorded work; opening the case is not work).
    """
    if callback_due:
        return Urgency.CALLBACK_DUE
    if worked_today:
        return Urgency.WORKED_TODAY
    if promise_due_today:
        return Urgency.PROMISE_DUE
    if last_broken_on is not None and (last_visit_on is None or last_broken_on > last_visit_on):
        return Urgency.BROKEN_PROMISE
    return Urgency.NONE


def top_parts(parts: Mapping[str, float], count: int = 3) -> list[tuple[str, float]]:
    """The parts that weigh most, largest first (ties in PARTS order), zero shares left out."""
    ranked = sorted(
        ((name, share) for name, share in parts.items() if share > 0),
        key=lambda item: (-item[1], PARTS.index(item[0]) if item[0] in PARTS else len(PARTS)),
    )
    return ranked[:count]
