"""Waiving late penalties (supervisors and admins): an invoice's interest and 40 € indemnity stop
being claimed — in letters, e-mails, `relance case` and every total — from the day of the
waiver. What was waived, by whom and why is recorded (penalty_waivers) and audited.

Public bodies are refused: their late-payment interest is owed by law and cannot be waived
(Code de la commande publique R2192-31; docs/french-collection-rules.md).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from relance_tui.domain.models import to_cents
from relance_tui.domain.penalties import RateTable, Regime
from relance_tui.domain.permissions import Permission
from relance_tui.i18n import KeyedError, key
from relance_tui.services.penalties import case_figures
from relance_tui.services.permissions import require_login
from relance_tui.storage import dunning as dunning_store
from relance_tui.storage import penalty_facts as store
from relance_tui.storage.db import append_audit, transaction, utc_now_iso


class WaiverError(KeyedError):
    """Nothing to waive, no reason, or a public body; `text()` says which."""

    def __str__(self) -> str:
        return self.text()


@dataclass(frozen=True, slots=True)
class Waived:
    number: str
    interest: Decimal
    indemnity: Decimal


def waive_penalties(
    conn: sqlite3.Connection,
    case_id: int,
    *,
    reason: str,
    login: str,
    today: date,
    invoice: str | None = None,
    rates: RateTable | None = None,
) -> list[Waived]:
    """Waive the penalties of one invoice of the case (`invoice`, its number) or of all its
    invoices that carry some. Returns what was waived (the figures as of `today`)."""
    reason = reason.strip()
    if not reason:
        raise WaiverError(key("waiver.no_reason"))
    with transaction(conn):
        require_login(conn, login, Permission.WAIVE_PENALTIES)
        found = dunning_store.case_cycle(conn, case_id)
        if found is None:
            raise WaiverError(key("case_cli.unknown"), reference=f"#{case_id}")
        debtor = dunning_store.debtor_row(conn, found[0])
        assert debtor is not None
        figures = case_figures(
            conn, case_id=case_id, debtor_id=int(debtor["id"]), segment=str(debtor["segment"]),
            insolvency=debtor["insolvency_since"] is not None, today=today, rates=rates,
        )  # fmt: skip
        if figures.regime is Regime.PUBLIC_BODY:
            raise WaiverError(key("waiver.public_body"))
        items = [
            item
            for item in figures.penalties.invoices
            if (item.interest or item.indemnity) and invoice in (None, item.invoice_number)
        ]
        if not items:
            if invoice:
                raise WaiverError(key("waiver.nothing_on"), invoice=invoice)
            raise WaiverError(key("waiver.nothing"))
        ids = store.invoice_ids(conn, int(debtor["id"]))
        at = utc_now_iso()
        waived = []
        for item in items:
            store.insert_waiver(
                conn, invoice_id=ids[item.invoice_number], case_id=case_id, on=today,
                reason=reason, interest_cents=to_cents(item.interest),
                indemnity_cents=to_cents(item.indemnity), by=login, at=at,
            )  # fmt: skip
            waived.append(Waived(item.invoice_number, item.interest, item.indemnity))
        append_audit(
            conn, agent=login, action="penalties.waive", entity="case", entity_id=case_id,
            after={
                "reason": reason,
                "invoices": [
                    {"number": w.number, "interest": str(w.interest),
                     "indemnity": str(w.indemnity)}
                    for w in waived
                ],
            },
        )  # fmt: skip
    return waived
