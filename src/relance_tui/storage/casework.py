"""Casework SQL: reading one case file, recording calls and commitments, follow-up, the agenda.

Reads are per case through the indexes (`invoices_debtor_due`, `contacts_debtor`,
`phones_contact`, `interactions_case`, `promises_case`, `payment_plans_case`, `disputes_case`,
`callbacks_case`, `payments_debtor`), so opening a case costs the same on 1 000 or 1 000 000
invoices. Writes are called by services inside their `transaction()`; none commits.
Rows come back as `sqlite3.Row`; the services turn them into models.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence

HISTORY_LIMIT = 200  # newest rows of each kind shown in a case's history
INVOICE_LIMIT = 500

Row = sqlite3.Row


def _ids(values: Iterable[int]) -> str:
    return json.dumps(sorted({int(v) for v in values}))


# --- Reading a case ---------------------------------------------------------------------------


def case_header(conn: sqlite3.Connection, case_id: int) -> Row | None:
    return conn.execute(  # type: ignore[no-any-return]
        "SELECT c.id, c.debtor_id, c.segment, c.status, c.stage, c.next_action, c.next_action_on,"
        " c.overdue_cents, c.disputed_cents, c.oldest_due_date, c.open_invoices, c.urgency,"
        " c.priority, c.score_parts, c.prescription_on, c.last_contact_at, c.last_visit_at,"
        " c.version, c.assigned_agent_id, a.login AS agent_login,"
        " a.display_name AS agent_name, d.reference, d.legal_name, d.siren, d.siret,"
        " d.payer_type, d.strategic, d.risk_score, d.country, d.address, d.postal_code, d.city,"
        " d.promises_broken, d.promises_kept, d.promises_partly_kept, d.avg_days_late,"
        " d.insolvency_since,"
        " d.history_invoices, d.share_paid_late,"
        " (SELECT coalesce(sum(p.amount_cents - p.allocated_cents), 0) FROM payments p"
        "  WHERE p.debtor_id = c.debtor_id)"
        " + (SELECT coalesce(sum(n.amount_cents - n.applied_cents), 0) FROM credit_notes n"
        "  WHERE n.debtor_id = c.debtor_id) AS credit_cents"
        " FROM cases c JOIN debtors d ON d.id = c.debtor_id"
        " LEFT JOIN agents a ON a.id = c.assigned_agent_id WHERE c.id = ?",
        (case_id,),
    ).fetchone()


def case_invoices(
    conn: sqlite3.Connection, debtor_id: int, limit: int = INVOICE_LIMIT
) -> list[Row]:
    """The debtor's invoices: those with money due first (oldest due first), then the others."""
    return conn.execute(
        "SELECT i.id, i.number, i.po_reference, i.issue_date, i.due_date, i.amount_cents,"
        " i.outstanding_cents, i.status, i.in_dispute, i.paid_on, k.reference AS contract"
        " FROM invoices i LEFT JOIN contracts k ON k.id = i.contract_id"
        " WHERE i.debtor_id = ?"
        " ORDER BY (i.outstanding_cents > 0 AND i.status IN ('open', 'partially_paid')) DESC,"
        " i.due_date, i.id LIMIT ?",
        (debtor_id, limit),
    ).fetchall()


def debtor_payments(
    conn: sqlite3.Connection, debtor_id: int, limit: int = HISTORY_LIMIT
) -> list[Row]:
    return conn.execute(
        "SELECT p.id, p.invoice_id, i.number AS invoice_number, p.reference, p.received_on,"
        " p.amount_cents, p.method, p.created_at, p.created_by"
        " FROM payments p LEFT JOIN invoices i ON i.id = p.invoice_id"
        " WHERE p.debtor_id = ? ORDER BY p.received_on DESC, p.id DESC LIMIT ?",
        (debtor_id, limit),
    ).fetchall()


