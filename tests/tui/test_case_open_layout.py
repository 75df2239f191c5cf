"""Opening a case costs one layout of its screen, and the tab bar drawn by one widget answers
like Textual's tabs did (←/→ on the bar, a click on a label, the line under the shown tab).

The layout count is structure, not timing: a second layout of the whole screen per case came
back every time a widget's new size was set through Textual's reactive (the summary, one line
longer or shorter from one case to the next) or the tab bar was made of a dozen widgets that
each laid out again on a relabel.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from harness import make_app, open_case, press, settle
from textual.containers import VerticalScroll

from relance_tui.i18n import t
from relance_tui.tui.screens import case as case_module
from relance_tui.tui.widgets.case_tab_bar import CaseTabBar
from relance_tui.tui.widgets.case_tabs import TAB_KEYS, TABS, CaseTabs
from relance_tui.tui.widgets.fitted_table import FittedTable


def table_text(table: FittedTable) -> str:
    return "\n".join(
        " ".join(str(cell) for cell in table.get_row_at(row)) for row in range(table.row_count)
    )


def lit_columns(bar: CaseTabBar) -> tuple[int, int]:
    """The columns of the bright part of the line under the labels."""
    lit = bar.get_component_rich_style("case-tab-bar--bar").color
    x, columns = 0, []
    for segment in bar.render_line(1):
        if segment.style is not None and segment.style.color == lit:
            columns += range(x, x + len(segment.text))
        x += len(segment.text)
    return columns[0], columns[-1] + 1


# A warning line on both cases, or on the second only: the case body one line shorter. (At
# 80×24 that also shortens the summary's scrollbar, which Textual lays out once more.)
@pytest.mark.parametrize(
    ("size", "before", "after"),
    [((120, 35), "second", "third"), ((80, 24), "second", "third"), ((120, 35), "case", "second")],
)
async def test_opening_another_case_lays_the_screen_out_once(
    db_path: Path,
    seeded: dict[str, int],
    monkeypatch: pytest.MonkeyPatch,
    size: tuple[int, int],
    before: str,
    after: str,
) -> None:
    # A slow machine must not show the case "loading" first (that is a layout of its own).
    monkeypatch.setattr(case_module, "PRESENT_AFTER", 30.0)
    app = make_app(db_path)
    async with app.run_test(size=size) as pilot:
        screen = await open_case(pilot, seeded[before])
        summary = screen.query_one("#case-summary")
        first_height = summary.size.height
        await press(pilot, "escape")

        layouts: list[Any] = []
        refresh_layout = screen._refresh_layout

        def counted(*args: Any, **kwargs: Any) -> None:
            layouts.append(args)
            refresh_layout(*args, **kwargs)

        monkeypatch.setattr(screen, "_refresh_layout", counted)
        assert await open_case(pilot, seeded[after]) is screen
        assert summary.size.height != first_height  # the summary changed height…
        assert len(layouts) == 1  # …in the one layout that showed the case
        # The summary scrolls over all of its lines (its size set without a second layout).
        scroll = screen.query_one("#summary-scroll", VerticalScroll)
        room = scroll.scrollable_content_region.height
        assert scroll.max_scroll_y == max(0, summary.size.height - room)
        assert scroll.show_vertical_scrollbar == (summary.size.height > scroll.size.height)


async def test_the_tab_bar_switches_tabs_by_keys_and_clicks(
    db_path: Path, seeded: dict[str, int]
) -> None:
    app = make_app(db_path)
    async with app.run_test(size=(120, 35)) as pilot:
        screen = await open_case(pilot, seeded["second"])
        tabs = screen.query_one(CaseTabs)
        bar = screen.query_one(CaseTabBar)
        case = screen.case_file
        assert case is not None
        assert app.focused is bar  # as Textual's tabs were: the first to take the focus
        invoices = f"{t(TAB_KEYS['invoices'])} ({len(case.invoices)})"
        assert bar.labels[TABS.index("invoices")] == invoices
        spans = bar.spans()
        start, end = spans[0]
        assert lit_columns(bar) == (start + 1, end - 1)  # under "Résumé", not its padding

        await press(pilot, "right")
        assert tabs.active == "tab-invoices" and app.focused is bar
        assert "F-2026-0112" in table_text(screen.query_one("#case-invoices", FittedTable))
        start, end = spans[1]
        assert lit_columns(bar) == (start + 1, end - 1)
        await press(pilot, "left", "left")  # round the end: the last tab
        assert tabs.active == "tab-commitments"
        assert table_text(screen.query_one("#case-commitments", FittedTable))

        start, end = spans[TABS.index("contacts")]
        await pilot.click(CaseTabBar, offset=(start + 2, 0))
        await settle(pilot)
        assert tabs.active == "tab-contacts"
        assert "Marc Leroy" in table_text(screen.query_one("#case-contacts", FittedTable))
        await pilot.click(CaseTabBar, offset=(spans[0][0] + 1, 1))  # on the line under a label
        await settle(pilot)
        assert tabs.active == "tab-summary"
