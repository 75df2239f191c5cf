"""The case file and recording calls, through a real SQLite file."""

import sqlite3
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from factories import add_agent, add_contact, add_invoice, case_of, make_case, paris_noon
from relance_tui.config import Settings
from relance_tui.domain import calls
from relance_tui.domain.calling_hours import CallTimeIssue
from relance_tui.domain.calls import CallDraft
from relance_tui.domain.enums import NextAction
from relance_tui.domain.models import CallOutcome, Cause, Stage
from relance_tui.services.calls import load_call_draft, record_call, save_call_draft
from relance_tui.services.casefile import HistoryKind, WarningKind, load_case_file
from relance_tui.storage.cases import sync_cases
from relance_tui.storage.db import connect, transaction

TODAY = date(2026, 11, 24)  # a Tuesday
NOW = paris_noon(TODAY)  # 12:00 in Paris, 15:00 in Réunion
SETTINGS = Settings()
HOURS = SETTINGS.contact.calling_hours


@pytest.fixture
def conn(db_path: Path) -> sqlite3.Connection:
    return connect(db_path)


@pytest.fixture
def case_id(conn: sqlite3.Connection) -> int:
    """An SME owing 1 000 € (60 days late, partly paid) and 500 € (20 days late)."""
    with transaction(conn):
        agent = add_agent(conn, "agent1", name="Agent Un")
        case = make_case(
            conn,
            TODAY,
            days_late=60,
            amount_cents=120_000,
            agent_id=agent,
            invoice_number="F-2026-0101",
            name="Boulangerie Martin",
            segment="sme",
        )
        debtor = conn.execute("SELECT debtor_id FROM cases WHERE id = ?", (case,)).fetchone()[0]
        conn.execute(
            "UPDATE invoices SET outstanding_cents = 100000, status = 'partially_paid',"
            " po_reference = 'PO-77' WHERE number = 'F-2026-0101'"
        )
        add_invoice(
            conn, debtor, due=TODAY - timedelta(days=20), amount_cents=50_000, number="F-2026-0202"
        )
        add_invoice(
            conn, debtor, due=TODAY + timedelta(days=10), amount_cents=30_000, number="F-2026-0303"
        )
        conn.execute(
            "INSERT INTO payments (debtor_id, invoice_id, received_on, amount_cents, created_at,"
            " created_by) SELECT ?, id, ?, 20000, ?, 'import' FROM invoices"
            " WHERE number = 'F-2026-0101'",
            (debtor, (TODAY - timedelta(days=30)).isoformat(), "2026-10-25T08:00:00+00:00"),
        )
        add_contact(
            conn,
            debtor,
            name="Jeanne Martin",
            role="decision_maker",
            phones=["01 42 68 53 00", "0692 12 34 56"],
        )
        opposed = add_contact(
            conn, debtor, name="Paul Compta", role="accounts_payable", phones=["01 40 00 00 02"]
        )
        conn.execute("UPDATE contacts SET opposed_to_contact = 1 WHERE id = ?", (opposed,))
        conn.execute(
            "INSERT INTO contracts (reference, debtor_id, title, start_date)"
            " VALUES ('CT-1', ?, 'Livraison de pain', '2025-01-01')",
            (debtor,),
        )
        sync_cases(conn, TODAY, [debtor])
    return case


def phone_id(conn: sqlite3.Connection, raw: str) -> int:
    return int(conn.execute("SELECT id FROM phones WHERE raw = ?", (raw,)).fetchone()[0])


def counts(conn: sqlite3.Connection) -> dict[str, int]:
    tables = (
        "interactions",
        "promises",
        "payment_plans",
        "plan_installments",
        "disputes",
        "dispute_invoices",
        "callbacks",
        "audit_events",
        "phones",
    )
    out = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}
    out["invalid"] = conn.execute(
        "SELECT count(*) FROM phones WHERE marked_invalid_at IS NOT NULL"
    ).fetchone()[0]
    out["disputed"] = conn.execute("SELECT count(*) FROM invoices WHERE in_dispute").fetchone()[0]
    return out


