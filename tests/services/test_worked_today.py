"""A case worked today waits below the cases not yet worked; a call settles the promise it
answers (a refusal breaks the day's promise, a payment claim replaces it); a refusal always
leaves a next action. Through a real SQLite file."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from factories import add_agent, add_contact, add_promise, make_case, paris_noon
from relance_tui.config import Settings
from relance_tui.domain import calls
from relance_tui.domain.calls import CallDraft
from relance_tui.domain.models import CallOutcome, Cause, Stage
from relance_tui.domain.scoring import Urgency
from relance_tui.services import queue, ranking
from relance_tui.services.calls import record_call
from relance_tui.services.casefile import load_case_file
from relance_tui.services.casework import schedule_callback
from relance_tui.services.next_case import next_case
from relance_tui.storage.db import connect, transaction

TODAY = date(2026, 11, 24)
NOW = paris_noon(TODAY)
SETTINGS = Settings()
HOURS = SETTINGS.contact.calling_hours


@pytest.fixture
def conn(db_path: Path) -> sqlite3.Connection:
    return connect(db_path)


@pytest.fixture
def cases(conn: sqlite3.Connection) -> list[int]:
    """agent1's four cases, each with a promise falling due today (urgent), best first."""
    ids = []
    with transaction(conn):
        agent = add_agent(conn, "agent1")
        for n in range(4):
            case = make_case(
                conn,
                TODAY,
                agent_id=agent,
                name=f"Débiteur {n}",
                amount_cents=400_000 - 50_000 * n,
                days_late=90 - 10 * n,
                invoice_number=f"F-{n}",
            )
            debtor = conn.execute("SELECT debtor_id FROM cases WHERE id = ?", (case,)).fetchone()
            add_contact(conn, debtor[0], name=f"Contact {n}", phones=["01 42 68 53 00"])
            add_promise(conn, case, due=TODAY, amount_cents=30_000)
            ids.append(case)
    ranking.refresh_scores(conn, SETTINGS, NOW)
    return [row.id for row in order(conn)]


def order(conn: sqlite3.Connection) -> list[queue.QueueRow]:
    return queue.page_after(conn, queue.build_query(conn, queue.QueueFilters()), None, 100)


def start(conn: sqlite3.Connection, case_id: int, outcome: CallOutcome) -> tuple[CallDraft, object]:
    prep = load_case_file(conn, case_id, now=NOW, settings=SETTINGS).preparation
    draft = calls.begin_identify(calls.start_call(prep, now=NOW))
    return calls.identify(draft, prep, outcome, now=NOW, hours=HOURS), prep


def save(conn: sqlite3.Connection, draft: CallDraft) -> None:
    assert record_call(conn, SETTINGS, draft, agent_login="agent1", now=NOW).saved


def refuse(conn: sqlite3.Connection, case_id: int) -> None:
    draft, prep = start(conn, case_id, CallOutcome.RIGHT_PARTY)
    draft = calls.listen(draft, Cause.CASH_FLOW, "Ne paiera pas.")
    save(conn, calls.conclude(calls.solve_refusal(draft, prep), prep, today=TODAY))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "outcome", [CallOutcome.WRONG_NUMBER, CallOutcome.WRONG_PERSON, CallOutcome.REFUSED]
)
def test_a_case_worked_today_drops_below_the_cases_not_yet_worked(
    conn: sqlite3.Connection, cases: list[int], outcome: CallOutcome
) -> None:
    draft, _ = start(conn, cases[0], outcome)
    save(conn, draft)
    rows = order(conn)
    assert [row.id for row in rows] == [*cases[1:], cases[0]]
    assert rows[-1].urgency == Urgency.WORKED_TODAY
    assert queue.count_queue(conn, queue.build_query(conn, queue.QueueFilters())).urgent == 3
    # Tomorrow it is a case like the others again (its callback due then brings it up).
    ranking.refresh_scores(conn, SETTINGS, NOW + timedelta(days=1))
    assert order(conn)[-1].urgency != Urgency.WORKED_TODAY


def test_refusal_and_payment_claim_drop_the_case_too(
    conn: sqlite3.Connection, cases: list[int]
) -> None:
    refuse(conn, cases[0])
    draft, prep = start(conn, cases[1], CallOutcome.RIGHT_PARTY)
    draft = calls.listen(draft, Cause.OVERSIGHT)
    draft = calls.solve_payment_claimed(draft, amount=Decimal("300"), paid_on=TODAY)
    save(conn, calls.conclude(draft, prep, today=TODAY))  # type: ignore[arg-type]
    assert [row.id for row in order(conn)][:2] == cases[2:]


