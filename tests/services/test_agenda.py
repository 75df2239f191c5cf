import sqlite3
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from factories import add_agent, add_callback, add_plan, add_promise, make_case, paris_noon
from relance_tui.services.agenda import AgendaKind, agenda
from relance_tui.storage.db import connect, transaction

TODAY = date(2026, 11, 24)
NOW = paris_noon(TODAY)


@pytest.fixture
def conn(db_path: Path) -> sqlite3.Connection:
    return connect(db_path)


def test_my_callbacks_and_promise_checks_today_and_overdue(conn: sqlite3.Connection) -> None:
    with transaction(conn):
        me = add_agent(conn, "agent1")
        other = add_agent(conn, "agent2")
        mine = make_case(conn, TODAY, agent_id=me, name="Alpha")
        second = make_case(conn, TODAY, agent_id=me, name="Bravo")
        theirs = make_case(conn, TODAY, agent_id=other, name="Charlie")
        late_call = add_callback(conn, mine, due_at=NOW - timedelta(hours=2))
        later_call = add_callback(conn, second, due_at=NOW + timedelta(hours=3))
        add_callback(conn, mine, due_at=NOW + timedelta(days=1))  # tomorrow
        add_callback(conn, mine, due_at=NOW - timedelta(hours=1), status="done")
        add_callback(conn, theirs, due_at=NOW - timedelta(hours=1))
        due_today = add_promise(conn, second, due=TODAY, amount_cents=12_345)
        overdue = add_promise(conn, mine, due=TODAY - timedelta(days=2))
        add_promise(conn, mine, due=TODAY + timedelta(days=1))
        add_promise(conn, theirs, due=TODAY)
        add_plan(
            conn, second, [(TODAY, 5_000, "pending"), (TODAY + timedelta(30), 5_000, "pending")]
        )

    items = agenda(conn, "agent1", NOW)

    assert [(i.kind, i.ref_id) for i in items if i.kind is not AgendaKind.INSTALLMENT_CHECK] == [
        (AgendaKind.PROMISE_CHECK, overdue),
        (AgendaKind.CALLBACK, late_call),
        (AgendaKind.PROMISE_CHECK, due_today),
        (AgendaKind.CALLBACK, later_call),
    ]
    assert [i.overdue for i in items[:2]] == [True, True]
    assert {i.case_id for i in items} == {mine, second}
    promise = next(i for i in items if i.ref_id == due_today and i.kind is AgendaKind.PROMISE_CHECK)
    assert promise.amount == Decimal("123.45") and promise.debtor_name == "Bravo"
    [installment] = [i for i in items if i.kind is AgendaKind.INSTALLMENT_CHECK]
    assert installment.case_id == second and installment.amount == Decimal("50.00")
    assert agenda(conn, "agent2", NOW)[0].case_id == theirs
    assert agenda(conn, "nobody", NOW) == []
