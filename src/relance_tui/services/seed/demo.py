"""`relance demo`: a ready-to-explore database built from the fixture CSV files.

The first run imports fixtures/*.csv through the importer (as a user would), then adds the
deterministic collection history of `relance seed` on top: agents with portfolios, calls,
letters, promises kept/broken/pending (some due today), plans, callbacks (some due now), disputes.
The OS user becomes a supervisor. The database is built in a side file and moved into place, so an
interrupted first run leaves nothing half-made.
"""

from __future__ import annotations

import os
import random
import sqlite3
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import relance_tui
from relance_tui.config import make_dirs
from relance_tui.domain.models import AgentRole
from relance_tui.i18n import t, tn
from relance_tui.services.seed.build import (
    ADMIN_LOGIN,
    add_history,
    create_agents,
    rank_queue,
    seed_clock,
)
from relance_tui.storage import checkpointer
from relance_tui.storage.cases import sync_cases
from relance_tui.storage.db import connect, data_dir, get_meta, set_meta, transaction
from relance_tui.storage.write_lock import LOCK_SUFFIX

DEMO_SEED = 20261124
DEMO_AGENTS = 4
DEMO_BY = "demo"
META_BUILT = "demo_built_on"
# Import order: debtors before what refers to them.
FIXTURE_FILES = (
    ("debtors", "debtors.csv"),
    ("contacts", "contacts.csv"),
    ("invoices", "invoices.csv"),
    ("payments", "payments.csv"),
)


class DemoError(Exception):
    """The demo database cannot be built; the message says why and what to do."""


@dataclass(frozen=True, slots=True)
class ImportedFile:
    name: str
    inserted: int
    updated: int


def fixtures_dir() -> Path:
    """fixtures/ of the source checkout (the README installs the package editable)."""
    return Path(relance_tui.__file__).resolve().parents[2] / "fixtures"


def demo_db_path() -> Path:
    return data_dir() / "demo.db"


def remove_database(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def is_built(path: Path) -> bool:
    if not path.exists():
        return False
    conn = connect(path)
    try:
        return get_meta(conn, META_BUILT) is not None
    finally:
        conn.close()


def ensure_demo_database(
    path: Path, *, today: date, os_user: str, fixtures: Path | None = None
) -> Path:
    """Build the demo database at `path` unless it is there already; `os_user` is a supervisor.

    Raises DemoError when the fixture files are missing or the importer refuses them.
    """
    if not is_built(path):
        _build(path, today=today, os_user=os_user, fixtures=fixtures or fixtures_dir())
    _ensure_supervisor(path, os_user)
    return path


def _ensure_supervisor(path: Path, os_user: str) -> None:
    # Deferred: not loaded until first used (start-up time).
    from relance_tui.services.identity import ensure_agent

    conn = connect(path)
    try:
        ensure_agent(conn, os_user, AgentRole.SUPERVISOR, by=DEMO_BY)
    finally:
        conn.close()


def _build(path: Path, *, today: date, os_user: str, fixtures: Path) -> None:
    missing = [name for _kind, name in FIXTURE_FILES if not (fixtures / name).is_file()]
    if missing:
        raise DemoError(t("demo.error.no_fixtures", path=fixtures, files=", ".join(missing)))
    building = path.with_name(path.name + ".building")
    remove_database(building)
    make_dirs(path.parent)
    conn = connect(building)
    try:
        _fill(conn, today=today, os_user=os_user, fixtures=fixtures)
        checkpointer.stop(building)  # no connection of ours outlives the file's move
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except BaseException:
        checkpointer.stop(building)
        conn.close()
        remove_database(building)
        raise
    conn.close()
    remove_database(path)
    os.replace(building, path)
    remove_database(building)
    # Nobody else writes the half-built file, so its write-lock file can go too (the live
    # database's stays: other processes may be holding it).
    Path(f"{building}{LOCK_SUFFIX}").unlink(missing_ok=True)


def _fill(conn: sqlite3.Connection, *, today: date, os_user: str, fixtures: Path) -> None:
    # Deferred: not loaded until first used (start-up time).
    from relance_tui.services.importing.batch import ImportOptions
    from relance_tui.services.importing.fields import ImportKind
    from relance_tui.services.importing.pipeline import import_file

    now = seed_clock(today)
    rng = random.Random(DEMO_SEED)
    with transaction(conn):
        agents = create_agents(conn, rng, count=DEMO_AGENTS, now=now, by=DEMO_BY)
    for kind, name in FIXTURE_FILES:
        report = import_file(
            conn, ImportKind(kind), fixtures / name, ImportOptions(agent=ADMIN_LOGIN), today=today
        )
        if not report.committed:
            first = report.errors[0] if report.errors else None
            detail = (
                f"{first.line}: {first.field} « {first.value} » {first.reason}" if first else ""
            )
            raise DemoError(
                tn("demo.error.import", report.rejected, file=fixtures / name, detail=detail)
            )
    with transaction(conn):
        sync_cases(conn, today)
        add_history(
            conn, random.Random(f"{DEMO_SEED}:history"), today=today, now=now, agents=agents
        )
        rank_queue(conn, today)
        set_meta(conn, META_BUILT, today.isoformat())
    del os_user  # made a supervisor afterwards, on every run
