"""B2B late-payment penalties (Code de commerce L441-10 II, D441-5;
docs/french-collection-rules.md).

- Simple interest from the day after the due date: balance incl. VAT × rate × days / 365, split at
  each 1 January / 1 July with the rate of that half-year (ECB MRO on the reference date + 10
  points), on the balance still due after partial payments. No compounding.
- 40 € flat indemnity per late invoice, no VAT; not owed during collective insolvency
  proceedings.
- Consumers: none of that (legal-rate interest only runs from a formal notice: not computed here).

Rates come from a dated table (`data/rates.toml`, user-updatable). A half-year missing from the
table uses the last known rate and the result is flagged `estimated`.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

CENT = Decimal("0.01")
FLAT_INDEMNITY = Decimal("40.00")
DAYS_IN_YEAR = Decimal(365)
_HUNDRED = Decimal(100)


class RateTableError(ValueError):
    """The rate table file is malformed; the message names the row."""


@dataclass(frozen=True, slots=True)
class SemesterRate:
    start: date  # 1 January or 1 July
    ecb_mro: Decimal  # percent
    late_payment: Decimal  # percent: ECB + 10 points


def semester_start(day: date) -> date:
    return date(day.year, 1 if day.month <= 6 else 7, 1)


def next_semester_start(day: date) -> date:
    return date(day.year, 7, 1) if day.month <= 6 else date(day.year + 1, 1, 1)


class RateTable:
    """Late-payment rates by half-year, oldest first."""

    def __init__(self, rows: Iterable[SemesterRate]) -> None:
        self.rows: tuple[SemesterRate, ...] = tuple(sorted(rows, key=lambda row: row.start))
        if not self.rows:
            raise RateTableError("the rate table has no row")
        self._by_start = {row.start: row for row in self.rows}

    def rate_on(self, day: date) -> tuple[Decimal, bool]:
        """(late-payment rate in percent, True when the half-year is in the table)."""
        start = semester_start(day)
        row = self._by_start.get(start)
        if row is not None:
            return row.late_payment, True
        earlier = [row for row in self.rows if row.start <= start]
        return (earlier[-1] if earlier else self.rows[0]).late_payment, False

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> RateTable:
        rows: list[SemesterRate] = []
        for index, item in enumerate(data.get("semester", []), start=1):
            try:
                start = item["start"]
                if not isinstance(start, date):
                    start = date.fromisoformat(str(start))
                if start.day != 1 or start.month not in (1, 7):
                    raise ValueError("start must be a 1 January or a 1 July")
                ecb = Decimal(str(item["ecb_mro"]))
                late = Decimal(str(item.get("late_payment", ecb + 10)))
            except (KeyError, ValueError, ArithmeticError) as error:
                raise RateTableError(f"[[semester]] #{index}: {error}") from error
            rows.append(SemesterRate(start, ecb, late))
        return cls(rows)


@cache
def default_rate_table() -> RateTable:
    text = resources.files("relance_tui").joinpath("data/rates.toml").read_text("utf-8")
    return RateTable.from_mapping(tomllib.loads(text))


def load_rate_table(path: Path | None = None) -> RateTable:
    """The user's table when `path` exists, else the one shipped with relance-tui."""
    if path is None or not path.exists():
        return default_rate_table()
    try:
        return RateTable.from_mapping(tomllib.loads(path.read_text("utf-8")))
    except (OSError, tomllib.TOMLDecodeError, RateTableError) as error:
        raise RateTableError(f"{path}: {error}") from error


@dataclass(frozen=True, slots=True)
class PenaltyPeriod:
    start: date  # first day counted
    end: date  # last day counted (inclusive)
    days: int
    balance: Decimal
    rate: Decimal  # percent
    interest: Decimal  # exact (not rounded)
    estimated: bool  # the half-year's rate is not in the table


@dataclass(frozen=True, slots=True)
class InvoicePenalty:
    invoice_number: str
    due_date: date
    days_late: int
    periods: tuple[PenaltyPeriod, ...]
    interest: Decimal  # rounded to the cent
    indemnity: Decimal

    @property
    def total(self) -> Decimal:
        return self.interest + self.indemnity

    @property
    def estimated(self) -> bool:
        return any(period.estimated for period in self.periods)


