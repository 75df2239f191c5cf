"""What the TUI tests share: a fixed clock, the app, waiting for its workers, seeded databases.

The fixtures of conftest.py use these; test modules import them (a conftest module cannot be
imported reliably: every folder's conftest is named `conftest`).

Seeded data is deterministic: fixed dates, and every name or number a screen shows is given
(tests/factories.py numbers what is not given from a counter that depends on the tests run
before in the same process).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input
from textual.worker import WorkerCancelled, WorkerState

from factories import (
    add_agent,
    add_callback,
    add_contact,
    add_interaction,
    add_invoice,
    add_promise,
    bulk_cases,
    make_case,
    paris_noon,
)
from relance_tui.config import Settings
from relance_tui.domain.models import InteractionChannel
from relance_tui.services import casework, ranking
from relance_tui.services.followup import run_followup_if_due
from relance_tui.storage.cases import sync_cases
from relance_tui.storage.db import connect, transaction
from relance_tui.tui.app import RelanceApp
from relance_tui.tui.screens.case import CaseScreen

TODAY = date(2026, 11, 24)  # a Tuesday
NOW = paris_noon(TODAY)  # 12:00 in Paris: inside the calling hours
SETTINGS = Settings()
SETTLE_ROUNDS = 50
WAIT_SECONDS = 10.0  # generous: two cores shared with other test runs


def make_app(
    db_path: Path, login: str = "agent1", *, now: datetime = NOW, settings: Settings = SETTINGS
) -> RelanceApp:
    """The application as `relance` starts it, on a fixed clock."""
    return RelanceApp(db_path=db_path, agent_login=login, settings=settings, clock=lambda: now)


async def settle(pilot: Pilot[Any]) -> None:
    """Wait until no worker is pending or running, and the app has handled what they posted.

    A worker's answer often starts another worker (the queue's pages after its count, a tab's
    table after the case file), so: pause, wait for the running ones, and look again.
    """
    app = pilot.app
    for _ in range(SETTLE_ROUNDS):
        await pilot.pause()
        busy = [w for w in app.workers if w.state in (WorkerState.PENDING, WorkerState.RUNNING)]
        if keys_in_flight(app):  # a key still being paced (tui/key_pacing.py), or waiting
            await pilot.pause(0.01)
            continue
        if not busy:
            return
        running = [w for w in busy if w.state is WorkerState.RUNNING]
        if running:  # (an empty list would mean all of them, the pending ones too)
            with suppress(WorkerCancelled):  # an exclusive worker replaced by a newer one
                await app.workers.wait_for_complete(running)
    raise AssertionError(f"workers still busy after {SETTLE_ROUNDS} rounds: {busy}")


def keys_in_flight(app: Any) -> bool:
    return bool(getattr(app, "_key_busy", False) or getattr(app, "_pending_keys", None))


async def wait_until(
    pilot: Pilot[Any], ready: Callable[[], object], *, seconds: float = WAIT_SECONDS
) -> None:
    """Let the app run until `ready()` holds, for what no worker state tells (a read the test
    holds back, the palette's providers). A deadline, not a delay: it returns once ready."""
    deadline = time.monotonic() + seconds
    while not ready():
        assert time.monotonic() < deadline, f"not ready after {seconds} s"
        await pilot.pause(0.01)


async def press(pilot: Pilot[Any], *keys: str) -> None:
    """Press the keys one by one, each handled before the next, then settle."""
    for key in keys:
        await pilot.press(key)
        await pilot.pause()
    await settle(pilot)


async def open_case(pilot: Pilot[Any], case_id: int) -> CaseScreen:
    """Open the case as Enter on the queue does; its screen once shown (maybe under a dialog)."""
    app = pilot.app
    assert isinstance(app, RelanceApp)
    await settle(pilot)
    app.open_case(case_id)
    await settle(pilot)
    return next(s for s in reversed(app.screen_stack) if isinstance(s, CaseScreen))


async def hold_still(pilot: Pilot[Any]) -> None:
    """Settle, then stop what a screenshot must not catch moving: blinking cursors (shown
    steadily), notifications (they go after a few seconds)."""
    await settle(pilot)
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False
    pilot.app.clear_notifications()
    await pilot.pause()


@contextmanager
def seeding(db_path: Path) -> Iterator[sqlite3.Connection]:
    """A connection to the database (created if new), closed after."""
    conn = connect(db_path)
    try:
        yield conn
    finally:
        conn.close()


def day_started(conn: sqlite3.Connection) -> None:
    """Today's start-of-day work done, as the first agent's app does it: commitments checked
    (promises broken), every case scored. Left to the app, it would run while the test looks
    at the queue, which then shows scores read before or after it."""
    run_followup_if_due(conn, SETTINGS, NOW)
    ranking.refresh_scores(conn, SETTINGS, NOW)


def debtor_of(conn: sqlite3.Connection, case_id: int) -> int:
    return int(conn.execute("SELECT debtor_id FROM cases WHERE id = ?", (case_id,)).fetchone()[0])


# --- The case files: agent1's portfolio -----------------------------------------------------


def seed_case_files(db_path: Path, *, extra_invoices: int = 0) -> dict[str, int]:
    """agent1 and agent2 (agents), chef (supervisor); agent1's three cases:

    - "case": Boulangerie Martin, three invoices (one partly paid, one not yet due) and two
      contacts with phones, nothing else done on it yet;
    - "second": Garage Leroy, worked on already: a call, an e-mail, a promise to check
      yesterday, a callback due this morning, a disputed invoice;
    - "third": Fleurs Dubois, a callback due this afternoon.
    """
    with seeding(db_path) as conn, transaction(conn):
        ids = {
            "agent1": add_agent(conn, "agent1", name="Agent Un"),
            "agent2": add_agent(conn, "agent2", name="Agent Deux"),
            "chef": add_agent(conn, "chef", "supervisor", name="Chef d'équipe"),
        }
        agent1 = ids["agent1"]
        case = ids["case"] = make_case(
            conn, TODAY, days_late=60, amount_cents=120_000, agent_id=agent1,
            invoice_number="F-2026-0101", name="Boulangerie Martin", segment="sme",
            reference="CLI-000101",
        )  # fmt: skip
        debtor = debtor_of(conn, case)
        conn.execute(
            "UPDATE debtors SET siren = '732829320', postal_code = '75011', city = 'Paris',"
            " address = '12 rue Oberkampf', payer_type = 'bad' WHERE id = ?",
            (debtor,),
        )
        conn.execute(
            "UPDATE invoices SET po_reference = 'PO-77', outstanding_cents = 100000,"
            " status = 'partially_paid' WHERE number = 'F-2026-0101'"
        )
        add_invoice(conn, debtor, due=TODAY - timedelta(days=20), amount_cents=50_000,
                    number="F-2026-0202")  # fmt: skip
        add_invoice(conn, debtor, due=TODAY + timedelta(days=10), amount_cents=30_000,
                    number="F-2026-0303")  # fmt: skip
        for n in range(extra_invoices):
            add_invoice(conn, debtor, due=TODAY - timedelta(days=40 + n), amount_cents=1_000,
                        number=f"F-2025-{n:04d}")  # fmt: skip
        add_contact(conn, debtor, name="Claire Martin", role="decision_maker",
                    phones=["01 42 68 53 00", "06 12 34 56 78"])  # fmt: skip
        add_contact(conn, debtor, name="Paul Durand", role="accounts_payable",
                    phones=["06 98 76 54 32"])  # fmt: skip
        second = ids["second"] = make_case(
            conn, TODAY, days_late=30, amount_cents=80_000, agent_id=agent1,
            invoice_number="F-2026-0111", name="Garage Leroy", reference="CLI-000102",
        )  # fmt: skip
        add_invoice(conn, debtor_of(conn, second), due=TODAY - timedelta(days=45),
                    amount_cents=25_000, number="F-2026-0112")  # fmt: skip
        ids["leroy_contact"] = add_contact(
            conn, debtor_of(conn, second), name="Marc Leroy", role="decision_maker",
            phones=["01 45 00 00 01"],
        )  # fmt: skip
        third = ids["third"] = make_case(
            conn, TODAY, days_late=10, amount_cents=20_000, agent_id=agent1,
            invoice_number="F-2026-0121", name="Fleurs Dubois", reference="CLI-000103",
        )  # fmt: skip
        sync_cases(conn, TODAY)
    with seeding(db_path) as conn:
        _work_on_leroy(conn, ids)
        with transaction(conn):
            add_callback(conn, third, due_at=NOW + timedelta(hours=4))
        day_started(conn)
    return ids


def _work_on_leroy(conn: sqlite3.Connection, ids: dict[str, int]) -> None:
    """A week of work on Garage Leroy, recorded as the app records it (services.casework)."""
    case_id, contact = ids["second"], ids["leroy_contact"]
    with transaction(conn):
        add_interaction(
            conn, case_id, at=NOW - timedelta(days=6, hours=2), agent_id=ids["agent1"],
            contact_id=contact, outcome="no_answer",
        )  # fmt: skip
    done = [
        casework.record_note(
            conn, SETTINGS, case_id, agent_login="agent1", now=NOW - timedelta(days=5),
            channel=InteractionChannel.EMAIL, contact_id=contact,
            text="Relevé de compte envoyé à M. Leroy",
        ),
        casework.record_promise(
            conn, SETTINGS, case_id, amount=Decimal("500.00"), agent_login="agent1",
            due_date=TODAY - timedelta(days=1), now=NOW - timedelta(days=4),
            notes="Virement promis par e-mail",
        ),
        casework.record_dispute(
            conn, SETTINGS, case_id, invoice_ids=[_invoice(conn, "F-2026-0112")],
            reason="Pièce facturée non livrée", owner="Service client",
            agent_login="agent1", now=NOW - timedelta(days=3),
        ),
        casework.schedule_callback(
            conn, SETTINGS, case_id, due_at=NOW - timedelta(hours=2), agent_login="agent1",
            now=NOW - timedelta(days=1), contact_id=contact, reason="Après la tournée",
        ),
    ]  # fmt: skip
    assert all(result.saved for result in done), done


def _invoice(conn: sqlite3.Connection, number: str) -> int:
    return int(conn.execute("SELECT id FROM invoices WHERE number = ?", (number,)).fetchone()[0])


# --- The queue: alice's portfolio -----------------------------------------------------------


def seed_queue(db_path: Path, *, bulk: int = 0) -> dict[str, int]:
    """alice's cases, two of them urgent (a callback due, a promise due today), bob's one case,
    chef (supervisor); `bulk` more cases for alice. Scored as the app scores them."""
    with seeding(db_path) as conn, transaction(conn):
        alice = add_agent(conn, "alice", name="Alice Martin")
        bob = add_agent(conn, "bob")
        add_agent(conn, "chef", "supervisor")
        callback = make_case(
            conn,
            TODAY,
            agent_id=alice,
            name="Rappel Urgent SARL",
            reference="CLI-CALL",
            amount_cents=20_000,
            invoice_number="FAC-2026-0001",
        )
        add_callback(conn, callback, due_at=NOW - timedelta(minutes=10))
        promise = make_case(
            conn,
            TODAY,
            agent_id=alice,
            name="Promesse du Jour SAS",
            reference="CLI-PROM",
            invoice_number="FAC-2026-0002",
        )
        add_promise(conn, promise, due=TODAY)
        big = make_case(
            conn,
            TODAY,
            agent_id=alice,
            name="Grands Travaux de l'Ouest",
            reference="CLI-BIG",
            siren="552100554",
            amount_cents=4_200_000,
            days_late=200,
            payer_type="bad",
            segment="large_account",
            strategic=True,
            invoice_number="FAC-2026-0042",
        )
        add_contact(conn, debtor_of(conn, big), name="Jeanne Ouest", phones=["06 12 34 56 78"])
        small = make_case(
            conn,
            TODAY,
            agent_id=alice,
            name="Petit Commerce",
            reference="CLI-SMALL",
            amount_cents=9_000,
            invoice_number="FAC-2026-0003",
        )
        other = make_case(
            conn,
            TODAY,
            agent_id=bob,
            name="Chez Bob",
            reference="CLI-BOB",
            amount_cents=50_000,
            invoice_number="FAC-2026-0004",
        )
        if bulk:
            bulk_cases(conn, bulk, TODAY, agent_id=alice)
    with seeding(db_path) as conn:
        day_started(conn)
    return {
        "alice": alice,
        "bob": bob,
        "callback": callback,
        "promise": promise,
        "big": big,
        "small": small,
        "other": other,
    }