def reached(conn: sqlite3.Connection, case_id: int) -> tuple[CallDraft, calls.CallPreparation]:
    prep = load_case_file(conn, case_id, now=NOW, settings=SETTINGS).preparation
    draft = calls.begin_identify(calls.start_call(prep, now=NOW))
    draft = calls.identify(draft, prep, CallOutcome.RIGHT_PARTY, now=NOW, hours=HOURS)
    return calls.listen(draft, Cause.CASH_FLOW, "Attend le règlement de son client."), prep


def test_case_file_content(conn: sqlite3.Connection, case_id: int) -> None:
    case_file = load_case_file(conn, case_id, now=NOW, settings=SETTINGS)
    summary = case_file.summary
    assert summary.debtor_name == "Boulangerie Martin" and summary.assigned_agent == "agent1"
    assert summary.overdue == Decimal("1500.00") and summary.balance == Decimal("1800.00")
    assert summary.oldest_due_date == TODAY - timedelta(days=60) and summary.days_late == 60
    assert summary.stage is Stage.FRIENDLY_REMINDER
    # Penalties on both late invoices: 40 € each plus interest on the balance after payments.
    assert summary.penalties.applicable and summary.penalties.indemnities == Decimal("80.00")
    first = summary.penalties.invoices[0]
    assert first.periods[0].balance == Decimal("1200.00")  # before the 200 € payment
    assert first.periods[-1].balance == Decimal("1000.00")

    numbers = [(i.number, i.po_reference, i.days_late) for i in case_file.invoices]
    assert numbers == [
        ("F-2026-0101", "PO-77", 60),
        ("F-2026-0202", "", 20),
        ("F-2026-0303", "", 0),
    ]
    jeanne = case_file.contacts[0]
    assert [p.display for p in jeanne.phones] == ["01 42 68 53 00", "0692 12 34 56"]
    paris, reunion = jeanne.phones
    assert paris.local_time.hour == 12 and reunion.local_time.hour == 15
    assert paris.call_time.allowed and reunion.call_time.allowed
    assert case_file.contracts[0].reference == "CT-1"
    assert case_file.suggested == (jeanne.contact_id, paris.phone_id)
    kinds = {w.kind for w in case_file.warnings}
    assert WarningKind.CONTACT_OPPOSED in kinds
    assert WarningKind.OUTSIDE_CALLING_HOURS not in kinds
    assert [h.kind for h in case_file.history] == [HistoryKind.PAYMENT]
    assert case_file.preparation.balance == Decimal("1800.00")
    assert "contact_opposed" in case_file.preparation.warnings


def test_calling_hours_warning_for_the_number_to_call(
    conn: sqlite3.Connection, case_id: int
) -> None:
    with transaction(conn):
        conn.execute("DELETE FROM phones WHERE raw = '01 42 68 53 00'")
    evening = datetime(2026, 11, 24, 16, 30, tzinfo=UTC)  # 20:30 in Réunion
    case_file = load_case_file(conn, case_id, now=evening, settings=SETTINGS)
    [warning] = [w for w in case_file.warnings if w.kind is WarningKind.OUTSIDE_CALLING_HOURS]
    assert warning.phone_id == phone_id(conn, "0692 12 34 56") and "20:30" in warning.message
    holiday = datetime(2027, 12, 20, 10, 0, tzinfo=UTC)  # abolition day in Réunion, 14:00
    case_file = load_case_file(conn, case_id, now=holiday, settings=SETTINGS)
    reunion = case_file.contacts[0].phones[0]
    assert reunion.call_time.issue is CallTimeIssue.HOLIDAY
    assert any(
        w.kind is WarningKind.OUTSIDE_CALLING_HOURS and "férié" in w.message
        for w in case_file.warnings
    )


