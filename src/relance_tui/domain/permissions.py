"""What each role may do: the one table. services.permissions checks it for the TUI and the CLI.

It lives in the domain (pure data) so that storage's `AgentRow.sees_everyone` reads it too;
nothing else decides what a role may do.
"""

from __future__ import annotations

from enum import StrEnum

from relance_tui.domain.enums import AgentRole


class Permission(StrEnum):
    WORK_OWN_PORTFOLIO = "work_own_portfolio"  # the app, one's own queue and cases, calls
    SEE_EVERY_PORTFOLIO = "see_every_portfolio"  # every queue and case; act as another (--agent)
    REASSIGN = "reassign"  # move cases between agents
    AUDIT_EVERYONE = "audit_everyone"  # the whole audit trail (others: their portfolio's events)
    LIST_AGENTS = "list_agents"  # who the agents are, the portfolio rules
    MANAGE_AGENTS = "manage_agents"  # add, disable, change roles, portfolio rules
    IMPORT = "import"  # `relance import`
    SEED = "seed"  # `relance seed` into an existing database, `--force`
    MATCH_PAYMENTS = "match_payments"  # resolve unmatched bank credits, undo a match
    DUNNING = "dunning"  # perform the dunning batch (send e-mails, produce letters)
    WAIVE_PENALTIES = "waive_penalties"  # stop claiming an invoice's late penalties


_AGENT = frozenset({Permission.WORK_OWN_PORTFOLIO, Permission.LIST_AGENTS})
_SUPERVISOR = _AGENT | {
    Permission.SEE_EVERY_PORTFOLIO,
    Permission.REASSIGN,
    Permission.AUDIT_EVERYONE,
    Permission.MATCH_PAYMENTS,
    Permission.DUNNING,
    Permission.WAIVE_PENALTIES,
}
_ADMIN = _SUPERVISOR | {Permission.MANAGE_AGENTS, Permission.IMPORT, Permission.SEED}

ROLE_PERMISSIONS: dict[AgentRole, frozenset[Permission]] = {
    AgentRole.AGENT: _AGENT,
    AgentRole.SUPERVISOR: _SUPERVISOR,
    AgentRole.ADMIN: _ADMIN,
}


def role_may(role: AgentRole, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS[role]
