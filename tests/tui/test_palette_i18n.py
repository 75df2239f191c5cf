"""Textual's own words in the agent's language: the command palette, its system commands, key
names in the footer and help screen, the ctrl+c hint."""

from __future__ import annotations

from pathlib import Path

from harness import make_app, settle, wait_until
from textual.command import CommandInput, CommandList, CommandPalette
from textual.pilot import Pilot

from relance_tui import i18n
from relance_tui.tui.app import RelanceApp
from relance_tui.tui.screens.help import HelpScreen

SIZE = (120, 35)


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
    await settle(pilot)
    await pilot.press("ctrl+p")
    await wait_until(
        pilot, lambda: isinstance(app.screen, CommandPalette) and len(listed(app)) >= 3
    )


async def test_the_palette_speaks_french(db_path: Path, seeded: dict[str, int]) -> None:
    app = make_app(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_palette(app, pilot)
        placeholder = str(app.screen.query_one(CommandInput).placeholder)
        commands = listed(app)
        await pilot.press(*"zzqx")
        await wait_until(pilot, lambda: "Aucun résultat" in listed(app))
        nothing_found = listed(app)
    assert placeholder.startswith("Chercher un dossier")
    # no Screenshot, no Maximize
    assert sorted(commands) == [
        "Encaissements à rapprocher", "Quitter", "Relances du jour (superviseurs)", "Thème",
        "Touches",
    ]  # fmt: skip
    assert nothing_found == ["Aucun résultat"]


async def test_the_palette_in_english(db_path: Path, seeded: dict[str, int]) -> None:
    i18n.set_language("en")  # conftest puts French back
    app = make_app(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_palette(app, pilot)
        placeholder, commands = str(app.screen.query_one(CommandInput).placeholder), listed(app)
    assert placeholder.startswith("Search a case")
    assert sorted(commands) == [
        "Bank credits to match", "Keys", "Quit", "Theme", "Today's dunning (supervisors)",
    ]  # fmt: skip


async def test_keys_opens_the_help_screen_with_french_key_names(
    db_path: Path, seeded: dict[str, int]
) -> None:
    app = make_app(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_palette(app, pilot)
        await pilot.press(*"Touches")
        await wait_until(pilot, lambda: listed(app)[:1] == ["Touches"])
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        assert isinstance(app.screen, HelpScreen)
        keys = dict((description, shown) for shown, description in app.screen.keys)
    # Each key with its own label (not the footer's "Bas/haut" for j): issue 11, point 9.
    assert keys["Bas"] == "j / ↓" and keys["Haut"] == "k / ↑"
    assert keys["Premier dossier"] == "g / Début"
    assert keys["Dernier dossier"] == "G / Fin"
    assert keys["Page suivante"] == "Pg suiv"
    assert keys["Page précédente"] == "Pg préc"
    assert not any("/" in label for label in keys)


async def test_the_theme_picker_speaks_french(db_path: Path, seeded: dict[str, int]) -> None:
    app = make_app(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_palette(app, pilot)
        await pilot.press(*"Thème")
        await wait_until(pilot, lambda: listed(app)[:1] == ["Thème"])
        await pilot.press("enter")
        await wait_until(
            pilot,
            lambda: (
                isinstance(app.screen, CommandPalette)
                and "thème" in str(app.screen.query_one(CommandInput).placeholder)
            ),
        )
        assert str(app.screen.query_one(CommandInput).placeholder) == "Chercher un thème…"


async def test_ctrl_c_says_in_french_which_key_quits(db_path: Path, seeded: dict[str, int]) -> None:
    app = make_app(db_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+c")
        await pilot.pause()
        shown = [(n.title, n.message) for n in app._notifications]
    hints = [message for title, message in shown if title == "Quitter ?"]
    assert hints == ["Ctrl+C ne quitte pas : appuyez sur q pour quitter l'application."]
