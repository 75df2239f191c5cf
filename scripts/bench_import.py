"""Time `relance import invoices` on a big French CSV against `sqlite3`'s own `.import`.

    python scripts/bench_import.py [--rows 1000000] [--debtors 100000] [--dir DIR] [--keep]

Writes a French Excel-style invoices file (`;`, UTF-8 with BOM, CRLF, `1 234,56` amounts with
narrow no-break spaces, `31/12/2026` dates), creates the debtors it references directly in a
fresh database (not timed), then times, in this one run:
  1. `sqlite3 raw.db ".import"` of the same file into a plain table (the reference);
  2. `services.importing.import_file` into the real schema (validation, upsert, case sync, audit).
Prints both times and the ratio. The target is a ratio of at most 4.
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from relance_tui.services.importing.batch import ImportOptions
from relance_tui.services.importing.fields import ImportKind
from relance_tui.services.importing.pipeline import import_file
from relance_tui.storage.db import connect, transaction, utc_now_iso

HEADER = (
    "N° facture;Code client;N° commande;Contrat;Date facture;Date d'échéance;Montant TTC;"
    "Reste dû;Devise"
)


def french_amount(cents: int) -> str:
    units, rest = divmod(cents, 100)
    return f"{units:,}".replace(",", "\u202f") + f",{rest:02d}"


def write_invoices(path: Path, rows: int, debtors: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    start = date(2025, 1, 1)
    days = [(start + timedelta(days=n)) for n in range(600)]
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        handle.write(HEADER + "\r\n")
        lines = []
        for number in range(rows):
            issued = rng.randrange(540)
            due = issued + rng.choice((30, 45, 60))
            cents = rng.randrange(1_000, 5_000_000)
            amount = french_amount(cents)
            draw = rng.random()
            rest = amount if draw < 0.7 else ("0,00" if draw < 0.85 else french_amount(cents // 2))
            lines.append(
                f"F{number:08d};C{rng.randrange(debtors):06d};PO{number};;"
                f"{days[issued]:%d/%m/%Y};{days[due]:%d/%m/%Y};{amount};{rest};EUR\r\n"
            )
            if len(lines) == 100_000:
                handle.write("".join(lines))
                lines.clear()
        handle.write("".join(lines))


def make_database(path: Path, debtors: int) -> None:
    conn = connect(path)
    now = utc_now_iso()
    with transaction(conn):
        conn.execute(  # importing is for admins
            "INSERT INTO agents (login, display_name, role, created_at)"
            " VALUES ('bench', 'bench', 'admin', ?)",
            (now,),
        )
        conn.executemany(
            "INSERT INTO debtors (reference, legal_name, segment, created_at, updated_at)"
            " VALUES (?, ?, 'sme', ?, ?)",
            ((f"C{n:06d}", f"Société {n}", now, now) for n in range(debtors)),
        )
    conn.close()


def time_sqlite_import(csv_path: Path, workdir: Path) -> float:
    raw = workdir / "raw.db"
    raw.unlink(missing_ok=True)
    began = time.perf_counter()
    subprocess.run(
        [
            "sqlite3",
            str(raw),
            "-cmd",
            ".mode csv",
            "-cmd",
            ".separator ;",
            f".import {csv_path} raw",
        ],
        check=True,
    )
    return time.perf_counter() - began


def time_relance_import(csv_path: Path, db_path: Path) -> tuple[float, str]:
    conn = connect(db_path)
    began = time.perf_counter()
    report = import_file(
        conn,
        ImportKind.INVOICES,
        csv_path,
        ImportOptions(agent="bench"),
        today=date(2026, 6, 30),
    )
    elapsed = time.perf_counter() - began
    conn.close()
    if not report.committed or report.errors:
        raise SystemExit(f"import failed: {report.errors[:5]}")
    summary = f"{report.rows_read} rows, {report.inserted} inserted, {report.updated} updated"
    return elapsed, summary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--debtors", type=int, default=100_000)
    parser.add_argument("--dir", type=Path, help="work directory (default: a temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each; the best is kept")
    args = parser.parse_args()
    if shutil.which("sqlite3") is None:
        print("the sqlite3 command-line shell is needed for the reference time", file=sys.stderr)
        return 2
    workdir = args.dir or Path(tempfile.mkdtemp(prefix="relance-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    csv_path = workdir / "factures.csv"
    base_db = workdir / "base.db"
    began = time.perf_counter()
    write_invoices(csv_path, args.rows, args.debtors)
    base_db.unlink(missing_ok=True)
    make_database(base_db, args.debtors)
    print(
        f"generated {args.rows} invoices for {args.debtors} debtors "
        f"({csv_path.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - began:.1f} s"
    )
    reference = ours = float("inf")
    summary = ""
    for _ in range(args.repeat):
        reference = min(reference, time_sqlite_import(csv_path, workdir))
        target = workdir / "relance.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        shutil.copy(base_db, target)
        elapsed, summary = time_relance_import(csv_path, target)
        ours = min(ours, elapsed)
    print(f"sqlite3 .import      : {reference:6.2f} s")
    print(f"relance import       : {ours:6.2f} s  ({summary})")
    print(f"ratio                : {ours / reference:6.2f} x  (target <= 4)")
    if not args.keep and args.dir is None:
        shutil.rmtree(workdir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
