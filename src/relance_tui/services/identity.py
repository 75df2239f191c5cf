"""Who is at the keyboard: the kernel's answer (the process's real user id), looked up in the
agents table. Never an environment variable: $LOGNAME and $USER are the caller's to set.

On a shared server (config.ServerSettings) agents run relance as the service account through
sudo; the agent is then the user sudo ran it for, read from SUDO_UID, which sudo itself sets
and no caller can choose (its rule forbids setting variables). That value is believed only when
the process really runs as the service account: anywhere else SUDO_UID is just another variable
its caller may have typed.

`--agent` lets supervisors and admins act as someone else (tests, impersonation); it is audited.
A database gets its first admin only from the command that creates it (`relance init` calls
`make_first_admin`, `relance seed` makes its user admin while seeding); an existing database
without agents lets nobody in.
"""

from __future__ import annotations

import os
import pwd
import sqlite3
from dataclasses import dataclass

from relance_tui.config import ServerSettings
from relance_tui.domain.enums import AgentRole
from relance_tui.domain.permissions import Permission
from relance_tui.i18n import t
from relance_tui.services.permissions import may
from relance_tui.storage.agents import AgentRow, count_agents, get_agent, upsert_agent
from relance_tui.storage.assignment import case_agent_id
from relance_tui.storage.db import append_audit, transaction


class IdentityError(Exception):
    """The user may not use this database (unknown, disabled, or not allowed to impersonate)."""


@dataclass(frozen=True, slots=True)
class Identity:
    agent: AgentRow
    os_user: str
    impersonating: bool = False


def process_user(server: ServerSettings | None = None) -> str:
    """The login of the process's real user id, from the password database; on a shared server,
    run as its service account by sudo, the login of the user sudo ran it for.

    The one place that says who runs relance.
    """
    uid = os.getuid()
    if server is not None and uid == os.geteuid() == account_uid(server.service_account):
        invoker = os.environ.get("SUDO_UID")
        if invoker is not None:
            if not invoker.isdigit():
                raise IdentityError(t("server.bad_sudo_uid", value=invoker))
            uid = int(invoker)  # the service account itself when sudo ran it for itself
    return _login(uid)


def account_uid(login: str) -> int:
    try:
        return pwd.getpwnam(login).pw_uid
    except KeyError:
        raise IdentityError(t("server.no_account", login=login)) from None


def _login(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        raise IdentityError(t("identity.no_user_name", uid=uid)) from None


def resolve_identity(
    conn: sqlite3.Connection, os_user: str, requested: str | None = None
) -> Identity:
    """Return the agent this process acts as, or raise IdentityError with what to do about it."""
    with transaction(conn):
        me = get_agent(conn, os_user)
        if me is None:
            if count_agents(conn) == 0:
                raise IdentityError(t("identity.no_agents"))
            raise IdentityError(t("identity.unknown", login=os_user))
        if not me.active:
            raise IdentityError(t("identity.disabled", login=os_user))
        if requested is None or requested == os_user:
            return Identity(agent=me, os_user=os_user)
        if not may(me, Permission.SEE_EVERY_PORTFOLIO):
            raise IdentityError(t("identity.impersonation_refused", login=os_user))
        other = get_agent(conn, requested)
        if other is None or not other.active:
            raise IdentityError(t("identity.unknown", login=requested))
        append_audit(
            conn,
            agent=os_user,
            action="agent.impersonate",
            entity="agent",
            entity_id=other.id,
            detail=f"{os_user} acts as {requested}",
        )
        return Identity(agent=other, os_user=os_user, impersonating=True)


def make_first_admin(conn: sqlite3.Connection, login: str) -> AgentRow:
    """The user who just created this database becomes its admin (only ever called by the
    commands that create one, on the database they created)."""
    with transaction(conn):
        if count_agents(conn):
            raise IdentityError(t("identity.not_new"))
        return upsert_agent(conn, login=login, display_name=login, role=AgentRole.ADMIN, by=login)


def may_open_case(conn: sqlite3.Connection, agent: AgentRow, case_id: int) -> bool:
    """Agents work their own portfolio; supervisors and admins every case."""
    exists, assigned_to = case_agent_id(conn, case_id)
    return exists and (may(agent, Permission.SEE_EVERY_PORTFOLIO) or assigned_to == agent.id)


def ensure_agent(conn: sqlite3.Connection, login: str, role: AgentRole, *, by: str) -> AgentRow:
    """Make `login` an agent with at least `role` (used by `relance demo` for the OS user)."""
    rank = {AgentRole.AGENT: 0, AgentRole.SUPERVISOR: 1, AgentRole.ADMIN: 2}
    with transaction(conn):
        existing = get_agent(conn, login)
        if existing and existing.active and rank[existing.role] >= rank[role]:
            return existing
        return upsert_agent(conn, login=login, display_name=login, role=role, by=by)
