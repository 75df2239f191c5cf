"""Late-payment penalties by law, per kind of debtor. Pure functions, no I/O but the rate table.

- **B2B** (Code de commerce L441-10 II, D441-5): simple interest from the day after the due date,
  balance incl. VAT × rate × days / 365, split at each 1 January / 1 July with the rate of that
  half-year (ECB MRO on the reference date + 10 points), on the balance still due after each
  partial payment. An agreed (contract) rate replaces it, but never below 3 × the legal rate
  "other cases" of the half-year: a lower one is flagged and nothing is claimed for those days.
  40 € per late invoice, no VAT, not owed during collective insolvency proceedings. Interest
  already run stays claimable when the principal is paid (until paid or waived).
- **Public bodies** (Code de la commande publique R2192-31 and following): the ECB MRO rate in
  force on the first day of the half-year in which interest *started* to run, + 8 points, for the
  whole period (no split by half-year); 40 € per invoice.
- **Consumers** (Code civil 1231-6): no 40 €, no commercial penalties; interest at the legal rate
  "other cases" (the creditor is a business) only from the formal notice (mise en demeure), by
  half-year like the legal rate itself.

Rates come from a dated table (`data/rates.toml`; a `rates.toml` in the configuration directory
wins). A half-year missing from the table, or marked `confirmed = false`, uses the nearest earlier
known figure and every amount depending on it is flagged `estimated`.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

CENT = Decimal("0.01")
FLAT_INDEMNITY = Decimal("40.00")
DAYS_IN_YEAR = Decimal(365)
B2B_MARGIN = Decimal(10)  # points over the ECB MRO (L441-10)
PUBLIC_MARGIN = Decimal(8)  # points over the ECB MRO (R2192-31)
CONTRACT_FLOOR_FACTOR = Decimal(3)  # an agreed rate is never below 3 × the legal rate
_HUNDRED = Decimal(100)
_ZERO = Decimal("0.00")


class Regime(StrEnum):
    """Which law sets the penalties: the debtor's kind."""

    B2B = "b2b"
    PUBLIC_BODY = "public_body"
    CONSUMER = "consumer"


def regime_for(segment: str) -> Regime:
    if segment == "public_body":
        return Regime.PUBLIC_BODY
    if segment == "consumer":
        return Regime.CONSUMER
    return Regime.B2B


class RateTableError(ValueError):
    """The rate table file is malformed; the message names the row."""


@dataclass(frozen=True, slots=True)
class SemesterRate:
    start: date  # 1 January or 1 July
    ecb_mro: Decimal  # percent, in force on `start`
    late_payment: Decimal  # percent: ECB + 10 points
    legal_private: Decimal | None = None  # legal rate, creditor is a private person
    legal_other: Decimal | None = None  # legal rate, all other cases
    confirmed: bool = True  # False: published figures not confirmed yet (estimates)


def semester_start(day: date) -> date:
    return date(day.year, 1 if day.month <= 6 else 7, 1)


def next_semester_start(day: date) -> date:
    return date(day.year, 7, 1) if day.month <= 6 else date(day.year + 1, 1, 1)


def semester_label(start: date) -> str:
    """`2026 H2`."""
    return f"{start.year} H{1 if start.month <= 6 else 2}"


