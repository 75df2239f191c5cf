"""Writers wait for each other asleep, in real processes; a waiting write says so; a killed holder
frees the lock; a wait has a bound and a clear error."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from relance_tui.services.claims import claim_case
from relance_tui.storage import write_lock
from relance_tui.storage.db import connect, transaction

# Holds a write transaction until every waiter says it waits (and is seen blocked on the lock
# file in /proc/locks), then two seconds more; with "fork", it forks a child first, as an import
# does, which outlives it when it is killed.
HOLDER = textwrap.dedent(
    """
    import os, sys, time
    from pathlib import Path
    from relance_tui.storage.db import connect, transaction

    db, work, waiters, mode = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    conn = connect(db, migrate_schema=False)
    with transaction(conn):
        conn.execute("INSERT INTO meta (key, value) VALUES ('holder', ?)", (mode,))
        if mode == "fork":
            child = os.fork()
            if child == 0:
                time.sleep(60)
                os._exit(0)
            (work / "child").write_text(str(child))
        (work / "holding").touch()
        if mode == "forever":
            time.sleep(120)
        lock_file = Path(db + "-writer")
        inode = lock_file.stat().st_ino if lock_file.exists() else None
        proc_locks = Path("/proc/locks")
        blocked = 0
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            waiting = len(list(work.glob("waiting-*")))
            if inode is not None and proc_locks.exists():
                blocked = sum(1 for line in proc_locks.read_text().splitlines()
                              if "->" in line and f":{inode} " in line)
            if waiting == waiters and (blocked == waiters or inode is None
                                       or not proc_locks.exists()):
                break
            time.sleep(0.01)
        (work / "blocked").write_text(str(blocked))
        time.sleep(2.0)
    """
)

WAITER = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path
    from relance_tui.storage.db import connect, transaction

    db, work, number = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
    conn = connect(db, migrate_schema=False)
    (work / f"ready-{number}").touch()
    while not (work / "go").exists():
        time.sleep(0.01)
    called = []

    def on_wait():
        called.append(time.monotonic())
        (work / f"waiting-{number}").touch()

    wall, cpu = time.monotonic(), time.process_time()
    with transaction(conn, on_wait=on_wait):
        conn.execute("INSERT INTO meta (key, value) VALUES (?, 'landed')", (f"waiter-{number}",))
    result = {"wall": time.monotonic() - wall, "cpu": time.process_time() - cpu,
              "on_wait": len(called)}
    (work / f"result-{number}.json").write_text(json.dumps(result))
    """
)


def _wait_for(path: Path, process: subprocess.Popen[bytes]) -> None:
    while not path.exists():
        assert process.poll() is None, f"the process ended before {path.name}"
        time.sleep(0.01)


def _start(script: str, *args: object) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", script, *map(str, args)])


def test_waiting_writers_sleep_and_all_land(db_path: Path, tmp_path: Path) -> None:
    connect(db_path).close()
    work = tmp_path / "work"
    work.mkdir()
    count = 6
    waiters = [_start(WAITER, db_path, work, n) for n in range(count)]
    try:
        for n, waiter in enumerate(waiters):
            _wait_for(work / f"ready-{n}", waiter)
        holder = _start(HOLDER, db_path, work, count, "plain")
        _wait_for(work / "holding", holder)
        (work / "go").touch()
        assert holder.wait(timeout=120) == 0
        assert [waiter.wait(timeout=120) for waiter in waiters] == [0] * count
    finally:
        for process in waiters:
            process.kill()

    results = [json.loads((work / f"result-{n}.json").read_text()) for n in range(count)]
    assert all(result["on_wait"] == 1 for result in results)
    if Path("/proc/locks").exists():  # each of them slept in the kernel's queue of the lock file
        assert int((work / "blocked").read_text()) == count
    waited = sum(result["wall"] for result in results)
    cpu = sum(result["cpu"] for result in results)
    assert waited > count * 2.0  # the holder kept each of them out for two seconds or more
    # Retrying BEGIN IMMEDIATE every millisecond or two costs a few percent of a core per waiter
    # (about 0.03 s of CPU per waited second); asleep, a waiter uses a few milliseconds in all.
    assert cpu < 0.005 * waited, f"waiters used {cpu:.3f} s of CPU in {waited:.1f} s of waiting"
    conn = connect(db_path)
    landed = {row[0] for row in conn.execute("SELECT key FROM meta WHERE value = 'landed'")}
    assert landed == {f"waiter-{n}" for n in range(count)}


@pytest.mark.parametrize("mode", ["forever", "fork"])
def test_a_killed_holder_frees_the_lock(db_path: Path, tmp_path: Path, mode: str) -> None:
    """Killed inside its transaction; with "fork", its forked child (as an import makes) lives
    on and must not keep the lock."""
    connect(db_path).close()
    work = tmp_path / "work"
    work.mkdir()
    holder = _start(HOLDER, db_path, work, 1, "fork" if mode == "fork" else "forever")
    child = None
    try:
        _wait_for(work / "holding", holder)
        if mode == "fork":
            child = int((work / "child").read_text())
        conn = connect(db_path, migrate_schema=False)
        killed = []

        def kill_the_holder() -> None:
            holder.kill()
            killed.append(holder.wait(timeout=30))

        with transaction(conn, on_wait=kill_the_holder, wait_limit=30):
            conn.execute("INSERT INTO meta (key, value) VALUES ('after', 'landed')")
        assert killed == [-signal.SIGKILL]
        if child is not None:  # still alive: it was not its exit that let the write in
            os.kill(child, 0)
        keys = {row[0] for row in conn.execute("SELECT key FROM meta")}
        assert "after" in keys and "holder" not in keys  # the holder's write was rolled back
    finally:
        holder.kill()
        if child is not None:
            os.kill(child, signal.SIGKILL)