def test_warnings_for_attempts_disputes_and_prescription(
    conn: sqlite3.Connection, case_id: int
) -> None:
    with transaction(conn):
        for hours in (1, 30, 50):
            conn.execute(
                "INSERT INTO interactions (case_id, channel, occurred_at, outcome)"
                " VALUES (?, 'call', ?, 'no_answer')",
                (case_id, (NOW - timedelta(hours=hours)).isoformat(timespec="seconds")),
            )
        # The oldest invoice prescribes in 90 days: 5 years after its due date and its partial
        # payment (an acknowledgment restarts the 5 years).
        soon = TODAY + timedelta(days=90)
        old = soon.replace(year=soon.year - 5)
        conn.execute(
            "UPDATE invoices SET due_date = ?, issue_date = ? WHERE number = 'F-2026-0101'",
            (old.isoformat(), old.isoformat()),
        )
        conn.execute("UPDATE payments SET received_on = ?", (old.isoformat(),))
        conn.execute(
            "INSERT INTO disputes (case_id, reason, owner, opened_on) VALUES (?, 'x', 'y', ?)",
            (case_id, TODAY.isoformat()),
        )
    case_file = load_case_file(conn, case_id, now=NOW, settings=SETTINGS)
    kinds = {w.kind for w in case_file.warnings}
    assert {
        WarningKind.TOO_MANY_ATTEMPTS,
        WarningKind.OPEN_DISPUTE,
        WarningKind.PRESCRIPTION_CLOSE,
    } <= kinds
    assert case_file.attempts_last_7_days == 3
    call, dispute = HistoryKind.CALL, HistoryKind.DISPUTE
    assert [h.kind for h in case_file.history[:4]] == [call, dispute, call, call]


def test_right_party_promise_is_recorded(conn: sqlite3.Connection, case_id: int) -> None:
    draft, prep = reached(conn, case_id)
    draft = calls.solve_promise(draft, amount=Decimal("1500.00"), due_date=date(2026, 11, 30))
    draft = calls.conclude(draft, prep, today=TODAY, agent_name="Agent Un")
    assert save_call_draft(conn, draft, agent_login="agent1", now=NOW)
    saved = load_call_draft(conn, case_id, agent_login="agent1")
    assert saved is not None and saved.draft == draft

    result = record_call(conn, SETTINGS, draft, agent_login="agent1", now=NOW)

    assert result.saved and result.promise_id and result.interaction_id
    interaction = conn.execute("SELECT * FROM interactions").fetchone()
    assert (interaction["outcome"], interaction["cause"], interaction["channel"]) == (
        "right_party",
        "cash_flow",
        "call",
    )
    assert interaction["notes"] == "Attend le règlement de son client."
    promise = conn.execute("SELECT * FROM promises").fetchone()
    assert (promise["amount_cents"], promise["due_date"], promise["status"]) == (
        150_000,
        "2026-11-30",
        "pending",
    )
    assert promise["interaction_id"] == result.interaction_id and promise["kind"] == "promise"
    case = conn.execute("SELECT * FROM cases WHERE id = ?", (case_id,)).fetchone()
    assert case["stage"] == "phone_reminder"
    assert case["next_action"] == NextAction.CHECK_PROMISE
    assert case["next_action_on"] == "2026-12-01"
    assert case["last_contact_at"] == NOW.isoformat(timespec="seconds")
    assert case["scored_on"] == TODAY.isoformat()  # the score was refreshed
    actions = [r[0] for r in conn.execute("SELECT action FROM audit_events ORDER BY id")]
    assert actions[:1] == ["call.record"] and "promise.create" in actions
    assert "case.update" in actions and "contact.confirm" in actions
    assert load_call_draft(conn, case_id, agent_login="agent1") is None
    case_file = load_case_file(conn, case_id, now=NOW, settings=SETTINGS)
    assert case_file.summary.next_action_label == "Vérifier la promesse"
    assert {HistoryKind.CALL, HistoryKind.PROMISE} <= {h.kind for h in case_file.history[:2]}


def test_right_party_payment_plan_is_recorded(conn: sqlite3.Connection, case_id: int) -> None:
    draft, prep = reached(conn, case_id)
    draft = calls.solve_plan(draft, total=Decimal("1500.00"), count=4, first_date=date(2026, 12, 5))
    draft = calls.conclude(draft, prep, today=TODAY)
    result = record_call(conn, SETTINGS, draft, agent_login="agent1", now=NOW)
    assert result.saved and result.plan_id
    plan = conn.execute("SELECT * FROM payment_plans").fetchone()
    assert plan["total_cents"] == 150_000 and plan["status"] == "active"
    rows = conn.execute(
        "SELECT sequence, due_date, amount_cents FROM plan_installments ORDER BY sequence"
    ).fetchall()
    assert [tuple(r) for r in rows] == [
        (1, "2026-12-05", 37_500),
        (2, "2027-01-05", 37_500),
        (3, "2027-02-05", 37_500),
        (4, "2027-03-05", 37_500),
    ]
    case = conn.execute("SELECT next_action, next_action_on FROM cases").fetchone()
    assert tuple(case) == ("check_plan", "2026-12-07")  # the day after the first, a Sunday
    assert load_case_file(conn, case_id, now=NOW, settings=SETTINGS).plans[0].installments


