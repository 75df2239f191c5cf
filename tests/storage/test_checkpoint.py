"""WAL checkpoints run off the write's path: a write only asks the process's checkpoint thread
(storage/checkpointer.py) and returns, never checkpointing on its own connection; the thread keeps
the WAL short under steady writes, well before SQLite's own checkpoint (inside a COMMIT) would;
a process killed while its checkpoints run loses no acknowledged write and leaves no lock."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
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


# Writes flat out, printing each key once its COMMIT returned, while its checkpoint thread copies
# the WAL (and catches it up with the write lock held) behind it.
WRITER = textwrap.dedent(
    """
    import sys
    from relance_tui.storage.db import connect, transaction

    conn = connect(sys.argv[1], migrate_schema=False)
    row = "y" * 3000
    n = 0
    while True:
        with transaction(conn):
            conn.execute("INSERT INTO meta (key, value) VALUES (?, ?)", (f"w{n}", row))
        print(f"w{n}", flush=True)
        n += 1
    """
)


def test_a_process_killed_while_its_checkpoints_run_loses_nothing(db_path: Path) -> None:
    connect(db_path).close()
    acknowledged: list[str] = []
    for round_ in range(3):
        writer = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(db_path)], stdout=subprocess.PIPE, text=True
        )
        assert writer.stdout is not None
        stop_after = 1500 + 400 * round_  # past a few checkpoint passes, the first catch-up near
        for line in writer.stdout:
            acknowledged.append(line.strip())
            if len(acknowledged) >= stop_after * (round_ + 1):
                break
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        writer.stdout.close()
    conn = connect(db_path)
    with transaction(conn, wait_limit=10):  # the write lock went with the killed process
        conn.execute("INSERT INTO meta (key, value) VALUES ('after', 'x')")
    stored = {row[0] for row in conn.execute("SELECT key FROM meta WHERE key LIKE 'w%'")}
    assert set(acknowledged) <= stored
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
