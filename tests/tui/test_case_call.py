"""The case screen and the call checklist, driven by the keyboard through to the database."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from harness import NOW, TODAY, make_app, open_case, press, seed_case_files, settle
from textual.widgets import Input

from relance_tui.domain.calls import CallDraft, CallStep
from relance_tui.services.claims import claim_case
from relance_tui.storage.db import connect
from relance_tui.tui.app import RelanceApp
from relance_tui.tui.dialogs.choice import ChoiceDialog
from relance_tui.tui.dialogs.notes_check import NotesCheckDialog
from relance_tui.tui.screens.case import CaseScreen
from relance_tui.tui.widgets.call_checklist import CallChecklist
from relance_tui.tui.widgets.queue_table import QueueTable


def query(db_path: Path, sql: str, *params: object) -> list[sqlite3.Row]:
    conn = connect(db_path, migrate_schema=False)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def checklist(app: RelanceApp) -> CallChecklist:
    return app.screen.query_one(CallChecklist)


# --- Right party paths ---------------------------------------------------------------------


async def test_promise_call_under_25_keys_at_80x24(db_path: Path, seeded: dict[str, int]) -> None:
    app = make_app(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_case(pilot, seeded["case"])
        keys = [
            "c",  # start the call
            "enter",  # Prepare: dial the best contact
            "1",  # Identify: right party
            "2",  # Listen: cash-flow difficulty
            "enter",  # no notes: continue
            "1",  # Solve: promise
            "enter",  # amount: the balance
            "enter",  # date: in 7 days
            "enter",  # Conclude: save
        ]
        await press(pilot, *keys)
        assert len(keys) < 25
        assert not isinstance(app.screen, CaseScreen)  # back to the queue
        await settle(pilot)
        table = app.screen.query_one(QueueTable)  # …which shows the case as it is now
        rows = [table.pager.row(i) for i in range(table.total)]
        shown = next(row for row in rows if row is not None and row.id == seeded["case"])
        assert shown.next_action == "check_promise"
    promise = query(
        db_path,
        "SELECT amount_cents, due_date, status FROM promises WHERE case_id = ?",
        seeded["case"],
    )
    assert [tuple(row) for row in promise] == [
        (150_000, (TODAY + timedelta(days=7)).isoformat(), "pending")
    ]
    call = query(
        db_path,
        "SELECT outcome, cause, channel FROM interactions WHERE case_id = ?",
        seeded["case"],
    )
    assert [tuple(row) for row in call] == [("right_party", "cash_flow", "call")]
    case = query(db_path, "SELECT next_action, claimed_by FROM cases WHERE id = ?", seeded["case"])
    assert case[0]["next_action"] == "check_promise"
    assert case[0]["claimed_by"] is None  # released on leaving
    assert query(db_path, "SELECT * FROM call_drafts") == []


async def test_payment_plan_call(db_path: Path, seeded: dict[str, int]) -> None:
    app = make_app(db_path)
    async with app.run_test(size=(120, 35)) as pilot:
        await open_case(pilot, seeded["case"])
        await press(pilot, "c", "enter", "1", "2", "enter", "2")  # plan
        # total (balance), 3 installments, first in 7 days, then monthly
        await press(pilot, "enter", "enter", "enter", "1")
        draft = checklist(app).draft
        assert draft.plan is not None and len(draft.plan.installments) == 3
        assert "exigible" in str(app.screen.query_one("#form-plan .reminder").render())
        await press(pilot, "enter")  # Continue → Conclude
        assert checklist(app).draft.step is CallStep.CONCLUDE
        await press(pilot, "enter")  # save
    plans = query(db_path, "SELECT frequency, total_cents FROM payment_plans")
    assert [tuple(row) for row in plans] == [("monthly", 180_000)]
    installments = query(db_path, "SELECT amount_cents FROM plan_installments ORDER BY sequence")
    assert [row[0] for row in installments] == [60_000, 60_000, 60_000]


async def test_dispute_call(db_path: Path, seeded: dict[str, int]) -> None:
    app = make_app(db_path)
    async with app.run_test(size=(120, 35)) as pilot:
        await open_case(pilot, seeded["case"])
        await press(pilot, "c", "enter", "1", "4", "enter", "3")  # dispute
        await press(pilot, "space", "tab")  # tick the first invoice, go to the reason
        await pilot.press(*"Livraison incomplete")
        await press(pilot, "enter", "enter")  # reason → owner (default) → Conclude
        assert checklist(app).draft.step is CallStep.CONCLUDE
        await press(pilot, "enter")
    disputes = query(
        db_path, "SELECT reason, owner, status FROM disputes WHERE case_id = ?", seeded["case"]
    )
    assert [tuple(row) for row in disputes] == [("Livraison incomplete", "Service client", "open")]
    disputed = query(
        db_path,
        "SELECT number FROM invoices WHERE in_dispute = 1"
        " AND debtor_id = (SELECT debtor_id FROM cases WHERE id = ?)",
        seeded["case"],
    )
    assert len(disputed) == 1


# --- Not reached ----------------------------------------------------------------------------


async def test_voicemail_ends_the_call_with_a_callback(
    db_path: Path, seeded: dict[str, int]
) -> None:
    app = make_app(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_case(pilot, seeded["case"])
        await press(pilot, "c", "enter", "4")  # voicemail
        draft = checklist(app).draft
        assert draft.step is CallStep.CONCLUDE and draft.callback is not None
        await press(pilot, "enter")
    rows = query(db_path, "SELECT outcome FROM interactions WHERE case_id = ?", seeded["case"])
    assert [row[0] for row in rows] == ["voicemail"]
    callbacks = query(
        db_path, "SELECT due_at, status FROM callbacks WHERE case_id = ?", seeded["case"]
    )
    assert len(callbacks) == 1 and callbacks[0]["status"] == "pending"
    assert callbacks[0]["due_at"][:10] == (TODAY + timedelta(days=1)).isoformat()


async def test_wrong_number_flags_the_phone(db_path: Path, seeded: dict[str, int]) -> None:
    app = make_app(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_case(pilot, seeded["case"])
        await press(pilot, "c", "enter")
        phone_id = checklist(app).draft.phone_id
        await press(pilot, "3")  # wrong number
        assert "invalide" in str(app.screen.query_one("#conclude-info").render())
        await press(pilot, "enter")
    flagged = query(db_path, "SELECT id FROM phones WHERE marked_invalid_at IS NOT NULL")
    assert [row[0] for row in flagged] == [phone_id]
    callback = query(db_path, "SELECT phone_id FROM callbacks WHERE case_id = ?", seeded["case"])
    assert callback and callback[0][0] != phone_id  # another number is proposed


# --- Safety ---------------------------------------------------------------------------------


async def test_escape_mid_call_asks_before_discarding(
    db_path: Path, seeded: dict[str, int]
) -> None:
    app = make_app(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_case(pilot, seeded["case"])
        await press(pilot, "c", "enter", "1")
        assert query(db_path, "SELECT data FROM call_drafts")  # saved as it goes
        await press(pilot, "escape")
        assert isinstance(app.screen, ChoiceDialog)
        await press(pilot, "n")  # keep the call
        assert isinstance(app.screen, CaseScreen) and app.screen.in_call
        await press(pilot, "escape", "o")  # discard
        assert isinstance(app.screen, CaseScreen) and not app.screen.in_call
    assert query(db_path, "SELECT * FROM call_drafts") == []
    assert query(db_path, "SELECT * FROM interactions WHERE case_id = ?", seeded["case"]) == []


async def test_notes_check_lets_the_agent_reword(db_path: Path, seeded: dict[str, int]) -> None:
    app = make_app(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_case(pilot, seeded["case"])
        await press(pilot, "c", "enter", "1", "2")
        await pilot.press(*"client malhonnete")
        await press(pilot, "enter", "1", "enter", "enter", "enter")
        assert isinstance(app.screen, NotesCheckDialog)
        found = str(app.screen.query_one("#found-notes").render())
        assert "malhonnete" in found
        assert (
            query(db_path, "SELECT * FROM interactions WHERE case_id = ?", seeded["case"]) == []
        )  # nothing saved yet
        field = app.screen.query_one("#reword-notes")
        field.value = ""  # type: ignore[attr-defined]
        await pilot.press(*"tresorerie tendue")
        await press(pilot, "enter")
    notes = query(db_path, "SELECT notes FROM interactions WHERE case_id = ?", seeded["case"])
    assert [row[0] for row in notes] == ["tresorerie tendue"]


async def test_case_held_by_another_agent_is_read_only(
    db_path: Path, seeded: dict[str, int]
) -> None:
    conn = connect(db_path)
    from relance_tui.config import Settings

    assert claim_case(
        conn, Settings(), seeded["case"], seeded["agent2"], NOW - timedelta(minutes=3)
    ).won
    conn.close()
    app = make_app(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_case(pilot, seeded["case"])
        claim = str(screen.query_one("#case-claim").render())
        assert "agent2" in claim and "3 min" in claim
        await press(pilot, "c", "p")
        assert not screen.in_call and isinstance(app.screen, CaseScreen)
    assert query(db_path, "SELECT * FROM call_drafts") == []
    holder = query(db_path, "SELECT claimed_by FROM cases WHERE id = ?", seeded["case"])
    assert holder[0][0] == seeded["agent2"]


async def test_draft_is_offered_back(db_path: Path, seeded: dict[str, int]) -> None:
    app = make_app(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_case(pilot, seeded["case"])
        await press(pilot, "c", "enter", "1", "2")
        # the session dies here: nothing released, the draft stays
    saved = query(db_path, "SELECT data FROM call_drafts")
    assert CallDraft.from_json(saved[0][0]).step is CallStep.LISTEN
    app = make_app(db_path, now=NOW + timedelta(hours=2))  # taken up again two hours later
    async with app.run_test(size=(80, 24)) as pilot:
        await open_case(pilot, seeded["case"])
        assert isinstance(app.screen, ChoiceDialog)
        await press(pilot, "r")  # resume
        draft = checklist(app).draft
        assert draft.step is CallStep.LISTEN and draft.outcome is not None
        await press(pilot, "enter", "1", "enter", "enter", "enter")
    assert len(query(db_path, "SELECT * FROM promises WHERE case_id = ?", seeded["case"])) == 1
    # Both sessions ran on a stopped clock: the two hours between them are neither talk nor work.
    times = query(
        db_path,
        "SELECT talk_seconds, handling_seconds FROM interactions WHERE handling_seconds NOT NULL",
    )
    assert [tuple(row) for row in times] == [(0, 0)]


async def test_an_open_call_is_saved_once_a_minute(db_path: Path, seeded: dict[str, int]) -> None:
    """Typed notes, and when the call was last alive, survive a session killed outright."""
    app = make_app(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_case(pilot, seeded["case"])
        await press(pilot, "c", "enter", "1")
        checklist(app).query_one("#listen-notes", Input).value = "Rappelle après le 15"
        screen._keep_claim()  # the minute's timer
        await settle(pilot)
        kept = CallDraft.from_json(query(db_path, "SELECT data FROM call_drafts")[0][0])
    assert "Rappelle après le 15" in kept.notes


async def test_next_case_skips_cases_held_by_others(db_path: Path, seeded: dict[str, int]) -> None:
    from relance_tui.config import Settings

    conn = connect(db_path)
    assert claim_case(conn, Settings(), seeded["second"], seeded["agent2"], NOW).won
    conn.close()
    app = make_app(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_case(pilot, seeded["case"])
        await press(pilot, "n")
        assert isinstance(app.screen, CaseScreen)
        assert app.screen.case_id == seeded["third"]
    first = query(db_path, "SELECT claimed_by FROM cases WHERE id = ?", seeded["case"])
    assert first[0][0] is None


async def test_invoices_are_paged(db_path: Path) -> None:
    seeded = seed_case_files(db_path, extra_invoices=120)
    app = make_app(db_path)
    async with app.run_test(size=(120, 35)) as pilot:
        screen = await open_case(pilot, seeded["case"])
        await press(pilot, "2")
        table = screen.query_one("#case-invoices")
        assert table.row_count == 50  # type: ignore[attr-defined]
        table.focus()
        await press(pilot, "right", "right")
        assert table.row_count == 23  # type: ignore[attr-defined]


# --- Portfolio ------------------------------------------------------------------------------


async def test_agent_cannot_open_or_find_a_case_outside_the_portfolio(
    db_path: Path, seeded: dict[str, int]
) -> None:
    from relance_tui.tui.palette import CaseSearch

    app = make_app(db_path, login="agent2")  # every case belongs to agent1
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.open_case(seeded["case"])
        await settle(pilot)
        assert not isinstance(app.screen, CaseScreen)  # refused, back on the queue
        assert any("portefeuille" in str(n.message) for n in app._notifications)
        palette = CaseSearch(app.screen)
        await palette.startup()
        assert await palette.find("Boulangerie") == []
        await palette.shutdown()
    holder = query(db_path, "SELECT claimed_by FROM cases WHERE id = ?", seeded["case"])
    assert holder[0]["claimed_by"] is None  # not even claimed


async def test_supervisor_opens_and_finds_any_case(db_path: Path, seeded: dict[str, int]) -> None:
    from relance_tui.tui.palette import CaseSearch

    conn = connect(db_path)
    conn.execute("UPDATE agents SET role = 'supervisor' WHERE login = 'agent2'")
    conn.close()
    app = make_app(db_path, login="agent2")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        palette = CaseSearch(app.screen)
        await palette.startup()
        assert [row.id for row in await palette.find("Boulangerie")] == [seeded["case"]]
        await palette.shutdown()
        await open_case(pilot, seeded["case"])
        assert isinstance(app.screen, CaseScreen)


async def test_the_case_screen_is_reused_and_reset_for_each_case(
    db_path: Path, seeded: dict[str, int]
) -> None:
    from relance_tui.tui.widgets.case_tabs import CaseTabs

    def holder(case_id: int) -> object:
        return query(db_path, "SELECT claimed_by FROM cases WHERE id = ?", case_id)[0][0]

    app = make_app(db_path)
    async with app.run_test(size=(120, 35)) as pilot:
        first = await open_case(pilot, seeded["case"])
        assert holder(seeded["case"]) == seeded["agent1"]
        await press(pilot, "2")  # the invoices tab
        await press(pilot, "c")  # a call started, then given up
        assert first.in_call
        await press(pilot, "escape", "o")
        assert not first.in_call and first.query_one(CaseTabs).active == "tab-invoices"
        await press(pilot, "escape")  # back to the queue: released
        assert not isinstance(app.screen, CaseScreen)
        assert holder(seeded["case"]) is None

        second = await open_case(pilot, seeded["second"])
        assert second is first and app.screen is first  # composed once
        assert first.case_id == seeded["second"] and first.case_file is not None
        assert first.query_one(CaseTabs).active == "tab-summary"
        assert not first.query(CallChecklist) and not first.has_class("-in-call")
        assert holder(seeded["second"]) == seeded["agent1"] and holder(seeded["case"]) is None
        first._active_since_claim = True
        await press(pilot, "escape")
        assert holder(seeded["second"]) is None
        first._keep_claim()  # the claim timer, once the screen is left, takes nothing back
        await settle(pilot)
        assert holder(seeded["second"]) is None


def table_text(screen: CaseScreen, selector: str) -> str:
    from textual.widgets import DataTable

    table: DataTable[object] = screen.query_one(selector, DataTable)
    return "\n".join(
        " ".join(str(cell) for cell in table.get_row_at(row)) for row in range(table.row_count)
    )


async def test_each_tab_shows_the_open_case_when_shown(
    db_path: Path, seeded: dict[str, int]
) -> None:
    app = make_app(db_path)
    async with app.run_test(size=(120, 35)) as pilot:
        screen = await open_case(pilot, seeded["case"])
        await press(pilot, "3")  # contacts
        assert "Claire Martin" in table_text(screen, "#case-contacts")
        await press(pilot, "left_square_bracket")  # invoices
        assert "F-2026-0101" in table_text(screen, "#case-invoices")
        await press(pilot, "escape")

        second = await open_case(pilot, seeded["second"])
        assert second is screen
        await press(pilot, "3")
        contacts = table_text(screen, "#case-contacts")
        assert "Marc Leroy" in contacts and "Claire Martin" not in contacts
        await press(pilot, "2")
        assert "F-2026-0101" not in table_text(screen, "#case-invoices")

        screen.show_case(seeded["case"])  # `n`: the screen stays on while the next case loads
        screen.action_tab("contacts")
        assert table_text(screen, "#case-contacts") == ""  # not Marc Leroy's any more
        await settle(pilot)
        assert "Claire Martin" in table_text(screen, "#case-contacts")


async def test_a_slow_case_is_shown_loading_not_with_the_previous_case(
    db_path: Path, seeded: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from textual.widgets import Static

    from relance_tui.services import casefile
    from relance_tui.tui.screens.case import PRESENT_AFTER
    from relance_tui.tui.widgets.case_tab_bar import CaseTabBar

    load = casefile.load_case_file
    go = threading.Event()

    def slow_load(*args: Any, **kwargs: Any) -> casefile.CaseFile:
        go.wait(5)
        return load(*args, **kwargs)

    app = make_app(db_path)
    async with app.run_test(size=(120, 35)) as pilot:
        screen = await open_case(pilot, seeded["case"])
        await press(pilot, "escape")
        monkeypatch.setattr(casefile, "load_case_file", slow_load)
        app.open_case(seeded["second"])
        await pilot.pause(PRESENT_AFTER + 0.2)
        assert app.screen is screen
        banner = screen.query_one("#case-banner", Static)
        assert str(banner.content) == "Chargement du dossier…"
        assert str(screen.query_one("#case-summary", Static).content) == ""
        assert screen.query_one(CaseTabBar).labels[1] == "Factures"
        go.set()
        await settle(pilot)
        assert "Garage Leroy" in str(banner.content)
