"""Recording outside a call: promises, disputes, callbacks, notes and drafts."""

import sqlite3
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from factories import add_agent, add_contact, add_invoice, make_case, paris_noon
from relance_tui.config import Settings
from relance_tui.domain import calls
from relance_tui.domain.models import InteractionChannel
from relance_tui.services.calls import discard_call_draft, load_call_draft, save_call_draft
from relance_tui.services.casefile import load_case_file
from relance_tui.services.casework import (
    record_dispute,
    record_note,
    record_promise,
    schedule_callback,
)
from relance_tui.services.claims import claim_case
from relance_tui.services.queue import refresh_scores
from relance_tui.storage.db import connect, transaction

TODAY = date(2026, 11, 24)
NOW = paris_noon(TODAY)
SETTINGS = Settings()


@pytest.fixture
def conn(db_path: Path) -> sqlite3.Connection:
    return connect(db_path)


@pytest.fixture
def case_id(conn: sqlite3.Connection) -> int:
    with transaction(conn):
        agent = add_agent(conn, "agent1")
        add_agent(conn, "agent2")
        case = make_case(
            conn, TODAY, days_late=45, amount_cents=80_000, agent_id=agent, invoice_number="F-1"
        )
        debtor = conn.execute("SELECT debtor_id FROM cases").fetchone()[0]
        add_invoice(conn, debtor, due=TODAY - timedelta(days=5), amount_cents=20_000, number="F-2")
        add_contact(conn, debtor, name="Jeanne", phones=["01 42 68 53 00"])
    return case


def audit_actions(conn: sqlite3.Connection) -> list[str]:
    return [r[0] for r in conn.execute("SELECT action FROM audit_events ORDER BY id")]


def test_record_promise(conn: sqlite3.Connection, case_id: int) -> None:
    result = record_promise(
        conn,
        SETTINGS,
        case_id,
        amount=Decimal("800"),
        due_date=TODAY + timedelta(days=3),
        agent_login="agent2",
        now=NOW,
        notes="Reçu par e-mail du service comptable.",
    )
    assert result.saved and result.id
    row = conn.execute("SELECT * FROM promises").fetchone()
    assert row["amount_cents"] == 80_000 and row["interaction_id"] is not None
    case = conn.execute("SELECT * FROM cases").fetchone()
    assert case["next_action"] == "check_promise" and case["next_action_on"] == "2026-11-28"
    assert case["last_contact_at"] is None  # a promise by e-mail is not a contact attempt
    assert "promise.create" in audit_actions(conn)
    refused = record_promise(
        conn,
        SETTINGS,
        case_id,
        amount=Decimal("5000"),
        due_date=TODAY,
        agent_login="agent2",
        now=NOW,
    )
    assert refused.problems == ("case.problem.amount_above_balance",)
    late = record_promise(
        conn,
        SETTINGS,
        case_id,
        amount=Decimal("5"),
        due_date=TODAY - timedelta(days=1),
        agent_login="agent2",
        now=NOW,
    )
    assert late.problems == ("case.problem.date_in_past",)
    assert record_promise(
        conn, SETTINGS, 999, amount=Decimal(1), due_date=TODAY, agent_login="agent2", now=NOW
    ).problems == ("case.problem.unknown_case",)


def test_record_dispute_moves_the_money_out_of_the_overdue(
    conn: sqlite3.Connection, case_id: int
) -> None:
    invoice = conn.execute("SELECT id FROM invoices WHERE number = 'F-2'").fetchone()[0]
    result = record_dispute(
        conn,
        SETTINGS,
        case_id,
        invoice_ids=[invoice],
        reason="Prix non conforme au devis",
        owner="Service commercial",
        agent_login="agent1",
        now=NOW,
    )
    assert result.saved
    case = conn.execute("SELECT overdue_cents, disputed_cents, next_action FROM cases").fetchone()
    assert tuple(case) == (80_000, 20_000, "follow_dispute")
    again = record_dispute(
        conn,
        SETTINGS,
        case_id,
        invoice_ids=[invoice],
        reason="x",
        owner="y",
        agent_login="agent1",
        now=NOW,
    )
    assert again.problems == ("case.problem.dispute_invoices",)
    rude = record_dispute(
        conn,
        SETTINGS,
        case_id,
        invoice_ids=[invoice - 1],
        reason="Client menteur",
        owner="ADV",
        agent_login="agent1",
        now=NOW,
    )
    assert not rude.saved and rude.findings["dispute_reason"][0].word == "menteur"


def test_schedule_callback_replaces_the_pending_one(conn: sqlite3.Connection, case_id: int) -> None:
    first = schedule_callback(
        conn,
        SETTINGS,
        case_id,
        due_at=NOW + timedelta(days=1),
        agent_login="agent1",
        now=NOW,
        reason="Rappeler après 14 h",
    )
    second = schedule_callback(
        conn, SETTINGS, case_id, due_at=NOW + timedelta(days=2), agent_login="agent1", now=NOW
    )
    assert first.saved and second.saved
    rows = conn.execute("SELECT id, status FROM callbacks ORDER BY id").fetchall()
    assert [tuple(r) for r in rows] == [(first.id, "cancelled"), (second.id, "pending")]
    case = conn.execute("SELECT next_action, next_action_on FROM cases").fetchone()
    assert tuple(case) == ("callback", "2026-11-26")
    past = schedule_callback(
        conn, SETTINGS, case_id, due_at=NOW - timedelta(minutes=1), agent_login="agent1", now=NOW
    )
    assert past.problems == ("case.problem.callback_in_past",)


