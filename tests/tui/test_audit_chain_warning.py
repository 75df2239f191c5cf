"""At start-up the app tells a supervisor (chef), not an agent, that the audit chain broke."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from harness import make_app, settle, wait_until

from relance_tui.services.audit_chain import verify_trail
from relance_tui.storage.agents import get_agent
from relance_tui.storage.db import append_audit, connect, transaction


def tamper_after_checkpoint(db_path: Path) -> None:
    conn = connect(db_path)
    with transaction(conn):
        append_audit(conn, agent="chef", action="agent.add", entity="agent", entity_id="chef")
    chef = get_agent(conn, "chef")
    assert chef is not None and verify_trail(conn, chef).broken is None  # the checkpoint
    with transaction(conn):
        for number in range(3):
            append_audit(conn, agent="agent1", action="case.note", entity="case", entity_id=number)
    conn.close()
    raw = sqlite3.connect(db_path)
    raw.executescript(
        "DROP TRIGGER audit_events_no_update;"
        "UPDATE audit_events SET detail = 'rien' WHERE id = (SELECT max(id) - 1 FROM audit_events);"
    )
    raw.close()


def warnings(app: object) -> list[str]:
    return [str(n.message) for n in app._notifications]  # type: ignore[attr-defined]


async def test_a_supervisor_is_warned_an_agent_is_not(
    db_path: Path, seeded: dict[str, int]
) -> None:
    tamper_after_checkpoint(db_path)
    app = make_app(db_path, "chef")
    async with app.run_test() as pilot:
        await wait_until(pilot, lambda: any("Journal d'audit altéré" in w for w in warnings(app)))
    app = make_app(db_path, "agent1")
    async with app.run_test() as pilot:
        await settle(pilot)
        assert not any("audit" in w for w in warnings(app))
