"""The footer: one widget showing the active screen's keys, clickable, dimmed when disabled."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from harness import NOW, SETTINGS, make_app, open_case, press, settle
from rich.cells import cell_len

from relance_tui import i18n
from relance_tui.services.claims import claim_case
from relance_tui.storage.db import connect
from relance_tui.tui.app import RelanceApp
from relance_tui.tui.dialogs.queue_filters import QueueFilterScreen
from relance_tui.tui.screens.queue import QueueScreen
from relance_tui.tui.widgets.bindings_footer import BindingsFooter

WIDE = (200, 30)  # every key fits


def footer_of(app: RelanceApp) -> BindingsFooter:
    return app.screen.query_one(BindingsFooter)


def shown(app: RelanceApp) -> str:
    return footer_of(app).render().plain


def column_of(app: RelanceApp, entry: str) -> int:
    """The cell where `entry` (a key and its label) starts in the footer line."""
    text = shown(app)
    assert entry in text, (entry, text)
    return cell_len(text[: text.index(entry)])


def dimmed(app: RelanceApp) -> dict[str, bool]:
    """Each label of the painted footer line, and whether it is drawn dim."""
    return {
        segment.text.strip(): bool(segment.style and segment.style.dim)
        for segment in footer_of(app).render_line(0)
        if segment.text.strip()
    }


async def test_queue_footer_is_one_widget_with_the_queue_keys_in_order(
    db_path: Path, seeded: dict[str, int]
) -> None:
    app = make_app(db_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        footer = footer_of(app)
        assert footer.compact and list(footer.children) == []
        keys = (
            "j/k Bas/haut g/G Début/fin Pg suiv/Pg préc Page suiv./préc. ⏎ Ouvrir / Chercher"
            " f Filtres x Effacer r Actualiser n Suivant a Agenda q Quitter ? Aide o Portefeuille "
        )
        assert shown(app).startswith(keys)
        assert shown(app).endswith("▏^p palette")  # the palette key, on the right
        assert len(shown(app)) == WIDE[0]


async def test_case_footer_shows_the_case_keys(db_path: Path, seeded: dict[str, int]) -> None:
    app = make_app(db_path)
    async with app.run_test(size=WIDE) as pilot:
        await open_case(pilot, seeded["case"])
        assert not footer_of(app).compact
        assert shown(app).startswith(
            " Échap Retour  c Appeler  p Promesse  d Litige  s Rappel  e E-mail/note"
            "  n Suivant  a Agenda  ? Aide  o Portefeuille "
        )
        assert shown(app).endswith("▏^p palette ")
        assert not any(dimmed(app).values())


async def test_english_labels(db_path: Path, seeded: dict[str, int]) -> None:
    i18n.set_language("en")  # conftest puts French back
    app = make_app(db_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        keys = "j/k Down/up g/G Top/end PgDn/PgUp Page down/up ⏎ Open / Search"
        assert shown(app).startswith(keys)
        await open_case(pilot, seeded["case"])
        assert shown(app).startswith(" Esc Back  c Call ")
        assert "Bas/haut" not in shown(app) and "Retour" not in shown(app)


async def test_disabled_keys_are_dimmed_and_a_click_on_them_does_nothing(
    db_path: Path, seeded: dict[str, int]
) -> None:
    conn = connect(db_path)
    assert claim_case(
        conn, SETTINGS, seeded["case"], seeded["agent2"], NOW - timedelta(minutes=3)
    ).won
    conn.close()
    app = make_app(db_path)
    async with app.run_test(size=WIDE) as pilot:
        screen = await open_case(pilot, seeded["case"])  # held by agent2: read only
        marks = dimmed(app)
        assert all(marks[label] for label in ("c", "Appeler", "p", "Promesse", "e", "E-mail/note"))
        assert not any(marks[label] for label in ("Échap", "Retour", "n", "Suivant", "^p"))
        await pilot.click(BindingsFooter, offset=(column_of(app, " c Appeler") + 1, 0))
        await settle(pilot)
        assert app.screen is screen and not screen.in_call


async def test_a_click_on_a_key_runs_its_action(db_path: Path, seeded: dict[str, int]) -> None:
    app = make_app(db_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.click(BindingsFooter, offset=(column_of(app, "f Filtres") + 3, 0))
        await settle(pilot)
        assert isinstance(app.screen, QueueFilterScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)

        await open_case(pilot, seeded["case"])
        await pilot.click(BindingsFooter, offset=(column_of(app, " Échap Retour") + 1, 0))
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)


async def test_hover_highlights_one_key(db_path: Path, seeded: dict[str, int]) -> None:
    app = make_app(db_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        footer = footer_of(app)

        def backgrounds() -> dict[str, object]:
            return {
                segment.text.strip(): segment.style and segment.style.bgcolor
                for segment in footer.render_line(0)
                if segment.text.strip()
            }

        before = backgrounds()
        await pilot.hover(BindingsFooter, offset=(column_of(app, "/ Chercher"), 0))
        await pilot.pause()
        after = backgrounds()
        assert {label for label in before if before[label] != after[label]} == {"/", "Chercher"}


async def test_the_footer_is_not_repainted_while_its_keys_stay_the_same(
    db_path: Path, seeded: dict[str, int]
) -> None:
    app = make_app(db_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        footer = footer_of(app)
        render = footer.render
        renders = 0

        def counted() -> Any:
            nonlocal renders
            renders += 1
            return render()

        footer.render = counted  # type: ignore[method-assign]
        for key in ("j", "j", "k", "pagedown", "g"):
            await pilot.press(key)
        await settle(pilot)
        assert renders == 0
        await pilot.press("slash")  # the search box takes the focus: other keys
        await settle(pilot)
        assert renders == 1


@pytest.mark.parametrize("width", [80, 60])
async def test_a_narrow_footer_drops_the_least_useful_keys_never_help_and_quit(
    db_path: Path, seeded: dict[str, int], width: int
) -> None:
    app = make_app(db_path)
    async with app.run_test(size=(width, 24)) as pilot:
        await settle(pilot)
        line = shown(app)
        assert "? Aide" in line and "q Quitter" in line, line
        assert "Bas/haut" not in line  # the moves go first: the agent knows the arrows
        assert line.endswith("▏^p palette") and len(line) == width
        await press(pilot, "question_mark")  # …and `?` lists every key
        listed = [label for _, label in app.screen.keys]  # type: ignore[attr-defined]
        assert "Bas" in listed and "Actualiser" in listed
        if width == 80:  # the whole help fits at 80×24: no scrolling, the closing line shown
            assert app.screen.query_one("#help-keys").max_scroll_y == 0
            closing = app.screen.query_one("#help-close").region
            assert closing.height == 1 and closing.bottom <= 24
            assert "✓ traité aujourd'hui" in str(app.screen.query_one(".help-note").render())
