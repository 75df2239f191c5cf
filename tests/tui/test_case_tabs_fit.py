"""At 80×24 the case file's seven tabs show their whole labels (they used to end "Engageme")."""

from __future__ import annotations

from pathlib import Path

import pytest
from harness import make_app, open_case
from textual.widgets import Tab


@pytest.mark.parametrize("size", [(80, 24), (120, 35)])
async def test_every_case_tab_shows_its_whole_label(
    db_path: Path, seeded: dict[str, int], size: tuple[int, int]
) -> None:
    app = make_app(db_path)
    async with app.run_test(size=size) as pilot:
        await open_case(pilot, seeded["case"])
        tabs = [tab for tab in app.screen.query(Tab) if tab.id and "tab-" in tab.id]
        assert len(tabs) == 7
        for tab in tabs:
            assert tab.region.right <= size[0], (tab.label.plain, tab.region)
            assert tab.content_region.width >= len(tab.label.plain), tab.label.plain