def invoice_payments(conn: sqlite3.Connection, invoice_ids: Sequence[int]) -> list[Row]:
    """(invoice_id, received_on, amount_cents) of the payments matched to these invoices."""
    if not invoice_ids:
        return []
    return conn.execute(
        "SELECT invoice_id, received_on, amount_cents FROM payments"
        " WHERE invoice_id IN (SELECT value FROM json_each(?))",
        (_ids(invoice_ids),),
    ).fetchall()


def debtor_contacts(conn: sqlite3.Connection, debtor_id: int) -> list[Row]:
    return conn.execute(
        "SELECT id, name, role, email, preferred_channel, opposed_to_contact FROM contacts"
        " WHERE debtor_id = ? ORDER BY id",
        (debtor_id,),
    ).fetchall()


def contact_phones(conn: sqlite3.Connection, contact_ids: Sequence[int]) -> list[Row]:
    if not contact_ids:
        return []
    return conn.execute(
        "SELECT id, contact_id, raw, e164, kind, region, time_zone, valid, marked_invalid_at"
        " FROM phones WHERE contact_id IN (SELECT value FROM json_each(?)) ORDER BY id",
        (_ids(contact_ids),),
    ).fetchall()


def debtor_contracts(conn: sqlite3.Connection, debtor_id: int) -> list[Row]:
    return conn.execute(
        "SELECT id, reference, title, start_date, end_date, payment_terms_days, end_of_month"
        " FROM contracts WHERE debtor_id = ? ORDER BY start_date DESC, id DESC",
        (debtor_id,),
    ).fetchall()


def case_interactions(
    conn: sqlite3.Connection, case_id: int, limit: int = HISTORY_LIMIT
) -> list[Row]:
    return conn.execute(
        "SELECT x.id, x.channel, x.occurred_at, x.outcome, x.cause, x.notes, x.letter_kind,"
        " x.reference, x.message_left, a.login AS agent, k.name AS contact, p.e164,"
        " p.raw AS phone_raw"
        " FROM interactions x LEFT JOIN agents a ON a.id = x.agent_id"
        " LEFT JOIN contacts k ON k.id = x.contact_id LEFT JOIN phones p ON p.id = x.phone_id"
        " WHERE x.case_id = ? ORDER BY x.occurred_at DESC, x.id DESC LIMIT ?",
        (case_id, limit),
    ).fetchall()


def call_attempts_since(conn: sqlite3.Connection, case_id: int, since_iso: str) -> int:
    row = conn.execute(
        "SELECT count(*) FROM interactions WHERE case_id = ? AND occurred_at >= ?"
        " AND channel IN ('call', 'sms')",
        (case_id, since_iso),
    ).fetchone()
    return int(row[0])


def case_promises(conn: sqlite3.Connection, case_id: int) -> list[Row]:
    return conn.execute(
        "SELECT p.id, p.kind, p.amount_cents, p.due_date, p.proof_requested, p.status,"
        " p.claimed_paid_on, p.created_at, p.settled_on, p.paid_cents, p.late_paid_cents,"
        " p.rest_paid_on, a.login AS agent"
        " FROM promises p LEFT JOIN agents a ON a.id = p.created_by"
        " WHERE p.case_id = ? ORDER BY p.created_at DESC, p.id DESC",
        (case_id,),
    ).fetchall()


def case_plans(conn: sqlite3.Connection, case_id: int) -> list[Row]:
    return conn.execute(
        "SELECT p.id, p.frequency, p.total_cents, p.status, p.created_at, a.login AS agent"
        " FROM payment_plans p LEFT JOIN agents a ON a.id = p.created_by"
        " WHERE p.case_id = ? ORDER BY p.created_at DESC, p.id DESC",
        (case_id,),
    ).fetchall()