@dataclass(frozen=True, slots=True)
class PenaltySummary:
    invoices: tuple[InvoicePenalty, ...]
    applicable: bool  # False for consumers: nothing is owed
    insolvency: bool  # the 40 € is not owed during collective proceedings

    @property
    def interest(self) -> Decimal:
        return sum((item.interest for item in self.invoices), Decimal("0.00"))

    @property
    def indemnities(self) -> Decimal:
        return sum((item.indemnity for item in self.invoices), Decimal("0.00"))

    @property
    def total(self) -> Decimal:
        return self.interest + self.indemnities

    @property
    def estimated(self) -> bool:
        return any(item.estimated for item in self.invoices)


def invoice_penalty(
    *,
    number: str,
    due_date: date,
    outstanding: Decimal,
    today: date,
    rates: RateTable,
    payments: Sequence[tuple[date, Decimal]] = (),
    indemnity: bool = True,
) -> InvoicePenalty:
    """Interest accrued on one invoice up to `today` inclusive, plus the flat indemnity.

    `outstanding` is the balance now; `payments` are the (date, amount) received on this invoice.
    Those received after the due date are added back to rebuild the balance day by day: a payment
    on day P stops interest on its amount from P + 1.
    """
    days_late = max((today - due_date).days, 0)
    if days_late == 0:
        return InvoicePenalty(number, due_date, 0, (), Decimal("0.00"), Decimal("0.00"))
    late_payments = sorted((day, amount) for day, amount in payments if due_date < day <= today)
    balance = outstanding + sum((amount for _, amount in late_payments), Decimal(0))
    # Each change of balance (payment) or of rate (half-year) starts a new period.
    cuts: dict[date, Decimal] = {}
    for day, amount in late_payments:
        cuts[day + timedelta(days=1)] = cuts.get(day + timedelta(days=1), Decimal(0)) + amount
    periods: list[PenaltyPeriod] = []
    start = due_date + timedelta(days=1)
    while start <= today:
        if start in cuts:
            balance -= cuts[start]
        boundaries = [next_semester_start(start), today + timedelta(days=1)]
        boundaries += [day for day in cuts if day > start]
        stop = min(boundaries)  # first day of the next period
        days = (stop - start).days
        rate, known = rates.rate_on(start)
        if balance > 0:
            interest = balance * rate / _HUNDRED * days / DAYS_IN_YEAR
            periods.append(
                PenaltyPeriod(
                    start, stop - timedelta(days=1), days, balance, rate, interest, not known
                )
            )
        start = stop
    interest = sum((period.interest for period in periods), Decimal(0))
    return InvoicePenalty(
        invoice_number=number,
        due_date=due_date,
        days_late=days_late,
        periods=tuple(periods),
        interest=interest.quantize(CENT, rounding=ROUND_HALF_UP),
        indemnity=FLAT_INDEMNITY if indemnity else Decimal("0.00"),
    )


@dataclass(frozen=True, slots=True)
class LateInvoice:
    number: str
    due_date: date
    outstanding: Decimal
    payments: tuple[tuple[date, Decimal], ...] = ()


def case_penalties(
    invoices: Iterable[LateInvoice],
    *,
    today: date,
    rates: RateTable,
    consumer: bool,
    insolvency: bool = False,
) -> PenaltySummary:
    """Penalties on every late invoice of a B2B debtor; nothing for a consumer."""
    if consumer:
        return PenaltySummary((), applicable=False, insolvency=insolvency)
    items = tuple(
        invoice_penalty(
            number=item.number,
            due_date=item.due_date,
            outstanding=item.outstanding,
            today=today,
            rates=rates,
            payments=item.payments,
            indemnity=not insolvency,
        )
        for item in invoices
        if item.due_date < today and item.outstanding > 0
    )
    return PenaltySummary(items, applicable=True, insolvency=insolvency)
