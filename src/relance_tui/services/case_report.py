"""`relance case REF`: one case file as plain data (for scripts, and for checking figures by hand).

Built on the case screen's read model (services.casefile), plus the dunning ladder's state
(services.ladder) and the penalties per invoice. Every value is JSON-ready: money as strings
with two decimals, dates ISO.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from decimal import Decimal
from typing import Any

from relance_tui.config import Settings
from relance_tui.domain.clock import business_day
from relance_tui.domain.enums import PromiseStatus, Stage
from relance_tui.domain.labels import PROMISE_STATUS_KEYS, STAGE_KEYS
from relance_tui.domain.ladder import HoldKind
from relance_tui.domain.models import from_cents
from relance_tui.domain.penalties import RateTable
from relance_tui.domain.permissions import Permission
from relance_tui.i18n import t
from relance_tui.services.casefile import load_case_file, promise_money_text
from relance_tui.services.ladder import case_decision
from relance_tui.services.permissions import NotAllowedError, may
from relance_tui.storage.agents import AgentRow
from relance_tui.storage.dunning import case_id_for
from relance_tui.storage.penalty_facts import case_waivers

CHANNEL_KEYS = {
    "email": "dunning.channel.email",
    "letter": "dunning.channel.letter",
    "registered_letter": "dunning.channel.registered_letter",
    "sms": "dunning.channel.sms",
    "phone": "dunning.channel.phone",
}
HOLD_KEYS = {
    HoldKind.INSOLVENCY: "dunning.hold.insolvency",
    HoldKind.MANUAL: "dunning.hold.manual",
    HoldKind.PROMISE: "dunning.hold.promise",
    HoldKind.PLAN: "dunning.hold.plan",
    HoldKind.DISPUTE: "dunning.hold.dispute",
    HoldKind.SUPERVISOR: "dunning.hold.supervisor",
}


class CaseLookupError(LookupError):
    """No case has this reference; the message says so."""


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def case_report(
    conn: sqlite3.Connection,
    reference: str,
    *,
    viewer: AgentRow,
    now: datetime,
    settings: Settings,
    rates: RateTable | None = None,
) -> dict[str, Any]:
    """The case of debtor `reference` (or case id `reference`). Agents see their own cases and
    the unassigned ones; supervisors and admins every case."""
    case_id = case_id_for(conn, reference)
    if case_id is None:
        raise CaseLookupError(t("case_cli.unknown", reference=reference))
    case_file = load_case_file(conn, case_id, now=now, settings=settings, rates=rates)
    s = case_file.summary
    if not may(viewer, Permission.WORK_OWN_PORTFOLIO):
        raise NotAllowedError(t("permission.denied.work_own_portfolio"))
    if (
        s.assigned_agent is not None
        and s.assigned_agent != viewer.login
        and not may(viewer, Permission.SEE_EVERY_PORTFOLIO)
    ):
        raise NotAllowedError(t("case_cli.not_yours", reference=reference))
    today = business_day(now)
    penalties = {item.invoice_number: item for item in s.penalties.invoices}
    invoices = []
    for line in case_file.invoices:
        if line.outstanding == 0 and line.number not in penalties:
            continue
        penalty = penalties.get(line.number)
        invoices.append(
            {
                "number": line.number,
                "issue_date": line.issue_date.isoformat(),
                "due_date": line.due_date.isoformat(),
                "amount": _money(line.amount),
                "outstanding": _money(line.outstanding),
                "status": line.status.value,
                "days_late": line.days_late,
                "in_dispute": line.in_dispute,
                "interest": _money(penalty.interest) if penalty else "0.00",
                "indemnity": _money(penalty.indemnity) if penalty else "0.00",
                "estimated": bool(penalty and penalty.estimated),
                "contract_rate_below_floor": bool(penalty and penalty.contract_rate_below_floor),
                "periods": [
                    {
                        "start": p.start.isoformat(),
                        "end": p.end.isoformat(),
                        "days": p.days,
                        "balance": _money(p.balance),
                        "rate": str(p.rate),
                        "interest": f"{p.interest:.5f}",
                        "estimated": p.estimated,
                    }
                    for p in (penalty.periods if penalty else ())
                ],
            }
        )
    decision = case_decision(conn, case_id, today, settings)
    ladder = None
    if decision is not None:
        step = decision.next
        ladder = {
            "step": decision.reached.value if decision.reached else None,
            "step_label": t(STAGE_KEYS[decision.reached]) if decision.reached else "—",
            "step_on": decision.reached_on.isoformat() if decision.reached_on else None,
            "next_step": step.step if step else None,
            "next_step_label": t(STAGE_KEYS[Stage(step.step)]) if step else "—",
            "next_channel": step.channel if step else None,
            "next_channel_label": t(CHANNEL_KEYS[step.channel]) if step else "—",
            "next_on": decision.due_on.isoformat() if decision.due_on else None,
            "due": decision.due(today),
            "prescription_close": decision.prescription_close,
            "holds": [
                {
                    "kind": hold.kind.value,
                    "until": hold.until.isoformat() if hold.until else None,
                    "reason": hold.reason or t(HOLD_KEYS[hold.kind]),
                }
                for hold in decision.holds
            ],
        }
    return {
        "case_id": s.case_id,
        "today": today.isoformat(),
        "debtor": {
            "reference": s.debtor_reference,
            "name": s.debtor_name,
            "siren": s.siren,
            "segment": s.segment.value,
            "address": s.address,
            "postal_code": s.postal_code,
            "city": s.city,
            "insolvency_since": s.insolvency_since.isoformat() if s.insolvency_since else None,
        },
        "status": s.status,
        "assigned_agent": s.assigned_agent,
        "stage": s.stage.value,
        "ladder": ladder,
        "overdue": _money(s.overdue),
        "disputed": _money(s.disputed),
        "balance": _money(s.balance),
        "invoices": invoices,
        "penalties": {
            "regime": s.penalties.regime.value,
            "applicable": s.penalties.applicable,
            "interest": _money(s.penalties.interest),
            "indemnities": _money(s.penalties.indemnities),
            "total": _money(s.penalties.total),
            "estimated": s.penalties.estimated,
            "contract_rate_below_floor": s.penalties.contract_rate_below_floor,
        },
        "waivers": [
            {
                "invoice": str(row["number"]),
                "on": str(row["waived_on"]),
                "by": str(row["created_by"]),
                "reason": str(row["reason"]),
                "interest": _money(from_cents(int(row["interest_cents"]))),
                "indemnity": _money(from_cents(int(row["indemnity_cents"]))),
            }
            for row in case_waivers(conn, case_id)
        ],
        "promises": [
            {
                "id": promise.promise_id,
                "kind": promise.kind,
                "amount": _money(promise.amount),
                "due_date": promise.due_date.isoformat(),
                "status": promise.status.value,
                "status_label": t(PROMISE_STATUS_KEYS[promise.status]),
                "settled_on": promise.settled_on.isoformat() if promise.settled_on else None,
                "paid": _money(promise.paid + promise.late_paid),
                "missing": _money(promise.missing)
                if promise.status is PromiseStatus.PARTLY_KEPT
                else "0.00",
                "rest_paid_on": promise.rest_paid_on.isoformat() if promise.rest_paid_on else None,
                "money": promise_money_text(promise),
            }
            for promise in case_file.promises
        ],
        "prescription_on": s.prescription_on.isoformat() if s.prescription_on else None,
        "warnings": [w.message for w in case_file.warnings],
    }
