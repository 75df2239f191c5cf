"""The supervisor screen (`v`) on the hand-built world (tests/report_world.py): the same figures
as `relance report`, the drill-down from an agent to an action to the case, the refusal of
agents, and its pictures at 80×24 and 120×35 (reassigning: test_supervisor_workload.py)."""

from __future__ import annotations

import contextlib
import getpass
import io
import re
from pathlib import Path
from typing import Any

import pytest
from harness import hold_still, make_app, press, settle, wait_until
from textual.widgets import DataTable, Static

import report_world as world
from relance_tui.cli import main
from relance_tui.formatting import money
from relance_tui.storage.db import connect, transaction
from relance_tui.tui.screens.case import CaseScreen
from relance_tui.tui.screens.supervisor import SupervisorScreen
from relance_tui.tui.screens.supervisor_agent import AgentDayScreen
from relance_tui.tui.widgets.aged_bars import AgedBars
from relance_tui.tui.widgets.portfolio_health import PortfolioHealth

Snap = Any


@pytest.fixture
def world_db(db_path: Path) -> Path:
    world.build(connect(db_path))
    return db_path


def tables_measured(pilot: Any) -> bool:
    """Every table of the screen has measured its new rows: a DataTable sizes its columns on
    its next idle moment, which a loaded machine may not give it before the picture."""
    return not any(
        table._require_update_dimensions or table._updated_cells
        for table in pilot.app.screen.query(DataTable)
    )


def cells(table: DataTable[Any]) -> list[list[str]]:
    return [[str(cell) for cell in table.get_row_at(n)] for n in range(table.row_count)]


async def test_the_screen_and_the_cli_show_the_same_figures(world_db: Path) -> None:
    conn = connect(world_db)
    with transaction(conn):
        conn.execute(
            "INSERT INTO agents (login, display_name, role, created_at)"
            " VALUES (?, 'Moi', 'supervisor', '2026-01-01')",
            (getpass.getuser(),),
        )
    app = make_app(world_db, "sophie", now=world.NOW)
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        await press(pilot, "v")
        screen = app.screen
        assert isinstance(screen, SupervisorScreen)
        table = screen.query_one("#day-table", DataTable)
        shown = cells(table)
        titles = [str(c.label) for c in table.columns.values()]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["--db", str(world_db), "report", "daily", "--date", "2026-11-24"]) == 0
    printed = [re.split(r"\s{2,}", line.strip()) for line in out.getvalue().splitlines()[1:]]
    logins = printed[0]
    assert [row[0] for row in shown] == logins == ["alice", "bruno", "chloe", "Total"]
    by_figure = {row[0]: row[1:] for row in printed[1:]}
    assert len(by_figure) == len(titles) - 2 > 20
    for n, title in enumerate(titles[2:], start=2):
        assert [row[n] for row in shown] == by_figure[title], title
    assert shown[0][2] == "3" and shown[1][titles.index("Litiges ouverts")] == "1"


async def test_the_portfolio_tab_and_the_cli_show_the_same_figures(world_db: Path) -> None:
    conn = connect(world_db)
    with transaction(conn):
        conn.execute(
            "INSERT INTO agents (login, display_name, role, created_at)"
            " VALUES (?, 'Moi', 'supervisor', '2026-01-01')",
            (getpass.getuser(),),
        )
    app = make_app(world_db, "sophie", now=world.NOW)
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        await press(pilot, "v", "3")
        health = app.screen.query_one(PortfolioHealth)
        figures = str(health.query_one("#health-figures", Static).render()).splitlines()
        bars = health.query_one(AgedBars).bars
        top = cells(health.query_one("#top-table", DataTable))
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["--db", str(world_db), "report", "portfolio", "--date", "2026-11-24"]) == 0
    printed = [re.split(r"\s{2,}", line.strip()) for line in out.getvalue().splitlines()]
    by_label = {row[0]: row[1] for row in printed if len(row) == 2}
    shown = dict(line.split(" : ", 1) for line in figures)
    assert len(shown) == 10 and all(by_label[label] == value for label, value in shown.items())
    assert shown["DSO (jours, countback)"] == "131,5" and shown["CEI du mois"] == "16,1\u00a0%"
    # The bars: the CLI's first five figures, to the cent.
    assert [label for label, _ in bars] == [row[0] for row in printed[3:8]]
    assert [money(cents) for _, cents in bars] == [row[1] for row in printed[3:8]]
    assert [row[1] for row in printed[3:8]] == [
        money(c) for c in world.EXPECTED["buckets"].values()
    ]
    assert top == [row for row in printed if len(row) == 5][1:]


