"""How fast the audit chain seals and verifies.

    python scripts/bench_audit_chain.py [--events 1000000] [--dir DIR]

Appends `--events` import-like audit events in one transaction twice: with the old plain
`INSERT … SELECT` (no seal; into a scratch copy of the table) and sealed through
`storage.audit_chain.append` (what `relance import` does for the rows it changed), then times
`verify` of the whole chain (`relance audit verify`) and from a checkpoint at the head (the
start-up check).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path


def timed(run: Callable[[], object]) -> tuple[float, float]:
    """Wall and CPU seconds (CPU: what the run costs whatever else the machine does)."""
    wall, cpu = time.perf_counter(), time.process_time()
    run()
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--dir", type=Path, help="work directory (default: a temporary one)")
    args = parser.parse_args()

    from relance_tui.storage import audit_chain
    from relance_tui.storage.db import connect, transaction

    workdir = args.dir or Path(tempfile.mkdtemp(prefix="bench-audit-"))
    db_path = workdir / "audit.db"
    conn = connect(db_path)
    conn.execute(
        "CREATE TEMP TABLE changes (action TEXT, entity TEXT, entity_id INTEGER, before TEXT,"
        " after TEXT, detail TEXT)"
    )
    conn.execute(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)"
        " INSERT INTO changes SELECT 'import.invoice_change', 'invoice', i,"
        " json_object('amount_cents', i, 'outstanding_cents', i, 'due_date', '2026-01-31',"
        " 'status', 'open'), json_object('amount_cents', i, 'outstanding_cents', 0,"
        " 'due_date', '2026-01-31', 'status', 'paid'), 'F' || i FROM n",
        (args.events,),
    )
    conn.execute("CREATE TABLE plain_events AS SELECT * FROM audit_events WHERE 0")
    for index in ("at", "entity, entity_id", "agent, at"):
        conn.execute(f"CREATE INDEX plain_{len(index)} ON plain_events({index})")
    at = "2026-12-03T10:00:00+00:00"

    def plain() -> None:
        with transaction(conn):
            conn.execute(
                "INSERT INTO plain_events (at, agent, action, entity, entity_id, before, after,"
                " detail) SELECT ?, 'admin', action, entity, CAST(entity_id AS TEXT), before,"
                " after, 'import #1: ' || detail FROM temp.changes ORDER BY rowid",
                (at,),
            )

    def sealed() -> None:
        with transaction(conn):
            audit_chain.append_selected(
                conn,
                "SELECT :audit_base + rowid AS id, :at AS at, 'admin' AS agent, action, entity,"
                " CAST(entity_id AS TEXT) AS entity_id, before, after,"
                " 'import #1: ' || detail AS detail FROM temp.changes ORDER BY rowid",
                {"at": at},
            )

    verdicts: list[audit_chain.Verdict] = []
    print(f"events: {args.events:,}  (load average before: {os.getloadavg()[0]:.2f})")
    print("                                                   wall      CPU")
    for label, run in (
        ("append, plain INSERT … SELECT (before the chain)", plain),
        ("append, sealed (audit_chain.append_selected)", sealed),
        ("verify, whole chain (relance audit verify)", lambda: verdicts.append(
            audit_chain.verify(conn))),
    ):  # fmt: skip
        wall, cpu = timed(run)
        print(f"{label:<50} {wall:6.2f} s {cpu:6.2f} s")
    assert verdicts[0].broken is None and verdicts[0].checked == args.events, verdicts
    with transaction(conn):
        audit_chain.write_checkpoint(conn, verdicts[0])
    wall, cpu = timed(lambda: verdicts.append(audit_chain.verify(conn, since_checkpoint=True)))
    assert verdicts[1].broken is None, verdicts[1]
    print(f"{'verify from the checkpoint at the head (start-up)':<50} {wall * 1000:6.1f} ms")
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    conn.close()
    if not args.dir:
        for path in workdir.iterdir():
            path.unlink()
        workdir.rmdir()
    return 0


if __name__ == "__main__":
    sys.exit(main())
