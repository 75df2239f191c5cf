"""An agent's agenda: callbacks and promise checks due today or overdue (docs/scenarios.md §3).

"Mine" means made by the agent or on a case assigned to the agent. Overdue items come first.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum

from relance_tui.domain.clock import PARIS, aware, business_day
from relance_tui.domain.models import from_cents
from relance_tui.domain.phones import format_national
from relance_tui.storage import casework as store
from relance_tui.storage.agents import get_agent


class AgendaKind(StrEnum):
    CALLBACK = "callback"
    PROMISE_CHECK = "promise_check"  # a promise falls due (or was broken and not yet seen)
    PAYMENT_CHECK = "payment_check"  # a payment the debtor said was made, to find
    INSTALLMENT_CHECK = "installment_check"


AGENDA_KIND_KEYS: dict[str, str] = {
    AgendaKind.CALLBACK: "case.agenda.callback",
    AgendaKind.PROMISE_CHECK: "case.agenda.promise_check",
    AgendaKind.PAYMENT_CHECK: "case.agenda.payment_check",
    AgendaKind.INSTALLMENT_CHECK: "case.agenda.installment_check",
}


@dataclass(frozen=True, slots=True)
class AgendaItem:
    kind: AgendaKind
    case_id: int
    debtor_name: str
    due_on: date  # Paris day
    due_at: datetime | None  # callbacks: the time (UTC)
    overdue: bool  # due before today (callbacks: before now)
    amount: Decimal | None = None
    contact_name: str = ""
    phone_display: str = ""
    detail: str = ""  # callback reason, promise status…
    ref_id: int = 0  # callback / promise / installment id

    @property
    def sort_key(self) -> tuple[datetime, int]:
        moment = self.due_at or datetime.combine(self.due_on, time(0), PARIS)
        return moment.astimezone(UTC), self.case_id


def agenda(conn: sqlite3.Connection, agent_login: str, now: datetime) -> list[AgendaItem]:
    """The agent's callbacks due by the end of today and promise/installment checks due by
    today, overdue first, then in time order. Empty for an unknown agent."""
    agent = get_agent(conn, agent_login)
    if agent is None:
        return []
    now = aware(now)
    today = business_day(now)
    end_of_day = datetime.combine(today + timedelta(days=1), time(0), PARIS).astimezone(UTC)
    items: list[AgendaItem] = []
    for row in store.agenda_callbacks(conn, agent.id, end_of_day.isoformat(timespec="seconds")):
        due_at = datetime.fromisoformat(row["due_at"])
        due_at = due_at if due_at.tzinfo else due_at.replace(tzinfo=UTC)
        items.append(
            AgendaItem(
                kind=AgendaKind.CALLBACK,
                case_id=int(row["case_id"]),
                debtor_name=str(row["legal_name"]),
                due_on=due_at.astimezone(PARIS).date(),
                due_at=due_at,
                overdue=due_at < now,
                contact_name=str(row["contact"] or ""),
                phone_display=format_national(row["e164"], str(row["phone_raw"] or ""))
                if row["phone_raw"]
                else "",
                detail=str(row["reason"] or ""),
                ref_id=int(row["id"]),
            )
        )
    for row in store.agenda_promises(conn, agent.id, today.isoformat()):
        due = date.fromisoformat(row["due_date"])
        kind = (
            AgendaKind.PAYMENT_CHECK
            if row["kind"] == "payment_claimed"
            else AgendaKind.PROMISE_CHECK
        )
        items.append(
            AgendaItem(
                kind=kind,
                case_id=int(row["case_id"]),
                debtor_name=str(row["legal_name"]),
                due_on=due,
                due_at=None,
                overdue=due < today,
                amount=from_cents(int(row["amount_cents"])),
                detail=str(row["status"]),
                ref_id=int(row["id"]),
            )
        )
    for row in store.agenda_installments(conn, agent.id, today.isoformat()):
        due = date.fromisoformat(row["due_date"])
        items.append(
            AgendaItem(
                kind=AgendaKind.INSTALLMENT_CHECK,
                case_id=int(row["case_id"]),
                debtor_name=str(row["legal_name"]),
                due_on=due,
                due_at=None,
                overdue=due < today,
                amount=from_cents(int(row["amount_cents"]) - int(row["paid_cents"])),
                detail=str(row["sequence"]),
                ref_id=int(row["id"]),
            )
        )
    items.sort(key=lambda item: (not item.overdue, item.sort_key))
    return items
