"""Portfolio health on a day: aged balance, DSO, CEI, promises, disputes, top debtors, trends.

The formulas are domain.kpi's (its docstring says how each figure is computed). The day's aged
balance is kept in `portfolio_days` each time it is computed, so the 30-day trend of the
overdue balance reads one row a day instead of rebuilding the past.
"""

from __future__ import annotations

import calendar
import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from relance_tui.domain import kpi
from relance_tui.services.reports.access import bring_up_to_date, require_supervisor
from relance_tui.storage import reports as store
from relance_tui.storage.agents import AgentRow, list_agents
from relance_tui.storage.db import transaction

TREND_DAYS = 30
PROMISE_DAYS = 30
TOP = 20
DSO_MONTHS = 24


@dataclass(frozen=True, slots=True)
class TopDebtor:
    case_id: int
    reference: str
    name: str
    overdue_cents: int
    oldest_due: str | None
    agent: str | None


@dataclass(frozen=True, slots=True)
class PromiseFigures:
    """Promises that fell due in the window, by result (domain.kpi.PromiseResult)."""

    first: date
    last: date
    results: dict[str, int] = field(default_factory=dict)
    promised_cents: int = 0
    collected_cents: int = 0

    @property
    def kept_rate(self) -> float | None:
        return kpi.kept_rate(self.results)


@dataclass(frozen=True, slots=True)
class Trends:
    days: tuple[date, ...]
    calls: tuple[int, ...]
    right_party: tuple[int, ...]
    promised_cents: tuple[int, ...]
    collected_cents: tuple[int, ...]
    overdue_cents: tuple[int | None, ...]  # None: no figure was kept that day


@dataclass(frozen=True, slots=True)
class PortfolioFigures:
    day: date
    buckets: dict[str, int]
    receivables_cents: int
    dso_days: float
    cei: float | None
    month_collected_cents: int
    promises: PromiseFigures
    disputed_cents: int
    disputes_open: int
    dispute_oldest_days: int | None
    dispute_average_days: int | None
    top: tuple[TopDebtor, ...]
    trends: Trends

    @property
    def overdue_cents(self) -> int:
        return self.receivables_cents - self.buckets["not_due"]


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _dso(conn: sqlite3.Connection, today: date, receivables: int) -> float:
    """Countback, a month at a time going back: only the months the receivables reach are
    read (each a range of the index on the issue date)."""
    months: list[kpi.MonthSales] = []
    left = receivables
    month = _month_start(today)
    for n in range(DSO_MONTHS):
        if left <= 0:
            break
        end = (
            today if n == 0 else month.replace(day=calendar.monthrange(month.year, month.month)[1])
        )
        days = today.day if n == 0 else end.day
        cents = store.sales_between(conn, month.isoformat(), end.isoformat())
        months.append(kpi.MonthSales(days, cents))
        left -= cents
        month = _month_start(month - timedelta(days=1))
    return kpi.dso_countback(receivables, months)


def promise_figures(
    conn: sqlite3.Connection, first: date, last: date
) -> dict[int | None, PromiseFigures]:
    """The promises that fell due between the days: the team's (key None) and each agent's who
    made some (their id), from one grouped query."""
    results: dict[int | None, Counter[str]] = {None: Counter()}
    money: dict[int | None, list[int]] = {None: [0, 0]}
    for row in store.promise_results(conn, first.isoformat(), last.isoformat()):
        result = kpi.promise_result(str(row["status"]), late=bool(row["late"]))
        agent = row["created_by"]
        for key in (None, agent) if agent is not None else (None,):
            results.setdefault(key, Counter())[result] += int(row["promises"])
            sums = money.setdefault(key, [0, 0])
            sums[0] += int(row["promised"])
            sums[1] += int(row["collected"])
    return {
        key: PromiseFigures(first, last, dict(counts), *money[key])
        for key, counts in results.items()
    }


def promises_per_agent(
    conn: sqlite3.Connection, viewer: AgentRow, *, today: date
) -> list[tuple[AgentRow | None, PromiseFigures]]:
    """The promises report: the team's line, then one per agent who made promises."""
    require_supervisor(conn, viewer)
    first, last = today - timedelta(days=PROMISE_DAYS), today - timedelta(days=1)
    figures = promise_figures(conn, first, last)
    lines: list[tuple[AgentRow | None, PromiseFigures]] = [(None, figures[None])]
    for person in list_agents(conn, include_inactive=True):
        if person.id in figures:
            lines.append((person, figures[person.id]))
    return lines


def _trends(conn: sqlite3.Connection, today: date) -> Trends:
    first = today - timedelta(days=TREND_DAYS - 1)
    span = (first.isoformat(), today.isoformat())
    days = tuple(first + timedelta(days=n) for n in range(TREND_DAYS))
    activity = {str(r["day"]): r for r in store.activity_per_day(conn, *span)}
    collected = store.collected_per_day(conn, *span)
    kept = {str(r["day"]): r for r in store.portfolio_days(conn, *span)}

    def series(name: str) -> tuple[int, ...]:
        return tuple(
            int(activity[d.isoformat()][name] or 0) if d.isoformat() in activity else 0
            for d in days
        )

    def late(day: str) -> int | None:
        return sum(int(kept[day][c + "_cents"]) for c in kpi.BUCKETS[1:]) if day in kept else None

    overdue = tuple(late(d.isoformat()) for d in days)
    return Trends(
        days=days,
        calls=series("calls"),
        right_party=series("right_party"),
        promised_cents=series("promised_cents"),
        collected_cents=tuple(collected.get(d.isoformat(), 0) for d in days),
        overdue_cents=overdue,
    )


def portfolio_figures(
    conn: sqlite3.Connection, viewer: AgentRow, *, today: date
) -> PortfolioFigures:
    require_supervisor(conn, viewer)
    bring_up_to_date(conn)
    aged = store.aged_balance(conn, today)
    buckets = {name: int(aged[name]) for name in kpi.BUCKETS}
    receivables = sum(buckets.values())
    month_first = _month_start(today).isoformat()
    month_sales = store.sales_between(conn, month_first, today.isoformat())
    received, applied = store.payments_between(conn, month_first, today.isoformat())
    cei = kpi.cei(
        collected_cents=applied,
        receivables_cents=receivables,
        sales_cents=month_sales,
        current_cents=buckets["not_due"],
    )
    disputes = store.open_disputes(conn)
    ages = [(today - date.fromisoformat(str(r["opened_on"]))).days for r in disputes]
    disputed = sum(int(r["cents"]) for r in disputes)
    with transaction(conn):
        store.save_portfolio_day(conn, today.isoformat(), aged, disputed)
    return PortfolioFigures(
        day=today,
        buckets=buckets,
        receivables_cents=receivables,
        dso_days=_dso(conn, today, receivables),
        cei=cei,
        month_collected_cents=received,
        promises=promise_figures(
            conn, today - timedelta(days=PROMISE_DAYS), today - timedelta(days=1)
        )[None],
        disputed_cents=disputed,
        disputes_open=len(disputes),
        dispute_oldest_days=max(ages) if ages else None,
        dispute_average_days=round(sum(ages) / len(ages)) if ages else None,
        top=tuple(
            TopDebtor(
                case_id=int(r["case_id"]),
                reference=str(r["reference"]),
                name=str(r["legal_name"]),
                overdue_cents=int(r["overdue_cents"]),
                oldest_due=r["oldest_due_date"],
                agent=r["agent"],
            )
            for r in store.top_debtors(conn, TOP)
        ),
        trends=_trends(conn, today),
    )
