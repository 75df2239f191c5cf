"""`relance agents add|list|disable|set-role`: who may use the database, with which role."""

from __future__ import annotations

import argparse
from typing import Any

from relance_tui.cli import common
from relance_tui.i18n import t, tn

ROLES = ("agent", "supervisor", "admin")
SEGMENTS = ("large_account", "multi_site", "sme", "public_body", "consumer")


def register(subparsers: Any) -> None:
    parser = common.command(subparsers, "agents", t("cli.agents.help"))
    actions = parser.add_subparsers(
        title=t("cli.actions"), dest="agents_action", metavar="ACTION", required=True
    )
    login = t("cli.metavar.login")
    add = common.command(actions, "add", t("cli.agents.add"))
    add.add_argument("login", metavar=login, help=t("cli.agents.login"))
    add.add_argument("--name", metavar=t("cli.metavar.name"), help=t("cli.agents.name"))
    add.add_argument("--role", choices=ROLES, default="agent", help=t("cli.agents.role"))
    common.command(actions, "list", t("cli.agents.list"))
    disable = common.command(actions, "disable", t("cli.agents.disable"))
    disable.add_argument("login", metavar=login)
    set_role = common.command(actions, "set-role", t("cli.agents.set_role"))
    set_role.add_argument("login", metavar=login)
    set_role.add_argument("role", choices=ROLES, help=t("cli.agents.role"))
    rule = common.command(actions, "rule", t("cli.agents.rule"))
    rule_actions = rule.add_subparsers(
        title=t("cli.actions"), dest="rule_action", metavar="ACTION", required=True
    )
    rule_add = common.command(rule_actions, "add", t("cli.rule.add", login=login))
    rule_add.add_argument("login", metavar=login)
    rule_add.add_argument("--segment", choices=SEGMENTS, help=t("cli.rule.segment"))
    rule_add.add_argument(
        "--postal-prefix", metavar=t("cli.metavar.digits"), help=t("cli.rule.postal_prefix")
    )
    euros = t("cli.metavar.euros")
    rule_add.add_argument(
        "--min-amount", type=common.euros, metavar=euros, help=t("cli.rule.min_amount")
    )
    rule_add.add_argument(
        "--max-amount", type=common.euros, metavar=euros, help=t("cli.rule.max_amount")
    )
    rule_delete = common.command(rule_actions, "delete", t("cli.rule.delete"))
    rule_delete.add_argument("rule_id", type=common.integer(), metavar=t("cli.metavar.id"))
    common.command(rule_actions, "list", t("cli.rule.list"))
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    # Deferred: each sub-command loads only what it runs.
    from relance_tui.services.agents import AgentsError
    from relance_tui.services.permissions import NotAllowedError

    conn = common.open_db(args)
    try:
        actor = common.current_identity(args, conn).agent
        return _run(args, conn, actor)
    except (AgentsError, NotAllowedError) as error:
        raise common.CliError(str(error)) from error
    finally:
        conn.close()


def _run(args: argparse.Namespace, conn: Any, actor: Any) -> int:
    # Deferred: each sub-command loads only what it runs.
    from relance_tui.domain.labels import AGENT_ROLE_KEYS
    from relance_tui.domain.models import AgentRole

    # Deferred: each sub-command loads only what it runs.
    from relance_tui.services import agents

    action = args.agents_action
    if action == "list":
        return _print_list(agents.list_agents(conn, actor))
    if action == "rule":
        return _rules(args, conn, actor)
    if action == "add":
        row = agents.save_agent(
            conn, actor, args.login, name=args.name or args.login, role=AgentRole(args.role)
        )
        print(t("agents.added", login=row.login, role=t(AGENT_ROLE_KEYS[row.role])))
    elif action == "disable":
        agents.disable_agent(conn, actor, args.login)
        print(t("agents.disabled", login=args.login))
    else:
        agents.set_role(conn, actor, args.login, AgentRole(args.role))
        print(t("agents.role_set", login=args.login, role=t(AGENT_ROLE_KEYS[args.role])))
    return common.EXIT_OK


def _print_list(rows: list[Any]) -> int:
    # Deferred: each sub-command loads only what it runs.
    from relance_tui.domain.labels import AGENT_ROLE_KEYS

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


def _rules(args: argparse.Namespace, conn: Any, actor: Any) -> int:
    # Deferred: each sub-command loads only what it runs.
    from relance_tui.domain.labels import SEGMENT_KEYS
    from relance_tui.formatting import money

    # Deferred: each sub-command loads only what it runs.
    from relance_tui.services import agents

    if args.rule_action == "delete":
        agents.delete_rule(conn, actor, args.rule_id)
        print(t("rules.deleted", id=args.rule_id))
        return common.EXIT_OK
    if args.rule_action == "add":
        prefix = args.postal_prefix
        if prefix is not None and not prefix.isdigit():
            raise common.CliError(t("rules.bad_prefix", prefix=prefix), exit_code=2)
        rule_id, agent, assigned = agents.add_rule(
            conn,
            actor,
            args.login,
            segment=args.segment,
            postal_prefix=prefix,
            min_overdue_cents=None if args.min_amount is None else round(args.min_amount * 100),
            max_overdue_cents=None if args.max_amount is None else round(args.max_amount * 100),
        )
        print(tn("rules.added", assigned, id=rule_id, login=agent.login))
        return common.EXIT_OK
    rules = agents.list_rules(conn, actor)
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