def test_record_note_and_email(conn: sqlite3.Connection, case_id: int) -> None:
    note = record_note(
        conn, SETTINGS, case_id, text="Relevé de compte envoyé.", agent_login="agent1", now=NOW
    )
    mail = record_note(
        conn,
        SETTINGS,
        case_id,
        text="Relance amiable envoyée par e-mail.",
        agent_login="agent1",
        now=NOW,
        channel=InteractionChannel.EMAIL,
    )
    assert note.saved and mail.saved
    channels = [r[0] for r in conn.execute("SELECT channel FROM interactions ORDER BY id")]
    assert channels == ["note", "email"]
    assert conn.execute("SELECT last_contact_at FROM cases").fetchone()[0] is not None
    refused = record_note(
        conn,
        SETTINGS,
        case_id,
        text="Il est hospitalisé, un vrai idiot.",
        agent_login="agent1",
        now=NOW,
    )
    assert not refused.saved
    assert [f.category.value for f in refused.findings["notes"]] == ["health", "insult"]
    assert record_note(
        conn, SETTINGS, case_id, text="  ", agent_login="agent1", now=NOW
    ).problems == ("case.problem.empty_note",)
    assert conn.execute("SELECT count(*) FROM interactions").fetchone()[0] == 2


def test_call_drafts_survive_a_dropped_session(conn: sqlite3.Connection, case_id: int) -> None:
    prep = load_case_file(conn, case_id, now=NOW, settings=SETTINGS).preparation
    draft = calls.start_call(prep, now=NOW)
    assert load_call_draft(conn, case_id, agent_login="agent1") is None
    assert save_call_draft(conn, draft, agent_login="agent1", now=NOW)
    reopened = connect(conn.execute("PRAGMA database_list").fetchone()[2])
    saved = load_call_draft(reopened, case_id, agent_login="agent1")
    assert saved is not None and saved.draft == draft
    assert load_call_draft(reopened, case_id, agent_login="agent2") is None
    discard_call_draft(reopened, case_id, agent_login="agent1")
    assert load_call_draft(conn, case_id, agent_login="agent1") is None
    assert not save_call_draft(conn, draft, agent_login="ghost", now=NOW)


def test_a_broken_promise_stays_urgent_until_something_is_recorded(
    conn: sqlite3.Connection, case_id: int
) -> None:
    """Opening the case is not working it (an agent who looked, or whose session died mid-call,
    has not dealt with the broken promise); a note, a call, a new promise is."""
    with transaction(conn):
        conn.execute(
            "INSERT INTO promises (case_id, amount_cents, due_date, status, created_at, settled_on)"
            " VALUES (?, 100, '2026-11-20', 'broken', '2026-11-10', '2026-11-21')",
            (case_id,),
        )
    refresh_scores(conn, SETTINGS, NOW)
    assert conn.execute("SELECT urgency FROM cases").fetchone()[0] == 1
    agent_id = conn.execute("SELECT id FROM agents WHERE login = 'agent1'").fetchone()[0]
    claim_case(conn, SETTINGS, case_id, agent_id, NOW)
    assert load_case_file(conn, case_id, now=NOW, settings=SETTINGS) is not None
    refresh_scores(conn, SETTINGS, NOW)
    assert conn.execute("SELECT urgency FROM cases").fetchone()[0] == 1
    assert record_note(
        conn, SETTINGS, case_id, agent_login="agent1", now=NOW, text="Rappel demain matin"
    ).saved
    assert conn.execute("SELECT urgency FROM cases").fetchone()[0] != 1


def test_writes_are_refused_while_another_agent_holds_the_case(
    conn: sqlite3.Connection, case_id: int
) -> None:
    from relance_tui.services.claims import claim_case, release_case
    from relance_tui.storage.agents import get_agent

    other = get_agent(conn, "agent2")
    assert other is not None
    assert claim_case(conn, SETTINGS, case_id, other.id, NOW).won
    before = conn.execute("SELECT count(*) FROM promises").fetchone()[0]
    refused = record_promise(
        conn, SETTINGS, case_id, amount=Decimal("100"), due_date=TODAY + timedelta(days=3),
        agent_login="agent1", now=NOW,
    )  # fmt: skip
    assert not refused.saved
    assert refused.problems == ("case.problem.claimed_by_other",)
    assert conn.execute("SELECT count(*) FROM promises").fetchone()[0] == before
    note = record_note(conn, SETTINGS, case_id, text="Relance par e-mail", agent_login="agent1",
                       now=NOW)  # fmt: skip
    assert not note.saved
    # The holder may write; once released, anyone may.
    assert record_note(conn, SETTINGS, case_id, text="Appel", agent_login="agent2", now=NOW).saved
    release_case(conn, case_id, other.id)
    assert record_note(conn, SETTINGS, case_id, text="Suivi", agent_login="agent1", now=NOW).saved
