"""Snapshots of the case screen at 80×24 and 120×35, fixed data and a fixed clock."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from case_data import build, make_app
from textual.pilot import Pilot

Snap = Callable[..., bool]


def _opener(case_id: int, *keys: str) -> Callable[[Pilot[Any]], Any]:
    async def run_before(pilot: Pilot[Any]) -> None:
        app = pilot.app
        await pilot.pause()
        app.open_case(case_id)  # type: ignore[attr-defined]
        for _ in range(3):
            await pilot.pause()
            await app.workers.wait_for_complete()
        for key in keys:
            await pilot.press(key)
            await pilot.pause()
        await app.workers.wait_for_complete()
        app.clear_notifications()
        await pilot.pause()

    return run_before


def test_case_screen_80x24(snap_compare: Snap, db_path: Path) -> None:
    ids = build(db_path)
    app = make_app(db_path)
    assert snap_compare(app, terminal_size=(80, 24), run_before=_opener(ids["case"]))


def test_case_screen_120x35(snap_compare: Snap, db_path: Path) -> None:
    ids = build(db_path)
    app = make_app(db_path)
    assert snap_compare(app, terminal_size=(120, 35), run_before=_opener(ids["case"]))


def test_call_checklist_80x24(snap_compare: Snap, db_path: Path) -> None:
    ids = build(db_path)
    app = make_app(db_path)
    opener = _opener(ids["case"], "c", "enter", "1", "2", "enter", "1")
    assert snap_compare(app, terminal_size=(80, 24), run_before=opener)


def test_call_checklist_120x35(snap_compare: Snap, db_path: Path) -> None:
    ids = build(db_path)
    app = make_app(db_path)
    assert snap_compare(app, terminal_size=(120, 35), run_before=_opener(ids["case"], "c"))
