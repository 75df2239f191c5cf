"""The queue screen, driven with Pilot on a real SQLite file and a fixed clock."""

from __future__ import annotations

import sqlite3
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from harness import NOW, SETTINGS, TODAY, make_app, seed_queue, seeding, settle, wait_until
from rich.cells import cell_len
from rich.segment import Segment
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

from factories import add_agent
from relance_tui.services import queue, ranking
from relance_tui.storage.db import connect, transaction
from relance_tui.tui.app import RelanceApp
from relance_tui.tui.dialogs.queue_filters import QueueFilterScreen, parse_euros
from relance_tui.tui.screens.help import HelpScreen
from relance_tui.tui.screens.queue import QueueScreen
from relance_tui.tui.widgets.queue_row_text import claimed_text, fit, layout_columns
from relance_tui.tui.widgets.queue_table import QueueTable
from relance_tui.tui.widgets.score_panel import ScorePanel


def table_of(app: RelanceApp) -> QueueTable:
    return app.screen.query_one(QueueTable)


def expected_order(path: Path, agent_id: int | None) -> list[int]:
    conn = connect(path)
    try:
        query = queue.build_query(conn, queue.QueueFilters(agent_id=agent_id))
        return [row.id for row in queue.page_after(conn, query, None, 100_000)]
    finally:
        conn.close()


async def test_opens_on_my_portfolio_urgent_first(db_path: Path) -> None:
    ids = seed_queue(db_path)
    app = make_app(db_path, "alice")
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        table = table_of(app)
        assert table.total == 4  # Bob's case is not in Alice's portfolio
        assert [table.pager.row(i).id for i in range(4)] == [  # type: ignore[union-attr]
            ids["callback"],
            ids["promise"],
            ids["big"],
            ids["small"],
        ]
        title = str(app.screen.query_one("#queue-title").render())
        assert "alice" in title and "4 dossiers" in title and "2 urgents" in title
        panel = app.screen.query_one(ScorePanel)
        assert panel.row is not None and panel.row.id == ids["callback"]
        await pilot.press("j", "j")
        assert table.cursor == 2
        assert panel.row is not None and panel.row.id == ids["big"]
        text = str(panel.describe(panel.row))
        assert "montant" in text and "%" in text and "Grands Travaux" in text
        await pilot.press("k")
        assert table.cursor == 1


async def test_score_panel_lines_are_textual_text_layout(db_path: Path) -> None:
    """The panel builds its text's lines itself (Line API): they must be the strips Textual
    would make from `describe()`, segment for segment, wide and compact, with or without
    wrapping."""
    from textual.visual import Visual, visualize

    seed_queue(db_path)
    app = make_app(db_path, "alice")
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        table = table_of(app)
        panel = app.screen.query_one(ScorePanel)
        rows = [table.pager.row(index) for index in range(table.total)]
        assert rows[0] is not None
        long_name = rows[0]._replace(debtor_name="Très Long Nom de Débiteur " * 3)
        for size in ((120, 35), (80, 24), (140, 40)):
            await pilot.resize_terminal(*size)
            await pilot.pause()
            width, height = panel._frame().text_size
            for row in [*rows, long_name, None]:
                panel.row = row
                expected = [  # as the ANSI → truecolor filter leaves them on screen
                    panel.truecolor_strip(strip)
                    for strip in Visual.to_strips(
                        panel,
                        visualize(panel, panel.describe(row), markup=False),
                        width,
                        height,
                        panel.visual_style,
                    )
                ]
                drawn = panel._text_lines(width, height)
                assert [segments for segments, _ in drawn] == [list(strip) for strip in expected]
                assert [cells for _, cells in drawn] == [strip.cell_length for strip in expected]


def cells(strips: list[Strip]) -> list[list[Segment]]:
    return [list(strip) for strip in strips]


def drawn_by_textual(widget: Widget, crop: Region) -> list[list[Segment]]:
    """The widget's lines as Textual's own pass draws them, from scratch (no cache)."""
    from textual._styles_cache import StylesCache

    return cells(StylesCache().render_widget(widget, crop))


