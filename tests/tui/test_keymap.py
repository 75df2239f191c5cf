"""`[keymap]` in config.toml: the remapped keys work, the old ones no longer do, the footer and
the help screen show the keys in force; a mistake in the keymap is refused with its name."""

from __future__ import annotations

from pathlib import Path

import pytest
from harness import make_app, settle
from textual.widgets import Input

from relance_tui.cli import main
from relance_tui.config import ConfigError, load_settings
from relance_tui.tui.app import RelanceApp
from relance_tui.tui.keymap import checked_keymap, default_keys, normalize_keys
from relance_tui.tui.screens.case import CaseScreen
from relance_tui.tui.screens.help import HelpScreen
from relance_tui.tui.screens.queue import QueueScreen
from relance_tui.tui.widgets.bindings_footer import BindingsFooter

REMAP = """\
[keymap]
"queue.search" = "ctrl+f"
"app.help" = "f1"
"help.close" = "escape,f1"
"app.palette" = "ctrl+k"
"""


def write_config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def footer(app: RelanceApp) -> str:
    return app.screen.query_one(BindingsFooter).render().plain


def search_box(app: RelanceApp) -> Input | None:
    return next(iter(app.screen.query("#queue-search").results(Input)), None)


async def test_remapped_keys_work_and_are_shown(
    db_path: Path, tmp_path: Path, seeded: dict[str, int]
) -> None:
    settings = load_settings(write_config(tmp_path, REMAP))
    app = make_app(db_path, settings=settings)
    async with app.run_test(size=(200, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        line = footer(app)
        assert "^f Chercher" in line and "/ Chercher" not in line
        assert "f1 Aide" in line and "? Aide" not in line
        assert line.endswith("▏^k palette")  # the palette key, moved too

        await pilot.press("slash", "question_mark")  # the old keys do nothing now
        await pilot.pause()
        assert search_box(app) is None and isinstance(app.screen, QueueScreen)

        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        listed = {description: keys for keys, description in app.screen.keys}
        assert listed["Chercher"] == "^f" and listed["Aide"] == "f1"
        assert listed["Filtres"] == "f"  # not remapped: its default key
        assert "Échap / f1" in str(app.screen.query_one("#help-close").render())
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, QueueScreen)

        await pilot.press("ctrl+f")
        await pilot.pause()
        box = search_box(app)
        assert box is not None and box.has_focus
        await pilot.press("escape")

        app.open_case(seeded["case"])
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
        assert "f1 Aide" in footer(app) and "? Aide" not in footer(app)


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ('"queue.serch" = "ctrl+f"', r"keymap\.queue\.serch: .*queue\.search.*README\.md"),
        ('"queue.search" = "ctrl+foo"', r"keymap\.queue\.search: .*ctrl\+foo"),
        ('"queue.search" = "hyperspace"', r"keymap\.queue\.search: .*hyperspace"),
        ('"queue.search" = "f, "', r"keymap\.queue\.search: "),
        # one screen, one key: `f` is the queue's filters, `c` the case's call
        ('"queue.search" = "f"', r"keymap\.queue\.search: f .*queue\.filters"),
        ('"app.help" = "c"', r"keymap\.app\.help: c .*case\.call"),
        ('"case.next_page" = "up"', r"keymap\.case\.next_page: up .*cursor_up"),
    ],
)
def test_a_bad_keymap_is_refused_with_its_name(tmp_path: Path, text: str, named: str) -> None:
    settings = load_settings(write_config(tmp_path, f"[keymap]\n{text}\n"))
    with pytest.raises(ConfigError, match=named):
        checked_keymap(settings.keymap)


def test_keys_are_given_textual_names() -> None:
    assert (
        normalize_keys("?, F5 ,ctrl+S,G,+,alt+?")
        == "question_mark,f5,ctrl+s,G,plus,alt+question_mark"
    )
    # A key moved off another one frees it: swapping two keys of one screen is no conflict.
    swapped = {"queue.search": "f", "queue.filters": "slash"}
    assert checked_keymap(swapped) == swapped
    # The same id on the app and on the case screen (`n`) moves both, without a conflict.
    assert checked_keymap({"app.next_case": "m"}) == {"app.next_case": "m"}
    assert default_keys()["app.next_case"] == "n"


def test_the_app_refuses_a_bad_keymap_before_it_starts(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_config(tmp_path, '[keymap]\n"queue.serch" = "ctrl+f"\n')
    assert main(["--db", str(db_path), "--config", str(path)]) == 2
    error = capsys.readouterr().err
    assert str(path) in error and "keymap.queue.serch" in error
    assert not db_path.exists()  # refused before the database was opened
    with pytest.raises(ConfigError, match=r"keymap\.queue\.serch"):
        make_app(db_path, settings=load_settings(path))
