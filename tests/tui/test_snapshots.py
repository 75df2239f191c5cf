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

AT_80x24 = pytest.mark.parametrize("size", [(80, 24)], ids=["80x24"])
AT_BOTH = pytest.mark.parametrize("size", [(80, 24), (120, 35)], ids=["80x24", "120x35"])
NOTES = "Virement annonce par Claire Martin pour vendredi"  # long: shows a field too short
FLAGGED = "Client malhonnete, il ment encore"  # words the notes check finds


Step = Callable[[Pilot[Any]], Awaitable[None]]


def shot(*steps: Step | str) -> Step:
    """The `run_before` of a snapshot: the steps in turn (a string is a key, handled before the
    next step), then the workers waited for and what moves stopped."""

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        for step in steps:
            await (press(pilot, step) if isinstance(step, str) else step(pilot))
        await hold_still(pilot)

    return run_before


def case(case_id: int) -> Step:
    """Open the case (as Enter on the queue)."""

    async def step(pilot: Pilot[Any]) -> None:
        await open_case(pilot, case_id)

    return step


def fill(selector: str, text: str) -> Step:
    """Put the focus on the field and type the text, a key a character."""

    async def step(pilot: Pilot[Any]) -> None:
        pilot.app.screen.query_one(selector).focus()
        await pilot.pause()
        await pilot.press(*text)

    return step


class TestQueue:
    @AT_BOTH
    def test_agent_view(self, snap_compare: Snap, db_path: Path, size: tuple[int, int]) -> None:
        """alice's queue, the cursor on the third (large, strategic) case."""
        seed_queue(db_path)
        app = make_app(db_path, "alice")
        assert snap_compare(app, terminal_size=size, run_before=shot("j", "j"))

    @AT_80x24
    def test_supervisor_view(
        self, snap_compare: Snap, db_path: Path, size: tuple[int, int]
    ) -> None:
        """Everyone's cases, with the agent column."""
        seed_queue(db_path)
        app = make_app(db_path, "chef")
        assert snap_compare(app, terminal_size=size, run_before=shot())


class TestCaseFile:
    @AT_BOTH
    def test_summary(
        self, snap_compare: Snap, db_path: Path, seeded: dict[str, int], size: tuple[int, int]
    ) -> None:
        app = make_app(db_path)
        assert snap_compare(app, terminal_size=size, run_before=shot(case(seeded["case"])))

    @AT_80x24
    @pytest.mark.parametrize(
        ("case_name", "tab"),
        [("case", "2"), ("case", "3"), ("second", "1"), ("second", "5"), ("second", "6"),
         ("second", "7")],
        ids=["invoices", "contacts", "worked-on", "history", "disputes", "commitments"],
    )  # fmt: skip
    def test_tab(
        self,
        snap_compare: Snap,
        db_path: Path,
        seeded: dict[str, int],
        case_name: str,
        tab: str,
        size: tuple[int, int],
    ) -> None:
        """Boulangerie Martin's invoices and contacts; Garage Leroy, worked on for a week."""
        app = make_app(db_path)
        steps = shot(case(seeded[case_name]), tab)
        assert snap_compare(app, terminal_size=size, run_before=steps)


class TestCallChecklist:
    @pytest.mark.parametrize("size", [(120, 35)], ids=["120x35"])
    def test_prepare(
        self, snap_compare: Snap, db_path: Path, seeded: dict[str, int], size: tuple[int, int]
    ) -> None:
        """The first step: whom to call, on which number."""
        app = make_app(db_path)
        assert snap_compare(app, terminal_size=size, run_before=shot(case(seeded["case"]), "c"))

    @AT_80x24
    def test_identify(
        self, snap_compare: Snap, db_path: Path, seeded: dict[str, int], size: tuple[int, int]
    ) -> None:
        """Dialled: who answered?"""
        app = make_app(db_path)
        steps = shot(case(seeded["case"]), "c", "enter")
        assert snap_compare(app, terminal_size=size, run_before=steps)

    @AT_80x24
    def test_listen_with_notes(
        self, snap_compare: Snap, db_path: Path, seeded: dict[str, int], size: tuple[int, int]
    ) -> None:
        """Reached, cash-flow difficulty: notes typed in."""
        app = make_app(db_path)
        steps = shot(case(seeded["case"]), "c", "enter", "1", "2", fill("#listen-notes", NOTES))
        assert snap_compare(app, terminal_size=size, run_before=steps)

    @AT_80x24
    def test_solve_with_a_promise(
        self, snap_compare: Snap, db_path: Path, seeded: dict[str, int], size: tuple[int, int]
    ) -> None:
        """Reached, cash-flow difficulty, no notes: the promise form."""
        app = make_app(db_path)
        steps = shot(case(seeded["case"]), "c", "enter", "1", "2", "enter", "1")
        assert snap_compare(app, terminal_size=size, run_before=steps)

    @AT_80x24
    def test_conclude(
        self, snap_compare: Snap, db_path: Path, seeded: dict[str, int], size: tuple[int, int]
    ) -> None:
        """A promise of the balance in 7 days: what will be saved."""
        app = make_app(db_path)
        keys = ("c", "enter", "1", "2", "enter", "1", "enter", "enter")
        assert snap_compare(app, terminal_size=size, run_before=shot(case(seeded["case"]), *keys))