def test_a_callback_set_for_later_today_brings_the_case_back_then(
    conn: sqlite3.Connection, cases: list[int]
) -> None:
    draft, _ = start(conn, cases[0], CallOutcome.VOICEMAIL)
    save(conn, draft)
    later = NOW + timedelta(hours=3)
    assert schedule_callback(
        conn, SETTINGS, cases[0], due_at=later, agent_login="agent1", now=NOW
    ).saved
    assert order(conn)[-1].id == cases[0]
    queue.refresh_queue(conn, SETTINGS, later - timedelta(minutes=1))
    assert order(conn)[-1].id == cases[0]  # not yet
    queue.refresh_queue(conn, SETTINGS, later)
    assert order(conn)[0].id == cases[0]
    assert order(conn)[0].urgency == Urgency.CALLBACK_DUE


def test_a_refusal_breaks_the_days_promise_with_its_reason(
    conn: sqlite3.Connection, cases: list[int]
) -> None:
    refuse(conn, cases[0])
    status, settled_on = conn.execute(
        "SELECT status, settled_on FROM promises WHERE case_id = ?", (cases[0],)
    ).fetchone()
    assert (status, settled_on) == ("broken", TODAY.isoformat())
    audit = conn.execute(
        "SELECT after, detail FROM audit_events WHERE action = 'promise.broken'"
    ).fetchone()
    assert audit["detail"] == "refusal" and json.loads(audit["after"])["cause"] == "cash_flow"
    broken = conn.execute(
        "SELECT d.promises_broken FROM debtors d JOIN cases c ON c.debtor_id = d.id WHERE c.id = ?",
        (cases[0],),
    ).fetchone()[0]
    assert broken == 1
    action = conn.execute("SELECT next_action FROM cases WHERE id = ?", (cases[0],)).fetchone()[0]
    assert action == Stage.SECOND_REMINDER.value  # the rung after the phone call


def test_a_payment_claim_replaces_the_promise_it_answers(
    conn: sqlite3.Connection, cases: list[int]
) -> None:
    draft, prep = start(conn, cases[0], CallOutcome.RIGHT_PARTY)
    draft = calls.listen(draft, Cause.OVERSIGHT)
    draft = calls.solve_payment_claimed(draft, amount=Decimal("300"), paid_on=TODAY)
    save(conn, calls.conclude(draft, prep, today=TODAY))  # type: ignore[arg-type]
    promises = conn.execute(
        "SELECT id, kind, status FROM promises WHERE case_id = ? ORDER BY id", (cases[0],)
    ).fetchall()
    assert [(row["kind"], row["status"]) for row in promises] == [
        ("promise", "cancelled"),
        ("payment_claimed", "pending"),
    ]
    after = conn.execute(
        "SELECT after FROM audit_events WHERE action = 'promise.cancelled'"
    ).fetchone()[0]
    assert json.loads(after)["replaced_by"] == promises[1]["id"]


@pytest.mark.parametrize(
    "stage", [Stage.FRIENDLY_REMINDER, Stage.FORMAL_NOTICE, Stage.LEGAL_ACTION]
)
def test_a_refusal_never_leaves_the_next_action_empty(
    conn: sqlite3.Connection, cases: list[int], stage: Stage
) -> None:
    with transaction(conn):
        conn.execute("UPDATE cases SET stage = ? WHERE id IN (?, ?)", (stage, *cases[:2]))
    refuse(conn, cases[0])
    draft, _ = start(conn, cases[1], CallOutcome.REFUSED)  # would not talk
    save(conn, draft)
    for case in cases[:2]:
        action = conn.execute("SELECT next_action FROM cases WHERE id = ?", (case,)).fetchone()[0]
        assert action == calls.escalation(stage).value != ""


def test_next_case_walks_from_where_the_case_was_not_where_it_landed(
    conn: sqlite3.Connection, cases: list[int]
) -> None:
    key = order(conn)[0].key
    draft, _ = start(conn, cases[0], CallOutcome.NO_ANSWER)
    save(conn, draft)
    found = next_case(conn, "agent1", after_case_id=cases[0], after_key=key, now=NOW)
    assert found is not None and found.id == cases[1]
    last = next_case(conn, "agent1", after_case_id=cases[3], passed=cases[1:], now=NOW)
    assert last is None  # the only case left was worked today: never offered again