class RateTable:
    """Rates by half-year, oldest first."""

    def __init__(self, rows: Iterable[SemesterRate]) -> None:
        self.rows: tuple[SemesterRate, ...] = tuple(sorted(rows, key=lambda row: row.start))
        if not self.rows:
            raise RateTableError("the rate table has no row")
        self._by_start = {row.start: row for row in self.rows}

    def _row(self, day: date) -> tuple[SemesterRate, bool]:
        """The half-year's row (known = in the table and confirmed), else the last earlier one."""
        start = semester_start(day)
        row = self._by_start.get(start)
        if row is not None:
            return row, row.confirmed
        earlier = [row for row in self.rows if row.start <= start]
        return (earlier[-1] if earlier else self.rows[0]), False

    def rate_on(self, day: date) -> tuple[Decimal, bool]:
        """B2B late-payment rate (percent) of the half-year of `day`, and whether it is known."""
        row, known = self._row(day)
        return row.late_payment, known

    def ecb_on(self, day: date) -> tuple[Decimal, bool]:
        """The ECB MRO rate in force on the first day of the half-year of `day`."""
        row, known = self._row(day)
        return row.ecb_mro, known

    def legal_other_on(self, day: date) -> tuple[Decimal, bool]:
        """The legal interest rate "other cases" of the half-year of `day`."""
        row, known = self._row(day)
        if row.legal_other is not None:
            return row.legal_other, known
        earlier = [r for r in self.rows if r.start <= row.start and r.legal_other is not None]
        later = [r for r in self.rows if r.legal_other is not None]
        if not later:
            raise RateTableError("the rate table has no legal rate (legal_other)")
        chosen = earlier[-1] if earlier else later[0]
        assert chosen.legal_other is not None
        return chosen.legal_other, False

    def missing(self, until: date) -> list[date]:
        """Half-years from the first row to `until`'s without a confirmed row (first days)."""
        found: list[date] = []
        start = self.rows[0].start
        while start <= semester_start(until):
            row = self._by_start.get(start)
            if row is None or not row.confirmed:
                found.append(start)
            start = next_semester_start(start)
        return found

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
                late = Decimal(str(item.get("late_payment", ecb + B2B_MARGIN)))
                private = item.get("legal_private_creditor")
                other = item.get("legal_other")
                confirmed = item.get("confirmed", True)
                if not isinstance(confirmed, bool):
                    raise ValueError("confirmed must be true or false")
            except (KeyError, ValueError, ArithmeticError) as error:
                raise RateTableError(f"[[semester]] #{index}: {error}") from error
            rows.append(
                SemesterRate(
                    start,
                    ecb,
                    late,
                    None if private is None else Decimal(str(private)),
                    None if other is None else Decimal(str(other)),
                    confirmed,
                )
            )
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
    estimated: bool  # the rate is not confirmed in the table
    below_floor: bool = False  # contract rate under 3 × legal rate: nothing claimed


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

    @property
    def contract_rate_below_floor(self) -> bool:
        return any(period.below_floor for period in self.periods)


@dataclass(frozen=True, slots=True)
class PenaltySummary:
    invoices: tuple[InvoicePenalty, ...]
    applicable: bool  # False for a consumer without formal notice: nothing is owed yet
    insolvency: bool  # the 40 € is not owed during collective proceedings
    regime: Regime = Regime.B2B

    @property
    def interest(self) -> Decimal:
        return sum((item.interest for item in self.invoices), _ZERO)

    @property
    def indemnities(self) -> Decimal:
        return sum((item.indemnity for item in self.invoices), _ZERO)

    @property
    def total(self) -> Decimal:
        return self.interest + self.indemnities

    @property
    def estimated(self) -> bool:
        return any(item.estimated for item in self.invoices)

    @property
    def contract_rate_below_floor(self) -> bool:
        return any(item.contract_rate_below_floor for item in self.invoices)


def _period_rate(
    regime: Regime,
    start: date,
    rates: RateTable,
    *,
    first_day: date,
    contract_rate: Decimal | None,
) -> tuple[Decimal, bool, bool]:
    """(rate, known, below floor) for a period starting on `start`."""
    if regime is Regime.PUBLIC_BODY:
        ecb, known = rates.ecb_on(first_day)  # the half-year interest started in, whole period
        return ecb + PUBLIC_MARGIN, known, False
    if regime is Regime.CONSUMER:
        legal, known = rates.legal_other_on(start)
        return legal, known, False
    if contract_rate is not None:
        legal, known = rates.legal_other_on(start)
        return contract_rate, known, contract_rate < CONTRACT_FLOOR_FACTOR * legal
    rate, known = rates.rate_on(start)
    return rate, known, False


