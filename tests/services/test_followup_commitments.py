"""Broken and kept promises, missed and paid installments, with a fixed `today`."""

import sqlite3
from datetime import date, timedelta
from pathlib import Path

import pytest

from factories import add_agent, add_plan, add_promise, make_case, paris_noon, set_case
from relance_tui.config import ContactSettings, Settings
from relance_tui.services.followup import check_commitments, run_followup_if_due
from relance_tui.storage.db import connect, get_meta, transaction

TODAY = date(2026, 12, 1)
NOW = paris_noon(TODAY)
SETTINGS = Settings()


@pytest.fixture
def conn(db_path: Path) -> sqlite3.Connection:
    return connect(db_path)


def pay(conn: sqlite3.Connection, case_id: int, day: date, cents: int) -> None:
    conn.execute(
        "INSERT INTO payments (debtor_id, received_on, amount_cents, created_at, created_by)"
        " SELECT debtor_id, ?, ?, '2026-12-01T06:00:00+00:00', 'import' FROM cases WHERE id = ?",
        (day.isoformat(), cents, case_id),
    )


def promise_made(conn: sqlite3.Connection, promise_id: int, day: date) -> None:
    conn.execute(
        "UPDATE promises SET created_at = ? WHERE id = ?", (f"{day}T09:00:00+00:00", promise_id)
    )


def debtor_counts(conn: sqlite3.Connection, case_id: int) -> tuple[int, int]:
    row = conn.execute(
        "SELECT promises_kept, promises_broken FROM debtors"
        " WHERE id = (SELECT debtor_id FROM cases WHERE id = ?)",
        (case_id,),
    ).fetchone()
    return int(row[0]), int(row[1])


def test_broken_and_kept_promises(conn: sqlite3.Connection) -> None:
    with transaction(conn):
        agent = add_agent(conn, "agent1")
        broken_case = make_case(conn, TODAY, agent_id=agent)
        kept_case = make_case(conn, TODAY, agent_id=agent)
        waiting_case = make_case(conn, TODAY, agent_id=agent)
        set_case(
            conn, broken_case, stage="phone_reminder", last_visit_at="2026-11-20T10:00:00+00:00"
        )
        broken = add_promise(conn, broken_case, due=TODAY - timedelta(days=1), amount_cents=50_000)
        promise_made(conn, broken, date(2026, 11, 20))
        pay(conn, broken_case, date(2026, 11, 18), 50_000)  # before the promise: does not count
        kept = add_promise(conn, kept_case, due=TODAY + timedelta(days=3), amount_cents=30_000)
        promise_made(conn, kept, date(2026, 11, 20))
        pay(conn, kept_case, date(2026, 11, 26), 10_000)
        pay(conn, kept_case, date(2026, 11, 29), 25_000)
        waiting = add_promise(conn, waiting_case, due=TODAY, amount_cents=30_000)
        promise_made(conn, waiting, date(2026, 11, 25))

    report = check_commitments(conn, SETTINGS, TODAY, NOW)

    assert (report.promises_broken, report.promises_kept) == (1, 1)
    assert set(report.cases) == {broken_case, kept_case}
    status = dict(conn.execute("SELECT id, status FROM promises").fetchall())
    assert status == {broken: "broken", kept: "kept", waiting: "pending"}
    settled = dict(conn.execute("SELECT id, settled_on FROM promises").fetchall())
    assert settled[broken] == "2026-12-01" and settled[kept] == "2026-11-29"
    case = conn.execute("SELECT * FROM cases WHERE id = ?", (broken_case,)).fetchone()
    assert case["next_action"] == "second_reminder" and case["next_action_on"] == "2026-12-01"
    assert case["urgency"] == 1  # broken since the last visit: top of the queue
    assert debtor_counts(conn, broken_case) == (0, 1)
    assert debtor_counts(conn, kept_case) == (1, 0)
    actions = [r[0] for r in conn.execute("SELECT action FROM audit_events")]
    assert "promise.broken" in actions and "promise.kept" in actions
    assert get_meta(conn, "followup.last_day") == TODAY.isoformat()

    again = check_commitments(conn, SETTINGS, TODAY, NOW)  # idempotent
    assert (again.promises_broken, again.promises_kept, again.cases) == (0, 0, ())
    assert debtor_counts(conn, broken_case) == (0, 1)
    assert run_followup_if_due(conn, SETTINGS, NOW) is None
    tomorrow = run_followup_if_due(conn, SETTINGS, NOW + timedelta(days=1))
    assert tomorrow is not None and tomorrow.promises_broken == 1  # the one due today