class TestPromiseDialog:
    @AT_80x24
    def test_notes_typed(
        self, snap_compare: Snap, db_path: Path, seeded: dict[str, int], size: tuple[int, int]
    ) -> None:
        """`p`: amount, date and proof as proposed, notes typed in."""
        app = make_app(db_path)
        steps = shot(case(seeded["case"]), "p", fill("#promise-notes", NOTES))
        assert snap_compare(app, terminal_size=size, run_before=steps)


class TestDisputeDialog:
    @AT_80x24
    def test_fields_typed(
        self, snap_compare: Snap, db_path: Path, seeded: dict[str, int], size: tuple[int, int]
    ) -> None:
        """`d`: the first invoice ticked, a reason typed, the owner as proposed, notes typed."""
        app = make_app(db_path)
        steps = shot(
            case(seeded["case"]),
            "d",
            fill("#dispute-invoices", " "),
            fill("#dispute-reason", "Livraison incomplete"),
            fill("#dispute-notes", NOTES),
        )
        assert snap_compare(app, terminal_size=size, run_before=steps)


class TestCallbackDialog:
    @AT_80x24
    def test_reason_typed(
        self, snap_compare: Snap, db_path: Path, seeded: dict[str, int], size: tuple[int, int]
    ) -> None:
        """`s`: tomorrow's first calling window proposed, a reason typed."""
        app = make_app(db_path)
        steps = shot(case(seeded["case"]), "s", fill("#callback-reason", "Apres la tournee"))
        assert snap_compare(app, terminal_size=size, run_before=steps)


class TestNoteDialog:
    @AT_80x24
    def test_text_typed(
        self, snap_compare: Snap, db_path: Path, seeded: dict[str, int], size: tuple[int, int]
    ) -> None:
        """`e`: an e-mail (choice 1), its text typed."""
        app = make_app(db_path)
        steps = shot(
            case(seeded["case"]), "e", fill("#note-channel", "1"), fill("#note-text", NOTES)
        )
        assert snap_compare(app, terminal_size=size, run_before=steps)

    @AT_80x24
    def test_notes_check_in_place(
        self, snap_compare: Snap, db_path: Path, seeded: dict[str, int], size: tuple[int, int]
    ) -> None:
        """Enter on a text the notes check flags: what it found, under the fields."""
        app = make_app(db_path)
        steps = shot(case(seeded["case"]), "e", fill("#note-text", FLAGGED), "enter")
        assert snap_compare(app, terminal_size=size, run_before=steps)


class TestChoiceDialog:
    @AT_80x24
    def test_discard_the_call(
        self, snap_compare: Snap, db_path: Path, seeded: dict[str, int], size: tuple[int, int]
    ) -> None:
        """Escape in the middle of a call: keep it or throw it away?"""
        app = make_app(db_path)
        steps = shot(case(seeded["case"]), "c", "enter", "1", "escape")
        assert snap_compare(app, terminal_size=size, run_before=steps)


class TestNotesCheckDialog:
    @AT_80x24
    def test_found_on_saving_a_call(
        self, snap_compare: Snap, db_path: Path, seeded: dict[str, int], size: tuple[int, int]
    ) -> None:
        """Saving a call whose notes judge the debtor: the findings, the field to reword."""
        app = make_app(db_path)
        steps = shot(
            case(seeded["case"]),
            *("c", "enter", "1", "2"),
            fill("#listen-notes", FLAGGED),
            *("enter", "1", "enter", "enter", "enter"),
        )
        assert snap_compare(app, terminal_size=size, run_before=steps)


class TestQueueFilters:
    @AT_80x24
    def test_supervisor_filters(
        self, snap_compare: Snap, db_path: Path, seeded: dict[str, int], size: tuple[int, int]
    ) -> None:
        """`f` as a supervisor (an agent field too), a minimum amount typed."""
        app = make_app(db_path, "chef")
        steps = shot("f", fill("#filter-amount", "1 000"))
        assert snap_compare(app, terminal_size=size, run_before=steps)


class TestReassignDialog:
    @AT_80x24
    def test_one_case(
        self, snap_compare: Snap, db_path: Path, seeded: dict[str, int], size: tuple[int, int]
    ) -> None:
        """`t` as a supervisor on the first case of the queue."""
        app = make_app(db_path, "chef")
        assert snap_compare(app, terminal_size=size, run_before=shot("t"))


class TestHelpScreen:
    @AT_80x24
    def test_on_the_queue(
        self, snap_compare: Snap, db_path: Path, seeded: dict[str, int], size: tuple[int, int]
    ) -> None:
        app = make_app(db_path)
        assert snap_compare(app, terminal_size=size, run_before=shot("question_mark"))

    @AT_80x24
    def test_on_a_case(
        self, snap_compare: Snap, db_path: Path, seeded: dict[str, int], size: tuple[int, int]
    ) -> None:
        app = make_app(db_path)
        steps = shot(case(seeded["case"]), "question_mark")
        assert snap_compare(app, terminal_size=size, run_before=steps)


class TestPortfolioOverview:
    @AT_80x24
    def test_supervisor(
        self, snap_compare: Snap, db_path: Path, seeded: dict[str, int], size: tuple[int, int]
    ) -> None:
        """`o` as a supervisor: the whole portfolio."""
        app = make_app(db_path, "chef")
        assert snap_compare(app, terminal_size=size, run_before=shot("o"))


class TestAgenda:
    @AT_80x24
    def test_agent(
        self, snap_compare: Snap, db_path: Path, seeded: dict[str, int], size: tuple[int, int]
    ) -> None:
        """`a`: a callback and a promise check overdue, a callback this afternoon."""
        app = make_app(db_path)
        assert snap_compare(app, terminal_size=size, run_before=shot("a"))
