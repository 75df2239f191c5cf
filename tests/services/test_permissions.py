"""The role table and its checks in the services: the TUI and the CLI call these same functions."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from factories import add_agent, add_contact, make_case
from relance_tui.config import Settings
from relance_tui.domain.models import AgentRole
from relance_tui.domain.permissions import ROLE_PERMISSIONS, Permission
from relance_tui.services import agents
from relance_tui.services.audit import read_audit
from relance_tui.services.casework import record_note, record_promise
from relance_tui.services.importing.batch import ImportOptions
from relance_tui.services.importing.fields import ImportKind
from relance_tui.services.importing.pipeline import import_file
from relance_tui.services.permissions import NotAllowedError, portfolio_scope
from relance_tui.services.reassignment import NotAllowedError as ReassignRefused
from relance_tui.services.reassignment import reassign_cases
from relance_tui.storage.agents import AgentRow, get_agent
from relance_tui.storage.db import connect, transaction

TODAY = date(2026, 11, 24)
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


@pytest.fixture
def conn(db_path: Path) -> sqlite3.Connection:
    connection = connect(db_path)
    with transaction(connection):
        add_agent(connection, "root", role="admin")
        add_agent(connection, "chef", role="supervisor")
        add_agent(connection, "agent1")
        add_agent(connection, "agent2")
    return connection


def who(conn: sqlite3.Connection, login: str) -> AgentRow:
    row = get_agent(conn, login)
    assert row is not None
    return row


def test_the_table_says_what_each_role_may_do() -> None:
    agent = {Permission.WORK_OWN_PORTFOLIO, Permission.LIST_AGENTS}
    supervisor = agent | {
        Permission.SEE_EVERY_PORTFOLIO,
        Permission.REASSIGN,
        Permission.AUDIT_EVERYONE,
        Permission.MATCH_PAYMENTS,
        Permission.DUNNING,
        Permission.WAIVE_PENALTIES,
    }
    admin = supervisor | {Permission.MANAGE_AGENTS, Permission.IMPORT, Permission.SEED}
    assert {
        AgentRole.AGENT: agent,
        AgentRole.SUPERVISOR: supervisor,
        AgentRole.ADMIN: admin,
    } == ROLE_PERMISSIONS


def test_only_admins_manage_agents(conn: sqlite3.Connection) -> None:
    for login in ("agent1", "chef"):
        with pytest.raises(NotAllowedError, match="administrateur"):
            agents.save_agent(conn, who(conn, login), "x", name="X", role=AgentRole.ADMIN)
        with pytest.raises(NotAllowedError):
            agents.set_role(conn, who(conn, login), login, AgentRole.ADMIN)
        with pytest.raises(NotAllowedError):
            agents.add_rule(conn, who(conn, login), login, segment="sme")
    assert get_agent(conn, "x") is None
    assert who(conn, "agent1").role is AgentRole.AGENT
    assert [row.login for row in agents.list_agents(conn, who(conn, "agent1"))] == [
        "agent1",
        "agent2",
        "chef",
        "root",
    ]
    assert agents.save_agent(conn, who(conn, "root"), "x", name="X", role=AgentRole.AGENT).id


def test_a_role_taken_away_meanwhile_counts(conn: sqlite3.Connection) -> None:
    stale = who(conn, "root")  # read as an admin, then demoted by another process
    with transaction(conn):
        conn.execute("UPDATE agents SET role = 'agent' WHERE login = 'root'")
    with pytest.raises(NotAllowedError):
        agents.save_agent(conn, stale, "x", name="X", role=AgentRole.ADMIN)
    assert get_agent(conn, "x") is None


def test_only_admins_import_and_a_refused_import_writes_nothing(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    debtors = tmp_path / "clients.csv"
    debtors.write_text("Code client;Raison sociale\nC1;Boulangerie\n", encoding="utf-8")
    events = conn.execute("SELECT count(*) FROM audit_events").fetchone()[0]
    for login in ("agent1", "chef", "ghost"):
        with pytest.raises(NotAllowedError):
            import_file(conn, ImportKind.DEBTORS, debtors, ImportOptions(agent=login), today=TODAY)
    assert conn.execute("SELECT count(*) FROM debtors").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM audit_events").fetchone()[0] == events
    report = import_file(
        conn, ImportKind.DEBTORS, debtors, ImportOptions(agent="root"), today=TODAY
    )
    assert report.committed and report.inserted == 1


def test_only_supervisors_and_admins_reassign_or_see_other_portfolios(
    conn: sqlite3.Connection,
) -> None:
    with transaction(conn):
        case_id = make_case(conn, TODAY, agent_id=who(conn, "agent1").id)
    with pytest.raises(ReassignRefused):
        reassign_cases(conn, case_ids=[case_id], to_login="agent1", by_login="agent2")
    assert reassign_cases(conn, case_ids=[case_id], to_login="agent2", by_login="chef") == 1
    me = who(conn, "agent1")
    assert portfolio_scope(conn, me) == me
    assert portfolio_scope(conn, me, "agent1") == me
    with pytest.raises(NotAllowedError, match="superviseur"):
        portfolio_scope(conn, me, "agent2")
    assert portfolio_scope(conn, who(conn, "chef")) is None  # everyone's
    assert portfolio_scope(conn, who(conn, "chef"), "agent2") == who(conn, "agent2")


def test_an_agent_reads_only_the_audit_of_their_portfolio(conn: sqlite3.Connection) -> None:
    settings = Settings()
    with transaction(conn):
        mine = make_case(conn, TODAY, agent_id=who(conn, "agent1").id, name="Mon client")
        theirs = make_case(conn, TODAY, agent_id=who(conn, "agent2").id, name="Leur client")
    for case_id, login in ((mine, "agent1"), (theirs, "agent2")):
        assert record_note(
            conn, settings, case_id, text=f"récap de {login}", agent_login=login, now=NOW
        ).saved
        assert record_promise(
            conn,
            settings,
            case_id,
            amount=Decimal("10"),
            due_date=date(2026, 12, 1),
            agent_login=login,
            now=NOW,
        ).saved
    # the supervisor moves agent2's case to agent1 and back: both moves are about that case
    reassign_cases(conn, case_ids=[theirs], to_login="agent1", by_login="chef")
    reassign_cases(conn, case_ids=[theirs], to_login="agent2", by_login="chef")
    everything = list(read_audit(conn, who(conn, "chef")))
    assert {event.agent for event in everything} >= {"agent1", "agent2", "chef"}

    seen = list(read_audit(conn, who(conn, "agent1")))
    assert seen and len(seen) < len(everything)
    promises = {
        row[0]: row[1] for row in conn.execute("SELECT CAST(id AS TEXT), case_id FROM promises")
    }
    for event in seen:
        if event.entity == "case":
            assert event.entity_id == str(mine)
        elif event.entity == "promise":
            assert promises[event.entity_id] == mine
        else:
            assert event.agent == "agent1"
    assert {(e.entity, e.action) for e in seen} >= {
        ("case", "case.update"),
        ("promise", "promise.create"),
    }
    assert "agent2" not in {event.agent for event in seen}
    assert not [event for event in seen if event.entity_id == str(theirs)]
    # agent2 sees the moves of their case, made by the supervisor
    theirs_seen = list(read_audit(conn, who(conn, "agent2"), case_id=theirs))
    assert [event.action for event in theirs_seen if event.agent == "chef"] == [
        "case.reassign",
        "case.reassign",
    ]


def test_an_agent_sees_the_events_of_their_debtors_contacts_and_invoices(
    conn: sqlite3.Connection,
) -> None:
    with transaction(conn):
        mine = make_case(conn, TODAY, agent_id=who(conn, "agent1").id)
        theirs = make_case(conn, TODAY, agent_id=who(conn, "agent2").id)
        for case_id in (mine, theirs):
            debtor = conn.execute("SELECT debtor_id FROM cases WHERE id = ?", (case_id,))
            add_contact(conn, debtor.fetchone()[0], phones=["01 23 45 67 89"])
        rows = conn.execute(
            "SELECT c.id, i.id, ct.id, p.id FROM cases c JOIN invoices i ON i.debtor_id ="
            " c.debtor_id JOIN contacts ct ON ct.debtor_id = c.debtor_id JOIN phones p ON"
            " p.contact_id = ct.id ORDER BY c.id"
        ).fetchall()
        for _case, invoice, contact, phone in rows:
            for entity, ident in (("invoice", invoice), ("contact", contact), ("phone", phone)):
                conn.execute(
                    "INSERT INTO audit_events (at, agent, action, entity, entity_id)"
                    " VALUES ('2026-11-24T10:00:00+00:00', 'root', 'x', ?, ?)",
                    (entity, str(ident)),
                )
    seen = {(e.entity, e.entity_id) for e in read_audit(conn, who(conn, "agent1"))}
    (mine_row, theirs_row) = rows
    assert seen == {
        ("invoice", str(mine_row[1])),
        ("contact", str(mine_row[2])),
        ("phone", str(mine_row[3])),
    }
    assert theirs_row[0] == theirs
