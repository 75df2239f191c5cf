from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from relance_tui.config import ClaimSettings, Settings
from relance_tui.domain.models import AgentRole
from relance_tui.services.claims import claim_case, release_case, release_everything
from relance_tui.services.identity import (
    IdentityError,
    ensure_agent,
    make_first_admin,
    resolve_identity,
)
from relance_tui.storage.agents import get_agent, set_active, upsert_agent
from relance_tui.storage.db import connect, transaction

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


@pytest.fixture
def conn(db_path: Path):  # type: ignore[no-untyped-def]
    return connect(db_path)


def add(conn, login: str, role: AgentRole = AgentRole.AGENT) -> int:  # type: ignore[no-untyped-def]
    with transaction(conn):
        return upsert_agent(conn, login=login, display_name=login, role=role, by="test").id


def test_a_database_without_agents_lets_nobody_in_until_its_creator_is_admin(conn) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(IdentityError, match="aucun agent"):
        resolve_identity(conn, "alice")  # the first to come is no longer made admin
    assert conn.execute("SELECT count(*) FROM agents").fetchone()[0] == 0
    assert make_first_admin(conn, "alice").role is AgentRole.ADMIN  # what `relance init` does
    assert resolve_identity(conn, "alice").agent.role is AgentRole.ADMIN
    with pytest.raises(IdentityError, match="déjà des agents"):
        make_first_admin(conn, "bob")
    with pytest.raises(IdentityError, match="relance agents add bob"):
        resolve_identity(conn, "bob")


def test_agents_cannot_impersonate_supervisors_can(conn) -> None:  # type: ignore[no-untyped-def]
    add(conn, "boss", AgentRole.SUPERVISOR)
    add(conn, "agent1")
    add(conn, "agent2")
    with pytest.raises(IdentityError, match="--agent"):
        resolve_identity(conn, "agent1", "agent2")
    identity = resolve_identity(conn, "boss", "agent2")
    assert identity.agent.login == "agent2" and identity.impersonating
    actions = [r[0] for r in conn.execute("SELECT action FROM audit_events")]
    assert "agent.impersonate" in actions


def test_disabled_agent_is_refused(conn) -> None:  # type: ignore[no-untyped-def]
    add(conn, "admin", AgentRole.ADMIN)
    add(conn, "agent1")
    with transaction(conn):
        set_active(conn, "agent1", False, by="admin")
    with pytest.raises(IdentityError, match="désactivé"):
        resolve_identity(conn, "agent1")


def test_ensure_agent_only_raises_a_role(conn) -> None:  # type: ignore[no-untyped-def]
    add(conn, "root", AgentRole.ADMIN)
    assert ensure_agent(conn, "root", AgentRole.SUPERVISOR, by="demo").role is AgentRole.ADMIN
    assert ensure_agent(conn, "new", AgentRole.SUPERVISOR, by="demo").role is AgentRole.SUPERVISOR
    assert get_agent(conn, "new") is not None


def _case(conn) -> int:  # type: ignore[no-untyped-def]
    conn.execute(
        "INSERT INTO debtors (reference, legal_name, segment, created_at, updated_at)"
        " VALUES ('D1', 'X', 'sme', 'x', 'x')"
    )
    conn.execute(
        "INSERT INTO cases (debtor_id, segment, created_at, updated_at) VALUES (1, 'sme', 'x', 'x')"
    )
    return 1


def test_claims_are_exclusive_until_released_or_expired(conn) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(claims=ClaimSettings(expiry_minutes=15))
    one, two = add(conn, "agent1"), add(conn, "agent2")
    case_id = _case(conn)
    assert claim_case(conn, settings, case_id, one, NOW).won
    lost = claim_case(conn, settings, case_id, two, NOW + timedelta(minutes=1))
    assert not lost.won and lost.holder is not None and lost.holder.login == "agent1"
    assert claim_case(conn, settings, case_id, one, NOW + timedelta(minutes=2)).won  # extends
    assert not claim_case(conn, settings, case_id, two, NOW + timedelta(minutes=16)).won
    assert claim_case(conn, settings, case_id, two, NOW + timedelta(minutes=18)).won  # expired
    release_case(conn, case_id, one)  # not the holder: no effect
    assert not claim_case(conn, settings, case_id, one, NOW + timedelta(minutes=19)).won
    release_everything(conn, two)
    assert claim_case(conn, settings, case_id, one, NOW + timedelta(minutes=20)).won
