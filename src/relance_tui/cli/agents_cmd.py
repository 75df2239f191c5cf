"""`relance agents add|list|disable|set-role`: who may use the database, with which role."""

from __future__ import annotations

import argparse
from typing import Any

from relance_tui.cli import common

ROLES = ("agent", "supervisor", "admin")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("agents", help="manage agents and their roles (admins)")
    common.add_db_option(parser)
    actions = parser.add_subparsers(dest="agents_action", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="add an agent (or update their name and role)")
    add.add_argument("login", help="the agent's OS user name")
    add.add_argument("--name", help="display name (default: the login)")
    add.add_argument("--role", choices=ROLES, default="agent")
    actions.add_parser("list", help="list agents")
    disable = actions.add_parser("disable", help="disable an agent (history is kept)")
    disable.add_argument("login")
    set_role = actions.add_parser("set-role", help="change an agent's role (and enable them)")
    set_role.add_argument("login")
    set_role.add_argument("role", choices=ROLES)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from relance_tui.domain.models import AgentRole
    from relance_tui.i18n import t
    from relance_tui.storage import agents
    from relance_tui.storage.db import transaction

    conn = common.open_db(args)
    identity = common.current_identity(args, conn)
    if args.agents_action == "list":
        return _print_list(agents.list_agents(conn, include_inactive=True))
    if identity.agent.role is not AgentRole.ADMIN:
        raise common.CliError(t("agents.admin_only"))
    by = identity.os_user
    with transaction(conn):
        if args.agents_action == "add":
            row = agents.upsert_agent(
                conn,
                login=args.login,
                display_name=args.name or args.login,
                role=AgentRole(args.role),
                by=by,
            )
            print(t("agents.added", login=row.login, role=t(f"agent_role.{row.role}")))
        elif args.agents_action == "disable":
            if not agents.set_active(conn, args.login, False, by=by):
                raise common.CliError(t("agents.not_found", login=args.login))
            print(t("agents.disabled", login=args.login))
        else:
            existing = agents.get_agent(conn, args.login)
            if existing is None:
                raise common.CliError(t("agents.not_found", login=args.login))
            agents.upsert_agent(
                conn,
                login=args.login,
                display_name=existing.display_name,
                role=AgentRole(args.role),
                by=by,
            )
            print(t("agents.role_set", login=args.login, role=t(f"agent_role.{args.role}")))
    return common.EXIT_OK


def _print_list(rows: list[Any]) -> int:
    from relance_tui.i18n import t

    if not rows:
        print(t("agents.none"))
        return common.EXIT_OK
    headers = (t("agents.header_login"), t("agents.header_name"), t("agents.header_role"),
               t("agents.header_active"))  # fmt: skip
    table = [
        (
            r.login,
            r.display_name,
            t(f"agent_role.{r.role}"),
            t("agents.yes" if r.active else "agents.no"),
        )
        for r in rows
    ]
    widths = [max(len(str(line[i])) for line in (headers, *table)) for i in range(4)]
    for line in (headers, *table):
        print("  ".join(str(cell).ljust(width) for cell, width in zip(line, widths, strict=True)))
    return common.EXIT_OK
