"""The ladder over a real database on a fixed day: which steps the batch finds due, and why the
others are held."""

import sqlite3
from datetime import date, timedelta
from pathlib import Path

import pytest

from factories import (
    add_agent,
    add_debtor,
    add_invoice,
    add_plan,
    add_promise,
    case_of,
    make_case,
    open_cases,
)
from relance_tui.config import Settings
from relance_tui.domain.ladder import HoldKind
from relance_tui.services.ladder import (
    HoldError,
    case_decision,
    due_steps,
    place_hold,
    release_hold,
    state_from_row,
)
from relance_tui.storage import dunning as store
from relance_tui.storage.db import connect, transaction

T = date(2026, 11, 2)
SETTINGS = Settings()


@pytest.fixture
def conn(db_path: Path) -> sqlite3.Connection:
    conn = connect(db_path)
    with transaction(conn):
        add_agent(conn, "agent1")
    return conn


def due(conn: sqlite3.Connection, today: date = T, **options: str) -> dict[str, str]:
    return {s.reference: s.step.step for s in due_steps(conn, today, SETTINGS, **options)}


def test_the_batch_finds_each_case_at_its_step(conn: sqlite3.Connection) -> None:
    with transaction(conn):
        make_case(conn, T, days_late=16, reference="LATE16")  # SME: friendly reminder at J+15
        make_case(conn, T, days_late=10, reference="LATE10")  # not yet
        make_case(conn, T, days_late=12, reference="BIG", segment="large_account")  # phone J+10
        make_case(conn, T, days_late=16, reference="STRAT", strategic=True)  # phone first
        make_case(conn, T, days_late=61, reference="OLD")  # new to us: friendly reminder first
    assert due(conn) == {
        "LATE16": "friendly_reminder",
        "BIG": "phone_reminder",
        "STRAT": "phone_reminder",
        "OLD": "friendly_reminder",
    }
    assert due(conn, segment="large_account") == {"BIG": "phone_reminder"}


def test_holds_from_the_records(conn: sqlite3.Connection) -> None:
    with transaction(conn):
        insolvent = make_case(conn, T, days_late=20, reference="INSOLV")
        conn.execute(
            "UPDATE debtors SET insolvency_since = ? WHERE reference = 'INSOLV'", (T.isoformat(),)
        )
        promised = make_case(conn, T, days_late=20, reference="PROMISE")
        add_promise(conn, promised, due=T + timedelta(days=3))
        broken = make_case(conn, T, days_late=20, reference="BROKEN")
        add_promise(conn, broken, due=T - timedelta(days=3), status="broken")
        planned = make_case(conn, T, days_late=20, reference="PLAN")
        add_plan(conn, planned, [(T + timedelta(days=10), 10_000, "pending")])
        debtor = add_debtor(conn, reference="DISPUTE")
        add_invoice(conn, debtor, due=T - timedelta(days=20), in_dispute=True)
        partly = add_debtor(conn, reference="PARTLY")
        add_invoice(conn, partly, due=T - timedelta(days=20), in_dispute=True)
        add_invoice(conn, partly, due=T - timedelta(days=20))
        open_cases(conn, T)
        held = make_case(conn, T, days_late=20, reference="MANUAL")
    place_hold(
        conn, held, reason="Client en congés", until=T + timedelta(days=5), login="agent1", today=T
    )
    assert due(conn) == {"BROKEN": "friendly_reminder", "PARTLY": "friendly_reminder"}
    kinds = {
        ref: [h.kind for h in decision.holds]
        for ref, case in (
            ("INSOLV", insolvent),
            ("PROMISE", promised),
            ("PLAN", planned),
            ("DISPUTE", case_of(conn, debtor)),
            ("MANUAL", held),
        )
        if (decision := case_decision(conn, case, T, SETTINGS)) is not None
    }
    assert kinds == {
        "INSOLV": [HoldKind.INSOLVENCY],
        "PROMISE": [HoldKind.PROMISE],
        "PLAN": [HoldKind.PLAN],
        "DISPUTE": [HoldKind.DISPUTE],
        "MANUAL": [HoldKind.MANUAL],
    }
    # Released at the end of their dates: the promise after its day, the manual hold after its.
    later = due(conn, T + timedelta(days=6))
    assert later["PROMISE"] == "friendly_reminder" and later["MANUAL"] == "friendly_reminder"
    assert "INSOLV" not in later and "PLAN" not in later and "DISPUTE" not in later
    # A manual hold lifted by hand releases the case at once.
    assert release_hold(conn, held, login="agent1") == 1
    assert "MANUAL" in due(conn)
    with pytest.raises(HoldError):
        place_hold(conn, held, reason=" ", until=T, login="agent1", today=T)
    with pytest.raises(HoldError):
        place_hold(conn, held, reason="x", until=T - timedelta(days=1), login="agent1", today=T)