async def test_scrollbar_repaints_the_cells_that_change(db_path: Path) -> None:
    from relance_tui.tui.widgets.row_scrollbar import RowScrollBar

    seed_queue(db_path, bulk=3000)
    app = make_app(db_path, "alice")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        bar = app.screen.query_one(RowScrollBar)
        table = table_of(app)
        assert bar.display and bar.region.x == table.region.right  # beside the rows
        for key in ["pagedown"] * 12 + ["G", "pageup", "pageup", "g", "j", "j"]:
            await pilot.press(key)
            await settle(pilot)
            region = Region(0, 0, *bar.size)
            shown = cells(bar.render_lines(region))  # what the incremental repaints left
            bar._forget()
            fresh = drawn_by_textual(bar, region)
            assert shown == fresh, key
        thumb_at_top = fresh
        await pilot.press("G")
        await settle(pilot)
        assert cells(bar.render_lines(region)) != thumb_at_top


async def test_table_and_panel_lines_are_what_textuals_css_pass_would_make(db_path: Path) -> None:
    """The table and the panel skip Textual's CSS pass when it has nothing to do: their lines
    must be the ones that pass makes (cursor, urgent rows, header, loading and blank lines)."""
    from relance_tui.tui.widgets.finished_lines import plain_styles

    seed_queue(db_path, bulk=40)
    app = make_app(db_path, "alice")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        table = table_of(app)
        panel = app.screen.query_one(ScorePanel)
        assert plain_styles(table) and plain_styles(panel)
        for key in ["j", "pagedown", "G"]:
            await pilot.press(key)
            await settle(pilot)
            for widget in (table, panel):
                width, height = widget.size
                for crop in (Region(0, 0, width, height), Region(3, 1, 20, height - 1)):
                    fast = cells(widget.render_lines(crop))
                    assert fast == drawn_by_textual(widget, crop), (key, crop)
        table.styles.padding = (0, 1)  # something for the CSS pass to do: it is done
        await settle(pilot)
        assert not plain_styles(table)
        assert table.render_lines(Region(0, 0, *table.size))[1].text.startswith(" ")