def plan_installments(conn: sqlite3.Connection, plan_ids: Sequence[int]) -> list[Row]:
    if not plan_ids:
        return []
    return conn.execute(
        "SELECT id, plan_id, sequence, due_date, amount_cents, paid_cents, status"
        " FROM plan_installments WHERE plan_id IN (SELECT value FROM json_each(?))"
        " ORDER BY plan_id, sequence",
        (_ids(plan_ids),),
    ).fetchall()


def case_disputes(conn: sqlite3.Connection, case_id: int) -> list[Row]:
    return conn.execute(
        "SELECT d.id, d.reason, d.owner, d.opened_on, d.status, d.resolution, d.resolved_on,"
        " d.notes, a.login AS agent,"
        " (SELECT group_concat(i.number, ', ') FROM dispute_invoices di"
        "  JOIN invoices i ON i.id = di.invoice_id WHERE di.dispute_id = d.id) AS invoices,"
        " (SELECT sum(i.outstanding_cents) FROM dispute_invoices di"
        "  JOIN invoices i ON i.id = di.invoice_id WHERE di.dispute_id = d.id) AS outstanding"
        " FROM disputes d LEFT JOIN agents a ON a.id = d.opened_by"
        " WHERE d.case_id = ? ORDER BY d.opened_on DESC, d.id DESC",
        (case_id,),
    ).fetchall()


def case_callbacks(conn: sqlite3.Connection, case_id: int) -> list[Row]:
    return conn.execute(
        "SELECT b.id, b.due_at, b.status, b.reason, b.created_at, b.done_at, b.contact_id,"
        " b.phone_id, k.name AS contact, p.e164, p.raw AS phone_raw, a.login AS agent"
        " FROM callbacks b LEFT JOIN contacts k ON k.id = b.contact_id"
        " LEFT JOIN phones p ON p.id = b.phone_id LEFT JOIN agents a ON a.id = b.created_by"
        " WHERE b.case_id = ? ORDER BY b.due_at DESC, b.id DESC",
        (case_id,),
    ).fetchall()


# --- Writing ----------------------------------------------------------------------------------


def insert_interaction(
    conn: sqlite3.Connection,
    *,
    case_id: int,
    agent_id: int | None,
    channel: str,
    occurred_at: str,
    contact_id: int | None = None,
    phone_id: int | None = None,
    outcome: str | None = None,
    cause: str | None = None,
    notes: str = "",
    started_at: str | None = None,
    talk_seconds: int | None = None,
    handling_seconds: int | None = None,
    message_left: bool = False,
) -> int:
    cursor = conn.execute(
        "INSERT INTO interactions (case_id, agent_id, channel, occurred_at, contact_id, phone_id,"
        " outcome, cause, notes, started_at, talk_seconds, handling_seconds, message_left)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            case_id,
            agent_id,
            channel,
            occurred_at,
            contact_id,
            phone_id,
            outcome,
            cause,
            notes,
            started_at,
            talk_seconds,
            handling_seconds,
            int(message_left),
        ),
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def insert_promise(
    conn: sqlite3.Connection,
    *,
    case_id: int,
    amount_cents: int,
    due_date: str,
    proof_requested: bool,
    interaction_id: int | None,
    created_at: str,
    created_by: int | None,
    kind: str = "promise",
    claimed_paid_on: str | None = None,
    written_on: str | None = None,
) -> int:
    cursor = conn.execute(
        "INSERT INTO promises (case_id, amount_cents, due_date, proof_requested, kind,"
        " claimed_paid_on, interaction_id, created_at, created_by, written_on)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            case_id,
            amount_cents,
            due_date,
            int(proof_requested),
            kind,
            claimed_paid_on,
            interaction_id,
            created_at,
            created_by,
            written_on,
        ),
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def insert_plan(
    conn: sqlite3.Connection,
    *,
    case_id: int,
    frequency: str,
    installments: Sequence[tuple[int, str, int]],  # (sequence, due date, cents)
    interaction_id: int | None,
    created_at: str,
    created_by: int | None,
) -> int:
    cursor = conn.execute(
        "INSERT INTO payment_plans (case_id, frequency, total_cents, interaction_id, created_at,"
        " created_by) VALUES (?, ?, ?, ?, ?, ?)",
        (
            case_id,
            frequency,
            sum(c for _, _, c in installments),
            interaction_id,
            created_at,
            created_by,
        ),
    )
    plan_id = cursor.lastrowid
    assert plan_id is not None
    conn.executemany(
        "INSERT INTO plan_installments (plan_id, sequence, due_date, amount_cents)"
        " VALUES (?, ?, ?, ?)",
        ((plan_id, sequence, due, cents) for sequence, due, cents in installments),
    )
    return plan_id


