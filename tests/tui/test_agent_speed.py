"""The agent's speed, in keys pressed from the queue back to the queue with everything saved.

Each test presses exactly the keys it counts (the typed values apart), from the queue as the app
starts: the first row is Garage Leroy (a callback due this morning, a promise to check).
"""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from harness import TODAY, make_app, press, settle
from textual.pilot import Pilot

from relance_tui.storage.db import connect
from relance_tui.tui.app import RelanceApp
from relance_tui.tui.screens.case import CaseScreen
from relance_tui.tui.screens.queue import QueueScreen
from relance_tui.tui.widgets.queue_table import QueueTable


def query(db_path: Path, sql: str, *params: object) -> list[sqlite3.Row]:
    conn = connect(db_path, migrate_schema=False)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


async def on_the_queue(pilot: Pilot[Any]) -> int:
    """The id of the case on the queue's first row (the cursor's), once the queue is shown."""
    await settle(pilot)
    app = pilot.app
    assert isinstance(app, RelanceApp) and isinstance(app.screen, QueueScreen)
    row = app.screen.query_one(QueueTable).pager.row(0)
    assert row is not None
    return row.id


async def keys(pilot: Pilot[Any], *pressed: str) -> int:
    """Press the keys; how many were pressed."""
    await press(pilot, *pressed)
    return len(pressed)


async def typed(pilot: Pilot[Any], text: str) -> None:
    """A value typed (its characters are not counted as keys)."""
    await pilot.press(*text)


async def test_voicemail_and_callback_at_the_suggested_time_in_5_keys(
    db_path: Path, seeded: dict[str, int]
) -> None:
    app = make_app(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        case_id = await on_the_queue(pilot)
        # open, call, dial the proposed number, voicemail, save with the proposed callback
        count = await keys(pilot, "enter", "c", "enter", "4", "enter")
        assert count <= 5
        assert isinstance(app.screen, QueueScreen)  # back on the queue
        # the next case: one key
        assert await keys(pilot, "n") == 1
        assert isinstance(app.screen, CaseScreen) and app.screen.case_id != case_id
    calls = query(db_path, "SELECT outcome FROM interactions WHERE case_id = ?"
                  " AND channel = 'call' AND outcome = 'voicemail'", case_id)  # fmt: skip
    assert len(calls) == 1
    callbacks = query(
        db_path,
        "SELECT due_at FROM callbacks WHERE case_id = ? AND status = 'pending'",
        case_id,
    )
    assert len(callbacks) == 1 and callbacks[0][0][:10] == (TODAY + timedelta(days=1)).isoformat()
    assert query(db_path, "SELECT * FROM call_drafts") == []


async def test_a_call_ending_in_a_promise_in_12_keys_besides_the_values(
    db_path: Path, seeded: dict[str, int]
) -> None:
    pay_on = date(2026, 11, 30)
    app = make_app(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        case_id = await on_the_queue(pilot)
        # open, call, dial, right party, cash-flow difficulty, no notes, promise
        count = await keys(pilot, "enter", "c", "enter", "1", "2", "enter", "1")
        await typed(pilot, "500")  # the amount, over the one proposed
        count += await keys(pilot, "enter")
        await typed(pilot, pay_on.strftime("%d/%m/%Y"))  # the date
        count += await keys(pilot, "enter", "enter")  # to Conclude, then save
        assert count <= 12
        assert isinstance(app.screen, QueueScreen)
        assert await keys(pilot, "n") == 1  # the next case
        assert isinstance(app.screen, CaseScreen) and app.screen.case_id != case_id
    promises = query(
        db_path,
        "SELECT amount_cents, due_date FROM promises WHERE case_id = ? AND status = 'pending'",
        case_id,
    )
    assert (50_000, pay_on.isoformat()) in [tuple(row) for row in promises]
    assert query(db_path, "SELECT * FROM call_drafts") == []
