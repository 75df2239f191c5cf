"""`h` (hold the dunning) and `l` (the letter preview) on the case screen, through to the
database."""

from __future__ import annotations

from pathlib import Path

import pytest
from harness import TODAY, make_app, open_case, press, seed_case_files
from textual.widgets import Static

from relance_tui.config import DunningSettings, Settings
from relance_tui.services.notices import KINDS
from relance_tui.storage.db import connect
from relance_tui.tui.screens.letter import LetterScreen


@pytest.fixture
def seeded(db_path: Path) -> dict[str, int]:
    return seed_case_files(db_path)


async def test_h_holds_the_dunning_until_a_date(db_path: Path, seeded: dict[str, int]) -> None:
    app = make_app(db_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_case(pilot, seeded["case"])
        await press(pilot, "h")
        await pilot.press(*"Client en conges")
        await pilot.press("shift+tab", "end", "ctrl+u", *"15/12/2026")  # not the proposed date
        await press(pilot, "enter", "enter")
    conn = connect(db_path)
    row = conn.execute("SELECT reason, until, created_by FROM dunning_holds").fetchone()
    assert tuple(row) == ("Client en conges", "2026-12-15", "agent1")
    assert (
        conn.execute("SELECT count(*) FROM audit_events WHERE action = 'dunning.hold'").fetchone()[
            0
        ]
        == 1
    )


async def test_l_previews_the_letter_and_enter_produces_it(
    db_path: Path, tmp_path: Path, seeded: dict[str, int]
) -> None:
    settings = Settings(dunning=DunningSettings(letters_dir=str(tmp_path / "letters")))
    app = make_app(db_path, settings=settings)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_case(pilot, seeded["case"])
        await press(pilot, "l")
        screen = app.screen
        assert isinstance(screen, LetterScreen) and screen.kind is not None
        first = screen.kind
        for _ in KINDS:  # every kind is named in words, never by its code
            shown = str(screen.query_one("#letter-kind", Static).render())
            assert screen.kind not in shown and "letter.kinds" not in shown, shown
            await press(pilot, "k")
        await press(pilot, "k")
        assert screen.kind != first
        await press(pilot, "enter")
        assert screen.produced
        await press(pilot, "escape")
    conn = connect(db_path)
    row = conn.execute(
        "SELECT channel, letter_kind, notes FROM interactions WHERE letter_kind IS NOT NULL"
        " ORDER BY id DESC LIMIT 1"
    ).fetchone()
    assert row["channel"] == "letter" and row["letter_kind"] == screen.kind
    assert Path(row["notes"]).exists() and TODAY.isoformat() in row["notes"]


async def test_p_records_a_promise_received_in_writing(
    db_path: Path, seeded: dict[str, int]
) -> None:
    app = make_app(db_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_case(pilot, seeded["case"])
        await press(pilot, "p", "enter", "enter", "enter")  # amount, date, proof as proposed
        await pilot.press(*"oui")  # received in writing (the proposed "non" selected)
        await press(pilot, "enter", "enter")
    conn = connect(db_path)
    written = conn.execute(
        "SELECT written_on FROM promises WHERE case_id = ?", (seeded["case"],)
    ).fetchall()
    assert [row[0] for row in written] == [TODAY.isoformat()]


async def test_w_waives_the_case_penalties_for_a_supervisor_only(
    db_path: Path, seeded: dict[str, int]
) -> None:
    for login, case in (("agent1", seeded["third"]), ("chef", seeded["case"])):
        app = make_app(db_path, login)
        async with app.run_test(size=(100, 30)) as pilot:
            await open_case(pilot, case)
            await press(pilot, "w")
            dialog = app.screen
            await pilot.press(*"Geste commercial")
            await press(pilot, "enter")
            if login == "agent1":  # refused by the service, said in the dialog
                error = str(dialog.query_one("#dialog-error", Static).render())
                assert "superviseurs" in error, error
            else:
                assert app.screen is not dialog  # saved and closed
    conn = connect(db_path)
    rows = conn.execute(
        "SELECT case_id, created_by, reason, interest_cents + indemnity_cents FROM penalty_waivers"
    ).fetchall()
    assert rows and {tuple(r)[:3] for r in rows} == {(seeded["case"], "chef", "Geste commercial")}
    assert all(r[3] > 0 for r in rows)
    waived = conn.execute("SELECT count(*) FROM audit_events WHERE action = 'penalties.waive'")
    assert waived.fetchone()[0] == 1
