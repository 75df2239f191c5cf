"""Writers take turns asleep: a lock on a file beside the database, taken before `BEGIN IMMEDIATE`.

SQLite lets a writer that finds the database locked only retry: its busy handler sleeps 1, 2,
5 … 100 ms between tries (a waiter sleeps on long after the lock is free), and retrying every
millisecond burns the CPU the lock holder needs once a hundred agents wait. So every write first
takes `flock(LOCK_EX)` on `<database>-writer`: the kernel puts the waiters to sleep and hands the
lock on when its holder lets go, in about the order they came. A holder that dies, even by
SIGKILL, loses the lock with its last file descriptor.

The lock file is opened for each write and closed after it: flock belongs to an open file
description, so each connection (one per thread) is a writer of its own. A forked child closes
the ones it inherited, so that a child outliving its killed parent cannot keep the parent's lock.

A wait is bounded (`wait_limit()`: 120 s, or `RELANCE_WRITE_WAIT` seconds), then
`WriteWaitTimeout` is raised; a write that has to wait calls its `on_wait` callback once first
(or the one set by `reporting_waits`), so that a screen can say the save is waiting.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
import stat
import threading
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from pathlib import Path

from relance_tui.i18n import t

LOCK_SUFFIX = "-writer"
DEFAULT_WAIT_LIMIT_S = 120.0
WAIT_LIMIT_ENV = "RELANCE_WRITE_WAIT"

OnWait = Callable[[], None]
_OPEN_FLAGS = os.O_CLOEXEC | os.O_NOFOLLOW

_reporter: ContextVar[OnWait | None] = ContextVar("relance_write_wait_reporter", default=None)
# The lock files this process has open, closed in a forked child (see `_forget_inherited`).
_open_fds: set[int] = set()
_fds_guard = threading.Lock()


class WriteWaitTimeout(sqlite3.OperationalError):
    """Another writer kept the database longer than the wait limit: nothing was written."""


def wait_limit() -> float:
    """How long a write waits for another one, in seconds (RELANCE_WRITE_WAIT, else 120)."""
    value = os.environ.get(WAIT_LIMIT_ENV, "")
    try:
        seconds = float(value)
    except ValueError:
        return DEFAULT_WAIT_LIMIT_S
    return seconds if seconds > 0 else DEFAULT_WAIT_LIMIT_S


@contextlib.contextmanager
def reporting_waits(on_wait: OnWait) -> Iterator[None]:
    """In this block (this thread's context), a write that has to wait calls `on_wait` once.

    For callers whose writes happen deep inside a service: a screen wraps the service call.
    """
    token = _reporter.set(on_wait)
    try:
        yield
    finally:
        _reporter.reset(token)


class Wait:
    """One write's way to the lock: its deadline, and its callback, called at most once."""

    def __init__(self, on_wait: OnWait | None = None, limit: float | None = None) -> None:
        self._started = time.monotonic()
        self._limit = limit  # read from the environment only if the write has to wait
        self._on_wait = on_wait if on_wait is not None else _reporter.get()
        self.waited = False

    @property
    def limit(self) -> float:
        if self._limit is None:
            self._limit = wait_limit()
        return self._limit

    def begins(self) -> None:
        if not self.waited:
            self.waited = True
            if self._on_wait is not None:
                self._on_wait()

    def remaining(self) -> float:
        return max(0.0, self._started + self.limit - time.monotonic())

    def timed_out(self) -> WriteWaitTimeout:
        return WriteWaitTimeout(t("storage.write_wait_timeout", seconds=f"{self.limit:g}"))


class Held:
    """The lock file of one write, locked by this process."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.pid = os.getpid()


def acquire(database: Path | None, wait: Wait) -> Held | None:
    """Lock the lock file of `database`, asleep until it is free or `wait` runs out.

    None when there is no lock file to take: an in-memory database (None), or a file that
    cannot be opened (SQLite's own busy wait is then the only one).
    """
    fd = None if database is None else _open(str(database))
    if fd is None:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return Held(fd)
    except BlockingIOError:
        pass
    except BaseException:
        _close(fd)
        raise
    try:
        wait.begins()
    except BaseException:
        _close(fd)
        raise
    _sleep_until_locked(fd, wait)
    return Held(fd)


def try_acquire(database: Path) -> Held | None:
    """Lock the lock file of `database` if it is free right now; None if it is not (or cannot be
    opened). For work that can as well be done later, at a quieter moment."""
    fd = _open(str(database))
    if fd is None:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BaseException:
        _close(fd)
        return None
    return Held(fd)


def release(held: Held | None) -> None:
    """Let the next writer in (a forked child does not: the lock is its parent's)."""
    if held is None or held.pid != os.getpid():
        return
    try:
        fcntl.flock(held.fd, fcntl.LOCK_UN)
    finally:
        _close(held.fd)


def _open(database: str) -> int | None:
    """Open the lock file, creating it with the database's mode and group the first time."""
    path = database + LOCK_SUFFIX
    try:
        try:
            fd = os.open(path, _OPEN_FLAGS | os.O_RDONLY)  # flock needs no more
        except FileNotFoundError:
            fd = _create(database, path)
    except OSError:
        return None
    with _fds_guard:
        _open_fds.add(fd)
    return fd


def _create(database: str, path: str) -> int:
    info = os.stat(database)
    mode = stat.S_IMODE(info.st_mode) & 0o666
    try:
        fd = os.open(path, _OPEN_FLAGS | os.O_RDWR | os.O_CREAT | os.O_EXCL, mode)
    except FileExistsError:  # another writer made it just now
        return os.open(path, _OPEN_FLAGS | os.O_RDONLY)
    with contextlib.suppress(OSError):  # the umask took bits away; the group may differ
        if os.fstat(fd).st_gid != info.st_gid:
            os.fchown(fd, -1, info.st_gid)
        os.fchmod(fd, mode)
    return fd


def _close(fd: int) -> None:
    with _fds_guard:
        _open_fds.discard(fd)
    os.close(fd)


class _Sleeper:
    """A helper thread blocked in flock, so that the caller can give up at its deadline.

    `settle` decides, under `decided`: either the flock call had returned (the caller takes the
    result) or the caller gives up, and the helper closes the file when flock returns.
    """

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.done = threading.Event()
        self.decided = threading.Lock()
        self.returned = False
        self.abandoned = False
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX)
        except BaseException as error:
            self.error = error
        with self.decided:
            if self.abandoned:
                _close(self.fd)  # its last descriptor: closing it unlocks
                return
            self.returned = True
        self.done.set()

    def settle(self) -> bool:
        with self.decided:
            self.abandoned = not self.returned
            return self.returned


def _sleep_until_locked(fd: int, wait: Wait) -> None:
    """Sleep until `fd` is locked, or raise (the file is closed then, or will be)."""
    sleeper = _Sleeper(fd)
    threading.Thread(target=sleeper.run, name="relance-write-lock", daemon=True).start()
    interrupted = True
    try:
        sleeper.done.wait(wait.remaining())
        interrupted = False
    finally:
        returned = sleeper.settle()
        if returned and (interrupted or sleeper.error is not None):
            _close(fd)
    if not returned:
        raise wait.timed_out()
    if sleeper.error is not None:
        raise sleeper.error


def _forget_inherited() -> None:
    """In a forked child: close the parent's lock files (closing a copy does not unlock it)."""
    global _fds_guard
    _fds_guard = threading.Lock()  # another thread may have held it at the fork
    for fd in _open_fds:
        with contextlib.suppress(OSError):
            os.close(fd)
    _open_fds.clear()


os.register_at_fork(after_in_child=_forget_inherited)
