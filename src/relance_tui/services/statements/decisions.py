"""A supervisor's work on bank credits: the unmatched list, resolving one (the debtor, its
invoices, a split across several), undoing a match. Each is one transaction that also settles
the cases, promises, installments and scores of the debtors it touches."""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from relance_tui.config import Settings
from relance_tui.domain.matching import MatchRule, allocate, plain
from relance_tui.domain.permissions import Permission
from relance_tui.services.permissions import require_login
from relance_tui.services.statements.landing import settle_debtors
from relance_tui.storage import statements as store
from relance_tui.storage.db import append_audit, transaction


class MatchError(ValueError):
    """A decision that cannot be applied (already matched, an invoice of nobody, too much)."""


@dataclass(frozen=True, slots=True)
class Credit:
    """A bank credit as the unmatched list shows it."""

    id: int
    booked_on: date
    cents: int
    label: str
    remittance: str
    payer_name: str
    payer_iban: str
    status: str
    rule: str | None
    reason: str


def _credit(row: sqlite3.Row) -> Credit:
    return Credit(
        id=int(row["id"]), booked_on=date.fromisoformat(row["booked_on"]),
        cents=int(row["amount_cents"]), label=row["label"], remittance=row["remittance"],
        payer_name=row["payer_name"], payer_iban=row["payer_iban"], status=row["status"],
        rule=row["rule"], reason=row["reason"],
    )  # fmt: skip


def unmatched(
    conn: sqlite3.Connection, agent: str, *, limit: int = 200, offset: int = 0
) -> tuple[list[Credit], int]:
    """A page of the credits waiting for a decision, and how many wait."""
    require_login(conn, agent, Permission.MATCH_PAYMENTS)
    rows = store.unmatched_movements(conn, limit=limit, offset=offset)
    return [_credit(row) for row in rows], store.count_unmatched(conn)


def matched(conn: sqlite3.Connection, agent: str, *, limit: int = 200) -> list[Credit]:
    """The credits matched last (by a rule or a supervisor), each with why: to undo one."""
    require_login(conn, agent, Permission.MATCH_PAYMENTS)
    return [_credit(row) for row in store.matched_movements(conn, limit=limit)]


def credit(conn: sqlite3.Connection, movement_id: int) -> Credit | None:
    row = store.movement(conn, movement_id)
    return None if row is None else _credit(row)


def _stamp(now: datetime) -> str:
    return now.astimezone(UTC).isoformat(timespec="seconds")


def resolve(
    conn: sqlite3.Connection,
    agent: str,
    movement_id: int,
    *,
    debtor_id: int,
    shares: Sequence[tuple[int, int]],
    settings: Settings,
    now: datetime,
    remember: bool = True,
) -> None:
    """Pay these (invoice id, cents) with the credit; what is left is a credit on `debtor_id`.

    Invoices of several debtors split the payment between them (one payment each). The payer's
    name and IBAN are remembered for `debtor_id` (the next statement matches them by itself).
    Raises MatchError, NotAllowedError.
    """
    at = _stamp(now)
    with transaction(conn):
        require_login(conn, agent, Permission.MATCH_PAYMENTS)
        row = store.movement(conn, movement_id)
        if row is None or row["status"] != "unmatched":
            raise MatchError(movement_id)
        amount = int(row["amount_cents"])
        balances = {
            r[0]: (r[1], r[2], r[3]) for r in store.invoice_balances(conn, [i for i, _ in shares])
        }
        by_debtor: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for invoice_id, cents in shares:
            found = balances.get(invoice_id)
            if found is None or cents <= 0 or cents > found[1]:
                raise MatchError(invoice_id)
            by_debtor[found[0]].append((invoice_id, cents))
        total = sum(cents for _i, cents in shares)
        if total > amount:
            raise MatchError(total)
        by_debtor.setdefault(debtor_id, [])
        rows = []
        for debtor, items in by_debtor.items():
            paid = sum(cents for _i, cents in items)
            cents = paid + (amount - total if debtor == debtor_id else 0)
            if cents > 0:
                rows.append((debtor, items, cents))
        payment_ids = store.insert_statement_payments(conn, [
            (debtor, items[0][0] if items else None, row["booked_on"], cents,
             (row["payer_name"] + " " + row["label"]).strip()[:200],
             sum(c for _i, c in items), movement_id, at, agent)
            for debtor, items, cents in rows
        ])  # fmt: skip
        store.insert_allocations(
            conn,
            ((pid, invoice, cents) for pid, (_d, items, _c) in zip(payment_ids, rows, strict=True)
             for invoice, cents in items),
        )  # fmt: skip
        store.apply_to_invoices(conn, ((i, c, row["booked_on"]) for i, c in shares))
        numbers = ", ".join(balances[i][2] for i, _c in shares)
        store.set_movements_matched(
            conn, [(MatchRule.MANUAL.value, numbers, at, agent, movement_id)]
        )
        if remember:
            links = []
            if row["payer_iban"]:
                links.append(("iban", row["payer_iban"].replace(" ", "").upper()))
            if len(plain(row["payer_name"])) >= 3:
                links.append(("name", plain(row["payer_name"])))
            store.remember_payers(
                conn, ((kind, value, debtor_id, "supervisor", at) for kind, value in links)
            )
        append_audit(
            conn, agent=agent, action="payment.match", entity="bank_movement",
            entity_id=movement_id,
            after={"debtor_id": debtor_id, "shares": [list(s) for s in shares],
                   "credit_cents": amount - total, "remember": remember},
            at=at,
        )  # fmt: skip
        settle_debtors(conn, settings, now, set(by_debtor))