def test_grace_days_delay_the_break(conn: sqlite3.Connection) -> None:
    with transaction(conn):
        case = make_case(conn, TODAY)
        add_promise(conn, case, due=TODAY - timedelta(days=1))
    lenient = Settings(contact=ContactSettings(promise_grace_days=2))
    assert check_commitments(conn, lenient, TODAY, NOW).promises_broken == 0
    assert check_commitments(conn, SETTINGS, TODAY, NOW).promises_broken == 1


def test_claimed_payment_is_found_or_chased(conn: sqlite3.Connection) -> None:
    with transaction(conn):
        found = make_case(conn, TODAY)
        missing = make_case(conn, TODAY)
        for case in (found, missing):
            conn.execute(
                "INSERT INTO promises (case_id, amount_cents, due_date, kind, claimed_paid_on,"
                " created_at) VALUES (?, 40000, '2026-11-30', 'payment_claimed', '2026-11-25',"
                " '2026-11-27T10:00:00+00:00')",
                (case,),
            )
        pay(conn, found, date(2026, 11, 26), 40_000)  # before the call, after the claimed day
    report = check_commitments(conn, SETTINGS, TODAY, NOW)
    assert (report.promises_kept, report.promises_broken) == (1, 1)
    assert conn.execute("SELECT next_action FROM cases WHERE id = ?", (missing,)).fetchone()[0] == (
        "verify_payment"
    )
    assert debtor_counts(conn, missing) == (0, 0)  # a claim is not a promise


def test_plans_paid_missed_and_completed(conn: sqlite3.Connection) -> None:
    with transaction(conn):
        missed_case = make_case(conn, TODAY)
        paid_case = make_case(conn, TODAY)
        missed = add_plan(
            conn,
            missed_case,
            [
                (date(2026, 11, 15), 10_000, "pending"),
                (date(2026, 11, 30), 10_000, "pending"),
                (date(2026, 12, 15), 10_000, "pending"),
            ],
        )
        paid = add_plan(
            conn,
            paid_case,
            [(date(2026, 11, 15), 10_000, "pending"), (date(2026, 11, 30), 10_000, "pending")],
        )
        conn.execute("UPDATE payment_plans SET created_at = '2026-11-01T09:00:00+00:00'")
        pay(conn, missed_case, date(2026, 11, 14), 10_000)
        pay(conn, missed_case, date(2026, 11, 29), 4_000)
        pay(conn, paid_case, date(2026, 11, 10), 20_000)
        set_case(conn, missed_case, stage="phone_reminder")

    report = check_commitments(conn, SETTINGS, TODAY, NOW)

    assert (report.plans_broken, report.plans_completed) == (1, 1)
    assert report.installments_missed == 1 and report.installments_paid == 3
    plans = dict(conn.execute("SELECT id, status FROM payment_plans").fetchall())
    assert plans == {missed: "broken", paid: "completed"}
    rows = conn.execute(
        "SELECT sequence, status, paid_cents FROM plan_installments WHERE plan_id = ?"
        " ORDER BY sequence",
        (missed,),
    ).fetchall()
    assert [tuple(r) for r in rows] == [
        (1, "paid", 10_000),
        (2, "missed", 4_000),
        (3, "pending", 0),
    ]
    case = conn.execute("SELECT next_action, urgency FROM cases WHERE id = ?", (missed_case,))
    assert tuple(case.fetchone()) == ("second_reminder", 1)
    assert debtor_counts(conn, missed_case) == (0, 1)
    assert check_commitments(conn, SETTINGS, TODAY, NOW).cases == ()
