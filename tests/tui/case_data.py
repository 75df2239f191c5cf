"""A small, fixed portfolio for the case screen tests (factories + a fixed clock)."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, timedelta
from pathlib import Path

from factories import add_agent, add_contact, add_invoice, make_case, paris_noon
from relance_tui.config import Settings
from relance_tui.storage.cases import sync_cases
from relance_tui.storage.db import connect, transaction
from relance_tui.tui.app import RelanceApp

TODAY = date(2026, 11, 24)  # a Tuesday
NOW = paris_noon(TODAY)  # 12:00 in Paris: inside the calling hours


def build(db_path: Path, *, extra_invoices: int = 0) -> dict[str, int]:
    """agent1 and agent2; agent1's cases: Boulangerie Martin (the main one) and two others."""
    conn = connect(db_path)
    try:
        with transaction(conn):
            agent1 = add_agent(conn, "agent1", name="Agent Un")
            agent2 = add_agent(conn, "agent2", name="Agent Deux")
            case = make_case(
                conn, TODAY, days_late=60, amount_cents=120_000, agent_id=agent1,
                invoice_number="F-2026-0101", name="Boulangerie Martin", segment="sme",
                reference="CLI-000101",
            )  # fmt: skip
            debtor = _debtor(conn, case)
            conn.execute(
                "UPDATE debtors SET siren = '732829320', postal_code = '75011', city = 'Paris',"
                " address = '12 rue Oberkampf', payer_type = 'bad' WHERE id = ?",
                (debtor,),
            )
            conn.execute(
                "UPDATE invoices SET po_reference = 'PO-77', outstanding_cents = 100000,"
                " status = 'partially_paid' WHERE number = 'F-2026-0101'"
            )
            add_invoice(conn, debtor, due=TODAY - timedelta(days=20), amount_cents=50_000,
                        number="F-2026-0202")  # fmt: skip
            add_invoice(conn, debtor, due=TODAY + timedelta(days=10), amount_cents=30_000,
                        number="F-2026-0303")  # fmt: skip
            for n in range(extra_invoices):
                add_invoice(conn, debtor, due=TODAY - timedelta(days=40 + n), amount_cents=1_000,
                            number=f"F-2025-{n:04d}")  # fmt: skip
            add_contact(conn, debtor, name="Claire Martin", role="decision_maker",
                        phones=["01 42 68 53 00", "06 12 34 56 78"])  # fmt: skip
            add_contact(conn, debtor, name="Paul Durand", role="accounts_payable",
                        phones=["06 98 76 54 32"])  # fmt: skip
            second = make_case(conn, TODAY, days_late=30, amount_cents=80_000, agent_id=agent1,
                               name="Garage Leroy", reference="CLI-000102")  # fmt: skip
            add_contact(conn, _debtor(conn, second), name="Marc Leroy", role="decision_maker",
                        phones=["01 45 00 00 01"])  # fmt: skip
            third = make_case(conn, TODAY, days_late=10, amount_cents=20_000, agent_id=agent1,
                              name="Fleurs Dubois", reference="CLI-000103")  # fmt: skip
            sync_cases(conn, TODAY)
            # Fixed ranks: Martin first, then Leroy, then Dubois.
            for rank, case_id in enumerate((case, second, third)):
                conn.execute(
                    "UPDATE cases SET priority = ?, scored_on = ? WHERE id = ?",
                    (90.0 - rank * 10, TODAY.isoformat(), case_id),
                )
            conn.execute(
                "INSERT INTO meta (key, value) VALUES ('queue.scored_day', ?)",
                (TODAY.isoformat(),),
            )
    finally:
        conn.close()
    return {"case": case, "second": second, "third": third, "agent1": agent1, "agent2": agent2}


def _debtor(conn: sqlite3.Connection, case_id: int) -> int:
    return int(conn.execute("SELECT debtor_id FROM cases WHERE id = ?", (case_id,)).fetchone()[0])


def make_app(db_path: Path, login: str = "agent1", now: datetime = NOW) -> RelanceApp:
    return RelanceApp(db_path=db_path, agent_login=login, settings=Settings(), clock=lambda: now)
