"""Opening the one SQLite file: WAL, foreign keys, busy timeout, migrations, file permissions.

An existing file is opened only if SQLite reads it as a database with pages: an empty or
foreign file is refused rather than silently turned into a new database. SQLite itself checks
the header (`SQLite format 3\\0`): this process must never open and close the database file on
its own, since closing any descriptor of a file drops every POSIX lock the process holds on it,
the locks of its other SQLite connections included (their writes could then be lost).
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from relance_tui.config import PRIVATE_DIR_MODE, make_dirs
from relance_tui.storage import audit_chain, checkpointer, write_lock
from relance_tui.storage.schema import migrate

BUSY_TIMEOUT_MS = 10_000
DB_FILE_MODE = 0o660  # owner and the agents' shared group; nobody else
# A directory made for a database: owner and group, setgid so the file and its -wal/-shm keep
# the directory's group (the agents' group on a shared server).
DB_DIR_MODE = 0o2770
SIDE_FILES = ("-wal", "-shm", "-journal", write_lock.LOCK_SUFFIX)
# SQLite checkpoints the WAL inside the COMMIT that makes it long enough, so with the lock file
# still held: every other writer waited for the checkpoint's two fsyncs. Instead, each
# CHECKPOINT_EVERY_CHANGES rows changed by a connection, its write asks this process's
# checkpoint thread for one (storage/checkpointer.py) and returns at once. SQLite's own
# checkpoint stays, far out, as a backstop.
CHECKPOINT_EVERY_CHANGES = 64
WAL_AUTOCHECKPOINT_PAGES = 10_000


class NotADatabaseError(Exception):
    """The path holds no SQLite database: `reason` is "missing", "empty" or "foreign"."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


def database_files(path: Path) -> list[Path]:
    """The database file and the side files SQLite (and the write lock) keep beside it."""
    return [path, *(Path(f"{path}{suffix}") for suffix in SIDE_FILES)]


def data_dir() -> Path:
    """The user's own data directory (the default database, the demo): private to them."""
    # Deferred: not loaded until first used (start-up time).
    from platformdirs import user_data_path

    return user_data_path("relance-tui", appauthor=False)


def default_db_path() -> Path:
    return data_dir() / "relance.db"


def resolve_db_path(cli_value: str | os.PathLike[str] | None) -> Path:
    """`--db PATH`, else `RELANCE_DB`, else the user data directory."""
    if cli_value:
        return Path(cli_value).expanduser()
    env_value = os.environ.get("RELANCE_DB")
    if env_value:
        return Path(env_value).expanduser()
    return default_db_path()


def _create_file(path: Path) -> bool:
    """Create the empty file with its mode; False if another process made it meanwhile."""
    make_dirs(path.parent, PRIVATE_DIR_MODE if path.parent == data_dir() else DB_DIR_MODE)
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, DB_FILE_MODE)
    except FileExistsError:
        return False
    os.close(fd)  # a new file: no connection of this process has it open yet
    os.chmod(path, DB_FILE_MODE)  # the umask may have taken bits away
    return True


def _check_is_database(conn: sqlite3.Connection, path: Path) -> None:
    """Refuse a file SQLite cannot read as a database, or one without a single page."""
    try:
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
    except sqlite3.DatabaseError:
        conn.close()
        raise NotADatabaseError(path, "foreign") from None
    if not pages:
        conn.close()
        raise NotADatabaseError(path, "empty")