async def test_score_panel_draws_its_rule_and_padding_as_a_css_border_would(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The panel draws its rule and padding itself (cheaper than a CSS border or a container):
    cell for cell what Textual draws for the same text with `border-left: vkey $primary;
    padding: 0 1` (wide) or `border-top: hkey $primary; padding: 0 1` (narrow)."""
    from textual.color import Color
    from textual.geometry import Size

    from relance_tui.tui.widgets.score_panel import Frame

    seed_queue(db_path, bulk=40)
    app = make_app(db_path, "alice")
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        panel = app.screen.query_one(ScorePanel)
        primary = Color.parse(app.get_css_variables()["primary"])
        for size, border, edge in (
            ((120, 35), "border_left", "vkey"),
            ((80, 24), "border_top", "hkey"),
        ):
            await pilot.resize_terminal(*size)
            await settle(pilot)
            await pilot.press("j")  # an urgent case, then an ordinary one
            await settle(pilot)
            for _ in range(2):
                await pilot.press("j")
                await settle(pilot)
                full = Region(0, 0, *panel.size)
                ours = cells(panel.render_lines(full))
                assert ours[0 if border == "border_left" else 1][0].text in ("▏", " ")

                def no_frame() -> Frame:
                    width, height = panel.frame_size
                    background = panel._blank_style()
                    blank = Strip.blank(width, background)
                    return Frame((), (), (), blank, background, Size(width, height))

                with monkeypatch.context() as patched:
                    patched.setattr(panel, "_frame", no_frame)
                    setattr(panel.styles, border, (edge, primary))
                    panel.styles.padding = (0, 1)
                    await settle(pilot)
                    assert panel.outer_size == full.size  # the same box, drawn by Textual
                    assert drawn_by_textual(panel, full) == ours, (size, panel.row)
                    panel.styles.clear_rule(border)
                    panel.styles.clear_rule("padding")
                    await settle(pilot)


async def test_score_panel_rule_follows_the_theme(db_path: Path) -> None:
    from textual.color import Color

    seed_queue(db_path)
    app = make_app(db_path, "alice")
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        panel = app.screen.query_one(ScorePanel)
        for theme in ("gruvbox", "textual-light"):
            app.theme = theme
            await settle(pilot)
            rule = panel.render_lines(Region(0, 0, *panel.size))[0]._segments[0]
            primary = Color.parse(app.get_css_variables()["primary"])
            assert rule.text == "▏" and rule.style is not None and rule.style.color is not None
            assert rule.style.color.triplet == primary.rich_color.triplet, theme


async def drag(pilot: Any, widget: Widget, start: tuple[int, int], end: tuple[int, int]) -> None:
    """Press the mouse button at `start`, move to `end`, release (a text selection)."""
    await pilot.mouse_down(widget, offset=start)
    await pilot.hover(widget, offset=end)
    await pilot.mouse_up(widget, offset=end)
    await pilot.pause()


async def test_mouse_selects_text_in_the_score_panel(db_path: Path) -> None:
    seed_queue(db_path)
    app = make_app(db_path, "alice")
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        panel = app.screen.query_one(ScorePanel)
        assert panel.row is not None and panel.row.debtor_name == "Rappel Urgent SARL"
        # Wide: the text starts after the rule and one column of padding.
        await drag(pilot, panel, (2, 1), (7, 1))
        assert app.screen.get_selected_text() == "Rappel"
        line = list(panel.render_line(1))
        assert [segment.text for segment in line[:3]] == ["▏", " ", "Rappel"]
        selected = line[2].style
        assert selected is not None and selected.bgcolor != line[3].style.bgcolor  # type: ignore[union-attr]
        app.screen.clear_selection()
        await pilot.pause()
        assert [segment.text for segment in panel.render_line(1)][2] == "Rappel Urgent SARL"
        # Narrow: under the rule, after one column of padding.
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        await drag(pilot, panel, (1, 1), (8, 1))
        assert app.screen.get_selected_text() == "Pourquoi"


async def test_mouse_scrolls_the_rows(db_path: Path) -> None:
    from textual.events import MouseScrollDown

    from relance_tui.tui.widgets.row_scrollbar import RowScrollBar

    seed_queue(db_path, bulk=3000)
    app = make_app(db_path, "alice")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = table_of(app)
        bar = app.screen.query_one(RowScrollBar)
        table.post_message(MouseScrollDown(table, 5, 5, 0, 1, 0, False, False, False))
        await settle(pilot)
        assert table.top == 3 and table.cursor == 0  # the wheel moves the view, not the cursor
        await pilot.click(bar, offset=(0, bar.size.height - 1))  # below the thumb: a page
        await settle(pilot)
        assert table.cursor == table.visible_rows  # a page down: the cursor comes on screen
        assert table.top <= table.cursor < table.top + table.visible_rows
        # Dragging the thumb down the bar shows the end of the queue; back up, where it was.
        bottom = bar.size.height - 1
        before = table.top
        await pilot.mouse_down(bar, offset=(0, 0))
        await pilot.hover(bar, offset=(0, bottom))
        await pilot.mouse_up(bar, offset=(0, bottom))
        await settle(pilot)
        assert table.top > 0.9 * table.max_top
        assert table.pager.row(table.top) is not None  # the rows there were read
        await pilot.mouse_down(bar, offset=(0, bottom))
        await pilot.hover(bar, offset=(0, 0))
        await pilot.mouse_up(bar, offset=(0, 0))
        await settle(pilot)
        assert table.top == before


async def test_paging_to_the_end_of_a_long_queue(db_path: Path) -> None:
    ids = seed_queue(db_path, bulk=3000)
    order = expected_order(db_path, ids["alice"])
    app = make_app(db_path, "alice")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = table_of(app)
        assert table.total == len(order) == 3004
        await pilot.press("G")
        await settle(pilot)
        assert table.cursor == 3003
        assert table.current_row is not None and table.current_row.id == order[-1]
        # Rows on screen at the end are the last ones of the queue, read backwards.
        top = table.top
        shown = [table.pager.row(i) for i in range(top, 3004)]
        assert [row.id for row in shown if row] == order[top:]
        assert len(table.pager.cached_pages()) <= 3  # nothing like the whole queue in memory
        await pilot.press("pageup")
        await settle(pilot)
        assert table.current_row is not None
        assert table.current_row.id == order[table.cursor]
        await pilot.press("g")
        await settle(pilot)
        assert table.cursor == 0 and table.current_row is not None
        assert table.current_row.id == order[0]
        for _ in range(3):
            await pilot.press("pagedown")
        await settle(pilot)
        assert table.current_row is not None and table.current_row.id == order[table.cursor]


async def test_search_by_each_key(db_path: Path) -> None:
    ids = seed_queue(db_path)
    app = make_app(db_path, "alice")
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        table = table_of(app)
        for text in ("TRAVAUX de l", "CLI-BIG", "552 100 554", "FAC-2026-0042", "0612345678",
                     "+33 6 12 34 56 78"):  # fmt: skip
            await pilot.press("slash")
            await pilot.pause()
            search = app.screen.query_one("#queue-search")
            assert search.has_focus
            search.value = text  # type: ignore[attr-defined]
            await pilot.press("enter")
            await settle(pilot)
            assert table.total == 1, text
            assert table.current_row is not None and table.current_row.id == ids["big"]
        await pilot.press("slash")
        await pilot.pause()
        await pilot.press("escape")
        await settle(pilot)
        assert table.total == 4


async def test_filters_modal(db_path: Path) -> None:
    seed_queue(db_path)
    app = make_app(db_path, "alice")
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await pilot.pause()
        assert isinstance(app.screen, QueueFilterScreen)
        amount = app.screen.query_one("#filter-amount")
        amount.focus()
        await pilot.pause()
        await pilot.press(*"1001", "enter")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        table = table_of(app)
        assert table.total == 1  # only the 42 000 € case is above 1 001 €
        assert "≥ 1" in str(app.screen.query_one("#queue-title").render())
        await pilot.press("x")
        await settle(pilot)
        assert table.total == 4


async def test_enter_opens_the_case(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ids = seed_queue(db_path)
    app = make_app(db_path, "alice")
    opened: list[int] = []
    monkeypatch.setattr(app, "open_case", lambda case_id, *args: opened.append(case_id))
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        await pilot.press("j", "enter")
        assert opened == [ids["promise"]]


async def test_help_lists_the_keys(db_path: Path) -> None:
    seed_queue(db_path)
    app = make_app(db_path, "alice")
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        listed = dict((description, keys) for keys, description in app.screen.keys)
        for description in ("Chercher", "Filtres", "Ouvrir", "Quitter", "Dernier dossier"):
            assert description in listed, description
        assert "G" in listed["Dernier dossier"]
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, QueueScreen)


async def test_command_palette_finds_a_case(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ids = seed_queue(db_path)
    app = make_app(db_path, "alice")
    opened: list[int] = []
    monkeypatch.setattr(app, "open_case", lambda case_id, *args: opened.append(case_id))
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Promesse du Jour")  # one of Alice's cases (agents find only theirs)
        for _ in range(20):
            await settle(pilot)
            if opened:
                break
            await pilot.press("enter")
        assert opened == [ids["promise"]]


async def test_supervisor_sees_everyone_with_an_agent_column(db_path: Path) -> None:
    seed_queue(db_path)
    app = make_app(db_path, "chef")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = table_of(app)
        assert table.total == 5 and table.show_agent
        assert "agent" in [c.key for c in table._text_of_rows(table.size.width).columns]
        assert "tous les agents" in str(app.screen.query_one("#queue-title").render())


async def test_unknown_agent_and_empty_queue(db_path: Path, tmp_path: Path) -> None:
    seed_queue(db_path)
    app = make_app(db_path, "intrus")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "administrateur" in str(app.screen.query_one("#queue-title").render())
        assert table_of(app).total == 0
    empty = tmp_path / "empty.db"
    with seeding(empty) as conn, transaction(conn):
        add_agent(conn, "alice")
    app = make_app(empty, "alice")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert table_of(app).total == 0
        assert table_of(app).empty_text == "Aucun dossier dans cette file."


async def test_scores_refresh_in_the_background_on_a_new_day(db_path: Path) -> None:
    seed_queue(db_path)
    later = NOW + timedelta(days=1)
    app = make_app(db_path, "alice", now=later)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
    conn = sqlite3.connect(db_path)
    day = conn.execute(
        "SELECT value FROM meta WHERE key = ?", (ranking.META_SCORED_DAY,)
    ).fetchone()
    conn.close()
    assert day[0] == (TODAY + timedelta(days=1)).isoformat()


def test_columns_fit_the_width() -> None:
    for width in (60, 79, 83, 119):
        for show_agent in (False, True):
            columns = layout_columns(width, show_agent=show_agent)
            assert sum(c.width for c in columns) + len(columns) - 1 == width
            assert ("agent" in [c.key for c in columns]) == show_agent


async def test_row_lines_are_as_long_as_they_say(db_path: Path) -> None:
    # Row strips carry the cell length fit() makes instead of measuring the text again.
    seed_queue(db_path)
    app = make_app(db_path, "chef")
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        table = table_of(app)
        rows = [table.pager.row(index) for index in range(table.total)]
        for width in (12, 40, 60, 83, 119):
            for row in rows:
                assert row is not None
                for selected in (False, True):
                    strip = table._row_line(row, table._text_of_rows(width), selected)
                    measured = sum(cell_len(segment.text) for segment in strip)
                    assert strip.cell_length == measured == width


def test_amounts_take_one_cell_a_character() -> None:
    # The amount column is fitted with one_cell=True: money_short must keep to such characters.
    from relance_tui import i18n
    from relance_tui.formatting import money_short

    for language in ("fr", "en"):
        i18n.set_language(language)
        for cents in (0, 99, 100_000, -4_200_000, 123_456_789_00):
            text = money_short(cents)
            assert cell_len(text) == len(text), (language, text)
            assert fit(text, 11, "right", one_cell=True) == fit(text, 11, "right")
    i18n.set_language("fr")


@pytest.mark.parametrize(
    "text",
    ["Établissements Dupré", "Boulangerie Martin", "", "Łódź Œuvre", "東京商事", "Café ☕ SARL"],
)
def test_fit_gives_exactly_the_width_asked(text: str) -> None:
    for width in range(1, 26):
        for align in ("left", "right"):
            fitted = fit(text, width, align)
            assert cell_len(fitted) == width
            if cell_len(text) <= width:
                assert fitted.strip() == text.strip()
            else:
                assert fitted.endswith("…")


def test_parse_euros() -> None:
    assert parse_euros("1 500") == 150_000
    assert parse_euros("1500,50 €") == 150_050
    assert parse_euros("") is None
    with pytest.raises(ValueError):
        parse_euros("abc")
    with pytest.raises(ValueError):
        parse_euros("-3")


async def test_a_case_held_by_another_agent_shows_who_and_since_when(db_path: Path) -> None:
    from relance_tui.services.claims import claim_case

    ids = seed_queue(db_path)
    with seeding(db_path) as conn:
        assert claim_case(conn, SETTINGS, ids["big"], ids["bob"], NOW - timedelta(minutes=3)).won
    app = make_app(db_path, "alice")
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        table = table_of(app)
        shown = {
            row.id: table.render_line(index + 1).text
            for index, row in enumerate(table.pager.row(i) for i in range(table.total))
            if row
        }
        assert " bob · 3 min " in shown[ids["big"]]  # "en cours — bob, 3 min" is too long
        assert "bob" not in shown[ids["small"]]


def test_a_claim_keeps_who_and_since_when_in_its_column() -> None:
    assert claimed_text("bob", 3, 22) == "en cours — bob, 3 min "
    assert claimed_text("bob", 3, 17) == "bob · 3 min      "
    assert claimed_text("superviseur.adjoint", 125, 17) == "superv… · 125 min"
    assert all(cell_len(claimed_text("x" * n, 7, 17)) == 17 for n in range(1, 30))


def test_title_counts_agree_in_number() -> None:
    from relance_tui import i18n

    assert i18n.tn("queue.urgent", 1) == "1 urgent"
    assert i18n.tn("queue.urgent", 0) == "0 urgent"
    assert i18n.tn("queue.cases", 34_556) == "34\u202f556 dossiers"
    i18n.set_language("en")
    assert i18n.tn("queue.cases", 0) == "0 cases"
    assert i18n.tn("queue.cases", 1) == "1 case"


def hold_page_reads(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """Page reads of the queue wait until the returned event is set."""
    import relance_tui.tui.screens.queue as queue_screen

    released = threading.Event()
    read = queue_screen.run_plan

    def held(*args: Any, **kwargs: Any) -> Any:
        assert released.wait(10), "page read held too long"
        return read(*args, **kwargs)

    monkeypatch.setattr(queue_screen, "run_plan", held)
    return released


@pytest.mark.parametrize("reloads", [1, 2])
async def test_a_reload_in_place_keeps_the_rows_on_screen_and_enter_opens_the_row_seen(
    db_path: Path, monkeypatch: pytest.MonkeyPatch, reloads: int
) -> None:
    """After a refresh (or back from a case) the queue is read again: until the new rows
    arrive, the old ones stay drawn and Enter opens the case on the cursor line (a key pressed
    in that moment used to do nothing)."""
    from relance_tui.tui.screens.case import CaseScreen

    ids = seed_queue(db_path)
    app = make_app(db_path, "alice")
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        table = table_of(app)
        await pilot.press("j", "j")
        seen = table.current_row
        assert seen is not None and seen.id == ids["big"]
        before = [table.render_line(y).text for y in range(1, 5)]
        released = hold_page_reads(monkeypatch)
        assert isinstance(app.screen, QueueScreen)
        for _ in range(reloads):  # a second one while the first is still being read
            generation = table._generation
            app.screen._load(keep_cursor=True, refresh_after=False)
            await wait_until(pilot, lambda seen=generation: table._generation != seen)
            await wait_until(pilot, lambda: bool(table._pending))  # read again, held
        assert table.pager.row(table.cursor) is None
        assert [table.render_line(y).text for y in range(1, 5)] == before  # no "loading" lines
        await pilot.press("enter")
        released.set()
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen) and app.screen.case_id == seen.id


async def test_enter_on_a_row_still_being_read_opens_it_when_it_arrives(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from relance_tui.tui.screens.case import CaseScreen

    ids = seed_queue(db_path)
    app = make_app(db_path, "alice")
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        table = table_of(app)
        screen = app.screen
        assert isinstance(screen, QueueScreen)
        for move_away in (True, False):
            released = hold_page_reads(monkeypatch)
            screen._load()  # a new reading from the top (as after a new search)
            generation = table._generation
            await wait_until(
                pilot, lambda seen=generation: table._generation != seen and table._pending
            )
            assert table.current_row is None and "…" in table.render_line(1).text
            await pilot.press("enter")
            if move_away:
                await pilot.press("j")  # the agent moved on: nothing opens
            released.set()
            await settle(pilot)
            monkeypatch.undo()
            if move_away:
                assert app.screen is screen and table.cursor == 1
            else:
                assert isinstance(app.screen, CaseScreen)
                assert app.screen.case_id == ids["callback"]
