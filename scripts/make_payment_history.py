"""A realistic invoice history with settlement dates, for scripts/eval_ranking.py.

    python scripts/make_payment_history.py OUT.csv [--customers 600] [--months 18]
                                                   [--end 2026-11-30] [--seed 7]

Writes `customer;invoice number;issue date;due date;amount;settled date` as a French export
would (`;`, `dd/mm/yyyy`, `1234,56`); the settled date is empty for an invoice not paid by the
end of the history. Each customer has one habit, drawn with these shares:

| habit          | share | invoices              | pays                                          |
|----------------|-------|-----------------------|-----------------------------------------------|
| on time        | 30 %  | ~1 500 €, monthly     | a few days either side of the due date        |
| ~20 days late  | 18 %  | ~2 500 €, monthly     | 20 days late, give or take 4                  |
| large account  | 6 %   | ~15 000 €, 60-day due | about 8 days late, like clockwork             |
| erratic        | 16 %  | ~1 200 €, monthly     | on time half the time, else weeks or months   |
| deteriorating  | 10 %  | ~2 000 €, monthly     | later and later: from on time to ~90 days     |
| public body    | 7 %   | ~10 000 €, bimonthly  | about 55 days late (mandate, accountant)      |
| small chronic  | 13 %  | ~400 €, monthly       | 30 to 150 days late, one in ten never         |

Amounts are log-normal around the habit's median; invoice intervals jitter around the habit's
cadence. Deterministic for a seed.
"""

from __future__ import annotations

import argparse
import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

HEADER = "customer;invoice number;issue date;due date;amount;settled date"


@dataclass(frozen=True)
class Habit:
    name: str
    share: float
    median_euros: float
    cadence_days: int
    terms_days: int
    # days late at payment (negative: early), from the random source and the customer's
    # progress through its life (0 at its first invoice, 1 at the end of the history);
    # None: never paid
    delay: Callable[[random.Random, float], float | None]


def _on_time(rng: random.Random, _: float) -> float:
    return min(max(rng.gauss(-2, 3), -10), 5)


def _twenty_late(rng: random.Random, _: float) -> float:
    return rng.gauss(20, 4)


def _large_account(rng: random.Random, _: float) -> float:
    return max(rng.gauss(8, 5), -3)


def _erratic(rng: random.Random, _: float) -> float:
    draw = rng.random()
    if draw < 0.5:
        return rng.gauss(0, 3)
    if draw < 0.85:
        return rng.expovariate(1 / 35)
    return rng.uniform(60, 150)


def _deteriorating(rng: random.Random, progress: float) -> float:
    return max(rng.gauss(90 * progress, 8), -5)


def _public_body(rng: random.Random, _: float) -> float:
    return max(rng.gauss(55, 15), 10)


def _small_chronic(rng: random.Random, _: float) -> float | None:
    return None if rng.random() < 0.1 else rng.uniform(30, 150)


HABITS = (
    Habit("on_time", 0.30, 1_500, 30, 30, _on_time),
    Habit("twenty_late", 0.18, 2_500, 30, 30, _twenty_late),
    Habit("large_account", 0.06, 15_000, 30, 60, _large_account),
    Habit("erratic", 0.16, 1_200, 30, 30, _erratic),
    Habit("deteriorating", 0.10, 2_000, 30, 30, _deteriorating),
    Habit("public_body", 0.07, 10_000, 60, 30, _public_body),
    Habit("small_chronic", 0.13, 400, 30, 30, _small_chronic),
)


def _amount(cents: int) -> str:
    return f"{cents // 100},{cents % 100:02d}"


def history_rows(
    customers: int, months: int, end: date, seed: int
) -> list[tuple[str, str, date, date, int, date | None]]:
    """(customer, invoice number, issue date, due date, amount cents, settled date or None)."""
    rng = random.Random(seed)
    start = end - timedelta(days=round(months * 30.44))
    span = (end - start).days
    rows: list[tuple[str, str, date, date, int, date | None]] = []
    weights = [habit.share for habit in HABITS]
    number = 0
    for n in range(customers):
        habit = rng.choices(HABITS, weights)[0]
        customer = f"C{n + 1:05d}"
        # Customers arrive over the history's first year (some were there from the start).
        first = start + timedelta(days=rng.randrange(0, max(span // 2, 1)) if n % 3 else 0)
        day = first + timedelta(days=rng.randrange(habit.cadence_days))
        size = habit.median_euros * math.exp(rng.gauss(0, 0.5))  # this customer's usual amount
        while day <= end:
            number += 1
            cents = max(round(size * math.exp(rng.gauss(0, 0.4)) * 100), 1_000)
            due = day + timedelta(days=habit.terms_days)
            progress = (day - first).days / max((end - first).days, 1)
            late = habit.delay(rng, progress)
            settled: date | None = None
            if late is not None:
                settled = max(due + timedelta(days=round(late)), day)
                if settled > end:
                    settled = None  # not paid yet when the history was exported
            rows.append((customer, f"F{number:07d}", day, due, cents, settled))
            step = habit.cadence_days * rng.uniform(0.7, 1.3)
            day += timedelta(days=max(round(step), 1))
    rows.sort(key=lambda row: (row[2], row[1]))
    return rows


def write_history(
    path: Path, *, customers: int = 600, months: int = 18, end: date, seed: int = 7
) -> int:
    """Write the history CSV; returns how many invoices it holds."""
    rows = history_rows(customers, months, end, seed)
    lines = [HEADER]
    for customer, number, issued, due, cents, settled in rows:
        paid = f"{settled:%d/%m/%Y}" if settled else ""
        lines.append(
            f"{customer};{number};{issued:%d/%m/%Y};{due:%d/%m/%Y};{_amount(cents)};{paid}"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--customers", type=int, default=600)
    parser.add_argument("--months", type=int, default=18)
    parser.add_argument("--end", type=date.fromisoformat, default=date(2026, 11, 30))
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    count = write_history(
        args.out, customers=args.customers, months=args.months, end=args.end, seed=args.seed
    )
    print(f"{count} invoices of {args.customers} customers written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
