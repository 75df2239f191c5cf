"""The portfolio screen shows the figures of the database, checked against the invoices."""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest
from harness import make_app, settle
from rich.text import Text
from textual.widgets import DataTable, Static

from relance_tui.formatting import money, money_short, number
from relance_tui.i18n import t
from relance_tui.services.overview import portfolio_overview
from relance_tui.services.seed.build import seed_database
from relance_tui.storage.db import connect
from relance_tui.tui.database import DatabaseApp
from relance_tui.tui.screens.overview import PortfolioScreen

TODAY = date(2026, 11, 24)
OVERDUE = (
    "outstanding_cents > 0 AND status IN ('open', 'partially_paid') AND due_date < '2026-11-24'"
)


@pytest.fixture(scope="module")
def portfolio_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("portfolio") / "portfolio.db"
    conn = connect(path)
    seed_database(conn, debtors=300, invoices=3000, seed=3, today=TODAY)
    conn.close()
    return path


class PortfolioApp(DatabaseApp[None]):
    def __init__(self, path: Path, login: str) -> None:
        super().__init__(db_path=path)
        self.login = login

    def on_mount(self) -> None:
        self.push_screen(PortfolioScreen(agent_login=self.login, today=TODAY))


def _cells(table: DataTable[Text]) -> dict[str, list[str]]:
    return {
        str(row_key.value): [str(cell) for cell in table.get_row(row_key)] for row_key in table.rows
    }


def _expected(path: Path, agent: str | None = None) -> dict[str, object]:
    """The figures, recomputed from the invoices (not from the cases table)."""
    db = sqlite3.connect(path)
    scope = ""
    params: tuple[object, ...] = ()
    if agent:
        scope = (
            " AND debtor_id IN (SELECT debtor_id FROM cases WHERE assigned_agent_id ="
            " (SELECT id FROM agents WHERE login = ?))"
        )
        params = (agent,)
    segment_of = dict(db.execute("SELECT id, segment FROM debtors"))
    overdue: dict[int, int] = defaultdict(int)
    disputed: dict[int, int] = defaultdict(int)
    oldest: dict[int, str] = {}
    invoices = 0
    query = (
        f"SELECT debtor_id, outstanding_cents, in_dispute, due_date FROM invoices WHERE {OVERDUE}"
    )
    for debtor, outstanding, in_dispute, due in db.execute(query + scope, params):
        invoices += 1
        if in_dispute:
            disputed[debtor] += outstanding
            overdue.setdefault(debtor, 0)
        else:
            overdue[debtor] += outstanding
            oldest[debtor] = min(oldest.get(debtor, due), due)
    by_segment: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_age: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for debtor, cents in overdue.items():
        by_segment[segment_of[debtor]][0] += 1
        by_segment[segment_of[debtor]][1] += cents
        if debtor not in oldest:
            band = "disputed"
        else:
            days = (TODAY - date.fromisoformat(oldest[debtor])).days
            band = "0_30" if days <= 30 else "31_60" if days <= 60 else "61_90"
            band = band if days <= 90 else "90_plus"
        by_age[band][0] += 1
        by_age[band][1] += cents
    db.close()
    return {
        "cases": len(overdue),
        "invoices": invoices,
        "overdue": sum(overdue.values()),
        "disputed": sum(disputed.values()),
        "by_segment": dict(by_segment),
        "by_age": dict(by_age),
    }


async def _shown(path: Path, login: str) -> tuple[str, dict[str, dict[str, list[str]]], str]:
    app = PortfolioApp(path, login)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, PortfolioScreen)
        summary = str(screen.query_one("#portfolio-summary", Static).render())
        tables = {
            table_id: _cells(screen.query_one(f"#{table_id}", DataTable))
            for table_id in ("by-segment", "by-stage", "by-age")
        }
        title = str(screen.query_one("#portfolio-title", Static).render())
        return summary, tables, title


async def test_supervisor_sees_the_whole_portfolio(portfolio_db: Path) -> None:
    expected = _expected(portfolio_db)
    summary, tables, title = await _shown(portfolio_db, "superviseur")
    assert t("portfolio.scope_all") in title
    assert money(int(str(expected["overdue"]))) in summary
    assert money(int(str(expected["disputed"]))) in summary
    assert "Débiteurs : 300 " in summary
    assert number(int(str(expected["cases"]))) in summary
    assert number(int(str(expected["invoices"]))) in summary
    by_segment = expected["by_segment"]
    assert isinstance(by_segment, dict)
    assert set(tables["by-segment"]) == set(by_segment)
    for key, (cases, cents) in by_segment.items():
        label, shown_cases, shown_money, _share = tables["by-segment"][key]
        assert label == t(f"segment.{key}")
        assert shown_cases == number(cases)
        assert shown_money == money_short(cents)
    by_age = expected["by_age"]
    assert isinstance(by_age, dict)
    for key, (cases, cents) in by_age.items():
        assert tables["by-age"][key][1:3] == [number(cases), money_short(cents)]
    stage_cases = sum(int(row[1].replace("\u202f", "")) for row in tables["by-stage"].values())
    assert stage_cases == expected["cases"]


async def test_an_agent_sees_their_own_cases(portfolio_db: Path) -> None:
    expected = _expected(portfolio_db, "agent3")
    summary, tables, title = await _shown(portfolio_db, "agent3")
    assert "agent3" in title
    assert money(int(str(expected["overdue"]))) in summary
    shown = sum(int(row[1].replace("\u202f", "")) for row in tables["by-segment"].values())
    assert shown == expected["cases"]


def test_overview_matches_the_cases_table(portfolio_db: Path) -> None:
    conn = connect(portfolio_db)
    overview = portfolio_overview(conn, today=TODAY, agent_login="admin")
    conn.close()
    assert overview.scope_login is None
    assert overview.counts.debtors == 300
    assert sum(b.overdue_cents for b in overview.by_stage) == overview.counts.overdue_cents
    assert [b.key for b in overview.by_age] == sorted(
        (b.key for b in overview.by_age),
        key=["0_30", "31_60", "61_90", "90_plus", "disputed"].index,
    )


async def test_o_opens_the_portfolio_once(portfolio_db: Path) -> None:
    app = make_app(portfolio_db, "superviseur")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, PortfolioScreen)
        depth = len(app.screen_stack)
        await pilot.press("o")
        await pilot.pause()
        assert len(app.screen_stack) == depth  # already there: nothing pushed
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, PortfolioScreen)
        assert app.screen.overview is not None
