"""How well does the queue rank? A replay of an invoice history, week by week.

    python scripts/eval_ranking.py HISTORY.csv [--warmup-weeks 12] [--json]
    python scripts/eval_ranking.py --generate [--customers 600] [--months 18] [--seed 7]

HISTORY.csv has one invoice a line: customer, invoice number, issue date, due date, amount,
settled date (empty: not paid when the history was exported). It is read with the import's own
handling (encoding, separator, French or English headers, `dd/mm/yyyy` or ISO dates, French
amounts). `--generate` makes one first with scripts/make_payment_history.py's habits.

The replay builds a fresh database in a temporary directory and, for each Monday, imports what
was known that day through the real import (`relance import`'s services): the invoices issued
since the last snapshot, then the payments of those settled since (each paying its invoice),
then what follows an import (commitments, portfolios), brings every case to that day (as a
daily import of the ledger would) and refreshes the real queue with that day as `today`. Nothing
after the snapshot's day is in the database when its queue is ranked.

The figure: of the money overdue on the snapshot's day that will still be unpaid 30 days later
(paid more than 30 days after the snapshot, or never), the share that each ranking puts in the
top third of its queue (by number of cases), summed over the snapshots. Rankings: the project's
queue, biggest overdue amount first, oldest overdue first. Snapshots run from `--warmup-weeks`
after the first invoice to 30 days before the history's last date (their future must be known).
"""

from __future__ import annotations

import argparse
import json
import math
import sqlite3
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from relance_tui.config import Settings
from relance_tui.services.importing.after import settle_after_import
from relance_tui.services.importing.batch import ImportOptions
from relance_tui.services.importing.fields import INVOICES, ImportKind
from relance_tui.services.importing.pipeline import import_file
from relance_tui.services.importing.read import (
    Bad,
    date_parser,
    normalise_label,
    parse_amount_cents,
    read_table,
)
from relance_tui.services.queue import (
    QueueFilters,
    build_query,
    page_after,
    refresh_queue,
)
from relance_tui.storage.cases import sync_cases
from relance_tui.storage.db import connect, transaction, utc_now_iso

LATE_HORIZON_DAYS = 30
AGENT = "eval"
RANKINGS = ("relance", "amount", "oldest")
RANKING_LABELS = {
    "relance": "relance-tui queue",
    "amount": "biggest amount first",
    "oldest": "oldest overdue first",
}

# The history's columns: the import's own header aliases, plus a few for the settled date.
COLUMNS: dict[str, tuple[str, ...]] = {
    "settled": (
        "settled date", "settled on", "settled", "date settled", "settlement date",
        "date solde", "date de solde", "date lettrage", "date reglement", "paid on",
        "payment date", "date paiement",
    ),
    "customer": INVOICES.field("debtor_reference").aliases,
    "number": INVOICES.field("number").aliases,
    "issued": INVOICES.field("issue_date").aliases,
    "due": INVOICES.field("due_date").aliases,
    "amount": INVOICES.field("amount").aliases,
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class HistoryInvoice:
    customer: str
    number: str
    issued: date
    due: date
    cents: int
    settled: date | None


class HistoryError(ValueError):
    """The history file cannot be read; the message says where."""


def read_history(path: Path) -> list[HistoryInvoice]:
    """The history's invoices, read as the import reads a file."""
    table = read_table(path)
    labels = [normalise_label(header) for header in table.headers]
    where: dict[str, int] = {}
    for name, aliases in COLUMNS.items():
        normalised = {normalise_label(alias) for alias in aliases}
        found = [
            n for n, label in enumerate(labels) if label in normalised and n not in where.values()
        ]
        if not found:
            raise HistoryError(f"{path}: no column for {name} (headers: {table.headers})")
        where[name] = found[0]
    parse_date = date_parser(None)
    invoices: list[HistoryInvoice] = []
    problems: list[str] = []
    for index in range(table.row_count):
        row = table.row(index)
        values: dict[str, object] = {}
        for name in ("issued", "due", "settled"):
            value = parse_date(row[where[name]])
            if isinstance(value, Bad) or (value is None and name != "settled"):
                problems.append(f"line {table.line(index)}: {name} {row[where[name]]!r}")
            values[name] = date.fromisoformat(value) if isinstance(value, str) else None
        cents = parse_amount_cents(row[where["amount"]])
        if not isinstance(cents, int) or cents <= 0:
            problems.append(f"line {table.line(index)}: amount {row[where['amount']]!r}")
        customer, number = row[where["customer"]].strip(), row[where["number"]].strip()
        if not customer or not number:
            problems.append(f"line {table.line(index)}: customer and invoice number needed")
        if problems:
            continue
        invoices.append(
            HistoryInvoice(
                customer,
                number,
                values["issued"],
                values["due"],
                cents,
                values["settled"],  # type: ignore[arg-type]
            )
        )
    if problems:
        raise HistoryError(f"{path}: " + "; ".join(problems[:10]))
    return invoices


# --- the replay -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QueueCase:
    reference: str
    overdue_cents: int
    oldest_due_date: str | None
    priority: float


@dataclass(frozen=True, slots=True)
class Snapshot:
    day: date
    queue: tuple[QueueCase, ...]  # in the queue's order


def snapshot_days(invoices: Sequence[HistoryInvoice], warmup_weeks: int) -> list[date]:
    """Mondays from `warmup_weeks` after the first invoice to 30 days before the last date."""
    first = min(invoice.issued for invoice in invoices)
    last = max(max(i.issued, i.settled or i.issued) for i in invoices)
    day = first + timedelta(weeks=warmup_weeks)
    day += timedelta(days=(7 - day.weekday()) % 7)
    days = []
    while day + timedelta(days=LATE_HORIZON_DAYS) <= last:
        days.append(day)
        day += timedelta(weeks=1)
    return days


def _amount(cents: int) -> str:
    return f"{cents // 100},{cents % 100:02d}"


def _import(
    conn: sqlite3.Connection, kind: ImportKind, path: Path, lines: list[str], day: date
) -> None:
    if len(lines) < 2:
        return
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = import_file(conn, kind, path, ImportOptions(agent=AGENT), today=day)
    if not report.committed:
        raise HistoryError(f"{kind} import on {day} refused: {report.errors[:3]}")


def _noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 11, tzinfo=UTC)


