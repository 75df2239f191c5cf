"""The agent's day on a case, driven by the keyboard: the dialogs show what is typed, every way
out of a call asks first, disputes tick plainly, history entries open whole, amounts in French,
the penalties note said once."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from harness import NOW, SETTINGS, TODAY, make_app, open_case, press, seeding, settle
from textual.containers import Vertical
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import DataTable, Input, Label, Static

from relance_tui.formatting import money
from relance_tui.services import casework
from relance_tui.services.casefile import HistoryKind
from relance_tui.storage.db import connect
from relance_tui.tui.app import RelanceApp
from relance_tui.tui.dialogs.choice import ChoiceDialog
from relance_tui.tui.dialogs.notes_check import NotesCheckDialog
from relance_tui.tui.dialogs.record import RecordDialog
from relance_tui.tui.screens.case import CaseScreen
from relance_tui.tui.widgets.case_tabs import CaseTabs
from relance_tui.tui.widgets.field_row import FieldRow
from relance_tui.tui.widgets.fields import amount_text, parse_amount


def query(db_path: Path, sql: str, *params: object) -> list[sqlite3.Row]:
    conn = connect(db_path, migrate_schema=False)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def focused_id(app: RelanceApp) -> str | None:
    return app.focused.id if app.focused is not None else None


# --- Point 2: the dialogs show every field ---------------------------------------------------


DIALOG_FIRST_FIELDS = {
    "p": "promise-amount",
    "s": "callback-at",
    "d": "dispute-invoices",
    "e": "note-channel",
}


@pytest.mark.parametrize("size", [(120, 35), (80, 24)], ids=["120x35", "80x24"])
async def test_dialog_fields_show_their_label_and_value(
    db_path: Path, seeded: dict[str, int], size: tuple[int, int]
) -> None:
    app = make_app(db_path)
    async with app.run_test(size=size) as pilot:
        screen = await open_case(pilot, seeded["case"])
        for key, first in DIALOG_FIRST_FIELDS.items():
            await press(pilot, key)
            dialog = app.screen
            assert isinstance(dialog, RecordDialog)
            assert focused_id(app) == first  # where the agent types first
            rows = list(dialog.query(FieldRow))
            assert rows
            box = dialog.query_one(".dialog", Vertical).region
            for row in rows:
                label = row.query_one(Label)
                field = row.query_one(Input)
                assert label.content_region.width >= len(str(label.content)), label
                assert field.content_region.height == 1, field
                assert field.content_region.width > len(field.value), field
                assert box.contains_region(field.region)
            if key == "s":  # the proposed callback, shown
                assert dialog.query_one("#callback-at", Input).value.startswith(
                    (TODAY + timedelta(days=1)).strftime("%d/%m/%Y")
                )
            await press(pilot, "escape")
            assert app.screen is screen


async def test_the_notes_check_dialog_is_centred(db_path: Path, seeded: dict[str, int]) -> None:
    app = make_app(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_case(pilot, seeded["case"])
        await press(pilot, "c", "enter", "1", "2")
        await pilot.press(*"client malhonnete")
        await press(pilot, "enter", "1", "enter", "enter", "enter")
        assert isinstance(app.screen, NotesCheckDialog)
        box = app.screen.query_one(".dialog").region
        left, right = box.x, 80 - box.right
        assert abs(left - right) <= 1, (left, right)
        assert app.screen.query_one("#reword-notes", Input).content_region.height == 1


# --- Point 3: every way out of a call asks first ----------------------------------------------


async def start_call(pilot: Pilot[Any], case_id: int) -> CaseScreen:
    screen = await open_case(pilot, case_id)
    await press(pilot, "c", "enter", "1")  # reached: at Listen
    assert screen.in_call
    return screen


async def test_keys_that_leave_a_call_ask_first(db_path: Path, seeded: dict[str, int]) -> None:
    app = make_app(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await start_call(pilot, seeded["case"])
        for key in ("o", "a", "n", "q", "palette"):
            if key == "palette":  # a case chosen in ctrl+p
                app.open_case(seeded["second"])
                await settle(pilot)
            else:
                await press(pilot, key)
            assert isinstance(app.screen, ChoiceDialog), key
            assert app.screen.id == "discard-call"
            await press(pilot, "n")  # keep the call: nothing left
            assert app.screen is screen and screen.in_call, key
            assert screen.case_id == seeded["case"]
        await press(pilot, "o", "o")  # the overview, once the call is discarded
        assert type(app.screen).__name__ == "PortfolioScreen" and not screen.in_call
    assert query(db_path, "SELECT * FROM call_drafts") == []
    assert query(db_path, "SELECT * FROM interactions WHERE case_id = ?", seeded["case"]) == []


async def test_a_case_chosen_in_the_palette_mid_call_replaces_it_once_discarded(
    db_path: Path, seeded: dict[str, int]
) -> None:
    app = make_app(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await start_call(pilot, seeded["case"])
        app.open_case(seeded["second"])
        await settle(pilot)
        await press(pilot, "o")  # discard
        assert app.screen is screen and not screen.in_call
        assert screen.case_id == seeded["second"]
    holder = query(db_path, "SELECT claimed_by FROM cases WHERE id = ?", seeded["case"])
    assert holder[0][0] is None  # the case left is released
    assert query(db_path, "SELECT * FROM call_drafts") == []


async def test_quitting_mid_call_asks_then_drops_the_draft(
    db_path: Path, seeded: dict[str, int]
) -> None:
    app = make_app(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await start_call(pilot, seeded["case"])
        await press(pilot, "q")
        assert isinstance(app.screen, ChoiceDialog)
        await press(pilot, "o")
        await settle(pilot)
        assert app.return_code == 0  # quit
    assert query(db_path, "SELECT * FROM call_drafts") == []


# --- Point 6: disputes ------------------------------------------------------------------------


# (Widgets found by id and screens by name: the tests run on the code before these features
# too, and fail there on what they check rather than on an import.)


def check_lines(check_list: Widget) -> list[str]:
    return [check_list.render_line(y).text.strip() for y in range(check_list.size.height)]


async def test_a_dispute_on_the_one_open_invoice_is_ticked_already(
    db_path: Path, seeded: dict[str, int]
) -> None:
    app = make_app(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_case(pilot, seeded["third"])  # Fleurs Dubois: one invoice
        await press(pilot, "d")
        invoices: Any = app.screen.query_one("#dispute-invoices")
        assert len(invoices.selected) == 1
        assert any(line.startswith("[x] F-2026-0121") for line in check_lines(invoices))
        assert focused_id(app) == "dispute-reason"
        await pilot.press(*"Livraison incomplete")
        await press(pilot, "enter", "enter", "enter")  # reason, owner (as proposed), notes
        assert not isinstance(app.screen, RecordDialog)
    disputes = query(db_path, "SELECT reason FROM disputes WHERE case_id = ?", seeded["third"])
    assert [row[0] for row in disputes] == ["Livraison incomplete"]


async def test_dispute_boxes_show_their_state_in_plain_characters_space_ticks_enter_goes_on(
    db_path: Path, seeded: dict[str, int]
) -> None:
    app = make_app(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_case(pilot, seeded["case"])  # three open invoices: none ticked
        await press(pilot, "c", "enter", "1", "4", "enter", "3")  # a dispute, in a call
        invoices: Any = app.screen.query_one("#dispute-invoices")
        assert focused_id(app) == "dispute-invoices" and invoices.selected == []
        await press(pilot, "space", "down", "space", "space", "enter")
        lines = check_lines(invoices)
        assert lines[0].startswith("[x] F-2026-0101")  # no colour needed to tell
        assert lines[1].startswith("[ ] F-2026-0202") and lines[2].startswith("[ ] F-2026-0303")
        assert len(invoices.selected) == 1
        assert focused_id(app) == "dispute-reason"  # Enter went on, ticking nothing


# --- Point 7: a history entry opens whole ------------------------------------------------------

LONG_NOTE = (
    "Difficultés de trésorerie passagères : le gérant attend le règlement de son plus gros "
    "client, prévu en fin de mois, et propose de solder ensuite."
)


async def test_enter_on_a_history_row_shows_the_whole_entry(
    db_path: Path, seeded: dict[str, int]
) -> None:
    with seeding(db_path) as conn:
        assert casework.record_note(
            conn, SETTINGS, seeded["second"], text=LONG_NOTE, agent_login="agent1",
            now=NOW - timedelta(minutes=5),
        ).saved  # fmt: skip
    app = make_app(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_case(pilot, seeded["second"])
        await press(pilot, "5")  # history, newest first: the note
        await press(pilot, "enter")
        assert type(app.screen).__name__ == "HistoryEntryDialog"
        shown = str(app.screen.query_one("#entry-text", Static).render())
        assert LONG_NOTE in shown.replace("\n", " ") and "agent1" in shown
        await press(pilot, "escape")
        assert app.screen is screen


async def test_a_call_entry_shows_its_recap(db_path: Path, seeded: dict[str, int]) -> None:
    app = make_app(db_path)
    async with app.run_test(size=(120, 35)) as pilot:
        await open_case(pilot, seeded["case"])
        await press(pilot, "c", "enter", "1", "2", "enter", "1", "enter", "enter", "enter")
        assert not isinstance(app.screen, CaseScreen)
        screen = await open_case(pilot, seeded["case"])
        await press(pilot, "5")
        history = screen.case_file.history  # type: ignore[union-attr]
        call = next(i for i, entry in enumerate(history) if entry.kind is HistoryKind.CALL)
        screen.query_one("#case-history", DataTable).move_cursor(row=call)
        await press(pilot, "enter")
        assert type(app.screen).__name__ == "HistoryEntryDialog"
        shown = str(app.screen.query_one("#entry-text", Static).render())
        assert "Trésorerie" in shown or "trésorerie" in shown  # the cause
        recap = str(app.screen.query_one("#entry-recap", Static).render())
        assert money(180_000) in recap


# --- Point 12: amounts in French ----------------------------------------------------------------


@pytest.mark.parametrize("typed", ["1234,50", "1 234,50", "1234.50", "1 234,50 €", "1.234,50"])
def test_amounts_typed_the_french_way_or_with_a_point(typed: str) -> None:
    assert parse_amount(typed) == Decimal("1234.50")
    assert amount_text(Decimal("1234.5")) == "1\u202f234,50\u00a0€"


async def test_amount_fields_show_and_take_french_amounts(
    db_path: Path, seeded: dict[str, int]
) -> None:
    app = make_app(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_case(pilot, seeded["case"])
        await press(pilot, "p")
        field = app.screen.query_one("#promise-amount", Input)
        # What is overdue (1 500 €), not the whole balance (1 800 €, one invoice not yet due)
        assert field.value == money(150_000) == "1\u202f500,00\u00a0€"
        await pilot.press(*"1 234,50")  # over the proposed amount (selected)
        await press(pilot, "enter", "enter", "enter", "enter", "enter")
    promises = query(db_path, "SELECT amount_cents FROM promises WHERE case_id = ?", seeded["case"])
    assert [row[0] for row in promises] == [123_450]


async def test_payment_claimed_is_proposed_for_what_is_overdue(
    db_path: Path, seeded: dict[str, int]
) -> None:
    app = make_app(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_case(pilot, seeded["case"])
        await press(pilot, "c", "enter", "1", "3", "enter", "4")  # oversight; payment claimed
        overdue = screen.case_file.preparation.overdue  # type: ignore[union-attr]
        assert overdue == Decimal("1500.00")  # the invoice not yet due is left out
        assert app.screen.query_one("#claim-amount", Input).value == money(150_000)


# --- Point 13: the penalties estimate, said once -----------------------------------------------


async def test_estimated_penalties_are_said_once_on_the_penalties_line(
    db_path: Path, seeded: dict[str, int]
) -> None:
    app = make_app(db_path)
    async with app.run_test(size=(120, 35)) as pilot:
        screen = await open_case(pilot, seeded["case"])
        summary = str(screen.query_one("#case-summary", Static).render())
        warnings = screen.query_one("#case-warnings", Static)
        assert "estimation" in summary  # the rate table misses a half-year here
        assert "Pénalités" not in str(warnings.render())
        assert not warnings.display  # nothing else to warn about on this case


# --- Point 5: calls that reached nobody ---------------------------------------------------------


async def test_voicemail_takes_notes_and_a_message_left(
    db_path: Path, seeded: dict[str, int]
) -> None:
    app = make_app(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_case(pilot, seeded["case"])
        await press(pilot, "c", "enter", "4")  # voicemail: at Conclude
        assert focused_id(app) == "message-left"
        await press(pilot, "space", "tab")  # a message was left; on to the notes
        assert focused_id(app) == "conclude-notes"
        await pilot.press(*"Rappeler apres 14h")
        await press(pilot, "enter")  # saved
        assert not isinstance(app.screen, CaseScreen)
    rows = query(
        db_path,
        "SELECT outcome, notes, message_left FROM interactions WHERE case_id = ?",
        seeded["case"],
    )
    assert [tuple(row) for row in rows] == [("voicemail", "Rappeler apres 14h", 1)]
    app = make_app(db_path)
    async with app.run_test(size=(120, 35)) as pilot:
        screen = await open_case(pilot, seeded["case"])
        history = screen.case_file.history  # type: ignore[union-attr]
        call = next(entry for entry in history if entry.kind is HistoryKind.CALL)
        assert "Messagerie · message laissé" in call.title


async def test_no_answer_takes_notes_but_no_message(db_path: Path, seeded: dict[str, int]) -> None:
    app = make_app(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_case(pilot, seeded["case"])
        await press(pilot, "c", "enter", "5")  # no answer
        assert not screen.query_one("#message-left").display
        assert focused_id(app) == "conclude-notes"
        await pilot.press(*"Sonne dans le vide")
        await press(pilot, "enter")
    rows = query(
        db_path,
        "SELECT outcome, notes, message_left FROM interactions WHERE case_id = ?",
        seeded["case"],
    )
    assert [tuple(row) for row in rows] == [("no_answer", "Sonne dans le vide", 0)]


async def test_a_callback_to_an_overseas_number_shows_the_local_time(
    db_path: Path, seeded: dict[str, int]
) -> None:
    from harness import debtor_of

    from factories import add_contact

    with seeding(db_path) as conn:  # Fleurs Dubois: a number in Martinique only
        add_contact(conn, debtor_of(conn, seeded["third"]), name="Léa Dubois",
                    role="decision_maker", phones=["0596 61 23 45"])  # fmt: skip
    app = make_app(db_path)
    async with app.run_test(size=(120, 35)) as pilot:
        screen = await open_case(pilot, seeded["third"])
        await press(pilot, "c", "enter", "5")  # no answer: a callback proposed
        info = str(screen.query_one("#conclude-info", Static).render())
        draft = screen.query_one("#call").draft  # type: ignore[attr-defined]
        local = draft.callback.due_at.astimezone(ZoneInfo("America/Martinique"))
        paris = draft.callback.due_at.astimezone(ZoneInfo("Europe/Paris"))
        assert paris.strftime("%d/%m/%Y %H:%M") in info and "heure de Paris" in info
        assert f"{local:%H:%M} heure locale (Martinique)" in info
        save = screen.query_one("#call-save")
        save.focus()
        await press(pilot, "right_square_bracket")  # a tab shown beside the call (wide)…
        assert screen.query_one("#case-tabs", CaseTabs).active != "tab-summary"
        assert app.focused is save  # …leaves the focus in the call
        await press(pilot, "escape", "o", "s")  # the call given up; a callback outside a call
        note = str(app.screen.query_one("#callback-local", Static).render())
        assert "heure locale (Martinique)" in note
