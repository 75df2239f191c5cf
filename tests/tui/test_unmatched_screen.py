"""A supervisor resolves an unmatched bank credit in the TUI: finds the debtor, picks two of its
invoices (the credit is split over them), records it; an agent is turned away."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from harness import NOW, SETTINGS, make_app, press, seeding, settle, wait_until
from textual.command import CommandList, CommandPalette
from textual.widgets import DataTable

from factories import add_agent, add_debtor, add_invoice, open_cases
from relance_tui.services.statements.landing import import_statement
from relance_tui.storage.db import transaction
from relance_tui.tui.app import RelanceApp
from relance_tui.tui.screens.unmatched import UnmatchedScreen
from statement_files import cfonb

DUE = date(2026, 9, 30)


@pytest.fixture
def waiting_credit(db_path: Path, tmp_path: Path) -> dict[str, int]:
    with seeding(db_path) as conn:
        with transaction(conn):
            add_agent(conn, "admin", role="admin")
            add_agent(conn, "chef", role="supervisor")
            add_agent(conn, "agent1")
            other = add_debtor(conn, name="Autre SARL", reference="C0002")
            debtor = add_debtor(conn, name="Menuiserie Dubois", reference="C0001")
            ids = {
                "first": add_invoice(conn, debtor, due=DUE, amount_cents=100_00, number="A-1"),
                "second": add_invoice(
                    conn, debtor, due=date(2026, 10, 30), amount_cents=80_00, number="A-2"
                ),
                "other": add_invoice(conn, other, due=DUE, amount_cents=77_00, number="B-1"),
                "debtor": debtor,
            }
            open_cases(conn, NOW.date())
        statement = tmp_path / "releve.txt"
        statement.write_bytes(
            cfonb(0, [(date(2026, 11, 20), 150_00, "VIR SEPA", [("NPY", "M. DUBOIS PERE")])])
        )
        report = import_statement(conn, statement, agent="admin", settings=SETTINGS, now=NOW)
        assert report.unmatched == 1
    return ids


async def test_a_supervisor_splits_a_credit_over_two_invoices(
    db_path: Path, waiting_credit: dict[str, int]
) -> None:
    app = make_app(db_path, "chef")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await press(pilot, "b")
        screen = app.screen
        assert isinstance(screen, UnmatchedScreen)
        assert [c.payer_name for c in screen.credits] == ["M. DUBOIS PERE"]
        await press(pilot, "enter")  # on the credit: search its debtor
        await press(pilot, *"dubois", "enter")
        assert [d.name for d in screen.debtors] == ["Menuiserie Dubois"]
        await press(pilot, "enter")  # the debtor: its invoices
        assert [i.number for i in screen.invoices] == ["A-1", "A-2"]
        await press(pilot, "space", "down", "space")
        invoices = screen.query_one("#unmatched-invoices", DataTable)
        assert "50,00" in str(invoices.get_row_at(1)[4])  # the rest of the 150,00 after A-1
        await press(pilot, "v")
        await settle(pilot)
        assert screen.credits == []
    with seeding(db_path) as conn:
        balances = dict(conn.execute("SELECT number, outstanding_cents FROM invoices"))
        assert balances == {"A-1": 0, "A-2": 30_00, "B-1": 77_00}
        link = conn.execute("SELECT kind, value, debtor_id, source FROM payer_links").fetchone()
        assert tuple(link) == ("name", "M DUBOIS PERE", waiting_credit["debtor"], "supervisor")
        rule = conn.execute("SELECT status, rule, matched_by FROM bank_movements").fetchone()
        assert tuple(rule) == ("matched", "manual", "chef")


async def test_an_agent_is_turned_away(db_path: Path, waiting_credit: dict[str, int]) -> None:
    app = make_app(db_path, "agent1")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await press(pilot, "b")
        await settle(pilot)
        assert not isinstance(app.screen, UnmatchedScreen)
        assert any("superviseurs" in str(n.message) for n in app._notifications)


def first_command(app: RelanceApp) -> str:
    commands = app.screen.query(CommandList)
    if not commands or not commands.first().option_count:
        return ""
    prompt = commands.first().get_option_at_index(0).prompt
    return str(getattr(prompt, "plain", prompt))


async def test_reached_from_the_palette(db_path: Path, waiting_credit: dict[str, int]) -> None:
    app = make_app(db_path, "chef")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"Encaissements")
        await wait_until(pilot, lambda: first_command(app).startswith("Encaissements"))
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, UnmatchedScreen))
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, UnmatchedScreen)
        assert len(screen.credits) == 1


async def test_a_supervisor_undoes_a_match(db_path: Path, waiting_credit: dict[str, int]) -> None:
    app = make_app(db_path, "chef")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await press(pilot, "b", "enter", *"dubois", "enter", "enter", "space", "v")
        screen = app.screen
        assert isinstance(screen, UnmatchedScreen)
        await press(pilot, "h")  # the credits matched last, with why
        assert [(c.rule, c.reason) for c in screen.credits] == [("manual", "A-1")]
        credits = screen.query_one("#unmatched-credits", DataTable)
        assert "rapproché par un superviseur : A-1" in str(credits.get_row_at(0)[3])
        await press(pilot, "u")
        await settle(pilot)
        assert screen.credits == []
        await press(pilot, "h")
        assert len(screen.credits) == 1  # waiting again
    with seeding(db_path) as conn:
        balances = dict(conn.execute("SELECT number, outstanding_cents FROM invoices"))
        assert balances == {"A-1": 100_00, "A-2": 80_00, "B-1": 77_00}
        assert conn.execute("SELECT count(*) FROM payments").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM payer_links").fetchone()[0] == 0  # forgotten