def test_right_party_dispute_is_recorded(conn: sqlite3.Connection, case_id: int) -> None:
    draft, prep = reached(conn, case_id)
    invoice = next(i for i in prep.invoices if i.number == "F-2026-0202")
    draft = calls.solve_dispute(
        draft, invoice_ids=[invoice.invoice_id], reason="Livraison incomplète", owner="ADV"
    )
    draft = calls.conclude(draft, prep, today=TODAY)
    result = record_call(conn, SETTINGS, draft, agent_login="agent1", now=NOW)
    assert result.saved and result.dispute_id
    dispute = conn.execute("SELECT * FROM disputes").fetchone()
    assert (dispute["reason"], dispute["owner"], dispute["status"]) == (
        "Livraison incomplète",
        "ADV",
        "open",
    )
    linked = conn.execute("SELECT invoice_id FROM dispute_invoices").fetchall()
    assert [r[0] for r in linked] == [invoice.invoice_id]
    assert (
        conn.execute(
            "SELECT in_dispute FROM invoices WHERE id = ?", (invoice.invoice_id,)
        ).fetchone()[0]
        == 1
    )
    case = conn.execute("SELECT * FROM cases WHERE id = ?", (case_id,)).fetchone()
    assert case["disputed_cents"] == 50_000 and case["overdue_cents"] == 100_000
    assert case["next_action"] == "follow_dispute" and case["next_action_on"] == "2026-12-01"
    case_file = load_case_file(conn, case_id, now=NOW, settings=SETTINGS)
    assert case_file.disputes[0].invoice_numbers == "F-2026-0202"
    assert any(w.kind is WarningKind.OPEN_DISPUTE for w in case_file.warnings)
    assert len(case_file.summary.penalties.invoices) == 1  # the disputed one is left out


def test_payment_claimed_becomes_a_payment_to_verify(
    conn: sqlite3.Connection, case_id: int
) -> None:
    draft, prep = reached(conn, case_id)
    draft = calls.solve_payment_claimed(
        draft, amount=Decimal("500"), paid_on=date(2026, 11, 20), reference="VIR-123"
    )
    draft = calls.conclude(draft, prep, today=TODAY)
    assert record_call(conn, SETTINGS, draft, agent_login="agent1", now=NOW).saved
    promise = conn.execute("SELECT * FROM promises").fetchone()
    assert (promise["kind"], promise["claimed_paid_on"], promise["due_date"]) == (
        "payment_claimed",
        "2026-11-20",
        "2026-11-25",
    )
    assert conn.execute("SELECT next_action FROM cases").fetchone()[0] == "verify_payment"


def test_voicemail_schedules_a_callback(conn: sqlite3.Connection, case_id: int) -> None:
    prep = load_case_file(conn, case_id, now=NOW, settings=SETTINGS).preparation
    draft = calls.begin_identify(calls.start_call(prep, now=NOW))
    draft = calls.identify(draft, prep, CallOutcome.VOICEMAIL, now=NOW, hours=HOURS)
    result = record_call(conn, SETTINGS, draft, agent_login="agent1", now=NOW)
    assert result.saved and result.callback_id and result.promise_id is None
    callback = conn.execute("SELECT * FROM callbacks").fetchone()
    # Tomorrow at 10:00 in Réunion (06:00 UTC), the contact's other number.
    assert callback["due_at"] == "2026-11-25T06:00:00+00:00"
    assert callback["phone_id"] == phone_id(conn, "0692 12 34 56")
    assert callback["status"] == "pending"
    outcome = conn.execute("SELECT outcome, cause FROM interactions").fetchone()
    assert tuple(outcome) == ("voicemail", None)
    case = conn.execute("SELECT * FROM cases").fetchone()
    assert case["next_action"] == "callback" and case["next_action_on"] == "2026-11-25"
    assert load_case_file(conn, case_id, now=NOW, settings=SETTINGS).callbacks[0].phone_display


