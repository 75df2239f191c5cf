"""Small builders that insert rows with plain SQL, for tests (any engineer may import them).

Each takes an open connection (storage.db.connect) and returns the new row's id. Values not given
get harmless defaults. Nothing here validates like the importer does: they are for tests only.
"""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

from relance_tui.storage.cases import sync_cases

STAMP = "2026-01-01T00:00:00+00:00"
_counter = itertools.count(1)


def _next() -> int:
    return next(_counter)


def _insert(conn: sqlite3.Connection, table: str, values: dict[str, object]) -> int:
    columns = ", ".join(values)
    marks = ", ".join("?" for _ in values)
    cursor = conn.execute(
        f"INSERT INTO {table} ({columns}) VALUES ({marks})", tuple(values.values())
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def add_agent(
    conn: sqlite3.Connection, login: str, role: str = "agent", name: str | None = None
) -> int:
    return _insert(
        conn,
        "agents",
        {"login": login, "display_name": name or login, "role": role, "created_at": STAMP},
    )


def add_debtor(
    conn: sqlite3.Connection,
    *,
    name: str | None = None,
    reference: str | None = None,
    siren: str | None = None,
    segment: str = "sme",
    payer_type: str = "unknown",
    strategic: bool = False,
    risk_score: int = 50,
    avg_days_late: float = 0.0,
    promises_broken: int = 0,
    promises_kept: int = 0,
) -> int:
    number = _next()
    return _insert(
        conn,
        "debtors",
        {
            "reference": reference or f"CLI-{number:06d}",
            "legal_name": name or f"Débiteur {number}",
            "siren": siren,
            "segment": segment,
            "payer_type": payer_type,
            "strategic": int(strategic),
            "risk_score": risk_score,
            "avg_days_late": avg_days_late,
            "promises_broken": promises_broken,
            "promises_kept": promises_kept,
            "created_at": STAMP,
            "updated_at": STAMP,
        },
    )


def add_invoice(
    conn: sqlite3.Connection,
    debtor_id: int,
    *,
    due: date,
    amount_cents: int = 100_000,
    outstanding_cents: int | None = None,
    number: str | None = None,
    in_dispute: bool = False,
    status: str = "open",
) -> int:
    return _insert(
        conn,
        "invoices",
        {
            "number": number or f"F-{_next():07d}",
            "debtor_id": debtor_id,
            "issue_date": (due - timedelta(days=30)).isoformat(),
            "due_date": due.isoformat(),
            "amount_cents": amount_cents,
            "outstanding_cents": amount_cents if outstanding_cents is None else outstanding_cents,
            "status": status,
            "in_dispute": int(in_dispute),
        },
    )


def add_contact(
    conn: sqlite3.Connection,
    debtor_id: int,
    *,
    name: str | None = None,
    role: str = "accounts_payable",
    phones: Sequence[str] = (),
) -> int:
    from relance_tui.domain.phones import parse_phone

    contact_id = _insert(
        conn,
        "contacts",
        {
            "debtor_id": debtor_id,
            "name": name or f"Contact {_next()}",
            "role": role,
            "created_at": STAMP,
            "updated_at": STAMP,
        },
    )
    for raw in phones:
        parsed = parse_phone(raw)
        _insert(
            conn,
            "phones",
            {
                "contact_id": contact_id,
                "raw": raw,
                "e164": parsed.e164,
                "kind": parsed.kind.value,
                "region": parsed.region,
                "time_zone": parsed.time_zone,
                "valid": int(parsed.valid),
            },
        )
    return contact_id


def open_cases(conn: sqlite3.Connection, today: date) -> None:
    """Create/update the cases from the invoices (storage.cases.sync_cases)."""
    sync_cases(conn, today)


def case_of(conn: sqlite3.Connection, debtor_id: int) -> int:
    row = conn.execute("SELECT id FROM cases WHERE debtor_id = ?", (debtor_id,)).fetchone()
    assert row is not None, f"no case for debtor {debtor_id}: call open_cases first"
    return int(row[0])


def assign(conn: sqlite3.Connection, case_id: int, agent_id: int | None) -> None:
    conn.execute("UPDATE cases SET assigned_agent_id = ? WHERE id = ?", (agent_id, case_id))


def set_case(conn: sqlite3.Connection, case_id: int, **values: object) -> None:
    """Set case columns directly (stage, next_action, last_visit_at …)."""
    for column, value in values.items():
        assert column.isidentifier()
        conn.execute(f"UPDATE cases SET {column} = ? WHERE id = ?", (value, case_id))


def make_case(
    conn: sqlite3.Connection,
    today: date,
    *,
    days_late: int = 30,
    amount_cents: int = 100_000,
    agent_id: int | None = None,
    invoice_number: str | None = None,
    **debtor: object,
) -> int:
    """A debtor with one overdue invoice, its case opened (and assigned). Returns the case id."""
    debtor_id = add_debtor(conn, **debtor)  # type: ignore[arg-type]
    add_invoice(
        conn,
        debtor_id,
        due=today - timedelta(days=days_late),
        amount_cents=amount_cents,
        number=invoice_number,
    )
    sync_cases(conn, today, [debtor_id])
    case_id = case_of(conn, debtor_id)
    if agent_id is not None:
        assign(conn, case_id, agent_id)
    return case_id


def add_promise(
    conn: sqlite3.Connection,
    case_id: int,
    *,
    due: date,
    amount_cents: int = 50_000,
    status: str = "pending",
    settled_on: date | None = None,
) -> int:
    return _insert(
        conn,
        "promises",
        {
            "case_id": case_id,
            "amount_cents": amount_cents,
            "due_date": due.isoformat(),
            "status": status,
            "created_at": STAMP,
            "settled_on": settled_on.isoformat() if settled_on else None,
        },
    )


def add_callback(
    conn: sqlite3.Connection, case_id: int, *, due_at: datetime, status: str = "pending"
) -> int:
    return _insert(
        conn,
        "callbacks",
        {
            "case_id": case_id,
            "due_at": due_at.astimezone(UTC).isoformat(timespec="seconds"),
            "status": status,
            "created_at": STAMP,
        },
    )


def add_interaction(
    conn: sqlite3.Connection,
    case_id: int,
    *,
    at: datetime,
    channel: str = "call",
    agent_id: int | None = None,
    contact_id: int | None = None,
    outcome: str | None = None,
    notes: str = "",
) -> int:
    """A line of the case's history (a call by default)."""
    return _insert(
        conn,
        "interactions",
        {
            "case_id": case_id,
            "agent_id": agent_id,
            "channel": channel,
            "occurred_at": at.astimezone(UTC).isoformat(timespec="seconds"),
            "contact_id": contact_id,
            "outcome": outcome,
            "notes": notes,
        },
    )


def add_plan(
    conn: sqlite3.Connection,
    case_id: int,
    installments: Sequence[tuple[date, int, str]],
    *,
    status: str = "active",
) -> int:
    """A payment plan with (due date, amount in cents, status) installments."""
    plan_id = _insert(
        conn,
        "payment_plans",
        {
            "case_id": case_id,
            "frequency": "monthly",
            "total_cents": sum(amount for _, amount, _ in installments),
            "status": status,
            "created_at": STAMP,
        },
    )
    for sequence, (due, amount, state) in enumerate(installments, start=1):
        _insert(
            conn,
            "plan_installments",
            {
                "plan_id": plan_id,
                "sequence": sequence,
                "due_date": due.isoformat(),
                "amount_cents": amount,
                "status": state,
            },
        )
    return plan_id


def bulk_cases(
    conn: sqlite3.Connection,
    count: int,
    today: date,
    *,
    agent_id: int | None = None,
    name_prefix: str = "Société",
) -> None:
    """`count` debtors with one overdue invoice each (varied amounts and ages), cases opened."""
    start = conn.execute("SELECT COALESCE(MAX(id), 0) FROM debtors").fetchone()[0] + 1
    segments = ("large_account", "multi_site", "sme", "public_body", "consumer")
    payers = ("good", "smart", "bad", "very_bad", "unknown")
    conn.executemany(
        "INSERT INTO debtors (id, reference, legal_name, segment, payer_type, risk_score,"
        " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            (
                start + n,
                f"BULK-{start + n:07d}",
                f"{name_prefix} {start + n:07d}",
                segments[n % 5],
                payers[(n // 5) % 5],
                (n * 37) % 101,
                STAMP,
                STAMP,
            )
            for n in range(count)
        ),
    )
    conn.executemany(
        "INSERT INTO invoices (number, debtor_id, issue_date, due_date, amount_cents,"
        " outstanding_cents) VALUES (?, ?, ?, ?, ?, ?)",
        (
            (
                f"BULK-F{start + n:08d}",
                start + n,
                (today - timedelta(days=60 + n % 400)).isoformat(),
                (today - timedelta(days=1 + n % 400)).isoformat(),
                1000 + (n * 7919) % 5_000_000,
                1000 + (n * 7919) % 5_000_000,
            )
            for n in range(count)
        ),
    )
    sync_cases(conn, today)
    if agent_id is not None:
        conn.execute(
            "UPDATE cases SET assigned_agent_id = ? WHERE debtor_id >= ?", (agent_id, start)
        )


def paris_noon(day: date) -> datetime:
    """Midday in Paris on `day`, as an aware UTC datetime (a convenient fixed `now`)."""
    from zoneinfo import ZoneInfo

    return datetime(day.year, day.month, day.day, 12, tzinfo=ZoneInfo("Europe/Paris")).astimezone(
        UTC
    )
