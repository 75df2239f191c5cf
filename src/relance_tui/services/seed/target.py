"""May this user seed that database, and must it be deleted first? (`relance seed`)

Seeding an existing database is for admins. One that already holds debtors is replaced only on
request: `--force` when nobody has worked in it since it was seeded, `--force-overwrite PATH`
(its own path, typed back) whatever it holds.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from relance_tui.domain.permissions import Permission
from relance_tui.formatting import moment
from relance_tui.i18n import t
from relance_tui.services.permissions import require_now
from relance_tui.storage import seeding
from relance_tui.storage.agents import AgentRow


class SeedRefused(Exception):
    """The database stays as it is; the message says why and what would be needed."""


def same_file(given: Path, path: Path) -> bool:
    return os.path.realpath(given.expanduser()) == os.path.realpath(path)


def must_replace(
    conn: sqlite3.Connection,
    actor: AgentRow,
    path: Path,
    *,
    force: bool,
    overwrite: Path | None,
) -> bool:
    """Whether the existing database at `path` (open on `conn`) is to be deleted before seeding:
    False to seed into it as it is (no debtors yet). Raises NotAllowedError, SeedRefused."""
    require_now(conn, actor, Permission.SEED)
    if overwrite is not None and not same_file(overwrite, path):
        raise SeedRefused(t("seed.error.overwrite_other", given=overwrite, path=path))
    if not seeding.count_rows(conn, "debtors"):
        return False
    if overwrite is not None:
        return True
    if not force:
        raise SeedRefused(t("seed.error.not_empty", path=path))
    activity = seeding.activity_since_seed(conn)
    if activity.events:
        raise SeedRefused(
            t(
                "seed.error.worked_in",
                path=path,
                count=activity.events,
                at=moment(activity.last_at),
                agent=activity.last_agent,
            )
        )
    return True
