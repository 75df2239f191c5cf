"""One SQLite connection per worker thread (docs/architecture.md,
"How the TUI reaches the database").

Textual thread workers run on a pool of reused threads; each gets its own connection on first
use. `close_all` closes them when the screen or app that owns them goes away.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from pathlib import Path


class ThreadConnections:
    def __init__(self, db_path: Path | str) -> None:
        self.db_path = Path(db_path)
        self._local = threading.local()
        self._lock = threading.Lock()
        self._opened: list[sqlite3.Connection] = []

    def get(self) -> sqlite3.Connection:
        """This thread's connection (opened on first use; the schema is already migrated)."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            from relance_tui.storage.db import connect

            conn = connect(self.db_path, migrate_schema=False)
            self._local.conn = conn
            with self._lock:
                self._opened.append(conn)
        return conn

    def close_all(self) -> None:
        with self._lock:
            opened, self._opened = self._opened, []
        for conn in opened:
            with contextlib.suppress(sqlite3.Error):
                conn.close()
        self._local = threading.local()
