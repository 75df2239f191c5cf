"""services.reassignment: who may reassign, to whom, and exactly which cases move."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest

from factories import add_agent, make_case
from relance_tui.services import reassignment
from relance_tui.storage.agents import set_active
from relance_tui.storage.assignment import case_ids_of
from relance_tui.storage.db import connect, transaction
from relance_tui.storage.queue import QueueQuery

TODAY = date(2026, 11, 24)


@pytest.fixture
def conn(db_path: Path) -> sqlite3.Connection:
    conn = connect(db_path)
    with transaction(conn):
        alice = add_agent(conn, "alice")
        add_agent(conn, "bob")
        add_agent(conn, "chef", "supervisor")
        add_agent(conn, "root", "admin")
        add_agent(conn, "gone")
        set_active(conn, "gone", False, by="root")
        for segment in ("sme", "sme", "large_account"):
            make_case(conn, TODAY, agent_id=alice, segment=segment)
    return conn


def owner(conn: sqlite3.Connection, case_id: int) -> str | None:
    row = conn.execute(
        "SELECT a.login FROM cases c LEFT JOIN agents a ON a.id = c.assigned_agent_id"
        " WHERE c.id = ?",
        (case_id,),
    ).fetchone()
    return None if row is None else row[0]


def events(conn: sqlite3.Connection) -> int:
    return int(
        conn.execute("SELECT count(*) FROM audit_events WHERE action = 'case.reassign'").fetchone()[
            0
        ]
    )


def case_ids(conn: sqlite3.Connection) -> list[int]:
    return [int(row[0]) for row in conn.execute("SELECT id FROM cases ORDER BY id")]


def test_a_supervisor_or_an_admin_reassigns(conn: sqlite3.Connection) -> None:
    first, second, _ = case_ids(conn)
    assert reassignment.reassign_cases(conn, case_ids=[first], to_login="bob", by_login="chef") == 1
    assert (
        reassignment.reassign_cases(conn, case_ids=[second], to_login="bob", by_login="root") == 1
    )
    assert owner(conn, first) == owner(conn, second) == "bob"
    assert events(conn) == 2


def test_an_agent_is_refused(conn: sqlite3.Connection) -> None:
    first = case_ids(conn)[0]
    with pytest.raises(reassignment.NotAllowedError, match="alice"):
        reassignment.reassign_cases(conn, case_ids=[first], to_login="bob", by_login="alice")
    with pytest.raises(reassignment.NotAllowedError):
        reassignment.reassign_cases(conn, case_ids=[first], to_login="bob", by_login="nobody")
    assert owner(conn, first) == "alice" and events(conn) == 0


def test_the_target_must_exist_and_be_active(conn: sqlite3.Connection) -> None:
    first = case_ids(conn)[0]
    with pytest.raises(reassignment.UnknownTargetError, match="inconnu"):
        reassignment.reassign_cases(conn, case_ids=[first], to_login="zed", by_login="chef")
    with pytest.raises(reassignment.UnknownTargetError, match="désactivé"):
        reassignment.reassign_cases(conn, case_ids=[first], to_login="gone", by_login="chef")
    assert owner(conn, first) == "alice" and events(conn) == 0
    assert "gone" not in {agent.login for agent in reassignment.assignable_agents(conn)}


def test_no_ids_moves_nothing_and_same_agent_is_skipped(conn: sqlite3.Connection) -> None:
    assert reassignment.reassign_cases(conn, case_ids=[], to_login="bob", by_login="chef") == 0
    assert {owner(conn, case_id) for case_id in case_ids(conn)} == {"alice"}
    first = case_ids(conn)[0]
    assert (
        reassignment.reassign_cases(conn, case_ids=[first], to_login="alice", by_login="chef") == 0
    )
    assert events(conn) == 0


def test_a_view_is_moved_with_its_filters_and_the_cap(conn: sqlite3.Connection) -> None:
    sme = QueueQuery(segment="sme")
    assert len(case_ids_of(conn, sme, 100)) == 2
    moved = reassignment.reassign_view(conn, query=sme, to_login="bob", by_login="chef", limit=1)
    assert moved == 1
    moved = reassignment.reassign_view(conn, query=sme, to_login="bob", by_login="chef")
    assert moved == 1  # the one already with bob is not moved again
    owners = {case_id: owner(conn, case_id) for case_id in case_ids(conn)}
    assert sorted(owners.values(), key=str) == ["alice", "bob", "bob"]
    assert events(conn) == 2