def _read_queue(conn: sqlite3.Connection) -> tuple[QueueCase, ...]:
    query = build_query(conn, QueueFilters())
    rows: list[QueueCase] = []
    page = page_after(conn, query, None, 500)
    while page:
        rows += [
            QueueCase(r.debtor_reference, r.overdue_cents, r.oldest_due_date, r.priority)
            for r in page
        ]
        page = page_after(conn, query, page[-1].key, 500)
    return tuple(rows)


def replay(
    invoices: Sequence[HistoryInvoice],
    days: Sequence[date],
    workdir: Path,
    *,
    settings: Settings | None = None,
    inspect: Callable[[sqlite3.Connection, date], None] | None = None,
) -> Iterator[Snapshot]:
    """The queue on each of `days`, from a database fed only with what was known that day."""
    settings = settings or Settings()
    conn = connect(workdir / "replay.db")
    now = utc_now_iso()
    with transaction(conn):
        conn.execute(
            "INSERT INTO agents (login, display_name, role, created_at) VALUES (?, ?, 'admin', ?)",
            (AGENT, AGENT, now),
        )
    customers = sorted({invoice.customer for invoice in invoices})
    _import(
        conn,
        ImportKind.DEBTORS,
        workdir / "debtors.csv",
        ["Code client;Raison sociale", *(f"{c};Client {c}" for c in customers)],
        days[0],
    )
    by_issue = sorted(invoices, key=lambda i: (i.issued, i.number))
    by_settle = sorted((i for i in invoices if i.settled), key=lambda i: (i.settled, i.number))
    issued_at = settled_at = 0
    for day in days:
        batch = []
        while issued_at < len(by_issue) and by_issue[issued_at].issued <= day:
            batch.append(by_issue[issued_at])
            issued_at += 1
        _import(
            conn,
            ImportKind.INVOICES,
            workdir / "invoices.csv",
            ["N° facture;Code client;Date facture;Date d'échéance;Montant TTC"]
            + [f"{i.number};{i.customer};{i.issued:%d/%m/%Y};{i.due:%d/%m/%Y};{_amount(i.cents)}"
               for i in batch],
            day,
        )  # fmt: skip
        paid = []
        while settled_at < len(by_settle) and by_settle[settled_at].settled <= day:  # type: ignore[operator]
            paid.append(by_settle[settled_at])
            settled_at += 1
        _import(
            conn,
            ImportKind.PAYMENTS,
            workdir / "payments.csv",
            ["Code client;N° facture;Date de règlement;Montant;Référence"]
            + [f"{i.customer};{i.number};{i.settled:%d/%m/%Y};{_amount(i.cents)};R-{i.number}"
               for i in paid],
            day,
        )  # fmt: skip
        settle_after_import(conn, settings, _noon(day))
        with transaction(conn):  # the day moved on: invoices fell due since the last import
            sync_cases(conn, day)
        refresh_queue(conn, settings, _noon(day))
        if inspect is not None:
            inspect(conn, day)
        yield Snapshot(day, _read_queue(conn))
    conn.close()


