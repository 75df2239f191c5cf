"""Several real processes on one database file: claims stay exclusive, no write is lost."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from relance_tui.storage.db import connect, transaction

WORKER = textwrap.dedent(
    """
    import json, os, sys, time
    from datetime import UTC, datetime
    from pathlib import Path
    from relance_tui.config import Settings
    from relance_tui.services.claims import claim_case, release_case
    from relance_tui.storage.db import connect, transaction

    db, agent_id, rounds, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    conn = connect(db, migrate_schema=False)
    settings = Settings()
    Path(f"{out}.ready").touch()
    go = Path(db).with_name("go")
    while not go.exists():  # the start barrier: every process begins at once
        time.sleep(0.001)
    log, refused = [], 0
    for n in range(rounds):
        case_id = 1 + (n + agent_id) % 3  # agents 1 and 4 want the same case, the others too
        if not claim_case(conn, settings, case_id, agent_id, datetime.now(UTC)).won:
            refused += 1
            continue
        start = time.monotonic()  # one clock for every process (CLOCK_MONOTONIC)
        time.sleep(0.005)  # the claim is held across a pause: others try meanwhile
        with transaction(conn):  # a write made while holding the case
            conn.execute(
                "INSERT INTO interactions (case_id, agent_id, channel, occurred_at, notes)"
                " VALUES (?, ?, 'note', ?, ?)",
                (case_id, agent_id, datetime.now(UTC).isoformat(), f"{agent_id}-{n}"),
            )
        log.append({"case": case_id, "start": start, "end": time.monotonic(), "n": n})
        release_case(conn, case_id, agent_id)
    json.dump({"holds": log, "refused": refused}, open(out, "w"))
    """
)
AGENTS = 4
ROUNDS = 45


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
    logs = [db_path.with_name(f"agent{n}.json") for n in range(1, AGENTS + 1)]
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(db_path), str(n), str(ROUNDS), str(logs[n - 1])]
        )
        for n in range(1, AGENTS + 1)
    ]
    deadline = time.monotonic() + 120
    while not all(Path(f"{log}.ready").exists() for log in logs):
        assert time.monotonic() < deadline and all(w.poll() is None for w in workers)
        time.sleep(0.01)
    db_path.with_name("go").touch()
    assert [worker.wait(timeout=120) for worker in workers] == [0] * AGENTS

    results = [json.loads(path.read_text()) for path in logs]
    holds = [
        (hold["case"], hold["start"], hold["end"], agent, hold["n"])
        for agent, result in enumerate(results, start=1)
        for hold in result["holds"]
    ]
    together = False  # two agents held (different) cases at the same time: a real race
    for first, second in itertools.combinations(holds, 2):
        apart = first[2] <= second[1] or second[2] <= first[1]
        if first[3] != second[3] and first[0] == second[0]:
            assert apart, f"case {first[0]} held by agents {first[3]} and {second[3]} at once"
        together = together or (first[3] != second[3] and not apart)
    assert together and sum(result["refused"] for result in results) > 0
    stored = {row[0] for row in conn.execute("SELECT notes FROM interactions")}
    assert stored == {f"{agent}-{n}" for _, _, _, agent, n in holds}
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
