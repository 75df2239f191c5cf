"""Collection figures, as pure functions: aged balance buckets, DSO (countback), CEI, promises.

How each is computed (the supervisor screen's help quotes these lines):
- Aged balance: the money still owed, by days past the due date on the day of the report: not yet
  due (due that day or later), 1–30, 31–60, 61–90, over 90 days.
- DSO, countback method: the receivables owed today are matched against the invoices issued,
  month by month going back from this one; each month fully covered counts its days (this month
  its days so far), the last one the share of its sales still needed.
- CEI, collection effectiveness index for the month: collected ÷ (receivables at the start of
  the month + invoiced in the month − receivables not yet due today) × 100. The start of the
  month is today's receivables minus the month's invoices plus the money applied since.
- Promises over 30 days: those that fell due in the 30 days before the day: kept on time (paid
  in full by their date), kept late, partly kept (their date passed with part of the money
  in: the follow-up's `partly_kept` status), broken (nothing in); still pending ones (in their
  grace days) are counted apart. Collected vs promised: the money received on the case from
  the day of the promise until it was settled (or its date), at most the amount promised.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

BUCKETS = ("not_due", "late_0_30", "late_31_60", "late_61_90", "late_90")


def bucket_of(due: date, today: date) -> str:
    """The aged-balance bucket of an amount due on `due`, seen on `today`."""
    late = (today - due).days
    if late <= 0:
        return "not_due"
    if late <= 30:
        return "late_0_30"
    if late <= 60:
        return "late_31_60"
    if late <= 90:
        return "late_61_90"
    return "late_90"


@dataclass(frozen=True, slots=True)
class MonthSales:
    """Invoiced in one month: `days` counted (the month's length, or its days so far)."""

    days: int
    cents: int


def dso_countback(receivables_cents: int, months: Sequence[MonthSales]) -> float:
    """Days of sales outstanding by countback; `months` newest first (this month first)."""
    left = receivables_cents
    days = 0.0
    for month in months:
        if left <= 0:
            break
        if month.cents <= 0:
            days += month.days
            continue
        if left >= month.cents:
            days += month.days
            left -= month.cents
        else:
            days += month.days * left / month.cents
            left = 0
    return round(days, 1)


def cei(
    *, collected_cents: int, receivables_cents: int, sales_cents: int, current_cents: int
) -> float | None:
    """Collection effectiveness index (%) for the month so far; None when nothing was due."""
    beginning = receivables_cents - sales_cents + collected_cents
    collectable = beginning + sales_cents - current_cents
    if collectable <= 0:
        return None
    return round(100 * collected_cents / collectable, 1)


class PromiseResult(StrEnum):
    KEPT_ON_TIME = "kept_on_time"
    KEPT_LATE = "kept_late"
    PARTLY_KEPT = "partly_kept"
    BROKEN = "broken"
    PENDING = "pending"


def promise_result(status: str, *, late: bool) -> str:
    """What became of a promise that fell due (status as stored by the follow-up; `late`: it
    was settled after its date)."""
    if status == "kept":
        return PromiseResult.KEPT_LATE if late else PromiseResult.KEPT_ON_TIME
    if status == "partly_kept":
        return PromiseResult.PARTLY_KEPT
    if status == "broken":
        return PromiseResult.BROKEN
    return PromiseResult.PENDING


def kept_rate(counts: dict[str, int]) -> float | None:
    """Kept (on time or late) among the decided promises, in %; None when none was decided."""
    kept = counts.get(PromiseResult.KEPT_ON_TIME, 0) + counts.get(PromiseResult.KEPT_LATE, 0)
    decided = kept + counts.get(PromiseResult.PARTLY_KEPT, 0) + counts.get(PromiseResult.BROKEN, 0)
    return round(100 * kept / decided, 1) if decided else None


def balance_moves(
    loads: dict[int, int], fixed: dict[int, int] | None = None, unassigned: int = 0
) -> list[tuple[int | None, int, int]]:
    """(from agent, to agent, how many cases) that even out the open cases between agents:
    each ends with the average, rounded down or up. `fixed`: how many of each agent's cases
    must stay with them (held, a callback today); an agent with more of those than the
    average keeps just those and the others share the rest. `unassigned`: cases with no agent
    yet (imported before any rule), shared out first (from None). Agents keep their order
    (ids) for ties."""
    if not loads or (len(loads) < 2 and not unassigned):
        return []
    kept = {agent: min(loads[agent], (fixed or {}).get(agent, 0)) for agent in loads}
    total = sum(loads.values()) + unassigned
    pinned: set[int] = set()
    while True:  # the level the free agents reach, above what the pinned ones must keep
        free = [agent for agent in loads if agent not in pinned]
        base, extra = divmod(total - sum(kept[a] for a in pinned), len(free))
        over = {agent for agent in free if kept[agent] > base}
        if not over:
            break
        pinned |= over
    # The most loaded keep the extra case each: fewer moves.
    order = sorted(free, key=lambda a: (-loads[a], a))
    target = {agent: kept[agent] for agent in pinned}
    target.update({agent: base + (1 if n < extra else 0) for n, agent in enumerate(order)})
    givers: list[tuple[int | None, int]] = [(None, unassigned)] if unassigned else []
    givers += [(a, loads[a] - target[a]) for a in sorted(loads, key=lambda a: (-loads[a], a))
               if loads[a] > target[a]]  # fmt: skip
    takers = [(a, target[a] - loads[a]) for a in sorted(loads) if loads[a] < target[a]]
    moves: list[tuple[int | None, int, int]] = []
    g = k = 0
    given = taken = 0  # of the current giver's and taker's counts
    while g < len(givers) and k < len(takers):
        count = min(givers[g][1] - given, takers[k][1] - taken)
        moves.append((givers[g][0], takers[k][0], count))
        given += count
        taken += count
        if given == givers[g][1]:
            g, given = g + 1, 0
        if taken == takers[k][1]:
            k, taken = k + 1, 0
    return moves