def test_public_bodies_get_a_pre_reminder_before_the_due_date(conn: sqlite3.Connection) -> None:
    with transaction(conn):
        mairie = add_debtor(conn, reference="MAIRIE", segment="public_body")
        add_invoice(conn, mairie, due=T + timedelta(days=5), amount_cents=250_000)
        sme = add_debtor(conn, reference="SME")
        add_invoice(conn, sme, due=T + timedelta(days=5))
        far = add_debtor(conn, reference="FAR", segment="public_body")
        add_invoice(conn, far, due=T + timedelta(days=20))
    steps = list(due_steps(conn, T, SETTINGS))
    assert [(s.reference, s.step.step, s.amount_cents) for s in steps] == [
        ("MAIRIE", "pre_reminder", 250_000)
    ]
    assert steps[0].case_id is None and steps[0].key.startswith("pre:")


def test_the_batch_reads_each_case_as_the_case_screen_does(conn: sqlite3.Connection) -> None:
    """The batch's one query (side tables aggregated and joined) and the one-case query
    (correlated subqueries) give the same state for every kind of record."""
    with transaction(conn):
        promised = make_case(conn, T, days_late=20, reference="PROMISE")
        add_promise(conn, promised, due=T + timedelta(days=3))
        add_promise(conn, promised, due=T + timedelta(days=9))
        planned = make_case(conn, T, days_late=20, reference="PLAN")
        add_plan(conn, planned, [(T + timedelta(days=10), 10_000, "pending")])
        finished = make_case(conn, T, days_late=20, reference="PLANDONE")
        add_plan(conn, finished, [(T - timedelta(days=10), 10_000, "paid")])
        held = make_case(conn, T, days_late=90, reference="HELD")
        stepped = make_case(conn, T, days_late=90, reference="STEPS")
        plain = make_case(conn, T, days_late=16, reference="PLAIN")
        for case, step, status, note, acknowledged in (
            (stepped, "friendly_reminder", "done", "", None),
            (stepped, "formal_notice", "done", "", "2026-10-20"),
            (stepped, "registered_letter", "failed", "451", None),
            (held, "friendly_reminder", "held", "adresse à vérifier", None),
        ):
            conn.execute(
                "INSERT INTO dunning_steps (key, debtor_id, case_id, cycle, step, channel,"
                " due_on, status, done_at, note, acknowledged_on, reserved_at, reserved_by)"
                " SELECT ?, debtor_id, id, dunning_cycle, ?, 'letter', ?, ?, ?, ?, ?,"
                " '2026-10-01T08:00:00+00:00', 'agent1' FROM cases"
                " WHERE id = ?",
                (f"k{case}{step}", step, T.isoformat(), status,
                 "2026-10-01T09:00:00+00:00" if status == "done" else None, note, acknowledged,
                 case),
            )  # fmt: skip
    for until, reason in ((T + timedelta(days=5), "congés"), (T + timedelta(days=12), "audit")):
        place_hold(conn, plain, reason=reason, until=until, login="agent1", today=T)
    batch = {
        row["id"]: state_from_row(row)
        for row in store.ladder_states(conn, T, notice_deadline_days=8)
    }
    assert len(batch) == 6
    for case_id, state in batch.items():
        [row] = store.ladder_states(conn, T, notice_deadline_days=8, case_id=case_id)
        assert state_from_row(row) == state, case_id
    assert batch[plain].manual_hold == ("audit", T + timedelta(days=12))
    assert batch[promised].promise_until == T + timedelta(days=9)
    assert batch[stepped].notice_deadline == date(2026, 10, 28)
    assert batch[held].supervisor_hold == "adresse à vérifier"
    assert batch[finished].plan_until == date.max
