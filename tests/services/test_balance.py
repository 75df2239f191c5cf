"""Balancing a portfolio's load (services.reassignment.plan_balance / apply_balance): who takes
part, what stays with its agent (held now, a callback today), the least urgent move first, the
plan as previewed is what is written, and the even split itself (domain.kpi.balance_moves)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from factories import add_agent, make_case
from relance_tui.domain.kpi import balance_moves
from relance_tui.services import reassignment
from relance_tui.storage.assignment import add_rule
from relance_tui.storage.db import connect, transaction

TODAY = date(2026, 11, 24)
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)  # 10:00 in Paris


def stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


@pytest.fixture
def conn(db_path: Path) -> sqlite3.Connection:
    """alice has 6 sme cases: `held` (open by her now), `today` (a callback this afternoon),
    `tomorrow` (a callback tomorrow), `plain1`, `plain2`, `urgent`; the first three matter least.
    bob holds nothing; carol has a portfolio rule for sme; dan (no rule, no sme case) has one
    large account case; chef is a supervisor."""
    conn = connect(db_path)
    with transaction(conn):
        ids = {login: add_agent(conn, login) for login in ("alice", "bob", "carol", "dan")}
        ids["chef"] = add_agent(conn, "chef", "supervisor")
        add_rule(conn, agent_id=ids["carol"], segment="sme", postal_prefix=None,
                 min_overdue_cents=None, max_overdue_cents=None, by="chef")  # fmt: skip
        for name, urgency in (("held", 0), ("today", 0), ("tomorrow", 0), ("plain1", 1),
                              ("plain2", 1), ("urgent", 5)):  # fmt: skip
            case = make_case(conn, TODAY, agent_id=ids["alice"], segment="sme", name=name)
            conn.execute("UPDATE cases SET urgency = ? WHERE id = ?", (urgency, case))
            ids[name] = case
        ids["large"] = make_case(conn, TODAY, agent_id=ids["dan"], segment="large_account")
        conn.execute(
            "UPDATE cases SET claimed_by = ?, claimed_at = ?, claim_expires_at = ? WHERE id = ?",
            (ids["alice"], stamp(NOW), stamp(NOW + timedelta(minutes=30)), ids["held"]),
        )
        for case, due in (("today", NOW + timedelta(hours=6)),
                          ("tomorrow", NOW + timedelta(days=1))):  # fmt: skip
            conn.execute(
                "INSERT INTO callbacks (case_id, due_at, created_at, created_by)"
                " VALUES (?, ?, ?, ?)",
                (ids[case], stamp(due), stamp(NOW), ids["alice"]),
            )
    conn.execute("CREATE TEMP TABLE ids (name TEXT, id INTEGER)")
    conn.executemany("INSERT INTO ids VALUES (?, ?)", ids.items())
    return conn


def ids(conn: sqlite3.Connection) -> dict[str, int]:
    return dict(conn.execute("SELECT name, id FROM ids").fetchall())


def owners(conn: sqlite3.Connection) -> dict[str, str]:
    names = {v: k for k, v in ids(conn).items()}
    rows = conn.execute(
        "SELECT c.id, a.login FROM cases c JOIN agents a ON a.id = c.assigned_agent_id"
    )
    return {names[case]: login for case, login in rows}


def test_one_segment_is_spread_among_its_agents_keeping_what_must_stay(
    conn: sqlite3.Connection,
) -> None:
    plan = reassignment.plan_balance(conn, by_login="chef", segment="sme", now=NOW)
    # alice, bob (no sme case, no rule: left out), carol (her rule); dan neither.
    assert (plan.agents, plan.cases, plan.staying) == (2, 6, 2)
    assert [(m.from_login, m.to_login, m.count) for m in plan.moves] == [("alice", "carol", 3)]
    assert (
        conn.execute("SELECT count(*) FROM audit_events WHERE action = 'case.reassign'").fetchone()[
            0
        ]
        == 0
    )  # a preview writes nothing
    assert reassignment.apply_balance(conn, plan, by_login="chef", now=NOW) == 3
    after = owners(conn)
    # The least urgent that may move: `tomorrow`, then the two plain ones; held and today stay.
    assert {k for k, v in after.items() if v == "carol"} == {"tomorrow", "plain1", "plain2"}
    assert after["held"] == after["today"] == after["urgent"] == "alice"
    assert after["large"] == "dan"
    events = conn.execute(
        "SELECT agent, count(*) FROM audit_events WHERE action = 'case.reassign' GROUP BY agent"
    ).fetchall()
    assert [tuple(e) for e in events] == [("chef", 3)]


def test_the_whole_book_takes_every_active_agent(conn: sqlite3.Connection) -> None:
    plan = reassignment.plan_balance(conn, by_login="chef", segment=None, now=NOW)
    assert (plan.agents, plan.cases, plan.staying) == (4, 7, 2)
    # 7 cases for 4 agents: alice keeps the 2 that must stay, the others share 5 (2, 2, 1).
    assert [(m.from_login, m.to_login, m.count) for m in plan.moves] == [
        ("alice", "bob", 2), ("alice", "carol", 1), ("alice", "dan", 1),
    ]  # fmt: skip
    assert plan.moving == 4


def test_what_became_held_since_the_preview_stays(conn: sqlite3.Connection) -> None:
    plan = reassignment.plan_balance(conn, by_login="chef", segment="sme", now=NOW)
    known = ids(conn)
    with transaction(conn):
        conn.executemany(
            "UPDATE cases SET claimed_by = ?, claimed_at = ?, claim_expires_at = ? WHERE id = ?",
            [(known["alice"], stamp(NOW), stamp(NOW + timedelta(minutes=30)), known[name])
             for name in ("tomorrow", "plain1")],
        )  # fmt: skip
    # Three were to move; of alice's, only plain2 and urgent still may.
    assert reassignment.apply_balance(conn, plan, by_login="chef", now=NOW) == 2
    assert {k for k, v in owners(conn).items() if v == "carol"} == {"plain2", "urgent"}


def test_cases_with_no_agent_are_shared_out_first(conn: sqlite3.Connection) -> None:
    """Imported before any portfolio rule: nobody's. The balance hands them out (the whole
    book, 4 agents), the least loaded first, before moving anyone's cases."""
    with transaction(conn):
        for n in range(5):
            make_case(conn, TODAY, agent_id=None, segment="sme", name=f"orphan{n}")
    plan = reassignment.plan_balance(conn, by_login="chef", segment=None, now=NOW)
    assert (plan.agents, plan.cases, plan.unassigned) == (4, 12, 5)
    # 12 cases, 3 each: the 5 with no agent go to bob (3) and carol (2), dan takes 1 more,
    # and carol's third and dan's come from alice (who keeps 3, the 2 that must stay among them).
    moves = [(m.from_login, m.to_login, m.count) for m in plan.moves]
    assert moves == [("", "bob", 3), ("", "carol", 2), ("alice", "carol", 1), ("alice", "dan", 2)]
    assert reassignment.apply_balance(conn, plan, by_login="chef", now=NOW) == 8
    loads = conn.execute(
        "SELECT a.login, count(*) FROM cases c JOIN agents a ON a.id = c.assigned_agent_id"
        " GROUP BY a.login ORDER BY a.login"
    ).fetchall()
    assert [tuple(row) for row in loads] == [("alice", 3), ("bob", 3), ("carol", 3), ("dan", 3)]
    assert (
        conn.execute("SELECT count(*) FROM cases WHERE assigned_agent_id IS NULL").fetchone()[0]
        == 0
    )
    handed_out = conn.execute(
        "SELECT count(*) FROM audit_events WHERE action = 'case.reassign'"
        " AND json_extract(before, '$.assigned_agent_id') IS NULL"
    ).fetchone()[0]
    assert handed_out == 5


