"""`n` walks the queue as the agent saw it; a case worked today waits below the others.

Driven with Pilot on a real SQLite file and a fixed clock, as an agent works a morning: Enter on
the first case, then `n` from case to case, a call saved in between.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from harness import (
    NOW,
    TODAY,
    day_started,
    debtor_of,
    make_app,
    press,
    seeding,
    settle,
    wait_until,
)
from textual.pilot import Pilot

from factories import add_agent, add_contact, add_promise, make_case
from relance_tui.services import queue
from relance_tui.storage.db import transaction
from relance_tui.tui.app import RelanceApp
from relance_tui.tui.screens.case import CaseScreen
from relance_tui.tui.screens.queue import QueueScreen
from relance_tui.tui.widgets.queue_table import QueueTable

BROKEN = 6  # cases whose promise was broken: urgent until something is recorded on them


def seed_broken_promises(db_path: Path) -> dict[str, list[int]]:
    """alice's portfolio: six cases with a promise broken yesterday (urgent), four quiet ones.
    Every case has a contact to call."""
    with seeding(db_path) as conn, transaction(conn):
        alice = add_agent(conn, "alice", name="Alice Martin")
        broken, quiet = [], []
        for n in range(BROKEN + 4):
            case = make_case(
                conn,
                TODAY,
                agent_id=alice,
                name=f"Débiteur {n:02d}",
                reference=f"CLI-{n:03d}",
                amount_cents=100_000 + 10_000 * n,
                days_late=40 + n,
                invoice_number=f"FAC-{n:04d}",
            )
            add_contact(conn, debtor_of(conn, case), name=f"Contact {n}", phones=["01 42 68 53 00"])
            if n < BROKEN:
                add_promise(conn, case, due=TODAY - timedelta(days=3))
                broken.append(case)
            else:
                quiet.append(case)
    with seeding(db_path) as conn:
        day_started(conn)
    return {"broken": broken, "quiet": quiet}


def queue_order(db_path: Path) -> list[queue.QueueRow]:
    with seeding(db_path) as conn:
        query = queue.build_query(conn, queue.QueueFilters(agent_id=1))
        return queue.page_after(conn, query, None, 1000)


async def queue_shown(pilot: Pilot[Any]) -> None:
    """Settled, with the first rows read (they are read as the table is drawn)."""
    await settle(pilot)
    table = pilot.app.screen.query_one(QueueTable)
    await wait_until(pilot, lambda: table.pager.row(0) is not None)


def current_case(app: RelanceApp) -> int:
    assert isinstance(app.screen, CaseScreen), app.screen
    return app.screen.case_id


async def test_n_walks_the_queue_as_seen_without_skipping(db_path: Path) -> None:
    """The old `n` went on from where the case just left had landed after re-ranking, and
    skipped every case in between (22 broken promises in one try)."""
    seed_broken_promises(db_path)
    seen = [row.id for row in queue_order(db_path)]
    app = make_app(db_path, "alice")
    async with app.run_test(size=(120, 35)) as pilot:
        await queue_shown(pilot)
        await press(pilot, "enter")  # the first row
        walked = [current_case(app)]
        for _ in range(len(seen) - 1):
            await press(pilot, "n")
            walked.append(current_case(app))
        assert walked == seen
        await press(pilot, "n")  # the end: nothing left, the agent is told
        assert current_case(app) == seen[-1]
        assert any("Plus de dossier" in str(n.message) for n in app._notifications)


async def test_n_after_a_saved_call_opens_the_next_case_not_the_one_saved(db_path: Path) -> None:
    ids = seed_broken_promises(db_path)
    seen = [row.id for row in queue_order(db_path)]
    app = make_app(db_path, "alice")
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        await press(pilot, "n")  # nothing opened yet: the top of the queue
        assert current_case(app) == seen[0]
        await press(pilot, "n")
        assert current_case(app) == seen[1]
        await press(pilot, "c", "enter", "4", "enter")  # voicemail, callback tomorrow: saved
        assert isinstance(app.screen, QueueScreen)
        await press(pilot, "n")
        assert current_case(app) == seen[2]
        await press(pilot, "escape")
        table = app.screen.query_one(QueueTable)
        rows = [table.pager.row(i) for i in range(table.total)]
        # The case called today waits at the bottom, marked; the next broken promise leads.
        assert rows[-1] is not None and rows[-1].id == seen[1]
        assert table.render_line(table.total).text.startswith("✓")
        # seen[0] and seen[2] were only opened: their broken promises still wait, on top
        assert [(row.id, row.urgency) for row in rows[:3] if row] == [
            (seen[0], 1),
            (seen[2], 1),
            (seen[3], 1),
        ]
    assert set(seen[:BROKEN]) == set(ids["broken"])


async def test_a_callback_later_today_brings_the_worked_case_back_then(db_path: Path) -> None:
    seed_broken_promises(db_path)
    first = queue_order(db_path)[0].id
    app = make_app(db_path, "alice")
    async with app.run_test(size=(120, 35)) as pilot:
        await queue_shown(pilot)
        await press(pilot, "enter", "c", "enter", "4", "enter")  # voicemail: called back later
    with seeding(db_path) as conn:
        due = conn.execute(
            "SELECT due_at FROM callbacks WHERE case_id = ? AND status = 'pending'", (first,)
        ).fetchone()[0]
        conn.execute("UPDATE callbacks SET due_at = ? WHERE case_id = ?", (
            (NOW + timedelta(hours=2)).isoformat(timespec="seconds"), first))  # fmt: skip
        conn.commit()
        assert due
    assert queue_order(db_path)[-1].id == first  # worked: below the rest until then
    later = make_app(db_path, "alice", now=NOW + timedelta(hours=2, minutes=1))
    async with later.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        table = later.screen.query_one(QueueTable)
        top = table.pager.row(0)
        assert top is not None and top.id == first and top.urgency == 3


CODES = ("check_promise", "callback", "verify_payment", "check_plan")


@pytest.mark.parametrize("size", [(80, 24), (120, 35)])
async def test_the_queue_shows_words_and_whole_numbers(
    db_path: Path, size: tuple[int, int]
) -> None:
    """No casework code in "Prochaine action" (issue 11, point 8); at 80×24 a 503-day delay
    and an eight-digit amount are shown whole, the debtor's name gives way (point 11)."""
    with seeding(db_path) as conn, transaction(conn):
        alice = add_agent(conn, "alice")
        for n, code in enumerate(CODES):
            case = make_case(
                conn, TODAY, agent_id=alice, name=f"Société Anonyme des Travaux Publics {n}",
                amount_cents=1_234_567_890 - n, days_late=503, invoice_number=f"F-{n}",
            )  # fmt: skip
            conn.execute(
                "UPDATE cases SET next_action = ?, next_action_on = '2026-12-01' WHERE id = ?",
                (code, case),
            )
    with seeding(db_path) as conn:
        day_started(conn)
    app = make_app(db_path, "alice")
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        table = app.screen.query_one(QueueTable)
        lines = [table.render_line(y).text for y in range(table.total + 1)]
    text = "\n".join(lines)
    assert not [code for code in CODES if code in text], text
    assert "Retard" in lines[0] and "Échu" in lines[0]
    for line in lines[1:]:
        assert "12\u202f345\u202f679\xa0€" in line and "503 j" in line, line
    assert "Vérifier la prom" in text and "Rappeler" in text
