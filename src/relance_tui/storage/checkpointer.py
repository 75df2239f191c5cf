"""WAL checkpoints off the action path: one background thread per process and database file.

A checkpoint copies the WAL's new pages into the database file and flushes both to disk (two
fsyncs, 10 to 150 ms on a busy disk). Run by the write that made the WAL long enough, it sat in
that agent's save, after the write lock was released but before the screen heard back: about one
action in thirty paid for it, and those were among the slowest. So a write only asks (`request`)
and returns; a daemon thread with its own connection runs the checkpoint (PASSIVE: it waits for
no reader and no writer, and copies as far as no reader still needs older pages). Requests that
come while it runs are folded into one more pass.

A process killed in the middle of a checkpoint loses nothing: the WAL keeps every committed
page until a later checkpoint has copied it, and SQLite's recovery reads it back. A forked child
starts without the parent's thread and makes its own when it first asks. The thread sleeps
while nobody asks, and ends after a minute of that; it is a daemon, so it never holds a process
back from exiting (a checkpoint cut short by the exit is one more kill of the kind above).
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from pathlib import Path
from urllib.parse import quote

from relance_tui.storage import write_lock

# A WAL this long (in frames: pages of 4 KiB, 16 MiB) has not started afresh for a while: it is
# caught up with the write lock held (see `_catch_up`).
CATCH_UP_FRAMES = 4096
WAL_SIZE_LIMIT_BYTES = 16 * 2**20  # what a restarted WAL is cut back to (journal_size_limit)
_CATCH_UP_TRIES = 50  # looks for a free moment this many times, this far apart, then gives up
_CATCH_UP_RETRY_S = 0.004
_CATCH_UP_WAIT_S = 60.0
IDLE_SECONDS = 60.0  # a thread with nothing to do this long ends (the next request starts one)


class _Checkpointer:
    def __init__(self, database: Path) -> None:
        self.database = database
        self.wanted = threading.Event()
        self.passes = 0
        self.stopping = False
        self.caught_up_at = 0  # the WAL's length at this thread's last catch-up
        self.thread = threading.Thread(
            target=self._run, name=f"relance-checkpoint:{database.name}", daemon=True
        )
        self.thread.start()

    def _run(self) -> None:
        conn: sqlite3.Connection | None = None
        try:
            while self._wait():
                conn = self._pass(conn)
                self.passes += 1
        finally:
            with _guard:
                if _running.get(self.database) is self:
                    del _running[self.database]
            if conn is not None:
                conn.close()

    def _wait(self) -> bool:
        """Sleep until asked; False after IDLE_SECONDS of nothing (the thread then ends)."""
        if not self.wanted.wait(IDLE_SECONDS):
            with _guard:  # `request` sets `wanted` under the guard: none is missed
                if not self.wanted.is_set():
                    return False
        self.wanted.clear()
        return not self.stopping

    def _pass(self, conn: sqlite3.Connection | None) -> sqlite3.Connection | None:
        """One checkpoint; the connection to use next time (None: open a new one)."""
        try:
            if conn is None:
                # Never creates the file (mode=rw); kept while the thread lives, so a database
                # replaced meanwhile (`seed --force`) is left to SQLite's own checkpoint until
                # the thread has been idle for IDLE_SECONDS.
                uri = f"file:{quote(str(self.database))}?mode=rw"
                conn = sqlite3.connect(uri, uri=True, timeout=0, isolation_level=None)
                conn.execute("PRAGMA synchronous = NORMAL")
            busy, frames, _ = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            if not busy:
                self._bound(conn, frames)
        except (sqlite3.Error, OSError):  # busy, or the file went: put off, with a new connection
            if conn is not None:
                conn.close()
            return None
        return conn

    def _bound(self, conn: sqlite3.Connection, frames: int) -> None:
        if frames < self.caught_up_at:  # the WAL started afresh since
            self.caught_up_at = 0
        if frames >= self.caught_up_at + CATCH_UP_FRAMES and self._catch_up(conn):
            self.caught_up_at = frames

    def _catch_up(self, conn: sqlite3.Connection) -> bool:
        """Copy the rest with writers held back, so that the next write starts the WAL afresh.

        SQLite restarts the WAL from its first frame only when a write begins with every frame
        copied and no reader in the WAL. Writers add frames while a pass runs, so under steady
        writes that never happens, and the WAL would grow until SQLite's own checkpoint ran
        inside a COMMIT. This pass takes the write lock at a moment it is free (it looks a few
        times, then waits its turn as a writer would), so that writers seldom queue behind it,
        and copies only what came since the pass before. True when it ran.
        """
        held = write_lock.try_acquire(self.database)
        tries = 1
        while held is None and tries < _CATCH_UP_TRIES:
            time.sleep(_CATCH_UP_RETRY_S)
            held = write_lock.try_acquire(self.database)
            tries += 1
        if held is None:  # writing flat out (a batch): wait for a turn like a writer
            try:
                held = write_lock.acquire(self.database, write_lock.Wait(limit=_CATCH_UP_WAIT_S))
            except write_lock.WriteWaitTimeout:
                return False
        try:
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        finally:
            write_lock.release(held)
        return True


_guard = threading.Lock()
_running: dict[Path, _Checkpointer] = {}


def request(database: Path | None) -> None:
    """Ask for a checkpoint of `database` soon, in the background; returns at once."""
    if database is None:
        return
    with _guard:
        worker = _running.get(database)
        if worker is None:
            worker = _running[database] = _Checkpointer(database)
        worker.wanted.set()


def stop(database: Path | None = None) -> None:
    """End the checkpoint thread of `database` (every one if None) once its pass is over.

    Before this process replaces or removes the file (a connection of the thread would outlive
    it), and before a fork (which wants no other thread). The next write starts a new one.
    """
    with _guard:
        workers = [w for path, w in _running.items() if database in (None, path)]
        for worker in workers:
            del _running[worker.database]
            worker.stopping = True
            worker.wanted.set()
    for worker in workers:
        if worker.thread is not threading.current_thread():
            worker.thread.join()


def passes(database: Path) -> int:
    """Checkpoint passes this process's thread has made on `database` so far."""
    with _guard:
        worker = _running.get(database)
    return 0 if worker is None else worker.passes


def _forget_threads() -> None:
    """In a forked child: the parent's threads do not exist here."""
    global _guard
    _guard = threading.Lock()
    _running.clear()


os.register_at_fork(after_in_child=_forget_threads)