def undo(
    conn: sqlite3.Connection, agent: str, movement_id: int, *, settings: Settings, now: datetime
) -> None:
    """Undo a match: the invoices owe again what it paid, the credit waits in the unmatched list,
    and what the match taught about the payer is forgotten. Raises MatchError, NotAllowedError."""
    at = _stamp(now)
    with transaction(conn):
        require_login(conn, agent, Permission.MATCH_PAYMENTS)
        row = store.movement(conn, movement_id)
        if row is None or row["status"] != "matched":
            raise MatchError(movement_id)
        payments = store.movement_payments(conn, movement_id)
        allocations = store.payment_allocations(conn, [int(p["id"]) for p in payments])
        debtors = {int(p["debtor_id"]) for p in payments}
        store.undo_payments(conn, movement_id)
        store.forget_payers(conn, row["payer_name"], row["payer_iban"], sorted(debtors))
        append_audit(
            conn, agent=agent, action="payment.unmatch", entity="bank_movement",
            entity_id=movement_id,
            before={"rule": row["rule"], "reason": row["reason"],
                    "payments": [dict(p) for p in payments],
                    "allocations": [dict(a) for a in allocations]},
            after={"status": "unmatched"},
            at=at,
        )  # fmt: skip
        settle_debtors(conn, settings, now, debtors)


@dataclass(frozen=True, slots=True)
class DebtorChoice:
    id: int
    reference: str
    name: str
    overdue_cents: int


@dataclass(frozen=True, slots=True)
class InvoiceChoice:
    id: int
    number: str
    due_on: date
    balance_cents: int


def find_debtors(conn: sqlite3.Connection, agent: str, text: str) -> list[DebtorChoice]:
    require_login(conn, agent, Permission.MATCH_PAYMENTS)
    if not text.strip():
        return []
    return [
        DebtorChoice(int(r["id"]), r["reference"], r["legal_name"], int(r["overdue_cents"]))
        for r in store.find_debtors(conn, text.strip())
    ]


def open_invoices(conn: sqlite3.Connection, agent: str, debtor_id: int) -> list[InvoiceChoice]:
    require_login(conn, agent, Permission.MATCH_PAYMENTS)
    return [
        InvoiceChoice(
            int(r["id"]),
            r["number"],
            date.fromisoformat(r["due_date"]),
            int(r["outstanding_cents"]),
        )
        for r in store.debtor_open_invoices(conn, debtor_id)
    ]


def split(cents: int, invoices: Sequence[InvoiceChoice]) -> list[tuple[int, int]]:
    """A credit spread over the invoices picked, in the order shown (oldest first), each up to
    its balance: the (invoice id, cents) shares `resolve` takes."""
    shares, _left = allocate(cents, [(i.id, i.balance_cents) for i in invoices])
    return shares
