"""Snapshots of every screen and dialog, on fixed data (harness.py) and a fixed clock.

One class a feature; a test's id names the terminal size. Text is typed into the fields of the
dialogs: a field too small to show it shows in the picture.

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

Step = Callable[[Pilot[Any]], Awaitable[None]]
Snap = Callable[..., bool]

AT_80x24 = pytest.mark.parametrize("size", [(80, 24)], ids=["80x24"])
AT_BOTH = pytest.mark.parametrize("size", [(80, 24), (120, 35)], ids=["80x24", "120x35"])
NOTES = "Virement annonce par Claire Martin pour vendredi"  # long: shows a field too short
FLAGGED = "Client malhonnete, il ment encore"  # words the notes check finds


@pytest.fixture
def snap(snap_compare: Snap, db_path: Path, size: tuple[int, int]) -> Snap:
    """`snap(*steps, login="agent1")`: the app started by `login` on the test's database, the
    steps taken (a string is a key), compared with the recorded picture at the test's size."""

    def take(*steps: Step | str, login: str = "agent1") -> bool:
        app = make_app(db_path, login)
        return snap_compare(app, terminal_size=size, run_before=run_before(steps))

    return take


def run_before(steps: tuple[Step | str, ...]) -> Step:
    async def run(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        for step in steps:
            await (press(pilot, step) if isinstance(step, str) else step(pilot))
        await hold_still(pilot)

    return run


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
    def test_agent_view(self, snap: Snap, db_path: Path) -> None:
        """alice's queue, the cursor on the third (large, strategic) case."""
        seed_queue(db_path)
        assert snap("j", "j", login="alice")

    @AT_80x24
    def test_supervisor_view(self, snap: Snap, db_path: Path) -> None:
        """Everyone's cases, with the agent column."""
        seed_queue(db_path)
        assert snap(login="chef")


class TestCaseFile:
    @AT_BOTH
    def test_summary(self, snap: Snap, seeded: dict[str, int]) -> None:
        assert snap(case(seeded["case"]))

    @AT_80x24
    @pytest.mark.parametrize(
        ("case_name", "tab"),
        [("case", "2"), ("case", "3"), ("second", "1"), ("second", "5"), ("second", "6"),
         ("second", "7")],
        ids=["invoices", "contacts", "worked-on", "history", "disputes", "commitments"],
    )  # fmt: skip
    def test_tab(self, snap: Snap, seeded: dict[str, int], case_name: str, tab: str) -> None:
        """Boulangerie Martin's invoices and contacts; Garage Leroy, worked on for a week."""
        assert snap(case(seeded[case_name]), tab)


class TestCallChecklist:
    @pytest.mark.parametrize("size", [(120, 35)], ids=["120x35"])
    def test_prepare(self, snap: Snap, seeded: dict[str, int]) -> None:
        """The first step: whom to call, on which number."""
        assert snap(case(seeded["case"]), "c")

    @AT_80x24
    def test_identify(self, snap: Snap, seeded: dict[str, int]) -> None:
        """Dialled: who answered?"""
        assert snap(case(seeded["case"]), "c", "enter")

    @AT_80x24
    def test_listen_with_notes(self, snap: Snap, seeded: dict[str, int]) -> None:
        """Reached, cash-flow difficulty: notes typed in."""
        assert snap(case(seeded["case"]), "c", "enter", "1", "2", fill("#listen-notes", NOTES))

    @AT_80x24
    def test_solve_with_a_promise(self, snap: Snap, seeded: dict[str, int]) -> None:
        """Reached, cash-flow difficulty, no notes: the promise form."""
        assert snap(case(seeded["case"]), "c", "enter", "1", "2", "enter", "1")

    @AT_80x24
    def test_conclude(self, snap: Snap, seeded: dict[str, int]) -> None:
        """A promise of the balance in 7 days: what will be saved."""
        keys = ("c", "enter", "1", "2", "enter", "1", "enter", "enter")
        assert snap(case(seeded["case"]), *keys)


class TestPromiseDialog:
    @AT_BOTH
    def test_notes_typed(self, snap: Snap, seeded: dict[str, int]) -> None:
        """`p`: amount, date and proof as proposed, notes typed in."""
        assert snap(case(seeded["case"]), "p", fill("#promise-notes", NOTES))


class TestCallNotReached:
    @AT_80x24
    def test_voicemail_conclude(self, snap: Snap, seeded: dict[str, int]) -> None:
        """Voicemail: a message left (ticked), notes typed, the callback proposed."""
        keys = ("c", "enter", "4", "space")
        assert snap(case(seeded["case"]), *keys, fill("#conclude-notes", NOTES))


class TestHistoryEntry:
    @AT_80x24
    def test_callback_entry(self, snap: Snap, seeded: dict[str, int]) -> None:
        """Enter on Garage Leroy's newest history row: the whole entry."""
        assert snap(case(seeded["second"]), "5", "enter")


class TestDisputeDialog:
    @AT_80x24
    def test_fields_typed(self, snap: Snap, seeded: dict[str, int]) -> None:
        """`d`: the first invoice ticked, a reason typed, the owner as proposed, notes typed."""
        assert snap(
            case(seeded["case"]),
            "d",
            fill("#dispute-invoices", " "),
            fill("#dispute-reason", "Livraison incomplete"),
            fill("#dispute-notes", NOTES),
        )


class TestCallbackDialog:
    @AT_80x24
    def test_reason_typed(self, snap: Snap, seeded: dict[str, int]) -> None:
        """`s`: tomorrow's first calling window proposed, a reason typed."""
        assert snap(case(seeded["case"]), "s", fill("#callback-reason", "Apres la tournee"))


class TestNoteDialog:
    @AT_80x24
    def test_text_typed(self, snap: Snap, seeded: dict[str, int]) -> None:
        """`e`: an e-mail (choice 1), its text typed."""
        assert snap(
            case(seeded["case"]), "e", fill("#note-channel", "1"), fill("#note-text", NOTES)
        )

    @AT_80x24
    def test_notes_check_in_place(self, snap: Snap, seeded: dict[str, int]) -> None:
        """Enter on a text the notes check flags: what it found, under the fields."""
        assert snap(case(seeded["case"]), "e", fill("#note-text", FLAGGED), "enter")


class TestChoiceDialog:
    @AT_80x24
    def test_discard_the_call(self, snap: Snap, seeded: dict[str, int]) -> None:
        """Escape in the middle of a call: keep it or throw it away?"""
        assert snap(case(seeded["case"]), "c", "enter", "1", "escape")


class TestNotesCheckDialog:
    @AT_80x24
    def test_found_on_saving_a_call(self, snap: Snap, seeded: dict[str, int]) -> None:
        """Saving a call whose notes judge the debtor: the findings, the field to reword."""
        assert snap(
            case(seeded["case"]),
            *("c", "enter", "1", "2"),
            fill("#listen-notes", FLAGGED),
            *("enter", "1", "enter", "enter", "enter"),
        )


class TestQueueFilters:
    @AT_80x24
    def test_supervisor_filters(self, snap: Snap, seeded: dict[str, int]) -> None:
        """`f` as a supervisor (an agent field too), a minimum amount typed."""
        assert snap("f", fill("#filter-amount", "1 000"), login="chef")


class TestReassignDialog:
    @AT_80x24
    def test_one_case(self, snap: Snap, seeded: dict[str, int]) -> None:
        """`t` as a supervisor on the first case of the queue."""
        assert snap("t", login="chef")


class TestHelpScreen:
    @AT_80x24
    def test_on_the_queue(self, snap: Snap, seeded: dict[str, int]) -> None:
        assert snap("question_mark")

    @AT_80x24
    def test_on_a_case(self, snap: Snap, seeded: dict[str, int]) -> None:
        assert snap(case(seeded["case"]), "question_mark")


class TestPortfolioOverview:
    @AT_80x24
    def test_supervisor(self, snap: Snap, seeded: dict[str, int]) -> None:
        """`o` as a supervisor: the whole portfolio."""
        assert snap("o", login="chef")


class TestAgenda:
    @AT_80x24
    def test_agent(self, snap: Snap, seeded: dict[str, int]) -> None:
        """`a`: a callback and a promise check overdue, a callback this afternoon."""
        assert snap("a")