def test_wrong_number_flags_the_phone(conn: sqlite3.Connection, case_id: int) -> None:
    prep = load_case_file(conn, case_id, now=NOW, settings=SETTINGS).preparation
    draft = calls.begin_identify(calls.start_call(prep, now=NOW))
    wrong = draft.phone_id
    draft = calls.identify(draft, prep, CallOutcome.WRONG_NUMBER, now=NOW, hours=HOURS)
    result = record_call(conn, SETTINGS, draft, agent_login="agent1", now=NOW)
    assert result.saved and result.phone_marked_invalid == wrong
    assert conn.execute("SELECT marked_invalid_at FROM phones WHERE id = ?", (wrong,)).fetchone()[
        0
    ] == NOW.isoformat(timespec="seconds")
    assert conn.execute("SELECT phone_id FROM callbacks").fetchone()[0] != wrong
    audit = conn.execute(
        "SELECT before, after FROM audit_events WHERE action = 'phone.mark_invalid'"
    ).fetchone()
    assert audit is not None and '"marked_invalid_at": null' in audit["before"]
    case_file = load_case_file(conn, case_id, now=NOW, settings=SETTINGS)
    flagged = [p for c in case_file.contacts for p in c.phones if p.phone_id == wrong]
    assert flagged[0].marked_invalid and not flagged[0].usable
    assert case_file.suggested is not None and case_file.suggested[1] != wrong


def test_contact_details_corrected_at_the_end_of_the_call(
    conn: sqlite3.Connection, case_id: int
) -> None:
    draft, prep = reached(conn, case_id)
    draft = calls.conclude(calls.solve_refusal(draft, prep), prep, today=TODAY)
    assert draft.contact_id is not None
    draft = calls.update_contact(
        draft,
        contact_id=draft.contact_id,
        email="jeanne@boulangerie.fr",
        new_phone="06 11 22 33 44",
    )
    assert record_call(conn, SETTINGS, draft, agent_login="agent1", now=NOW).saved
    contact = conn.execute("SELECT email FROM contacts WHERE id = ?", (draft.contact_id,))
    assert contact.fetchone()[0] == "jeanne@boulangerie.fr"
    assert conn.execute("SELECT e164 FROM phones WHERE raw = '06 11 22 33 44'").fetchone()[0] == (
        "+33611223344"
    )
    case = conn.execute("SELECT next_action, next_action_on FROM cases").fetchone()
    assert tuple(case) == ("second_reminder", TODAY.isoformat())


def test_a_failure_mid_record_leaves_nothing_written(
    conn: sqlite3.Connection, case_id: int
) -> None:
    prep = load_case_file(conn, case_id, now=NOW, settings=SETTINGS).preparation
    draft = calls.begin_identify(calls.start_call(prep, now=NOW))
    draft = calls.identify(draft, prep, CallOutcome.WRONG_NUMBER, now=NOW, hours=HOURS)
    conn.execute(
        "CREATE TRIGGER fail_callbacks BEFORE INSERT ON callbacks"
        " BEGIN SELECT RAISE(ABORT, 'disk on fire'); END"
    )
    before = counts(conn)
    case_before = tuple(conn.execute("SELECT * FROM cases WHERE id = ?", (case_id,)).fetchone())
    with pytest.raises(sqlite3.DatabaseError, match="disk on fire"):
        record_call(conn, SETTINGS, draft, agent_login="agent1", now=NOW)
    assert counts(conn) == before
    assert tuple(conn.execute("SELECT * FROM cases WHERE id = ?", (case_id,)).fetchone()) == (
        case_before
    )
    assert not conn.in_transaction


