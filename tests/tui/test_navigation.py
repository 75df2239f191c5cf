"""Getting around: every screen goes back with Esc, ctrl+p finds a case from every screen, and
nothing leaves a call half done. Driven with Pilot on a real SQLite file."""

from __future__ import annotations

from pathlib import Path

import pytest
from harness import make_app, open_case, press, settle, wait_until
from textual import events
from textual.command import CommandList, CommandPalette

from relance_tui.tui.app import RelanceApp
from relance_tui.tui.screens.case import CaseScreen
from relance_tui.tui.screens.queue import QueueScreen

SCREENS = {
    "agenda": ["a"],
    "overview": ["o"],
    "help": ["question_mark"],
    "filters": ["f"],
}


async def go(pilot: object, app: RelanceApp, where: str, seeded: dict[str, int]) -> None:
    if where == "case":
        await open_case(pilot, seeded["case"])  # type: ignore[arg-type]
    elif where != "queue":
        await press(pilot, *SCREENS[where])  # type: ignore[arg-type]


@pytest.mark.parametrize("where", list(SCREENS))
async def test_every_screen_goes_back_with_escape(
    db_path: Path, seeded: dict[str, int], where: str
) -> None:
    app = make_app(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await go(pilot, app, where, seeded)
        assert not isinstance(app.screen, QueueScreen), where
        await press(pilot, "escape")
        assert isinstance(app.screen, QueueScreen), (where, app.screen)


@pytest.mark.parametrize("where", ["queue", "case", *SCREENS])
async def test_ctrl_p_finds_and_opens_a_case_from_every_screen(
    db_path: Path, seeded: dict[str, int], where: str
) -> None:
    app = make_app(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await go(pilot, app, where, seeded)
        await press(pilot, "ctrl+p")
        assert isinstance(app.screen, CommandPalette), where
        await pilot.press(*"Fleurs")

        def found() -> bool:
            hits = app.screen.query_one(CommandList)
            return hits.option_count > 0 and "Fleurs" in str(hits.get_option_at_index(0).prompt)

        await wait_until(pilot, found)
        await press(pilot, "down", "enter")
        assert isinstance(app.screen, CaseScreen), (where, app.screen_stack)
        assert app.screen.case_id == seeded["third"]
        await press(pilot, "escape")  # back where the agent was (the help is closed)
        assert not isinstance(app.screen, CaseScreen)


async def test_nothing_leaves_a_call_half_done(db_path: Path, seeded: dict[str, int]) -> None:
    app = make_app(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_case(pilot, seeded["case"])
        await press(pilot, "c", "enter")
        assert screen.in_call
        for leave in ("o", "a", "n"):  # each asks first (as Esc does); "n" (no): keep the call
            await press(pilot, leave)
            assert app.screen.id == "discard-call", leave
            await press(pilot, "n")
            assert app.screen is screen and screen.in_call  # the overview does not open either
        app.open_case(seeded["third"])  # a case chosen in the palette
        await settle(pilot)
        assert app.screen.id == "discard-call"
        await press(pilot, "n")
        assert app.screen is screen and screen.case_id == seeded["case"] and screen.in_call


async def test_a_screen_opened_and_left_at_once_does_not_crash_the_app(
    db_path: Path, seeded: dict[str, int]
) -> None:
    """`o` then Esc typed in one go: Textual's Header, on the overview then, failed to find its
    title once the screen was gone, and the app ended with a traceback."""
    app = make_app(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for _ in range(5):
            for key in ("o", "escape"):
                app.post_message(events.Key(key, None))
        # All ten arrive before the first is handled: the nine others wait their turn.
        await wait_until(pilot, lambda: app._pending_keys is not None)
        await wait_until(pilot, lambda: not app._pending_keys and not app._key_busy)
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
