"""The supervisor screen's workload tab (Pilot, on tests/report_world.py): reassigning one case
or a selection of an agent's cases, balancing the load with a preview and a confirmation,
cancelling (nothing moves), an agent refused, and the agent's queue seeing the move."""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from harness import hold_still, make_app, press, settle, wait_until
from test_supervisor_screen import tables_measured
from textual.widgets import DataTable, Static

import report_world as world
from relance_tui.services import reassignment
from relance_tui.storage.db import connect
from relance_tui.tui.dialogs.balance import BalanceDialog
from relance_tui.tui.dialogs.move_cases import MoveCasesDialog
from relance_tui.tui.screens.help import active_keys
from relance_tui.tui.screens.queue import QueueScreen
from relance_tui.tui.screens.supervisor import SupervisorScreen
from relance_tui.tui.screens.supervisor_workload import AgentCasesScreen
from relance_tui.tui.widgets.queue_table import QueueTable


@pytest.fixture
def world_db(db_path: Path) -> Path:
    world.build(connect(db_path))
    return db_path


def owners(db: Path) -> dict[str, str | None]:
    """Each case's agent, by the debtor's reference."""
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute(
            "SELECT d.reference, a.login FROM cases c JOIN debtors d ON d.id = c.debtor_id"
            " LEFT JOIN agents a ON a.id = c.assigned_agent_id ORDER BY d.reference"
        )
        return dict(rows.fetchall())
    finally:
        conn.close()


def events(db: Path) -> list[tuple[str, str, dict[str, Any], dict[str, Any]]]:
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute(
            "SELECT e.agent, d.reference, e.before, e.after FROM audit_events e"
            " JOIN cases c ON c.id = CAST(e.entity_id AS INTEGER)"
            " JOIN debtors d ON d.id = c.debtor_id WHERE e.action = 'case.reassign' ORDER BY e.id"
        ).fetchall()
    finally:
        conn.close()
    return [(a, ref, json.loads(before), json.loads(after)) for a, ref, before, after in rows]


def agent_ids(db: Path) -> dict[str, int]:
    conn = sqlite3.connect(db)
    try:
        return dict(conn.execute("SELECT login, id FROM agents").fetchall())
    finally:
        conn.close()


def rows(table: DataTable[Any]) -> list[list[str]]:
    return [[str(cell) for cell in table.get_row_at(n)] for n in range(table.row_count)]


async def open_cases_of(pilot: Any, login: str) -> AgentCasesScreen:
    """`v`, the workload tab, the agent's row, `t`: their open cases."""
    await settle(pilot)
    await press(pilot, "v", "4")
    screen = pilot.app.screen
    assert isinstance(screen, SupervisorScreen)
    table = screen.query_one("#workload-table", DataTable)
    logins = [row[0] for row in rows(table)]
    table.move_cursor(row=logins.index(login))
    await press(pilot, "t")
    cases = pilot.app.screen
    assert isinstance(cases, AgentCasesScreen) and cases.person.login == login
    return cases