def debtor_invoice_ids(
    conn: sqlite3.Connection, debtor_id: int, invoice_ids: Sequence[int]
) -> list[int]:
    """Those of `invoice_ids` that belong to the debtor."""
    rows = conn.execute(
        "SELECT id FROM invoices WHERE debtor_id = ? AND id IN (SELECT value FROM json_each(?))",
        (debtor_id, _ids(invoice_ids)),
    ).fetchall()
    return [int(row[0]) for row in rows]


def insert_dispute(
    conn: sqlite3.Connection,
    *,
    case_id: int,
    invoice_ids: Sequence[int],
    reason: str,
    owner: str,
    opened_on: str,
    opened_by: int | None,
    notes: str = "",
) -> int:
    """The dispute, its invoices, and those invoices marked `in_dispute`."""
    cursor = conn.execute(
        "INSERT INTO disputes (case_id, reason, owner, opened_on, opened_by, notes)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (case_id, reason, owner, opened_on, opened_by, notes),
    )
    dispute_id = cursor.lastrowid
    assert dispute_id is not None
    conn.executemany(
        "INSERT INTO dispute_invoices (dispute_id, invoice_id) VALUES (?, ?)",
        ((dispute_id, invoice_id) for invoice_id in invoice_ids),
    )
    conn.execute(
        "UPDATE invoices SET in_dispute = 1 WHERE id IN (SELECT value FROM json_each(?))",
        (_ids(invoice_ids),),
    )
    return dispute_id


