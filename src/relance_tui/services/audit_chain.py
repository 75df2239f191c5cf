"""Checking the audit trail's hash chain (storage/audit_chain.py): in full, and at start-up.

`relance audit verify` walks the whole chain; the start-up check of supervisors and admins (the
TUI's notification, the CLI's warning on stderr) walks only what came after the last verified
event, and moves the checkpoint on when the chain holds. Agents are not checked for: they could
do nothing about a broken chain.
"""

from __future__ import annotations

import sqlite3

from relance_tui.domain.permissions import Permission
from relance_tui.i18n import t
from relance_tui.services.permissions import may, require
from relance_tui.storage import audit_chain
from relance_tui.storage.agents import AgentRow
from relance_tui.storage.audit_chain import Break, Verdict
from relance_tui.storage.db import transaction
from relance_tui.storage.write_lock import WriteWaitTimeout

CHECKPOINT_WAIT_S = 2.0  # moving the checkpoint on is worth no longer wait than this


def verify_trail(conn: sqlite3.Connection, viewer: AgentRow) -> Verdict:
    """The whole chain, checked (supervisors and admins); a sound one becomes the checkpoint."""
    require(viewer, Permission.AUDIT_EVERYONE)
    verdict = audit_chain.verify(conn)
    _move_checkpoint(conn, verdict)
    return verdict


def startup_check(conn: sqlite3.Connection, viewer: AgentRow) -> Break | None:
    """The first broken link after the checkpoint, for those who read the whole trail."""
    if not may(viewer, Permission.AUDIT_EVERYONE):
        return None
    verdict = audit_chain.verify(conn, since_checkpoint=True)
    if verdict.broken is None and verdict.checked:
        _move_checkpoint(conn, verdict)
    return verdict.broken


def _move_checkpoint(conn: sqlite3.Connection, verdict: Verdict) -> None:
    if verdict.broken is not None or not verdict.last_id:
        return
    try:
        with transaction(conn, wait_limit=CHECKPOINT_WAIT_S):
            # Only forward, and only if the head then is still the one verified.
            if audit_chain.head(conn)[0] >= verdict.last_id:
                current = audit_chain.read_checkpoint(conn)
                if current is None or current[0] < verdict.last_id:
                    audit_chain.write_checkpoint(conn, verdict)
    except (WriteWaitTimeout, sqlite3.OperationalError):
        pass  # busy, or a read-only file: the next check starts from the older checkpoint


def describe(broken: Break) -> str:
    """The broken link in words: which event, and what is wrong with it."""
    match broken.kind:
        case "missing":
            return t(
                "audit_chain.missing", id=broken.event_id, first=broken.missing_from,
                last=broken.event_id - 1,
            )  # fmt: skip
        case "unsealed":
            return t("audit_chain.unsealed", id=broken.event_id)
        case "altered":
            return t("audit_chain.altered", id=broken.event_id)
        case "checkpoint":
            return t("audit_chain.checkpoint", id=broken.event_id)
        case _:
            return t("audit_chain.mismatch", id=broken.event_id)
