"""Textual's own words in the agent's language: the command palette, its system commands, key
names in the footer and help screen, the ctrl+c hint."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from case_data import build, make_app
from textual.command import CommandInput, CommandList, CommandPalette
from textual.pilot import Pilot

from relance_tui import i18n
from relance_tui.tui.app import RelanceApp
from relance_tui.tui.screens.help import HelpScreen

SIZE = (120, 35)


async def settle(app: RelanceApp, pilot: Pilot[int]) -> None:
    for _ in range(3):
        await pilot.pause()
        await app.workers.wait_for_complete()
    await pilot.pause()


async def wait_for(pilot: Pilot[int], ready: Callable[[], bool]) -> None:
    """Let the app run until `ready()` (the palette fills its list from async providers)."""
    for _ in range(200):
        if ready():
            return
        await pilot.pause(0.02)
    raise AssertionError("never ready")


def listed(app: RelanceApp) -> list[str]:
    """The palette's entries: each one's first line (the command), or the empty list's text."""
    commands = app.screen.query_one(CommandList)
    shown = []
    for index in range(commands.option_count):
        prompt = commands.get_option_at_index(index).prompt
        text = getattr(prompt, "plain", None) or str(getattr(prompt, "renderable", prompt))
        shown.append(text.splitlines()[0])
    return shown


async def open_palette(app: RelanceApp, pilot: Pilot[int]) -> None:
    await settle(app, pilot)
    await pilot.press("ctrl+p")
    await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette) and len(listed(app)) >= 3)


def run_french_palette(db_path: Path) -> tuple[str, list[str], list[str]]:
    async def run() -> tuple[str, list[str], list[str]]:
        build(db_path)
        app = make_app(db_path)
        async with app.run_test(size=SIZE) as pilot:
            await open_palette(app, pilot)
            placeholder = str(app.screen.query_one(CommandInput).placeholder)
            commands = listed(app)
            await pilot.press(*"zzqx")
            await wait_for(pilot, lambda: "Aucun résultat" in listed(app))
            return placeholder, commands, listed(app)

    return asyncio.run(run())


def test_the_palette_speaks_french(db_path: Path) -> None:
    placeholder, commands, nothing_found = run_french_palette(db_path)
    assert placeholder.startswith("Chercher un dossier")
    assert sorted(commands) == ["Quitter", "Thème", "Touches"]  # no Screenshot, no Maximize
    assert nothing_found == ["Aucun résultat"]


def test_the_palette_in_english(db_path: Path) -> None:
    i18n.set_language("en")  # conftest puts French back

    async def run() -> tuple[str, list[str]]:
        build(db_path)
        app = make_app(db_path)
        async with app.run_test(size=SIZE) as pilot:
            await open_palette(app, pilot)
            return str(app.screen.query_one(CommandInput).placeholder), listed(app)

    placeholder, commands = asyncio.run(run())
    assert placeholder.startswith("Search a case")
    assert sorted(commands) == ["Keys", "Quit", "Theme"]


def test_keys_opens_the_help_screen_with_french_key_names(db_path: Path) -> None:
    async def run() -> list[tuple[str, str]]:
        build(db_path)
        app = make_app(db_path)
        async with app.run_test(size=SIZE) as pilot:
            await open_palette(app, pilot)
            await pilot.press(*"Touches")
            await wait_for(pilot, lambda: listed(app)[:1] == ["Touches"])
            await pilot.press("enter")
            await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
            assert isinstance(app.screen, HelpScreen)
            return app.screen.keys

    keys = dict((description, shown) for shown, description in asyncio.run(run()))
    assert keys["Début/fin"] == "g / Début"
    assert keys["Fin"] == "G / Fin"
    assert keys["Page suiv./préc."] == "PgDn"
    assert keys["Page préc."] == "PgUp"


def test_the_theme_picker_speaks_french(db_path: Path) -> None:
    async def run() -> str:
        build(db_path)
        app = make_app(db_path)
        async with app.run_test(size=SIZE) as pilot:
            await open_palette(app, pilot)
            await pilot.press(*"Thème")
            await wait_for(pilot, lambda: listed(app)[:1] == ["Thème"])
            await pilot.press("enter")
            await wait_for(
                pilot,
                lambda: (
                    isinstance(app.screen, CommandPalette)
                    and "thème" in str(app.screen.query_one(CommandInput).placeholder)
                ),
            )
            return str(app.screen.query_one(CommandInput).placeholder)

    assert asyncio.run(run()) == "Chercher un thème…"


def test_ctrl_c_says_in_french_which_key_quits(db_path: Path) -> None:
    async def run() -> list[tuple[str, str]]:
        build(db_path)
        app = make_app(db_path)
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            await pilot.press("ctrl+c")
            await pilot.pause()
            return [(n.title, n.message) for n in app._notifications]

    hints = [message for title, message in asyncio.run(run()) if title == "Quitter ?"]
    assert hints == ["Ctrl+C ne quitte pas : appuyez sur q pour quitter l'application."]