def insert_callback(
    conn: sqlite3.Connection,
    *,
    case_id: int,
    due_at: str,
    contact_id: int | None,
    phone_id: int | None,
    reason: str,
    created_at: str,
    created_by: int | None,
) -> int:
    cursor = conn.execute(
        "INSERT INTO callbacks (case_id, due_at, contact_id, phone_id, reason, created_at,"
        " created_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (case_id, due_at, contact_id, phone_id, reason, created_at, created_by),
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def close_pending_callbacks(
    conn: sqlite3.Connection, case_id: int, *, status: str, at: str, due_until: str | None = None
) -> list[int]:
    """Mark the case's pending callbacks (those due by `due_until`, or all) done or cancelled."""
    sql = "SELECT id FROM callbacks WHERE case_id = ? AND status = 'pending'"
    params: list[object] = [case_id]
    if due_until is not None:
        sql += " AND due_at <= ?"
        params.append(due_until)
    ids = [int(row[0]) for row in conn.execute(sql, params)]
    conn.execute(
        "UPDATE callbacks SET status = ?, done_at = ? WHERE id IN (SELECT value FROM json_each(?))",
        (status, at, _ids(ids)),
    )
    return ids


def phone_row(conn: sqlite3.Connection, phone_id: int) -> Row | None:
    return conn.execute(  # type: ignore[no-any-return]
        "SELECT p.id, p.contact_id, p.raw, p.e164, p.valid, p.marked_invalid_at, k.debtor_id"
        " FROM phones p JOIN contacts k ON k.id = p.contact_id WHERE p.id = ?",
        (phone_id,),
    ).fetchone()


def mark_phone_invalid(conn: sqlite3.Connection, phone_id: int, at: str) -> None:
    conn.execute(
        "UPDATE phones SET marked_invalid_at = ? WHERE id = ? AND marked_invalid_at IS NULL",
        (at, phone_id),
    )


def contact_row(conn: sqlite3.Connection, contact_id: int) -> Row | None:
    return conn.execute(  # type: ignore[no-any-return]
        "SELECT id, debtor_id, name, role, email, opposed_to_contact FROM contacts WHERE id = ?",
        (contact_id,),
    ).fetchone()


def set_contact_email(conn: sqlite3.Connection, contact_id: int, email: str, at: str) -> None:
    conn.execute(
        "UPDATE contacts SET email = ?, updated_at = ? WHERE id = ?", (email, at, contact_id)
    )


def add_phone(
    conn: sqlite3.Connection,
    *,
    contact_id: int,
    raw: str,
    e164: str | None,
    kind: str,
    region: str | None,
    time_zone: str | None,
    valid: bool,
) -> int | None:
    """Add a number to a contact; None when the contact already has it (as typed)."""
    cursor = conn.execute(
        "INSERT INTO phones (contact_id, raw, e164, kind, region, time_zone, valid)"
        " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (contact_id, raw) DO NOTHING",
        (contact_id, raw, e164, kind, region, time_zone, int(valid)),
    )
    return cursor.lastrowid if cursor.rowcount == 1 else None


def update_case_after_action(
    conn: sqlite3.Connection,
    case_id: int,
    *,
    stage: str,
    next_action: str,
    next_action_on: str | None,
    at: str,
    contacted: bool,
) -> None:
    """A case was worked: its next step, and (when someone was contacted) the contact time.

    `last_visit_at` moves too: what was urgent on the case (a broken promise) has been acted on.
    """
    conn.execute(
        "UPDATE cases SET stage = ?, next_action = ?, next_action_on = ?,"
        " last_contact_at = CASE WHEN ? THEN ? ELSE last_contact_at END,"
        " last_visit_at = ?, updated_at = ?, version = version + 1 WHERE id = ?",
        (stage, next_action, next_action_on, int(contacted), at, at, at, case_id),
    )


# --- Call drafts ------------------------------------------------------------------------------


def save_draft(conn: sqlite3.Connection, case_id: int, agent_id: int, data: str, at: str) -> None:
    conn.execute(
        "INSERT INTO call_drafts (case_id, agent_id, data, updated_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (case_id, agent_id) DO UPDATE SET data = excluded.data,"
        " updated_at = excluded.updated_at",
        (case_id, agent_id, data, at),
    )


def load_draft(conn: sqlite3.Connection, case_id: int, agent_id: int) -> tuple[str, str] | None:
    """(the draft's JSON, when it was last saved)."""
    row = conn.execute(
        "SELECT data, updated_at FROM call_drafts WHERE case_id = ? AND agent_id = ?",
        (case_id, agent_id),
    ).fetchone()
    return None if row is None else (str(row[0]), str(row[1]))


def delete_draft(conn: sqlite3.Connection, case_id: int, agent_id: int) -> None:
    conn.execute("DELETE FROM call_drafts WHERE case_id = ? AND agent_id = ?", (case_id, agent_id))


def agent_drafts(conn: sqlite3.Connection, agent_id: int) -> list[Row]:
    return conn.execute(
        "SELECT case_id, updated_at FROM call_drafts WHERE agent_id = ? ORDER BY updated_at DESC",
        (agent_id,),
    ).fetchall()


# --- Follow-up --------------------------------------------------------------------------------


def cases_with_pending_commitments(conn: sqlite3.Connection) -> list[Row]:
    """(case id, debtor id) of the cases with a pending promise, a partly kept one whose rest
    has not all come in, or an active plan."""
    return conn.execute(
        "SELECT DISTINCT p.case_id, c.debtor_id FROM promises p JOIN cases c ON c.id = p.case_id"
        " WHERE p.status = 'pending' OR (p.status = 'partly_kept' AND p.rest_paid_on IS NULL)"
        " UNION SELECT DISTINCT pp.case_id, c.debtor_id FROM payment_plans pp"
        " JOIN cases c ON c.id = pp.case_id WHERE pp.status = 'active'"
    ).fetchall()


def promises_of_cases(conn: sqlite3.Connection, case_ids: Sequence[int]) -> list[Row]:
    """Pending, kept and partly kept promises of these cases (the decided ones took their share
    of the payments); `paid`: the money counted towards each so far."""
    return conn.execute(
        "SELECT id, case_id, kind, amount_cents, due_date, status, claimed_paid_on, created_at,"
        " paid_cents + late_paid_cents AS paid"
        " FROM promises WHERE case_id IN (SELECT value FROM json_each(?))"
        " AND status IN ('pending', 'kept', 'partly_kept')",
        (_ids(case_ids),),
    ).fetchall()


def active_plans_of_cases(conn: sqlite3.Connection, case_ids: Sequence[int]) -> list[Row]:
    return conn.execute(
        "SELECT id, case_id, status, created_at FROM payment_plans"
        " WHERE case_id IN (SELECT value FROM json_each(?)) AND status = 'active'",
        (_ids(case_ids),),
    ).fetchall()


def payments_of_debtors(
    conn: sqlite3.Connection, debtor_ids: Sequence[int], since: str
) -> list[Row]:
    return conn.execute(
        "SELECT debtor_id, received_on, amount_cents FROM payments"
        " WHERE debtor_id IN (SELECT value FROM json_each(?)) AND received_on >= ?",
        (_ids(debtor_ids), since),
    ).fetchall()


def pending_promises(
    conn: sqlite3.Connection, case_id: int, *, kind: str, due_until: str
) -> list[Row]:
    """The case's pending promises of this kind falling due by `due_until` (oldest first)."""
    return conn.execute(
        "SELECT id, amount_cents, due_date FROM promises INDEXED BY promises_case"
        " WHERE case_id = ? AND status = 'pending' AND kind = ? AND due_date <= ?"
        " ORDER BY due_date, id",
        (case_id, kind, due_until),
    ).fetchall()


def settle_promise(
    conn: sqlite3.Connection, promise_id: int, status: str, settled_on: str, paid_cents: int = 0
) -> bool:
    cursor = conn.execute(
        "UPDATE promises SET status = ?, settled_on = ?, paid_cents = ?"
        " WHERE id = ? AND status = 'pending'",
        (status, settled_on, paid_cents, promise_id),
    )
    return cursor.rowcount == 1


def record_promise_rest(
    conn: sqlite3.Connection, promise_id: int, paid_cents: int, rest_paid_on: str | None
) -> bool:
    """More money towards a partly kept promise: `paid_cents` counted towards it in all."""
    cursor = conn.execute(
        "UPDATE promises SET late_paid_cents = ? - paid_cents, rest_paid_on = ?"
        " WHERE id = ? AND status = 'partly_kept' AND paid_cents + late_paid_cents < ?",
        (paid_cents, rest_paid_on, promise_id, paid_cents),
    )
    return cursor.rowcount == 1


def update_installment(
    conn: sqlite3.Connection, installment_id: int, status: str, paid_cents: int
) -> None:
    conn.execute(
        "UPDATE plan_installments SET status = ?, paid_cents = ? WHERE id = ?",
        (status, paid_cents, installment_id),
    )


def set_plan_status(conn: sqlite3.Connection, plan_id: int, status: str) -> None:
    conn.execute("UPDATE payment_plans SET status = ? WHERE id = ?", (status, plan_id))


PROMISE_COUNTERS = {
    "kept": "promises_kept",
    "broken": "promises_broken",
    "partly_kept": "promises_partly_kept",
}


def count_debtor_promise(
    conn: sqlite3.Connection, case_id: int, *, kept: bool, at: str, outcome: str | None = None
) -> None:
    """One more kept, broken or (`outcome="partly_kept"`) partly kept promise for the debtor."""
    column = PROMISE_COUNTERS[outcome or ("kept" if kept else "broken")]
    conn.execute(
        f"UPDATE debtors SET {column} = {column} + 1, updated_at = ?"
        " WHERE id = (SELECT debtor_id FROM cases WHERE id = ?)",
        (at, case_id),
    )


def case_stage_and_action(conn: sqlite3.Connection, case_id: int) -> Row | None:
    return conn.execute(  # type: ignore[no-any-return]
        "SELECT id, debtor_id, stage, next_action, next_action_on, status FROM cases WHERE id = ?",
        (case_id,),
    ).fetchone()


def set_next_action(
    conn: sqlite3.Connection, case_id: int, next_action: str, next_action_on: str | None, at: str
) -> None:
    conn.execute(
        "UPDATE cases SET next_action = ?, next_action_on = ?, updated_at = ?,"
        " version = version + 1 WHERE id = ?",
        (next_action, next_action_on, at, case_id),
    )


# --- Agenda -----------------------------------------------------------------------------------


def agenda_callbacks(conn: sqlite3.Connection, agent_id: int, until: str) -> list[Row]:
    """Pending callbacks due by `until` that the agent made or whose case is theirs."""
    return conn.execute(
        "SELECT b.id, b.case_id, b.due_at, b.reason, d.legal_name, k.name AS contact, p.e164,"
        " p.raw AS phone_raw FROM callbacks b JOIN cases c ON c.id = b.case_id"
        " JOIN debtors d ON d.id = c.debtor_id LEFT JOIN contacts k ON k.id = b.contact_id"
        " LEFT JOIN phones p ON p.id = b.phone_id"
        " WHERE b.status = 'pending' AND b.due_at <= ?"
        " AND (b.created_by = ? OR c.assigned_agent_id = ?) ORDER BY b.due_at, b.id",
        (until, agent_id, agent_id),
    ).fetchall()


def agenda_promises(conn: sqlite3.Connection, agent_id: int, today: str) -> list[Row]:
    """Pending promises due by today, and broken or partly kept ones the case's agent has not
    seen yet."""
    return conn.execute(
        "SELECT p.id, p.case_id, p.kind, p.amount_cents, p.due_date, p.status, p.settled_on,"
        " d.legal_name FROM promises p JOIN cases c ON c.id = p.case_id"
        " JOIN debtors d ON d.id = c.debtor_id"
        " WHERE ((p.status = 'pending' AND p.due_date <= :today)"
        "        OR (p.status IN ('broken', 'partly_kept')"
        "            AND p.settled_on > COALESCE(substr(c.last_visit_at, 1, 10), '')))"
        " AND (p.created_by = :agent OR c.assigned_agent_id = :agent)"
        " ORDER BY p.due_date, p.id",
        {"today": today, "agent": agent_id},
    ).fetchall()


def agenda_installments(conn: sqlite3.Connection, agent_id: int, today: str) -> list[Row]:
    return conn.execute(
        "SELECT i.id, pp.case_id, i.sequence, i.amount_cents, i.paid_cents, i.due_date,"
        " i.status, d.legal_name FROM plan_installments i"
        " JOIN payment_plans pp ON pp.id = i.plan_id JOIN cases c ON c.id = pp.case_id"
        " JOIN debtors d ON d.id = c.debtor_id"
        " WHERE i.status = 'pending' AND i.due_date <= :today AND pp.status = 'active'"
        " AND (pp.created_by = :agent OR c.assigned_agent_id = :agent)"
        " ORDER BY i.due_date, i.id",
        {"today": today, "agent": agent_id},
    ).fetchall()
