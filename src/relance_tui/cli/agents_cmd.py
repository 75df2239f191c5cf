"""`relance agents add|list|disable|set-role`: who may use the database, with which role."""

from __future__ import annotations

import argparse
from typing import Any

from relance_tui.cli import common

ROLES = ("agent", "supervisor", "admin")
SEGMENTS = ("large_account", "multi_site", "sme", "public_body", "consumer")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("agents", help="manage agents and their roles (admins)")
    common.add_db_option(parser)
    actions = parser.add_subparsers(dest="agents_action", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="add an agent (or update their name and role)")
    add.add_argument("login", help="the agent's OS user name")
    add.add_argument("--name", help="display name (default: the login)")
    add.add_argument("--role", choices=ROLES, default="agent")
    listing = actions.add_parser("list", help="list agents")
    disable = actions.add_parser("disable", help="disable an agent (history is kept)")
    disable.add_argument("login")
    set_role = actions.add_parser("set-role", help="change an agent's role (and enable them)")
    set_role.add_argument("login")
    set_role.add_argument("role", choices=ROLES)
    rule = actions.add_parser("rule", help="portfolio rules: which new cases go to whom")
    rule_actions = rule.add_subparsers(dest="rule_action", metavar="RULE_ACTION", required=True)
    rule_add = rule_actions.add_parser("add", help="new unassigned cases matching go to LOGIN")
    rule_add.add_argument("login")
    rule_add.add_argument("--segment", choices=SEGMENTS)
    rule_add.add_argument("--postal-prefix", metavar="DIGITS", help="e.g. 75, 974, 13")
    rule_add.add_argument("--min-amount", type=float, metavar="EUROS")
    rule_add.add_argument("--max-amount", type=float, metavar="EUROS")
    rule_delete = rule_actions.add_parser("delete", help="delete a rule")
    rule_delete.add_argument("rule_id", type=int)
    rule_list = rule_actions.add_parser("list", help="list the rules")
    for leaf in (add, listing, disable, set_role, rule_add, rule_delete, rule_list):
        common.add_db_option(leaf)  # --db, --lang, --config after the action too
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from relance_tui.domain.labels import AGENT_ROLE_KEYS
    from relance_tui.domain.models import AgentRole
    from relance_tui.i18n import t
    from relance_tui.storage import agents
    from relance_tui.storage.db import transaction

    conn = common.open_db(args)
    identity = common.current_identity(args, conn)
    if args.agents_action == "list":
        return _print_list(agents.list_agents(conn, include_inactive=True))
    if args.agents_action == "rule" and args.rule_action == "list":
        return _print_rules(conn)
    if identity.agent.role is not AgentRole.ADMIN:
        raise common.CliError(t("agents.admin_only"))
    by = identity.os_user
    if args.agents_action == "rule":
        return _change_rules(conn, args, by)
    with transaction(conn):
        if args.agents_action == "add":
            row = agents.upsert_agent(
                conn,
                login=args.login,
                display_name=args.name or args.login,
                role=AgentRole(args.role),
                by=by,
            )
            print(t("agents.added", login=row.login, role=t(AGENT_ROLE_KEYS[row.role])))
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
            print(t("agents.role_set", login=args.login, role=t(AGENT_ROLE_KEYS[args.role])))
    return common.EXIT_OK


def _print_list(rows: list[Any]) -> int:
    from relance_tui.domain.labels import AGENT_ROLE_KEYS
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
            t(AGENT_ROLE_KEYS[r.role]),
            t("agents.yes" if r.active else "agents.no"),
        )
        for r in rows
    ]
    widths = [max(len(str(line[i])) for line in (headers, *table)) for i in range(4)]
    for line in (headers, *table):
        print("  ".join(str(cell).ljust(width) for cell, width in zip(line, widths, strict=True)))
    return common.EXIT_OK


def _print_rules(conn: Any) -> int:
    from relance_tui.domain.labels import SEGMENT_KEYS
    from relance_tui.formatting import money
    from relance_tui.i18n import t
    from relance_tui.storage.assignment import list_rules

    rules = list_rules(conn)
    if not rules:
        print(t("rules.none"))
    for rule in rules:
        parts = [f"#{rule.id}", rule.agent_login]
        if rule.segment:
            parts.append(t(SEGMENT_KEYS[rule.segment]))
        if rule.postal_prefix:
            parts.append(t("rules.postal", prefix=rule.postal_prefix))
        if rule.min_overdue_cents is not None:
            parts.append(f">= {money(rule.min_overdue_cents)}")
        if rule.max_overdue_cents is not None:
            parts.append(f"< {money(rule.max_overdue_cents)}")
        print("  ".join(parts))
    return common.EXIT_OK


def _change_rules(conn: Any, args: argparse.Namespace, by: str) -> int:
    from relance_tui.i18n import t, tn
    from relance_tui.storage import agents, assignment
    from relance_tui.storage.db import transaction

    with transaction(conn):
        if args.rule_action == "delete":
            if not assignment.delete_rule(conn, args.rule_id, by=by):
                raise common.CliError(t("rules.not_found", id=args.rule_id))
            print(t("rules.deleted", id=args.rule_id))
            return common.EXIT_OK
        agent = agents.get_agent(conn, args.login)
        if agent is None:
            raise common.CliError(t("agents.not_found", login=args.login))
        prefix = args.postal_prefix
        if prefix is not None and not prefix.isdigit():
            raise common.CliError(t("rules.bad_prefix", prefix=prefix), exit_code=2)
        rule_id = assignment.add_rule(
            conn,
            agent_id=agent.id,
            segment=args.segment,
            postal_prefix=prefix,
            min_overdue_cents=None if args.min_amount is None else round(args.min_amount * 100),
            max_overdue_cents=None if args.max_amount is None else round(args.max_amount * 100),
            by=by,
        )
        assigned = assignment.assign_by_rules(conn)
    print(tn("rules.added", assigned, id=rule_id, login=agent.login))
    return common.EXIT_OK