# --- the figures ----------------------------------------------------------------------------


def late_money(invoices: Sequence[HistoryInvoice], day: date) -> dict[str, int]:
    """Per customer: the money overdue on `day` that will be paid more than 30 days after it."""
    horizon = day + timedelta(days=LATE_HORIZON_DAYS)
    money: dict[str, int] = defaultdict(int)
    for i in invoices:
        if i.issued <= day and i.due < day and (i.settled is None or i.settled > horizon):
            money[i.customer] += i.cents
    return money


def rankings(queue: Sequence[QueueCase]) -> dict[str, list[QueueCase]]:
    return {
        "relance": list(queue),
        "amount": sorted(queue, key=lambda c: (-c.overdue_cents, c.reference)),
        "oldest": sorted(queue, key=lambda c: (c.oldest_due_date or "9999", c.reference)),
    }


@dataclass
class Figures:
    snapshots: int = 0
    cases: int = 0
    late_cents: int = 0
    captured: dict[str, int] | None = None

    def share(self, name: str) -> float:
        assert self.captured is not None
        return self.captured[name] / self.late_cents if self.late_cents else 0.0


def evaluate(invoices: Sequence[HistoryInvoice], snapshots: Iterator[Snapshot]) -> Figures:
    figures = Figures(captured=dict.fromkeys(RANKINGS, 0))
    assert figures.captured is not None
    for snapshot in snapshots:
        late = late_money(invoices, snapshot.day)
        figures.snapshots += 1
        figures.cases += len(snapshot.queue)
        figures.late_cents += sum(late.values())
        top = math.ceil(len(snapshot.queue) / 3)
        for name, ranked in rankings(snapshot.queue).items():
            figures.captured[name] += sum(late.get(case.reference, 0) for case in ranked[:top])
    return figures


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("history", type=Path, nargs="?")
    parser.add_argument("--generate", action="store_true", help="make a history first")
    parser.add_argument("--customers", type=int, default=600)
    parser.add_argument("--months", type=int, default=18)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--warmup-weeks", type=int, default=12)
    parser.add_argument("--json", action="store_true", help="the figures as JSON")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="relance-eval-") as tmp:
        workdir = Path(tmp)
        path = args.history
        if args.generate:
            sys.path.insert(0, str(Path(__file__).resolve().parent))
            from make_payment_history import write_history

            path = path or workdir / "history.csv"
            write_history(
                path, customers=args.customers, months=args.months,
                end=date(2026, 11, 30), seed=args.seed,
            )  # fmt: skip
        if path is None:
            parser.error("a history CSV, or --generate")
        try:
            invoices = read_history(path)
        except HistoryError as error:
            print(error, file=sys.stderr)
            return 1
        days = snapshot_days(invoices, args.warmup_weeks)
        if not days:
            print(f"{path}: too short a history for a snapshot", file=sys.stderr)
            return 1
        figures = evaluate(invoices, replay(invoices, days, workdir))
    elapsed = time.perf_counter() - started
    shares = {name: round(figures.share(name), 4) for name in RANKINGS}
    if args.json:
        print(json.dumps({
            "invoices": len(invoices), "customers": len({i.customer for i in invoices}),
            "snapshots": figures.snapshots, "first": days[0].isoformat(),
            "last": days[-1].isoformat(), "late_cents": figures.late_cents, "shares": shares,
        }))  # fmt: skip
        return 0
    print(
        f"{len(invoices)} invoices of {len({i.customer for i in invoices})} customers;"
        f" {figures.snapshots} weekly snapshots {days[0]} … {days[-1]},"
        f" {figures.cases / figures.snapshots:.0f} cases in the queue on average ({elapsed:.0f} s)"
    )
    print(
        "Share of the money overdue that will still be unpaid 30 days later"
        f" ({figures.late_cents / 100 / figures.snapshots:,.0f} € a snapshot on average)"
        " put in the top third of the queue:"
    )
    for name in RANKINGS:
        print(f"  {RANKING_LABELS[name]:<22} {100 * shares[name]:5.1f} %")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