async def test_drilling_down_from_an_agent_to_an_action_to_the_case(world_db: Path) -> None:
    app = make_app(world_db, "sophie", now=world.NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "v", "j", "enter")  # bruno
        drill = app.screen
        assert isinstance(drill, AgentDayScreen) and drill.login == "bruno"
        rows = cells(drill.query_one(DataTable))
        assert [row[0] for row in rows] == ["00:30", "10:00", "10:20", "11:00"]
        assert rows[1][1] == "C000103 Gamma & Fils" and rows[1][3] == "litige"
        await press(pilot, "j", "j", "enter")  # 10:20, Delta
        assert isinstance(app.screen, CaseScreen)
        delta = conn_case(world_db, "C000104")
        assert app.screen.case_id == delta
        await press(pilot, "escape")
        assert isinstance(app.screen, AgentDayScreen)


def conn_case(db: Path, reference: str) -> int:
    row = (
        connect(db)
        .execute(
            "SELECT c.id FROM cases c JOIN debtors d ON d.id = c.debtor_id WHERE d.reference = ?",
            (reference,),
        )
        .fetchone()
    )
    return int(row[0])


async def test_an_agent_is_refused(world_db: Path) -> None:
    app = make_app(world_db, "alice", now=world.NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "v")
        assert not isinstance(app.screen, SupervisorScreen)
        assert any("superviseurs" in str(n.message) for n in app._notifications)


@pytest.mark.parametrize("size", [(80, 24), (120, 35)], ids=["80x24", "120x35"])
@pytest.mark.parametrize("tab", ["1", "3", "4"], ids=["day", "portfolio", "workload"])
def test_pictures(snap_compare: Snap, world_db: Path, size: tuple[int, int], tab: str) -> None:
    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        await press(pilot, "v", tab)
        await wait_until(pilot, lambda: tables_measured(pilot))
        await hold_still(pilot)

    app = make_app(world_db, "sophie", now=world.NOW)
    assert snap_compare(app, terminal_size=size, run_before=run_before)


async def test_the_live_tab_says_what_each_agent_is_doing() -> None:
    """On a case, on a call, idle, or between two cases (on the queue, active lately): the
    last one was shown "on a case" with no case beside it."""
    from textual.app import App, ComposeResult
    from textual.widgets import DataTable

    from relance_tui.services.reports.live import AgentNow
    from relance_tui.tui.screens.supervisor_tabs import fill_live

    def line(login: str, *, case: int | None, call: int | None, idle: bool) -> AgentNow:
        return AgentNow(
            agent_id=len(login), login=login, name=login, case_id=case,
            case_reference="C1" if case else "", debtor_name="Garage" if case else "",
            held_minutes=3 if case else None, call_minutes=call,
            last_activity="2026-11-24T10:00:00+00:00", idle=idle, open_cases=1, urgent=0,
            late_callbacks=0, overdue_cents=0,
        )  # fmt: skip

    class Live(App[None]):
        def compose(self) -> ComposeResult:
            yield DataTable()

    app = Live()
    async with app.run_test():
        table = app.query_one(DataTable)
        fill_live(
            table,
            [
                line("a", case=1, call=None, idle=False),
                line("b", case=1, call=2, idle=False),
                line("c", case=None, call=None, idle=True),
                line("d", case=None, call=None, idle=False),
            ],
        )
        states = [str(table.get_row_at(n)[-1]) for n in range(4)]
    assert states == ["sur un dossier", "en appel", "inactif", "actif"]
