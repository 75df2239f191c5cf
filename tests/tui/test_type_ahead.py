"""Keys typed while a case opens wait for it: an agent who knows the way types Enter, c, Enter, 4,
Enter at once (the case, the call, the first number, voicemail, save), and they may arrive in one
read.

The case's claim is made to wait for the write lock (another process holds it), as on a busy
server: without the hold the keys landed on the queue (letters there start a search, Enter opens
another row) or on the case screen still loading.
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from harness import make_app, settle, wait_until
from textual import events

from relance_tui.tui import key_pacing
from relance_tui.tui.dialogs.choice import ChoiceDialog
from relance_tui.tui.screens.case import CaseScreen
from relance_tui.tui.screens.queue import QueueScreen
from relance_tui.tui.widgets.queue_table import QueueTable

TYPED = [("enter", "\r"), ("c", "c"), ("enter", "\r"), ("4", "4"), ("enter", "\r")]


def voicemails(db_path: Path) -> list[int]:
    conn = sqlite3.connect(db_path)
    try:
        rows = conn.execute("SELECT case_id FROM interactions WHERE outcome = 'voicemail'")
        return [int(row[0]) for row in rows]
    finally:
        conn.close()


async def looks_idle_at_once(min_sleep: float = 0, max_sleep: float = 0) -> None:
    """An app on a loaded server, waiting its turn on the CPU, looks idle although its work is
    not done: only the widgets' own queues tell when a key has been handled."""


@pytest.mark.parametrize("server", ["quiet", "writing", "loaded"])
async def test_keys_typed_while_the_case_opens_go_to_the_case(
    db_path: Path, seeded: dict[str, int], server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ "writing": another process is writing, so the claim waits for the write lock."""
    busy = server == "writing"
    if server == "loaded":
        monkeypatch.setattr(key_pacing, "wait_for_idle", looks_idle_at_once)
    app = make_app(db_path)
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(QueueTable)
        await wait_until(pilot, lambda: table.pager.row(0) is not None)
        first = table.pager.row(0)
        assert first is not None
        blocker = sqlite3.connect(db_path, isolation_level=None)
        if busy:
            blocker.execute("BEGIN IMMEDIATE")
        try:
            for key, character in TYPED:  # in one go, as they often arrive over SSH
                app.post_message(events.Key(key, character))
            await asyncio.sleep(0.3)
            if busy:
                assert isinstance(app.screen, QueueScreen) or (
                    isinstance(app.screen, CaseScreen) and app.screen.case_file is None
                )
        finally:
            if busy:
                blocker.execute("ROLLBACK")
            blocker.close()
        await wait_until(pilot, lambda: bool(voicemails(db_path)), seconds=40)
        await settle(pilot)
        assert voicemails(db_path) == [first.id]
        assert isinstance(app.screen, QueueScreen)


async def test_keys_typed_for_a_new_call_do_not_answer_the_draft_question(
    db_path: Path, seeded: dict[str, int]
) -> None:
    """A call left unsaved on the case: the screen asks whether to resume it; keys typed ahead
    (for a new call) are dropped rather than taken as the answer."""
    case_id = seeded["case"]
    app = make_app(db_path)
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        app.open_case(case_id)
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen) and app.screen.in_call
    again = make_app(db_path)
    async with again.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        again.open_case(case_id)
        for key, character in [("a", "a"), ("r", "r")]:  # "abandon", "resume" if taken
            again.post_message(events.Key(key, character))
        await settle(pilot)
        await settle(pilot)
        assert isinstance(again.screen, ChoiceDialog), again.screen
        assert isinstance(again.screen_stack[-2], CaseScreen)