def test_notes_with_forbidden_words_are_refused(conn: sqlite3.Connection, case_id: int) -> None:
    draft, prep = reached(conn, case_id)
    draft = calls.set_notes(draft, "Le gérant est malade et de mauvaise foi.")
    draft = calls.conclude(calls.solve_refusal(draft, prep), prep, today=TODAY)
    before = counts(conn)
    result = record_call(conn, SETTINGS, draft, agent_login="agent1", now=NOW)
    assert not result.saved and result.findings["notes"]
    assert [f.word for f in result.findings["notes"]] == ["malade", "mauvaise foi"]
    assert counts(conn) == before
    clean = calls.set_notes(draft, "Le gérant conteste devoir la somme.")
    assert record_call(conn, SETTINGS, clean, agent_login="agent1", now=NOW).saved


def test_incomplete_drafts_and_unknown_agents_are_refused(
    conn: sqlite3.Connection, case_id: int
) -> None:
    draft, prep = reached(conn, case_id)
    result = record_call(conn, SETTINGS, draft, agent_login="agent1", now=NOW)
    assert not result.saved and "case.problem.no_resolution" in result.problems
    assert "case.problem.not_concluded" in result.problems
    done = calls.conclude(calls.solve_refusal(draft, prep), prep, today=TODAY)
    result = record_call(conn, SETTINGS, done, agent_login="nobody", now=NOW)
    assert result.problems == ("case.problem.unknown_agent",)
    assert counts(conn)["interactions"] == 0


def test_an_answered_callback_is_closed(conn: sqlite3.Connection, case_id: int) -> None:
    with transaction(conn):
        conn.execute(
            "INSERT INTO callbacks (case_id, due_at, created_at) VALUES (?, ?, ?)",
            (case_id, (NOW - timedelta(hours=1)).isoformat(timespec="seconds"), "2026-11-23"),
        )
    draft, prep = reached(conn, case_id)
    draft = calls.conclude(
        calls.solve_promise(draft, amount=Decimal(100), due_date=TODAY), prep, today=TODAY
    )
    assert record_call(conn, SETTINGS, draft, agent_login="agent1", now=NOW).saved
    assert conn.execute("SELECT status FROM callbacks").fetchone()[0] == "done"
    # Worked today: below the cases not yet worked, although its promise falls due today.
    assert conn.execute("SELECT urgency FROM cases").fetchone()[0] == -1


def test_case_file_on_a_seeded_database(conn: sqlite3.Connection) -> None:
    from relance_tui.services.seed.build import seed_database

    seed_database(conn, debtors=40, invoices=200, seed=7, today=TODAY)
    ids = [r[0] for r in conn.execute("SELECT id FROM cases WHERE status = 'open' LIMIT 40")]
    assert ids
    for case in ids:
        case_file = load_case_file(conn, case, now=NOW, settings=SETTINGS)
        open_lines = [
            i
            for i in case_file.invoices
            if i.outstanding > 0 and not i.in_dispute and i.due_date < TODAY
        ]
        assert sum((i.outstanding for i in open_lines), Decimal(0)) == case_file.summary.overdue
        dates = [h.at for h in case_file.history]
        assert dates == sorted(dates, reverse=True)
        assert case_file.summary.score_parts
        if case_file.summary.segment.value == "consumer":
            # Legal-rate interest only after a formal notice, and never the 40 €.
            assert case_file.summary.penalties.indemnities == 0
    assert case_of  # the factories are shared with the other services tests


def test_a_call_is_refused_while_another_agent_holds_the_case(
    conn: sqlite3.Connection, case_id: int
) -> None:
    from relance_tui.services.casework import CLAIMED_BY_OTHER
    from relance_tui.services.claims import claim_case

    other = add_agent(conn, "agent2", name="Agent Deux")
    draft, prep = reached(conn, case_id)
    draft = calls.solve_promise(draft, amount=Decimal("1500.00"), due_date=date(2026, 11, 30))
    draft = calls.conclude(draft, prep, today=TODAY, agent_name="Agent Un")
    before = counts(conn)
    assert claim_case(conn, SETTINGS, case_id, other, NOW).won

    refused = record_call(conn, SETTINGS, draft, agent_login="agent1", now=NOW)

    assert not refused.saved and refused.interaction_id is None
    assert refused.problems == (CLAIMED_BY_OTHER,)
    assert counts(conn) == before  # nothing written: no call, no promise
