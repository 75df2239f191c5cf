"""WAL checkpoints run off the write's path: a write only asks the process's checkpoint thread
(storage/checkpointer.py) and returns, never checkpointing on its own connection; the thread keeps
the WAL short under steady writes, well before SQLite's own checkpoint (inside a COMMIT) would."""

from __future__ import annotations

import os
import time
from pathlib import Path

from relance_tui.storage import checkpointer
from relance_tui.storage.db import (
    CHECKPOINT_EVERY_CHANGES,
    WAL_AUTOCHECKPOINT_PAGES,
    connect,
    transaction,
)

FRAME_BYTES = 4096 + 24  # a page and its frame header


def wait_for_passes(db_path: Path, count: int) -> int:
    deadline = time.monotonic() + 30
    while checkpointer.passes(db_path) < count and time.monotonic() < deadline:
        time.sleep(0.01)
    return checkpointer.passes(db_path)


def test_a_write_asks_for_a_checkpoint_and_never_runs_one_itself(db_path: Path) -> None:
    conn = connect(db_path)
    assert conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == WAL_AUTOCHECKPOINT_PAGES
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    for n in range(2 * CHECKPOINT_EVERY_CHANGES + 10):
        with transaction(conn):
            conn.execute("INSERT INTO meta (key, value) VALUES (?, 'x')", (f"k{n}",))
    conn.set_trace_callback(None)
    assert statements.count("COMMIT") == 2 * CHECKPOINT_EVERY_CHANGES + 10
    assert not [statement for statement in statements if "checkpoint" in statement.lower()]
    assert wait_for_passes(db_path, 1) >= 1  # the thread did, on its own connection


def test_the_wal_stays_short_under_steady_writes(db_path: Path) -> None:
    conn = connect(db_path)
    wal = Path(f"{db_path}-wal")
    row = "x" * 3000  # about two frames a write, with the index
    largest = 0
    for n in range(6000):
        with transaction(conn):
            conn.execute("INSERT INTO meta (key, value) VALUES (?, ?)", (f"k{n}", row))
        if n % 20 == 0:
            largest = max(largest, os.path.getsize(wal))
            time.sleep(0.002)  # steady, not flat out: the lock is free now and then
    # Started afresh after each catch-up (from 4 096 frames on), never left to grow to SQLite's
    # own checkpoint (10 000 frames, 39 MiB).
    assert largest < 0.75 * WAL_AUTOCHECKPOINT_PAGES * FRAME_BYTES
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("SELECT count(*) FROM meta WHERE key LIKE 'k%'").fetchone()[0] == 6000
