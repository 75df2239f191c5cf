"""Snapshots of every screen and dialog, on fixed data (harness.py) and a fixed clock.

One class a feature; the id of a test names the terminal size. Text is typed into the fields of
the dialogs: a field too small to show it shows in the picture.

Record again after a change meant to show: `pytest tests/tui/test_snapshots.py -p no:xdist
--snapshot-update` (syrupy, one process: xdist workers would each prune the others' files),
then look at the pictures (`rsvg-convert -o x.png file.svg`) before committing them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from harness import hold_still, make_app, open_case, press, seed_queue, settle
from textual.pilot import Pilot

Snap = Callable[..., bool]
Steps = Callable[[Pilot[Any]], Awaitable[None]]

AT_80x24 = pytest.mark.parametrize("size", [(80, 24)], ids=["80x24"])
AT_BOTH = pytest.mark.parametrize("size", [(80, 24), (120, 35)], ids=["80x24", "120x35"])


def shot(steps: Steps) -> Steps:
    """Run the steps, wait for the workers, and freeze what moves: the screenshot follows."""

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await steps(pilot)
        await hold_still(pilot)

    return run_before


def on_case(case_id: int, *keys: str, typed: str = "") -> Steps:
    """Open the case, press the keys (each handled before the next), type the text."""

    async def steps(pilot: Pilot[Any]) -> None:
        await open_case(pilot, case_id)
        await press(pilot, *keys)
        await pilot.press(*typed)

    return steps


def on_queue(*keys: str, typed: str = "") -> Steps:
    async def steps(pilot: Pilot[Any]) -> None:
        await press(pilot, *keys)
        await pilot.press(*typed)

    return steps


class TestQueue:
    @AT_BOTH
    def test_agent_view(self, snap_compare: Snap, db_path: Path, size: tuple[int, int]) -> None:
        """alice's queue, the cursor on the third (large, strategic) case."""
        seed_queue(db_path)
        app = make_app(db_path, "alice")
        assert snap_compare(app, terminal_size=size, run_before=shot(on_queue("j", "j")))

    @AT_80x24
    def test_supervisor_view(
        self, snap_compare: Snap, db_path: Path, size: tuple[int, int]
    ) -> None:
        """Everyone's cases, with the agent column."""
        seed_queue(db_path)
        app = make_app(db_path, "chef")
        assert snap_compare(app, terminal_size=size, run_before=shot(on_queue()))


class TestCaseFile:
    @AT_BOTH
    def test_summary(
        self, snap_compare: Snap, db_path: Path, seeded: dict[str, int], size: tuple[int, int]
    ) -> None:
        app = make_app(db_path)
        assert snap_compare(app, terminal_size=size, run_before=shot(on_case(seeded["case"])))


class TestCallChecklist:
    @pytest.mark.parametrize("size", [(120, 35)], ids=["120x35"])
    def test_prepare(
        self, snap_compare: Snap, db_path: Path, seeded: dict[str, int], size: tuple[int, int]
    ) -> None:
        """The first step: whom to call, on which number."""
        app = make_app(db_path)
        steps = on_case(seeded["case"], "c")
        assert snap_compare(app, terminal_size=size, run_before=shot(steps))

    @AT_80x24
    def test_solve_with_a_promise(
        self, snap_compare: Snap, db_path: Path, seeded: dict[str, int], size: tuple[int, int]
    ) -> None:
        """Reached, cash-flow difficulty, no notes: the promise form."""
        app = make_app(db_path)
        steps = on_case(seeded["case"], "c", "enter", "1", "2", "enter", "1")
        assert snap_compare(app, terminal_size=size, run_before=shot(steps))
