"""Time the dunning batch: listing the steps due over 100 000 open cases (`relance dunning
--dry-run`, target < 10 s) and producing 1 000 letters (target < 60 s).

    python scripts/bench_dunning.py [--cases 100000] [--letters 1000] [--dir DIR] [--keep]

Builds its databases directly with SQL (not timed): debtors of every segment, each with one or
two overdue invoices (1 to 200 days late), a contact with an e-mail address, a few promises and
manual holds, the cases opened by `storage.cases.sync_cases`. Then times, in this run:
  1. `relance dunning --dry-run` as a process (start-up, query, decisions, printing every line);
  2. `services.dunning_batch.run_batch(perform=True)` on `--letters` cases whose due step is a
     letter (no SMTP server configured: e-mail steps become letters too): PDF files written,
     steps recorded, the day's merged file.
"""

from __future__ import annotations

import argparse
import getpass
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from relance_tui.config import DunningSettings, Settings
from relance_tui.services.dunning_batch import run_batch
from relance_tui.storage.cases import sync_cases
from relance_tui.storage.db import connect, transaction

TODAY = date(2026, 11, 2)
STAMP = "2026-01-01T00:00:00+00:00"
SEGMENTS = ("sme", "sme", "sme", "multi_site", "large_account", "public_body", "consumer")


def build(path: Path, cases: int, *, days_late: str, holds: bool = True) -> None:
    """`cases` debtors with money overdue; `days_late` is the SQL for each invoice's lateness."""
    conn = connect(path)
    me = getpass.getuser()
    with transaction(conn):
        conn.execute(
            "INSERT INTO agents (login, display_name, role, created_at) VALUES (?, ?, 'admin', ?)",
            (me, me, STAMP),
        )
        conn.execute(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :cases)"
            " INSERT INTO debtors (reference, legal_name, siren, segment, address, postal_code,"
            " city, created_at, updated_at)"
            " SELECT printf('B%07d', i), printf('Client bench %d SAS', i), NULL,"
            " json_extract(:segments, '$[' || (i % 7) || ']'),"
            " printf('%d rue de la Paix', i % 200),"
            " '75002', 'Paris', :stamp, :stamp FROM n",
            {"cases": cases, "segments": str(list(SEGMENTS)).replace("'", '"'), "stamp": STAMP},
        )
        conn.execute(
            "INSERT INTO contacts (debtor_id, name, role, email, created_at, updated_at)"
            " SELECT id, 'Comptabilité', 'accounts_payable', printf('compta%d@bench.fr', id),"
            " :stamp, :stamp FROM debtors",
            {"stamp": STAMP},
        )
        for extra in (0, 1):
            conn.execute(
                "INSERT INTO invoices (number, debtor_id, issue_date, due_date, amount_cents,"
                " outstanding_cents)"
                f" SELECT printf('FB%d-%d', id, {extra}), id,"
                f" date(:today, '-' || ({days_late} + 30) || ' days'),"
                f" date(:today, '-' || ({days_late}) || ' days'),"
                " 10000 + (id * 7919) % 900000, 10000 + (id * 7919) % 900000"
                f" FROM debtors WHERE {extra} = 0 OR id % 3 = 0",
                {"today": TODAY.isoformat()},
            )
        sync_cases(conn, TODAY)
        if holds:
            conn.execute(
                "INSERT INTO promises (case_id, amount_cents, due_date, created_at)"
                " SELECT id, 5000, date(:today, '+5 days'), :stamp FROM cases WHERE id % 20 = 0",
                {"today": TODAY.isoformat(), "stamp": STAMP},
            )
            conn.execute(
                "INSERT INTO dunning_holds (case_id, reason, until, created_at, created_by)"
                " SELECT id, 'bench', date(:today, '+9 days'), :stamp, 'bench' FROM cases"
                " WHERE id % 25 = 0",
                {"today": TODAY.isoformat(), "stamp": STAMP},
            )
    conn.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--letters", type=int, default=1_000)
    parser.add_argument("--dir", type=Path)
    parser.add_argument("--keep", action="store_true", help="keep the databases and letters")
    args = parser.parse_args()
    folder = args.dir or Path(tempfile.mkdtemp(prefix="bench-dunning-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        big = folder / "cases.db"
        if not big.exists():
            started = time.perf_counter()
            build(big, args.cases, days_late="1 + (id * 37) % 200")
            print(f"built {args.cases} cases in {time.perf_counter() - started:.1f} s (not timed)")
        env = {**os.environ, "RELANCE_LANG": "fr"}
        command = [sys.executable, "-m", "relance_tui", "--db", str(big), "dunning", "--dry-run",
                   "--date", TODAY.isoformat()]  # fmt: skip
        started = time.perf_counter()
        before = os.times()
        listed = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
        after = os.times()
        wall = time.perf_counter() - started
        cpu = (after.children_user - before.children_user) + (
            after.children_system - before.children_system
        )
        lines = listed.stdout.count("\n")
        print(f"dry-run over {args.cases} cases: {wall:.2f} s wall, {cpu:.2f} s CPU,"
              f" {lines} lines printed (target < 10 s)")  # fmt: skip
        for line in listed.stdout.splitlines()[-6:]:
            print("   ", line)

        small = folder / "letters.db"
        if small.exists():
            small.unlink()
        # Every case 16 days late, nothing held: each one's friendly reminder is due.
        build(small, args.letters, days_late="16", holds=False)
        letters = folder / "letters"
        shutil.rmtree(letters, ignore_errors=True)
        settings = Settings(dunning=DunningSettings(letters_dir=str(letters)))
        conn = connect(small)
        started = time.perf_counter()
        cpu_before = time.process_time()
        report = run_batch(
            conn, today=TODAY, settings=settings, login=getpass.getuser(), perform=True
        )
        cpu = time.process_time() - cpu_before
        wall = time.perf_counter() - started
        made = len(report.performed)
        each = wall / max(made, 1) * 1000
        print(f"{made} letters: {wall:.1f} s wall, {cpu:.1f} s CPU, {each:.1f} ms each"
              f" (target: 1 000 in < 60 s); merged file: {report.merged}")  # fmt: skip
        conn.close()
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