def connect(
    path: str | os.PathLike[str], *, migrate_schema: bool = True, create: bool = True
) -> sqlite3.Connection:
    """Open the database; a missing file is created when `create`. An existing file that is not
    an SQLite database (an empty one included) raises NotADatabaseError, and so does a missing
    one without `create`. Autocommit mode: writes use `transaction()`."""
    db_path = Path(path)
    in_memory = str(db_path) == ":memory:"
    created = False
    if not in_memory and not db_path.exists():
        if not create:
            raise NotADatabaseError(db_path, "missing")
        created = _create_file(db_path)
    # One thread per connection (check_same_thread on): the TUI's database threads each own
    # theirs (tui/database.py).
    conn = sqlite3.connect(db_path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    if not in_memory and not created:
        _check_is_database(conn, db_path)
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = NORMAL")
    mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
    if mode != "wal":
        conn.execute("PRAGMA journal_mode = WAL")
    conn.execute(f"PRAGMA wal_autocheckpoint = {WAL_AUTOCHECKPOINT_PAGES}")
    conn.execute(f"PRAGMA journal_size_limit = {checkpointer.WAL_SIZE_LIMIT_BYTES}")
    if migrate_schema:
        if not in_memory and _foreign_schema(conn):
            conn.close()
            raise NotADatabaseError(db_path, "foreign")
        migrate(conn)
    return conn


def _foreign_schema(conn: sqlite3.Connection) -> bool:
    """Tables but no schema version of ours: another program's database, left alone."""
    if conn.execute("PRAGMA user_version").fetchone()[0]:
        return False
    return conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchone() is not None


def _begin_immediate(conn: sqlite3.Connection, wait: write_lock.Wait) -> write_lock.Held | None:
    """Take the write lock: first the lock file's (asleep, in turn), then SQLite's.

    With the lock file held, SQLite's lock can only be held by a writer that does not use the
    file (a sqlite3 shell, say): that one is waited for with SQLite's busy handler, within the
    same bound. In WAL mode taking the lock is the only place a writer waits (readers never block).
    """
    if conn.in_transaction:  # refused at once by SQLite, rather than waiting for ourselves
        conn.execute("BEGIN IMMEDIATE")
    held = write_lock.acquire(database_path(conn), wait)
    try:
        conn.execute("PRAGMA busy_timeout = 0")
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            if not _is_busy(error):
                raise
            wait.begins()
            conn.execute(f"PRAGMA busy_timeout = {int(wait.remaining() * 1000)}")
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as late:
                if not _is_busy(late):
                    raise
                raise wait.timed_out() from late
        finally:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    except BaseException:
        write_lock.release(held)
        raise
    return held


def _is_busy(error: sqlite3.OperationalError) -> bool:
    return "locked" in str(error) or "busy" in str(error)


@contextlib.contextmanager
def transaction(
    conn: sqlite3.Connection,
    *,
    on_wait: write_lock.OnWait | None = None,
    wait_limit: float | None = None,
) -> Iterator[sqlite3.Connection]:
    """One `BEGIN IMMEDIATE` transaction: all of it lands, or none of it.

    A write that has to wait for another one calls `on_wait` once (by default the callback of
    `write_lock.reporting_waits`), sleeps until its turn, and gives up after `wait_limit`
    seconds (default `write_lock.wait_limit()`) with `write_lock.WriteWaitTimeout`.
    """
    if conn.in_transaction and id(conn) in _ENCLOSING:  # one part of `one_transaction`
        conn.execute("SAVEPOINT enclosed")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK TO enclosed")
            conn.execute("RELEASE enclosed")
            raise
        conn.execute("RELEASE enclosed")
        return
    changes = conn.total_changes
    held = _begin_immediate(conn, write_lock.Wait(on_wait, wait_limit))
    try:
        try:
            yield conn
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:  # the body failed, or COMMIT did
                conn.execute("ROLLBACK")
            raise
    finally:
        write_lock.release(held)
    if conn.total_changes // CHECKPOINT_EVERY_CHANGES != changes // CHECKPOINT_EVERY_CHANGES:
        checkpointer.request(database_path(conn))


_ENCLOSING: set[int] = set()  # the connections inside `one_transaction`


@contextlib.contextmanager
def one_transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One transaction around writes that each open their own (`relance import folder`): inside
    it, `transaction` on this connection is a savepoint of it, and all of them land at its end,
    or none does. Elsewhere a transaction inside another is refused, as before."""
    with transaction(conn):
        _ENCLOSING.add(id(conn))
        try:
            yield conn
        finally:
            _ENCLOSING.discard(id(conn))


def database_path(conn: sqlite3.Connection) -> Path | None:
    """The file the connection's main database lives in (None in memory)."""
    for row in conn.execute("PRAGMA database_list"):
        if row[1] == "main":
            return Path(row[2]) if row[2] else None
    return None


def utc_now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def append_audit(
    conn: sqlite3.Connection,
    *,
    agent: str,
    action: str,
    entity: str,
    entity_id: str | int,
    before: Any = None,
    after: Any = None,
    detail: str = "",
    at: str | None = None,
) -> None:
    """Append one audit event, sealed in the chain (storage/audit_chain.py). Call it inside the
    transaction of the write it records."""
    audit_chain.append(
        conn,
        [
            (
                at or utc_now_iso(),
                agent,
                action,
                entity,
                str(entity_id),
                None if before is None else json.dumps(before, ensure_ascii=False, default=str),
                None if after is None else json.dumps(after, ensure_ascii=False, default=str),
                detail,
            )
        ],
    )


def get_meta(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


def set_meta(conn: sqlite3.Connection, key: str, value: str) -> None:
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?)"
        " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (key, value),
    )