def _hold_in_a_thread(db_path: Path, until: threading.Event) -> threading.Thread:
    holding = threading.Event()

    def hold() -> None:
        conn = connect(db_path, migrate_schema=False)
        with transaction(conn):
            conn.execute("INSERT INTO meta (key, value) VALUES ('holder', 'thread')")
            holding.set()
            until.wait(30)
        conn.close()

    thread = threading.Thread(target=hold)
    thread.start()
    holding.wait(30)
    return thread


def test_a_write_that_waits_too_long_gives_up_cleanly(db_path: Path) -> None:
    """Threads of one process are writers of their own; the bound raises a clear error, and
    the given-up wait leaves nothing locked behind it."""
    from relance_tui.storage import write_lock

    conn = connect(db_path)
    release = threading.Event()
    holder = _hold_in_a_thread(db_path, release)
    calls: list[int] = []
    with (
        pytest.raises(write_lock.WriteWaitTimeout) as raised,
        transaction(conn, on_wait=lambda: calls.append(1), wait_limit=0.3),
    ):
        conn.execute("INSERT INTO meta (key, value) VALUES ('late', 'x')")
    assert isinstance(raised.value, sqlite3.OperationalError)  # callers that catch it still do
    assert "locked" not in str(raised.value)
    assert "0.3 s" in str(raised.value) and "réessayez" in str(raised.value)
    assert calls == [1]
    release.set()
    holder.join(30)
    # The abandoned wait's sleeper may take the lock for an instant when the holder lets it go
    # (it then drops it at once), so this write may wait a moment, but had the sleeper kept the
    # lock it would give up after 5 s.
    with transaction(conn, wait_limit=5):
        conn.execute("INSERT INTO meta (key, value) VALUES ('next', 'x')")
    keys = {row[0] for row in conn.execute("SELECT key FROM meta")}
    assert {"holder", "next"} <= keys and "late" not in keys


def test_a_transaction_inside_another_is_refused_at_once(db_path: Path) -> None:
    """Not left waiting for the lock its own connection holds."""
    conn = connect(db_path)
    with (
        transaction(conn),
        pytest.raises(sqlite3.OperationalError, match="within a transaction"),
        transaction(conn, on_wait=lambda: pytest.fail("waited for itself"), wait_limit=5),
    ):
        pass


def test_a_service_call_reports_its_wait(db_path: Path) -> None:
    """`reporting_waits` around a service call: the seam a screen uses to say "waiting"."""
    from datetime import UTC, datetime

    from relance_tui.config import Settings
    from relance_tui.storage import write_lock

    conn = connect(db_path)
    with transaction(conn):
        conn.execute(
            "INSERT INTO agents (login, display_name, role, created_at)"
            " VALUES ('a', 'a', 'agent', 'x')"
        )
        conn.execute(
            "INSERT INTO debtors (reference, legal_name, segment, created_at, updated_at)"
            " VALUES ('D1', 'D1', 'sme', 'x', 'x')"
        )
        conn.execute(
            "INSERT INTO cases (debtor_id, segment, created_at, updated_at)"
            " VALUES (1, 'sme', 'x', 'x')"
        )
    release = threading.Event()
    holder = _hold_in_a_thread(db_path, release)
    waits: list[str] = []
    with write_lock.reporting_waits(lambda: (waits.append("waiting"), release.set())):
        won = claim_case(conn, Settings(), 1, 1, datetime.now(UTC)).won
    holder.join(30)
    assert won and waits == ["waiting"]
    with transaction(conn):  # outside the block, nobody is called
        pass
    assert waits == ["waiting"]


def test_lock_file_has_the_database_mode_and_none_in_memory(db_path: Path) -> None:
    old_umask = os.umask(0o077)
    try:
        conn = connect(db_path)
        with transaction(conn):
            pass
    finally:
        os.umask(old_umask)
    lock = Path(f"{db_path}-writer")
    assert stat.S_IMODE(lock.stat().st_mode) == 0o660
    assert lock.stat().st_gid == db_path.stat().st_gid
    memory = connect(":memory:")
    with transaction(memory, on_wait=lambda: pytest.fail("nothing to wait for")):
        memory.execute("INSERT INTO meta (key, value) VALUES ('k', 'v')")
    assert memory.execute("SELECT value FROM meta WHERE key = 'k'").fetchone()[0] == "v"


def test_try_acquire_takes_the_lock_only_when_it_is_free(db_path: Path) -> None:
    connect(db_path).close()
    held = write_lock.try_acquire(db_path)
    assert held is not None
    assert write_lock.try_acquire(db_path) is None  # its own open file: a writer of its own
    write_lock.release(held)
    again = write_lock.try_acquire(db_path)
    assert again is not None
    write_lock.release(again)