async def test_one_case_goes_to_the_agent_chosen(world_db: Path) -> None:
    ids = agent_ids(world_db)
    app = make_app(world_db, "sophie", now=world.NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        cases = await open_cases_of(pilot, "alice")
        keys = dict(active_keys(app))
        assert keys["Espace"] == "Marquer" and keys["a"] == "Tout marquer"
        assert keys["t"] == "Réattribuer" and keys["⏎"] == "Ouvrir"
        table = cases.query_one(DataTable)
        shown = rows(table)
        assert sorted(row[1] for row in shown) == ["C000101 Alpha SARL", "C000102 Bêta SA"]
        table.move_cursor(row=[row[1] for row in shown].index("C000101 Alpha SARL"))
        await press(pilot, "t")
        dialog = app.screen
        assert isinstance(dialog, MoveCasesDialog)
        assert [agent.login for agent in dialog.agents] == ["bruno", "chloe"]  # not alice
        body = str(dialog.query_one(".dialog-body", Static).render())
        assert "C000101 Alpha SARL" in body
        await press(pilot, "2", "enter")  # chloe
        assert app.screen is cases
        assert [row[1] for row in rows(table)] == ["C000102 Bêta SA"]
        assert "1 dossier réattribué." in [str(n.message) for n in app._notifications]
    assert owners(world_db)["C000101"] == "chloe"
    assert events(world_db) == [
        ("sophie", "C000101", {"assigned_agent_id": ids["alice"]},
         {"assigned_agent_id": ids["chloe"]}),
    ]  # fmt: skip


async def test_a_selection_marked_with_space_goes_at_once(world_db: Path) -> None:
    app = make_app(world_db, "sophie", now=world.NOW)
    async with app.run_test(size=(120, 35)) as pilot:
        cases = await open_cases_of(pilot, "bruno")
        table = cases.query_one(DataTable)
        table.move_cursor(row=0)
        await press(pilot, "space", "space")  # marks both (the cursor moves down)
        assert [row[0] for row in rows(table)] == ["✓", "✓"]
        await press(pilot, "k", "space")  # the first unmarked…
        assert [row[0] for row in rows(table)] == [" ", "✓"]
        await press(pilot, "k", "space")  # …and marked again
        assert "2 marqué(s)" in str(cases.query_one("#supervisor-title", Static).render())
        await press(pilot, "t")
        dialog = app.screen
        assert isinstance(dialog, MoveCasesDialog) and dialog.count == 2
        assert "2 dossiers marqués de bruno" in str(dialog.query_one(".dialog-body").render())
        await press(pilot, "1", "enter")  # alice
        assert table.row_count == 0
    assert owners(world_db) == {
        "C000101": "alice", "C000102": "alice", "C000103": "alice", "C000104": "alice",
    }  # fmt: skip
    assert sorted(reference for _, reference, _, _ in events(world_db)) == ["C000103", "C000104"]


async def test_one_marked_case_goes_not_the_one_under_the_cursor(world_db: Path) -> None:
    app = make_app(world_db, "sophie", now=world.NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        cases = await open_cases_of(pilot, "bruno")
        table = cases.query_one(DataTable)
        table.move_cursor(row=0)
        marked = rows(table)[0][1]
        await press(pilot, "space", "t")  # the cursor is on the second case now
        dialog = app.screen
        assert isinstance(dialog, MoveCasesDialog) and dialog.count == 1
        assert marked in str(dialog.query_one(".dialog-body", Static).render())
        await press(pilot, "2", "enter")  # chloe
    assert [reference for _, reference, _, _ in events(world_db)] == [marked.split()[0]]


async def test_escape_in_the_dialog_moves_nothing(world_db: Path) -> None:
    before = owners(world_db)
    app = make_app(world_db, "sophie", now=world.NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        cases = await open_cases_of(pilot, "bruno")
        await press(pilot, "a", "t")
        assert isinstance(app.screen, MoveCasesDialog) and app.screen.count == 2
        await press(pilot, "escape")
        assert app.screen is cases and cases.query_one(DataTable).row_count == 2
    assert owners(world_db) == before and events(world_db) == []


async def test_the_load_is_balanced_after_a_preview_and_a_confirmation(world_db: Path) -> None:
    ids = agent_ids(world_db)
    app = make_app(world_db, "sophie", now=world.NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "v", "4", "b")
        dialog = app.screen
        assert isinstance(dialog, BalanceDialog)
        await press(pilot, "1")  # every segment
        # alice 2 (Bêta held, with a callback today: it stays), bruno 2, chloe 0: one move.
        body = str(dialog.query_one("#balance-body", Static).render())
        assert "4 dossiers ouverts, 3 agent(s) ; 1 reste(nt)" in body
        moves = str(dialog.query_one("#balance-moves-text", Static).render())
        assert moves.strip() == "bruno → chloe : 1 dossier"
        assert events(world_db) == []  # a preview writes nothing
        await press(pilot, "o")
        assert isinstance(app.screen, SupervisorScreen)
        table = app.screen.query_one("#workload-table", DataTable)
        assert {row[0]: row[1] for row in rows(table)} == {"alice": "2", "bruno": "1", "chloe": "1"}
    moved = events(world_db)
    assert [(who, before, after) for who, _, before, after in moved] == [
        ("sophie", {"assigned_agent_id": ids["bruno"]}, {"assigned_agent_id": ids["chloe"]})
    ]
    assert owners(world_db)["C000102"] == "alice"


async def test_cases_with_no_agent_are_handed_out_by_the_balance(world_db: Path) -> None:
    """Imported before any portfolio rule: nobody's cases, which the balance shares out."""
    ids = agent_ids(world_db)
    conn = sqlite3.connect(world_db)
    with conn:
        conn.execute("UPDATE cases SET assigned_agent_id = NULL WHERE assigned_agent_id = ?",
                     (ids["bruno"],))  # fmt: skip
    conn.close()
    app = make_app(world_db, "sophie", now=world.NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "v", "4", "b", "1")
        dialog = app.screen
        assert isinstance(dialog, BalanceDialog)
        body = str(dialog.query_one("#balance-body", Static).render())
        assert "dont 2 sans agent" in body
        moves = str(dialog.query_one("#balance-moves-text", Static).render())
        assert moves.split("\n") == [
            "sans agent → bruno : 1 dossier",
            "sans agent → chloe : 1 dossier",
        ]
        await press(pilot, "o")
    assert sorted(owners(world_db).values()) == ["alice", "alice", "bruno", "chloe"]


@pytest.mark.parametrize("keys", [["n"], ["escape"]], ids=["n", "escape"])
async def test_cancelling_the_balance_changes_nothing(world_db: Path, keys: list[str]) -> None:
    before = owners(world_db)
    app = make_app(world_db, "sophie", now=world.NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "v", "4", "b", "1")
        assert isinstance(app.screen, BalanceDialog) and app.screen.plan is not None
        await press(pilot, *keys)
        assert isinstance(app.screen, SupervisorScreen)
    assert owners(world_db) == before and events(world_db) == []


def test_an_agent_can_neither_list_plan_nor_balance(world_db: Path) -> None:
    conn = connect(world_db)
    ids = agent_ids(world_db)
    plan = reassignment.plan_balance(conn, by_login="sophie", segment=None, now=world.NOW)
    assert plan.moving == 1
    for attempt in (
        lambda: reassignment.agent_cases(conn, agent_id=ids["bruno"], by_login="alice",
                                         now=world.NOW),
        lambda: reassignment.plan_balance(conn, by_login="alice", segment=None, now=world.NOW),
        lambda: reassignment.apply_balance(conn, plan, by_login="alice", now=world.NOW),
    ):  # fmt: skip
        with pytest.raises(reassignment.NotAllowedError):
            attempt()
    assert events(world_db) == []


async def test_the_agents_queue_shows_the_move_on_its_next_refresh(world_db: Path) -> None:
    app = make_app(world_db, "chloe", now=world.NOW + timedelta(minutes=1))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        queue = app.screen
        assert isinstance(queue, QueueScreen)
        assert queue.query_one(QueueTable).total == 0
        conn = connect(world_db)
        alpha = conn.execute(
            "SELECT c.id FROM cases c JOIN debtors d ON d.id = c.debtor_id"
            " WHERE d.reference = 'C000101'"
        ).fetchone()[0]
        # What the workload tab's `t` does, from the supervisor's own process.
        reassignment.reassign_cases(conn, case_ids=[alpha], to_login="chloe", by_login="sophie")
        await press(pilot, "r")
        table = queue.query_one(QueueTable)
        assert table.total == 1
        assert table.current_row is not None and table.current_row.id == alpha


@pytest.mark.parametrize(
    "keys", [["t", "space"], ["b", "1"]], ids=["marked-case", "balance-preview"]
)
def test_pictures(snap_compare: Any, world_db: Path, keys: list[str]) -> None:
    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        await press(pilot, "v", "4")
        await wait_until(pilot, lambda: tables_measured(pilot))
        await hold_still(pilot)  # before a dialog: the screen underneath keeps its toasts
        await press(pilot, *keys)  # alice's cases (the first row), or the balance
        await wait_until(pilot, lambda: tables_measured(pilot))
        await hold_still(pilot)

    app = make_app(world_db, "sophie", now=world.NOW)
    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