def invoice_penalty(
    *,
    number: str,
    due_date: date,
    outstanding: Decimal,
    today: date,
    rates: RateTable,
    payments: Sequence[tuple[date, Decimal]] = (),
    indemnity: bool = True,
    regime: Regime = Regime.B2B,
    contract_rate: Decimal | None = None,
    runs_from: date | None = None,
) -> InvoicePenalty:
    """Interest accrued on one invoice up to `today` inclusive, plus the flat indemnity.

    `outstanding` is the balance now; `payments` are the (date, amount) received on this invoice.
    Those received after interest started are added back to rebuild the balance day by day: a
    payment on day P stops interest on its amount from P + 1. Interest runs from the day after
    the due date, or after `runs_from` when later (a consumer's formal notice). A paid invoice
    keeps the interest run until its payment.
    """
    days_late = max((today - due_date).days, 0)
    origin = max(due_date, runs_from) if runs_from else due_date
    first_day = origin + timedelta(days=1)
    owes_indemnity = indemnity and regime is not Regime.CONSUMER and days_late > 0
    if first_day > today:
        flat = FLAT_INDEMNITY if owes_indemnity else _ZERO
        return InvoicePenalty(number, due_date, days_late, (), _ZERO, flat)
    late_payments = sorted((day, amount) for day, amount in payments if origin < day <= today)
    balance = outstanding + sum((amount for _, amount in late_payments), Decimal(0))
    if balance <= 0:  # paid in full by the due date: not late at all
        return InvoicePenalty(number, due_date, 0, (), _ZERO, _ZERO)
    # Each change of balance (payment) or of rate (half-year, but for public bodies) starts a
    # new period.
    cuts: dict[date, Decimal] = {}
    for day, amount in late_payments:
        cuts[day + timedelta(days=1)] = cuts.get(day + timedelta(days=1), Decimal(0)) + amount
    periods: list[PenaltyPeriod] = []
    start = first_day
    while start <= today:
        if start in cuts:
            balance -= cuts[start]
        boundaries = [today + timedelta(days=1)]
        boundaries += [day for day in cuts if day > start]
        if regime is not Regime.PUBLIC_BODY:
            boundaries.append(next_semester_start(start))
        stop = min(boundaries)  # first day of the next period
        days = (stop - start).days
        rate, known, below = _period_rate(
            regime, start, rates, first_day=first_day, contract_rate=contract_rate
        )
        if balance > 0:
            interest = _ZERO if below else balance * rate / _HUNDRED * days / DAYS_IN_YEAR
            periods.append(
                PenaltyPeriod(
                    start, stop - timedelta(days=1), days, balance, rate, interest, not known, below
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
        indemnity=FLAT_INDEMNITY if owes_indemnity else _ZERO,
    )


@dataclass(frozen=True, slots=True)
class LateInvoice:
    number: str
    due_date: date
    outstanding: Decimal
    payments: tuple[tuple[date, Decimal], ...] = ()
    contract_rate: Decimal | None = None  # percent, the contract's own late-payment rate


def case_penalties(
    invoices: Iterable[LateInvoice],
    *,
    today: date,
    rates: RateTable,
    regime: Regime = Regime.B2B,
    insolvency: bool = False,
    formal_notice_on: date | None = None,
) -> PenaltySummary:
    """Penalties on every late invoice of one debtor, paid late ones included (their interest
    stays claimable). A consumer owes nothing before the formal notice, and never the 40 €."""
    if regime is Regime.CONSUMER and (formal_notice_on is None or formal_notice_on >= today):
        return PenaltySummary((), applicable=False, insolvency=insolvency, regime=regime)
    items = tuple(
        invoice_penalty(
            number=item.number,
            due_date=item.due_date,
            outstanding=item.outstanding,
            today=today,
            rates=rates,
            payments=item.payments,
            indemnity=not insolvency,
            regime=regime,
            contract_rate=None if regime is not Regime.B2B else item.contract_rate,
            runs_from=formal_notice_on if regime is Regime.CONSUMER else None,
        )
        for item in invoices
        if item.due_date < today
    )
    items = tuple(item for item in items if item.days_late > 0 and (item.total > 0 or item.periods))
    return PenaltySummary(items, applicable=True, insolvency=insolvency, regime=regime)
