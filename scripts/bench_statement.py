"""Time `relance import statement` on a 100 000-line CFONB statement against the 1M-invoice
database (not a test: prints the figure; the target is under 30 s).

    python scripts/bench_statement.py [--data-dir DIR] [--lines 100000]

The database is the one scripts/bench_queue.py seeds (100 000 debtors / 1 000 000 invoices),
copied to a temporary directory first: the cached file is never changed. The statement's credits
are, in turn: an open invoice's number written differently (`FACT 2026/123`), a debtor's
reference, the exact balance of an open invoice, and an unknown payer; a few debits between them.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from bench_queue import default_data_dir, seeded_db
from relance_tui.config import Settings
from relance_tui.services.statements.landing import import_statement
from relance_tui.storage.db import connect, transaction, utc_now_iso
from statement_files import balance, complement, movement

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
DAY = date(2026, 11, 23)


def write_statement(conn: object, path: Path, lines: int, seed: int = 11) -> None:
    rng = random.Random(seed)
    invoices = conn.execute(  # type: ignore[attr-defined]
        "SELECT number, outstanding_cents FROM invoices WHERE outstanding_cents > 0"
        " AND status IN ('open', 'partially_paid') AND in_dispute = 0"
    ).fetchall()
    debtors = conn.execute("SELECT reference FROM debtors").fetchall()  # type: ignore[attr-defined]
    rng.shuffle(invoices)
    records = [balance("01", DAY, 0)]
    total = 0
    for n in range(lines):
        kind = n % 5
        number, cents = invoices[n % len(invoices)]
        if kind == 0:
            year, _sep, seq = number[2:].partition("-")
            records.append(movement(DAY, cents, f"VIR SEPA FACT {year}/{int(seq)}"))
        elif kind == 1:
            cents = rng.randrange(1_000, 500_000)
            records.append(movement(DAY, cents, f"VIR CLIENT {rng.choice(debtors)[0]}"))
        elif kind == 2:
            records.append(movement(DAY, cents, "VIREMENT RECU"))
        elif kind == 3:
            cents = rng.randrange(1_000, 500_000) + 7
            records.append(movement(DAY, cents, "VIR SEPA"))
            records.append(complement("NPY", f"PAYEUR INCONNU {n}"))
        else:
            cents = -rng.randrange(1_000, 50_000)
            records.append(movement(DAY, cents, "PRLV FOURNISSEUR"))
        total += cents
    records.append(balance("07", DAY, total))
    path.write_bytes(("\r\n".join(records) + "\r\n").encode("latin-1"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--lines", type=int, default=100_000)
    args = parser.parse_args()
    cached = seeded_db(args.data_dir or default_data_dir())
    with tempfile.TemporaryDirectory(prefix="bench-statement-") as work:
        db = Path(work) / "relance.db"
        shutil.copyfile(cached, db)
        conn = connect(db)  # migrates the copy
        with transaction(conn):
            conn.execute(
                "INSERT OR IGNORE INTO agents (login, display_name, role, created_at)"
                " VALUES ('bench', 'Bench', 'admin', ?)",
                (utc_now_iso(),),
            )
        path = Path(work) / "releve.txt"
        write_statement(conn, path, args.lines)
        started, cpu = time.perf_counter(), time.process_time()
        report = import_statement(conn, path, agent="bench", settings=Settings(), now=NOW)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        conn.close()
    matched = sum(report.matched.values())
    rules = dict(report.matched)
    print(f"{report.movements} statement lines, {matched} credits matched ({rules}),")
    print(f"{report.unmatched} unmatched, {report.debits} debits")
    print(f"import + matching: {elapsed:.1f} s wall, {cpu:.1f} s CPU (target < 30 s)")
    return 0 if elapsed < 30 else 1


if __name__ == "__main__":
    raise SystemExit(main())
