"""Writes checkpoint the WAL after letting the next writer in, not inside their COMMIT: the lock
file is free whenever a checkpoint runs, and SQLite's own (inside COMMIT) is put far out."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from relance_tui.storage.db import (
    CHECKPOINT_EVERY_CHANGES,
    WAL_AUTOCHECKPOINT_PAGES,
    connect,
    transaction,
)


def lock_file_is_held(db_path: Path) -> bool:
    fd = os.open(f"{db_path}-writer", os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # its own open file description: closing it leaves the others' locks be
    return False


def test_checkpoints_run_outside_the_write_lock(db_path: Path) -> None:
    conn = connect(db_path)
    assert conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == WAL_AUTOCHECKPOINT_PAGES
    seen: list[tuple[str, bool]] = []

    def trace(statement: str) -> None:
        if statement == "COMMIT" or "wal_checkpoint" in statement:
            seen.append((statement, lock_file_is_held(db_path)))

    conn.set_trace_callback(trace)
    writes = 2 * CHECKPOINT_EVERY_CHANGES + 10
    for n in range(writes):
        with transaction(conn):
            conn.execute("INSERT INTO meta (key, value) VALUES (?, 'x')", (f"k{n}",))
    conn.set_trace_callback(None)
    commits = [held for statement, held in seen if statement == "COMMIT"]
    checkpoints = [held for statement, held in seen if "wal_checkpoint" in statement]
    assert len(commits) == writes and all(commits)  # the probe sees the lock when it is held
    assert len(checkpoints) >= 2
    assert not any(checkpoints)
