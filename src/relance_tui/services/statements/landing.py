"""`relance import statement FILE`: the movements a statement adds, matched and written at once.

One `BEGIN IMMEDIATE` transaction: the movements not seen before (a re-import adds nothing), the
payments their credits make, the invoices they pay, the cases they open or close, the promises and
plan installments they keep, the debtors' payment behaviour and the cases' scores. A file that
cannot be read or does not add up is refused before anything is written.
"""

from __future__ import annotations

import sqlite3
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from relance_tui.config import Settings
from relance_tui.domain.clock import business_day
from relance_tui.domain.permissions import Permission
from relance_tui.services.behaviour import relearn
from relance_tui.services.followup import settle_commitments_of
from relance_tui.services.permissions import require_login
from relance_tui.services.ranking import refresh_scores
from relance_tui.services.statements.matcher import Decision, Matcher
from relance_tui.services.statements.model import Movement, Statement, movement_keys
from relance_tui.services.statements.reading import read_statements
from relance_tui.storage import imports as import_store
from relance_tui.storage import statements as store
from relance_tui.storage.cases import sync_cases
from relance_tui.storage.db import append_audit, transaction


@dataclass
class StatementReport:
    path: Path
    statements: int = 0
    movements: int = 0  # new ones
    known: int = 0  # seen in an earlier import: left alone
    debits: int = 0
    matched: Counter[str] = field(default_factory=Counter)  # rule → credits
    matched_cents: int = 0
    unmatched: int = 0
    unmatched_cents: int = 0
    credit_cents: int = 0  # over-payments left on debtors
    import_id: int | None = None


def import_statement(
    conn: sqlite3.Connection, path: Path, *, agent: str, settings: Settings, now: datetime
) -> StatementReport:
    """Raises NotAllowedError unless `agent` may import, StatementError for a bad file."""
    require_login(conn, agent, Permission.IMPORT)
    statements = read_statements(path)
    report = StatementReport(path=path, statements=len(statements))
    at = now.astimezone(UTC).isoformat(timespec="seconds")
    lines = sum(len(statement.movements) for statement in statements)
    with (
        import_store.bulk_session(conn, lines),
        transaction(conn),
        import_store.changes_noted(conn),
    ):
        require_login(conn, agent, Permission.IMPORT)
        fresh: list[tuple[Statement, list[tuple[str, Movement]]]] = []
        for statement in statements:
            keys = movement_keys(statement)
            known = store.known_movement_keys(conn, keys)
            new = [(k, m) for k, m in zip(keys, statement.movements, strict=True) if k not in known]
            report.known += len(statement.movements) - len(new)
            if new or not known:
                fresh.append((statement, new))
        # decided before anything is written: the movements go in with their outcome
        credits = [m for _s, new in fresh for _k, m in new if m.cents > 0]
        matcher = Matcher(store.read_book(conn)) if credits else None
        outcome: dict[int, Decision] = {}
        for movement in credits:
            assert matcher is not None
            decision = matcher.decide(movement)
            if decision is not None:
                outcome[id(movement)] = decision
        statement_ids: list[int] = []
        decided: list[tuple[int, Movement, Decision]] = []
        for statement, new in fresh:
            statement_id = store.insert_statement(conn, {
                "format": statement.format, "account": statement.account,
                "currency": statement.currency,
                "opening_on": statement.opening_on and statement.opening_on.isoformat(),
                "opening_cents": statement.opening_cents,
                "closing_on": statement.closing_on and statement.closing_on.isoformat(),
                "closing_cents": statement.closing_cents, "file_name": path.name, "at": at,
            })  # fmt: skip
            statement_ids.append(statement_id)
            rows = []
            for key, m in new:
                found = outcome.get(id(m))
                status = "debit" if m.cents <= 0 else "unmatched" if found is None else "matched"
                rows.append((
                    key, statement_id, m.line, m.booked_on.isoformat(),
                    m.value_on and m.value_on.isoformat(), m.cents, m.bank_reference, m.label,
                    m.remittance, m.payer_name, m.payer_iban, status,
                    found and found.rule.value, found.detail if found else "",
                    found and at, found and agent,
                ))  # fmt: skip
            ids = store.insert_movements(conn, rows)
            for movement_id, (_key, m) in zip(ids, new, strict=True):
                found = outcome.get(id(m))
                if found is not None:
                    decided.append((movement_id, m, found))
                elif m.cents > 0:
                    report.unmatched += 1
                    report.unmatched_cents += m.cents
                else:
                    report.debits += 1
            report.movements += len(new)
        write_decisions(conn, decided, agent=agent, at=at)
        for _i, movement, decision in decided:
            report.matched[decision.rule.value] += 1
            report.matched_cents += movement.cents
            report.credit_cents += decision.credit_cents
        if matcher is not None and matcher.learnt:
            store.remember_payers(
                conn, ((k, v, d, "match", at) for (k, v), d in matcher.learnt.items())
            )
        settle_debtors(conn, settings, now, {d.debtor_id for _i, _m, d in decided})
        report.import_id = import_store.record_import(
            conn, kind="statement", file_name=path.name, inserted=report.movements,
            updated=sum(report.matched.values()), rejected=0, at=at, by=agent,
        )  # fmt: skip
        store.link_statements(conn, statement_ids, report.import_id)
        append_audit(
            conn, agent=agent, action="import.statement", entity="import",
            entity_id=report.import_id,
            after={
                "file": str(path), "statements": report.statements, "movements": report.movements,
                "known": report.known, "matched": dict(report.matched),
                "unmatched": report.unmatched, "credit_cents": report.credit_cents,
                "changes": import_store.audit_changes(
                    conn, agent=agent, at=at, import_id=report.import_id
                ),
            },
            at=at,
        )  # fmt: skip
    return report


def write_decisions(
    conn: sqlite3.Connection,
    decided: list[tuple[int, Movement, Decision]],
    *,
    agent: str,
    at: str,
) -> list[int]:
    """The payments, allocations and invoice balances of these decisions (the movements are
    written matched already)."""
    if not decided:
        return []
    payment_ids = store.insert_statement_payments(conn, [
        (d.debtor_id, d.shares[0][0] if d.shares else None, m.booked_on.isoformat(), m.cents,
         (m.payer_name + " " + m.label).strip()[:200], m.cents - d.credit_cents, movement_id, at,
         agent)
        for movement_id, m, d in decided
    ])  # fmt: skip
    store.insert_allocations(
        conn,
        ((pid, invoice, cents) for pid, (_i, _m, d) in zip(payment_ids, decided, strict=True)
         for invoice, cents in d.shares),
    )  # fmt: skip
    paid: dict[int, int] = defaultdict(int)
    day: dict[int, str] = {}
    for _i, movement, decision in decided:
        for invoice, cents in decision.shares:
            paid[invoice] += cents
            day[invoice] = max(day.get(invoice, ""), movement.booked_on.isoformat())
    store.apply_to_invoices(conn, ((i, paid[i], day[i]) for i in sorted(paid)))
    return payment_ids


def settle_debtors(
    conn: sqlite3.Connection, settings: Settings, now: datetime, debtors: set[int]
) -> None:
    """What follows from money in or out for these debtors, in the caller's transaction: the
    cases (closed when nothing is owed), promises and installments, the queue's scores."""
    if not debtors:
        return
    today = business_day(now)
    ordered = sorted(debtors)
    sync_cases(conn, today, ordered)
    relearn(conn, ordered)
    settle_commitments_of(conn, settings, today, now, ordered)
    refresh_scores(conn, settings, now, store.case_of_debtors(conn, ordered))
