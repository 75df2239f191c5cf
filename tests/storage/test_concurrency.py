"""Several real processes on one database file: claims stay exclusive, no write is lost."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import textwrap
from pathlib import Path

from relance_tui.storage.db import connect, transaction

WORKER = textwrap.dedent(
    """
    import json, sys, time
    from datetime import UTC, datetime
    from relance_tui.config import Settings
    from relance_tui.services.claims import claim_case, release_case
    from relance_tui.storage.db import connect, transaction

    db, agent_id, rounds, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    conn = connect(db, migrate_schema=False)
    settings = Settings()
    log = []
    for n in range(rounds):
        case_id = 1 + n % 3
        if claim_case(conn, settings, case_id, agent_id, datetime.now(UTC)).won:
            start = time.time()
            with transaction(conn):  # a write made while holding the case
                conn.execute(
                    "INSERT INTO interactions (case_id, agent_id, channel, occurred_at, notes)"
                    " VALUES (?, ?, 'note', ?, ?)",
                    (case_id, agent_id, datetime.now(UTC).isoformat(), f"{agent_id}-{n}"),
                )
            log.append({"case": case_id, "start": start, "end": time.time(), "n": n})
            release_case(conn, case_id, agent_id)
    json.dump(log, open(out, "w"))
    """
)


def test_processes_never_hold_a_case_together_and_lose_no_write(db_path: Path) -> None:
    conn = connect(db_path)
    with transaction(conn):
        for n in range(1, 5):
            conn.execute(
                "INSERT INTO agents (login, display_name, role, created_at)"
                " VALUES (?, ?, 'agent', 'x')",
                (f"agent{n}", f"agent{n}"),
            )
        for n in range(1, 4):
            conn.execute(
                "INSERT INTO debtors (reference, legal_name, segment, created_at, updated_at)"
                " VALUES (?, ?, 'sme', 'x', 'x')",
                (f"D{n}", f"D{n}"),
            )
            conn.execute(
                "INSERT INTO cases (debtor_id, segment, created_at, updated_at)"
                " VALUES (?, 'sme', 'x', 'x')",
                (n,),
            )
    logs = [db_path.with_name(f"agent{n}.json") for n in range(1, 5)]
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(db_path), str(n), "60", str(logs[n - 1])]
        )
        for n in range(1, 5)
    ]
    assert [worker.wait(timeout=120) for worker in workers] == [0, 0, 0, 0]

    holds = [
        (hold["case"], hold["start"], hold["end"], agent, hold["n"])
        for agent, path in enumerate(logs, start=1)
        for hold in json.loads(path.read_text())
    ]
    assert len(holds) >= 60  # the processes really competed and won their share
    for case_id in (1, 2, 3):
        on_case = sorted(h for h in holds if h[0] == case_id)
        for (_, _, end, agent, _), (_, start, _, other, _) in itertools.pairwise(on_case):
            assert agent == other or start >= end, f"case {case_id} held by two agents at once"
    stored = {row[0] for row in conn.execute("SELECT notes FROM interactions")}
    assert stored == {f"{agent}-{n}" for _, _, _, agent, n in holds}
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
