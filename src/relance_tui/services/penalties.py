"""A case's late penalties and prescription date, by law for its kind of debtor (B2B, public body,
consumer): the facts from storage, the figures from domain.penalties and domain.prescription."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from relance_tui.config import resolve_config_path
from relance_tui.domain.models import from_cents
from relance_tui.domain.penalties import (
    LateInvoice,
    PenaltySummary,
    RateTable,
    RateTableError,
    Regime,
    case_penalties,
    load_rate_table,
    regime_for,
)
from relance_tui.domain.prescription import Event, prescription_date
from relance_tui.storage import casework as casework_store
from relance_tui.storage import penalty_facts as store


def rates_path(config: Path | None = None) -> Path:
    """The user's copy of the rate table: `rates.toml` next to the configuration file."""
    return (config or resolve_config_path()).parent / "rates.toml"


def rate_table(config: Path | None = None) -> RateTable:
    """The user's `rates.toml` when there is one, else the shipped table."""
    return load_rate_table(rates_path(config))


@dataclass(frozen=True, slots=True)
class CaseFigures:
    regime: Regime
    penalties: PenaltySummary
    prescription_on: date | None
    formal_notice_on: date | None


def _contract_rate(value: object) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return None


def case_figures(
    conn: sqlite3.Connection,
    *,
    case_id: int,
    debtor_id: int,
    segment: str,
    insolvency: bool,
    today: date,
    rates: RateTable | None = None,
) -> CaseFigures:
    regime = regime_for(segment)
    notice = store.formal_notice_on(conn, case_id)
    rows = store.penalty_invoices(conn, debtor_id, today)
    payments: dict[int, list[tuple[date, Decimal]]] = {}
    events: list[tuple[date, Event, int | None]] = []
    for row in store.acknowledgments(conn, case_id, debtor_id):
        try:
            day = date.fromisoformat(str(row["day"])[:10])
        except ValueError:
            continue
        events.append((day, Event(row["kind"]), row["invoice_id"]))
    for row in casework_store.invoice_payments(conn, [int(r["id"]) for r in rows]):
        payments.setdefault(int(row["invoice_id"]), []).append(
            (date.fromisoformat(row["received_on"]), from_cents(int(row["amount_cents"])))
        )
    late: list[LateInvoice] = []
    for row in rows:
        invoice_id = int(row["id"])
        paid = list(payments.get(invoice_id, ()))
        # Paid by an import of the invoice file rather than by payments: the rest on paid_on.
        missing = int(row["amount_cents"]) - int(row["outstanding_cents"]) - int(row["paid_cents"])
        if missing > 0 and row["status"] == "paid" and row["paid_on"]:
            paid.append((date.fromisoformat(row["paid_on"][:10]), from_cents(missing)))
        late.append(
            LateInvoice(
                str(row["number"]),
                date.fromisoformat(row["due_date"]),
                from_cents(int(row["outstanding_cents"])),
                tuple(paid),
                _contract_rate(row["late_rate"]),
            )
        )
    penalties = case_penalties(
        late,
        today=today,
        rates=rates or rate_table(),
        regime=regime,
        insolvency=insolvency,
        formal_notice_on=notice,
    )
    dates: list[date] = []
    for row in store.prescription_invoices(conn, debtor_id):
        invoice_id = int(row["id"])
        mine = [(d, k) for d, k, i in events if i is None or i == invoice_id]
        dates.append(prescription_date(date.fromisoformat(row["due_date"]), regime, mine))
    return CaseFigures(regime, penalties, min(dates) if dates else None, notice)


__all__ = ["CaseFigures", "RateTableError", "case_figures", "rate_table", "rates_path"]
