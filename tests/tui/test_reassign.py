"""`t` on the queue: supervisors give a case, or the whole view, to another agent (Pilot)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from harness import NOW, SETTINGS, TODAY, make_app, seeding, settle

from factories import add_agent, make_case
from relance_tui.services import ranking
from relance_tui.storage.db import transaction
from relance_tui.tui.app import RelanceApp
from relance_tui.tui.dialogs.reassign import AgentList, ReassignDialog
from relance_tui.tui.screens.help import active_keys
from relance_tui.tui.screens.queue import QueueScreen
from relance_tui.tui.widgets.queue_table import QueueTable


def build_db(path: Path) -> dict[str, int]:
    """alice (agent) has 2 "Lumière" cases and 2 others; bob (agent) 1 "Lumière" and 1 other;
    chef is a supervisor. Agents by login: 1 alice, 2 bob, 3 chef, 4 dora."""
    with seeding(path) as conn, transaction(conn):
        ids = {
            "alice": add_agent(conn, "alice", name="Alice Martin"),
            "bob": add_agent(conn, "bob", name="Bob Durand"),
            "chef": add_agent(conn, "chef", "supervisor"),
            "dora": add_agent(conn, "dora"),
        }
        for number, (owner, name, amount) in enumerate(
            [
                ("alice", "Groupe Lumière Nord", 4_000_000),
                ("alice", "Groupe Lumière Sud", 300_000),
                ("bob", "Groupe Lumière Est", 200_000),
                ("alice", "Boulangerie Dupain", 150_000),
                ("alice", "Garage Central", 120_000),
                ("bob", "Chez Bob", 50_000),
            ]
        ):
            ids[f"case{number}"] = make_case(
                conn, TODAY, agent_id=ids[owner], name=name, amount_cents=amount
            )
        ranking.refresh_scores(conn, SETTINGS, NOW)
    return ids


def owners(path: Path) -> dict[int, int | None]:
    conn = sqlite3.connect(path)
    try:
        return dict(conn.execute("SELECT id, assigned_agent_id FROM cases").fetchall())
    finally:
        conn.close()


def reassign_events(path: Path) -> list[tuple[str, str, dict[str, Any], dict[str, Any]]]:
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute(
            "SELECT agent, entity_id, before, after FROM audit_events"
            " WHERE action = 'case.reassign' ORDER BY id"
        ).fetchall()
    finally:
        conn.close()
    return [
        (agent, entity, json.loads(before), json.loads(after))
        for agent, entity, before, after in rows
    ]


def messages(app: RelanceApp) -> list[str]:
    return [str(notification.message) for notification in app._notifications]


async def test_supervisor_reassigns_the_selected_case(db_path: Path) -> None:
    ids = build_db(db_path)
    before = owners(db_path)
    app = make_app(db_path, "chef")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, QueueScreen)
        assert "t" in app.active_bindings
        assert app.active_bindings["t"].binding.description == "Réattribuer"
        assert ("t", "Réattribuer") in active_keys(app)
        table = screen.query_one(QueueTable)
        assert table.total == 6  # a supervisor sees everyone's cases
        row = table.current_row
        assert row is not None and row.id == ids["case0"] and row.agent_login == "alice"

        await pilot.press("t")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ReassignDialog)
        assert dialog.target == "bob"  # the first agent who does not hold the case already
        summary = str(dialog.query_one("#reassign-summary").render())
        assert "ce dossier" in summary and "bob" in summary
        assert "5\u202f000" in str(dialog.query_one("#reassign-cap").render())
        await pilot.press("4")  # dora
        assert dialog.target == "dora"
        await pilot.press("2")  # bob
        assert dialog.target == "bob"
        await pilot.press("enter")
        await settle(pilot)

        assert app.screen is screen
        assert "1 dossier attribué à bob" in messages(app)
        assert table.current_row is not None and table.current_row.agent_login == "bob"

    after = owners(db_path)
    assert after[ids["case0"]] == ids["bob"]
    assert {k: v for k, v in after.items() if k != ids["case0"]} == {
        k: v for k, v in before.items() if k != ids["case0"]
    }
    assert reassign_events(db_path) == [
        ("chef", str(ids["case0"]), {"assigned_agent_id": ids["alice"]},
         {"assigned_agent_id": ids["bob"]}),
    ]  # fmt: skip


async def test_supervisor_reassigns_every_case_of_a_searched_view(db_path: Path) -> None:
    ids = build_db(db_path)
    lumiere = [ids["case0"], ids["case1"], ids["case2"]]
    app = make_app(db_path, "chef")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        table = screen.query_one(QueueTable)
        await pilot.press("slash")
        await pilot.pause()
        screen.query_one("#queue-search").value = "lumiere"  # type: ignore[attr-defined]
        await pilot.press("enter")
        await settle(pilot)
        assert table.total == 3

        await pilot.press("t")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ReassignDialog)
        await pilot.press("v")  # scope: the whole view
        scope = str(dialog.query_one("#reassign-scope").render())
        assert "les 3 dossiers de la vue" in scope
        assert dialog.target == "bob"
        await pilot.press("1", "j", "j", "j", "k", "j")  # j/k reach any agent: alice → … → dora
        assert dialog.target == "dora"
        summary = str(dialog.query_one("#reassign-summary").render())
        assert "3 dossiers" in summary and "dora" in summary
        await pilot.press("enter")
        await settle(pilot)

        assert app.screen is screen
        assert "3 dossiers attribués à dora" in messages(app)
        assert table.total == 3  # the view is read again
        assert {table.pager.row(i).agent_login for i in range(3)} == {"dora"}  # type: ignore[union-attr]

    after = owners(db_path)
    assert all(after[case_id] == ids["dora"] for case_id in lumiere)
    assert after[ids["case3"]] == after[ids["case4"]] == ids["alice"]
    assert after[ids["case5"]] == ids["bob"]
    events = reassign_events(db_path)
    assert sorted(int(entity) for _, entity, _, _ in events) == sorted(lumiere)
    assert {json.dumps(b) for _, _, b, _ in events} == {
        json.dumps({"assigned_agent_id": ids["alice"]}),
        json.dumps({"assigned_agent_id": ids["bob"]}),
    }


async def test_escape_cancels_without_writing(db_path: Path) -> None:
    build_db(db_path)
    before = owners(db_path)
    app = make_app(db_path, "chef")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, ReassignDialog)
        await pilot.press("v", "2", "escape")
        await settle(pilot)
        assert app.screen is screen
    assert owners(db_path) == before
    assert reassign_events(db_path) == []


async def test_an_agent_has_no_reassign_key(db_path: Path) -> None:
    build_db(db_path)
    before = owners(db_path)
    app = make_app(db_path, "alice")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, QueueScreen)
        assert screen.query_one(QueueTable).total == 4
        assert "t" not in app.active_bindings
        assert all(description != "Réattribuer" for _, description in active_keys(app))
        await pilot.press("t")
        await settle(pilot)
        assert app.screen is screen
        assert not app.screen_stack[-1].query(AgentList)
    assert owners(db_path) == before
    assert reassign_events(db_path) == []