def test_the_split_shares_out_cases_with_no_agent() -> None:
    assert balance_moves({1: 2, 2: 0}, unassigned=4) == [(None, 1, 1), (None, 2, 3)]
    assert balance_moves({1: 0}, unassigned=3) == [(None, 1, 3)]
    assert balance_moves({}, unassigned=3) == []


def test_an_agent_is_refused(conn: sqlite3.Connection) -> None:
    with pytest.raises(reassignment.NotAllowedError):
        reassignment.plan_balance(conn, by_login="alice", segment=None, now=NOW)
    plan = reassignment.plan_balance(conn, by_login="chef", segment=None, now=NOW)
    with pytest.raises(reassignment.NotAllowedError):
        reassignment.apply_balance(conn, plan, by_login="bob", now=NOW)
    assert set(owners(conn).values()) == {"alice", "dan"}


def test_the_agents_cases_most_urgent_first_with_who_holds_them(conn: sqlite3.Connection) -> None:
    cases = reassignment.agent_cases(conn, agent_id=ids(conn)["alice"], by_login="chef", now=NOW)
    names = {v: k for k, v in ids(conn).items()}
    assert names[cases[0].case_id] == "urgent" and len(cases) == 6
    held = {names[c.case_id]: c.holder for c in cases}
    assert held["held"] == "alice" and held["plain1"] is None
    later = reassignment.agent_cases(
        conn, agent_id=ids(conn)["alice"], by_login="chef", now=NOW + timedelta(hours=1)
    )
    assert all(c.holder is None for c in later)  # the claim has expired


def test_the_split_keeps_what_must_stay() -> None:
    assert balance_moves({1: 10, 2: 0, 3: 2}) == [(1, 2, 4), (1, 3, 2)]
    # agent 1 must keep 9 of its 10: the others share the rest (3) as evenly as they can.
    assert balance_moves({1: 10, 2: 0, 3: 2}, {1: 9}) == [(1, 2, 1)]
    # 1 must keep 5 (above the average of 4): 2 and 3 share the other 7.
    assert balance_moves({1: 10, 2: 0, 3: 2}, {1: 5}) == [(1, 2, 3), (1, 3, 2)]
    assert balance_moves({1: 3, 2: 1}, {1: 3}) == []
