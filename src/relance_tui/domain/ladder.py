"""The dunning ladder's decision: given a case's state and today, which step is due, when, and why
it is held. Pure: storage reads the state, services perform the steps.

- A case climbs its segment's sequence (config `[dunning.sequences]`), one step at a time: the
  step after the last one performed in this cycle (a case closed and reopened starts again), due
  `days` after the oldest overdue undisputed invoice's due date and at least `min_gap_days` after
  the previous step. A case whose stage was set before relance-tui kept records (an import, the
  seed) resumes after that stage.
- One notice per debtor: the step covers every overdue, undisputed invoice at once.
- Holds: insolvency proceedings stop the ladder; a manual hold until its date; a pending promise
  until its date; an active payment plan while it runs (a broken promise or plan no longer holds:
  the ladder resumes at the step it reached); disputes hold the invoices they cover, so a case
  whose overdue money is all disputed is held.
- A case within `prescription_days` of prescription goes to the legal-action step at once.
- Pre-reminders (before the due date) are not part of a case's climb: `pre_reminder_due` decides
  them for debtors with invoices falling due soon.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from relance_tui.config import DunningSettings, LadderStep, default_sequences
from relance_tui.domain.enums import Stage


class HoldKind(StrEnum):
    INSOLVENCY = "insolvency"
    MANUAL = "manual"
    PROMISE = "promise"
    PLAN = "plan"
    DISPUTE = "dispute"
    SUPERVISOR = "supervisor"  # a step held at the batch's review


@dataclass(frozen=True, slots=True)
class Hold:
    kind: HoldKind
    until: date | None = None  # None: until lifted (insolvency, a dispute, a plan)
    reason: str = ""


# LadderState and Decision are not frozen (nothing changes them): a frozen dataclass sets each
# field through object.__setattr__, 5× the cost of a plain one, and the batch makes 100 000.
@dataclass(slots=True)
class LadderState:
    """What the decision needs about one open case (storage.dunning.ladder_states)."""

    case_id: int
    segment: str
    strategic: bool = False
    stage: Stage = Stage.FRIENDLY_REMINDER  # cases.stage
    oldest_due: date | None = None  # oldest overdue undisputed invoice
    overdue_cents: int = 0  # overdue and undisputed
    disputed_cents: int = 0
    insolvency_since: date | None = None
    manual_hold: tuple[str, date] | None = None  # (reason, until) of the active manual hold
    promise_until: date | None = None  # latest date of a pending promise
    plan_until: date | None = None  # next installment of an active plan (date.max: none left)
    done: Mapping[Stage, date] = field(default_factory=dict)  # steps performed this cycle
    supervisor_hold: str | None = None  # reason, when this cycle's next step was held
    prescription_on: date | None = None
    notice_deadline: date | None = None  # the formal notice's deadline (from its receipt)


@dataclass(slots=True)
class Decision:
    reached: Stage | None  # the last step performed (or the stage carried over)
    reached_on: date | None
    next: LadderStep | None  # None: the ladder is over for this cycle
    due_on: date | None
    holds: tuple[Hold, ...]
    prescription_close: bool = False

    @property
    def held(self) -> bool:
        return bool(self.holds)

    def due(self, today: date) -> bool:
        return (
            self.next is not None
            and self.due_on is not None
            and self.due_on <= today
            and not self.holds
        )


def sequence_for(
    settings: DunningSettings, segment: str, *, strategic: bool = False
) -> tuple[LadderStep, ...]:
    """The segment's steps in order, pre-reminders included; a strategic client's phone step
    moved first (on the first step's day) when `strategic_phone_first`."""
    configured = {str(name): tuple(value) for name, value in settings.sequences.items()}
    defaults = {str(name): tuple(value) for name, value in default_sequences().items()}
    steps = configured.get(segment) or defaults.get(segment, ())
    if not (strategic and settings.strategic_phone_first):
        return steps
    pre = [s for s in steps if s.step == "pre_reminder"]
    climb = [s for s in steps if s.step != "pre_reminder"]
    phone = next((s for s in climb if s.channel == "phone"), None)
    if phone is None or not climb or climb[0] is phone:
        return steps
    rest = [s for s in climb if s is not phone]
    first = LadderStep(phone.step, phone.channel, min(phone.days, climb[0].days))
    return (*pre, first, *rest)


def _holds(state: LadderState, today: date) -> list[Hold]:
    holds: list[Hold] = []
    if state.insolvency_since is not None:
        holds.append(Hold(HoldKind.INSOLVENCY))
    if state.manual_hold is not None and state.manual_hold[1] >= today:
        holds.append(Hold(HoldKind.MANUAL, state.manual_hold[1], state.manual_hold[0]))
    if state.promise_until is not None and state.promise_until >= today:
        holds.append(Hold(HoldKind.PROMISE, state.promise_until))
    if state.plan_until is not None:
        until = None if state.plan_until == date.max else state.plan_until
        holds.append(Hold(HoldKind.PLAN, until))
    if state.overdue_cents <= 0 and state.disputed_cents > 0:
        holds.append(Hold(HoldKind.DISPUTE))
    if state.supervisor_hold is not None:
        holds.append(Hold(HoldKind.SUPERVISOR, None, state.supervisor_hold))
    return holds


_Climb = tuple[tuple[LadderStep, ...], tuple[Stage, ...], int | None]
# By the sequence's identity: the batch decides 100 000 cases with a handful of sequences, and
# hashing one (its steps' fields) on every call cost more than the rest of the decision.
_climbs: dict[int, tuple[tuple[LadderStep, ...], _Climb]] = {}


def _climb(steps: tuple[LadderStep, ...]) -> _Climb:
    """The steps a case climbs (no pre-reminder), their stages, the legal action's place."""
    known = _climbs.get(id(steps))
    if known is not None and known[0] is steps:
        return known[1]
    climb = tuple(s for s in steps if s.step != "pre_reminder")
    names = tuple(Stage(s.step) for s in climb)
    legal = names.index(Stage.LEGAL_ACTION) if Stage.LEGAL_ACTION in names else None
    if len(_climbs) > 64:
        _climbs.clear()
    _climbs[id(steps)] = (steps, (climb, names, legal))
    return climb, names, legal


def decide(
    state: LadderState,
    steps: Sequence[LadderStep],
    today: date,
    *,
    min_gap_days: int = 7,
    prescription_days: int = 183,
) -> Decision:
    """The case's next step and its date, and what holds it."""
    climb, names, legal = _climb(tuple(steps))
    reached: Stage | None = None
    reached_on: date | None = None
    index = -1
    for position, name in enumerate(names):
        if name in state.done:
            index, reached, reached_on = position, name, state.done[name]
    if reached is None and state.stage in names and state.stage is not Stage.FRIENDLY_REMINDER:
        # Set before any record of ours (import, seed): resume after it, date unknown.
        index, reached = names.index(state.stage), state.stage
    holds = _holds(state, today)
    if state.oldest_due is None or state.overdue_cents <= 0:
        return Decision(reached, reached_on, None, None, tuple(holds))
    close = (
        state.prescription_on is not None
        and (state.prescription_on - today).days <= prescription_days
    )
    if close and legal is not None and legal > index:
        return Decision(reached, reached_on, climb[legal], today, tuple(holds), True)
    if index + 1 >= len(climb):
        return Decision(reached, reached_on, None, None, tuple(holds), close)
    following = climb[index + 1]
    due_on = state.oldest_due + timedelta(days=following.days)
    if reached_on is not None:
        due_on = max(due_on, reached_on + timedelta(days=min_gap_days))
    if following.step == "legal_action" and state.notice_deadline is not None:
        due_on = max(due_on, state.notice_deadline + timedelta(days=1))
    return Decision(reached, reached_on, following, due_on, tuple(holds), close)


def pre_reminder_step(steps: Sequence[LadderStep]) -> LadderStep | None:
    return next((s for s in steps if s.step == "pre_reminder"), None)


def pre_reminder_due(step: LadderStep, next_due: date, today: date) -> bool:
    """A pre-reminder is due from `-days` before the invoice's due date until that date."""
    return next_due + timedelta(days=step.days) <= today <= next_due
