"""Numbered schema migrations. `PRAGMA user_version` holds the number of the last one applied.

Append new migrations to MIGRATIONS; never edit one that has shipped.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from relance_tui.storage.audit_chain import seal_existing


def _check(col: str, *values: str) -> str:
    # An OR chain, not `col IN (...)`: in a CHECK constraint SQLite builds the IN list's
    # ephemeral table for every row written, which made bulk inserts 2.5x slower.
    return "CHECK (" + " OR ".join(f"{col} = '{value}'" for value in values) + ")"


SEGMENTS = ("large_account", "multi_site", "sme", "public_body", "consumer")
PAYER_TYPES = ("good", "smart", "bad", "very_bad", "unknown")
STAGES = (
    "pre_reminder", "friendly_reminder", "phone_reminder", "second_reminder",
    "registered_letter", "formal_notice", "legal_action", "closed",
)  # fmt: skip

MIGRATION_1 = f"""
CREATE TABLE agents (
    id INTEGER PRIMARY KEY,
    login TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL DEFAULT 'agent' {_check("role", "agent", "supervisor", "admin")},
    active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);

-- A portfolio is explicit debtors (cases.assigned_agent_id) and/or rules matched on assignment.
CREATE TABLE portfolio_rules (
    id INTEGER PRIMARY KEY,
    agent_id INTEGER NOT NULL REFERENCES agents(id),
    segment TEXT {_check("segment", *SEGMENTS)},
    postal_prefix TEXT,
    min_overdue_cents INTEGER,
    max_overdue_cents INTEGER
);

CREATE TABLE debtors (
    id INTEGER PRIMARY KEY,
    reference TEXT NOT NULL UNIQUE,
    legal_name TEXT NOT NULL,
    siren TEXT,
    siret TEXT,
    segment TEXT NOT NULL {_check("segment", *SEGMENTS)},
    payer_type TEXT NOT NULL DEFAULT 'unknown' {_check("payer_type", *PAYER_TYPES)},
    strategic INTEGER NOT NULL DEFAULT 0,
    risk_score INTEGER NOT NULL DEFAULT 50 CHECK (risk_score BETWEEN 0 AND 100),
    country TEXT NOT NULL DEFAULT 'FR',
    address TEXT NOT NULL DEFAULT '',
    postal_code TEXT NOT NULL DEFAULT '',
    city TEXT NOT NULL DEFAULT '',
    avg_days_late REAL NOT NULL DEFAULT 0,
    promises_broken INTEGER NOT NULL DEFAULT 0,
    promises_kept INTEGER NOT NULL DEFAULT 0,
    insolvency_since TEXT,
    anonymised_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX debtors_siren ON debtors(siren);
CREATE INDEX debtors_name ON debtors(legal_name COLLATE NOCASE);

CREATE TABLE contacts (
    id INTEGER PRIMARY KEY,
    debtor_id INTEGER NOT NULL REFERENCES debtors(id),
    name TEXT NOT NULL,
    role TEXT NOT NULL DEFAULT 'other' {
    _check(
        "role",
        "accounts_payable",
        "buyer",
        "decision_maker",
        "finance_director",
        "public_accountant",
        "other",
    )
},
    email TEXT NOT NULL DEFAULT '',
    preferred_channel TEXT NOT NULL DEFAULT 'phone' {
    _check("preferred_channel", "phone", "email", "sms", "letter")
},
    opposed_to_contact INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (debtor_id, name)
);
CREATE INDEX contacts_debtor ON contacts(debtor_id);

CREATE TABLE phones (
    id INTEGER PRIMARY KEY,
    contact_id INTEGER NOT NULL REFERENCES contacts(id),
    raw TEXT NOT NULL,
    e164 TEXT,
    kind TEXT NOT NULL {_check("kind", "mobile", "fixed", "voip", "other", "unknown")},
    region TEXT,
    time_zone TEXT,
    valid INTEGER NOT NULL,
    marked_invalid_at TEXT,
    UNIQUE (contact_id, raw)
);
CREATE INDEX phones_contact ON phones(contact_id);
CREATE INDEX phones_e164 ON phones(e164) WHERE e164 IS NOT NULL;

CREATE TABLE contracts (
    id INTEGER PRIMARY KEY,
    reference TEXT NOT NULL UNIQUE,
    debtor_id INTEGER NOT NULL REFERENCES debtors(id),
    title TEXT NOT NULL,
    start_date TEXT NOT NULL,
    end_date TEXT,
    payment_terms_days INTEGER NOT NULL DEFAULT 30,
    end_of_month INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX contracts_debtor ON contracts(debtor_id);

CREATE TABLE invoices (
    id INTEGER PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    debtor_id INTEGER NOT NULL REFERENCES debtors(id),
    contract_id INTEGER REFERENCES contracts(id),
    po_reference TEXT NOT NULL DEFAULT '',
    issue_date TEXT NOT NULL,
    due_date TEXT NOT NULL,
    amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
    outstanding_cents INTEGER NOT NULL CHECK (outstanding_cents >= 0),
    currency TEXT NOT NULL DEFAULT 'EUR',
    status TEXT NOT NULL DEFAULT 'open' {
    _check("status", "open", "partially_paid", "paid", "cancelled", "written_off")
},
    in_dispute INTEGER NOT NULL DEFAULT 0,
    paid_on TEXT,
    CHECK (due_date >= issue_date),
    CHECK (outstanding_cents <= amount_cents)
);
-- Covering for the case aggregates (storage.cases.sync_cases) and the payment allocation: a
-- debtor's money-due invoices are read from the index alone, never from the table rows.
CREATE INDEX invoices_debtor_due ON invoices(debtor_id, due_date, outstanding_cents, status,
    in_dispute);

CREATE TABLE payments (
    id INTEGER PRIMARY KEY,
    debtor_id INTEGER NOT NULL REFERENCES debtors(id),
    invoice_id INTEGER REFERENCES invoices(id),
    reference TEXT NOT NULL DEFAULT '',
    received_on TEXT NOT NULL,
    amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
    method TEXT NOT NULL DEFAULT '',
    bank_label TEXT NOT NULL DEFAULT '',
    matched INTEGER NOT NULL DEFAULT 0,
    -- cents applied to invoices (several, oldest first, when the payment names none)
    allocated_cents INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL
);
CREATE INDEX payments_debtor ON payments(debtor_id, received_on);
CREATE INDEX payments_invoice ON payments(invoice_id);
CREATE UNIQUE INDEX payments_reference ON payments(reference) WHERE reference <> '';

-- One case per debtor with money overdue. Queue fields are precomputed (docs/architecture.md).
-- urgency: 3 callback due now, 2 promise falling due today, 1 promise broken, 0 none.
CREATE TABLE cases (
    id INTEGER PRIMARY KEY,
    debtor_id INTEGER NOT NULL UNIQUE REFERENCES debtors(id),
    segment TEXT NOT NULL {_check("segment", *SEGMENTS)},
    status TEXT NOT NULL DEFAULT 'open' {_check("status", "open", "closed")},
    stage TEXT NOT NULL DEFAULT 'friendly_reminder' {_check("stage", *STAGES)},
    assigned_agent_id INTEGER REFERENCES agents(id),
    next_action TEXT NOT NULL DEFAULT '',
    next_action_on TEXT,
    overdue_cents INTEGER NOT NULL DEFAULT 0,
    disputed_cents INTEGER NOT NULL DEFAULT 0,
    oldest_due_date TEXT,
    open_invoices INTEGER NOT NULL DEFAULT 0,
    urgency INTEGER NOT NULL DEFAULT 0,
    priority REAL NOT NULL DEFAULT 0,
    score_parts TEXT NOT NULL DEFAULT '{{}}',
    scored_on TEXT,
    prescription_on TEXT,
    last_contact_at TEXT,
    last_visit_at TEXT,
    claimed_by INTEGER REFERENCES agents(id),
    claimed_at TEXT,
    claim_expires_at TEXT,
    version INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX cases_queue ON cases(status, urgency DESC, priority DESC, id DESC);
CREATE INDEX cases_agent_queue ON cases(assigned_agent_id, status, urgency DESC, priority DESC,
    id DESC);
CREATE INDEX cases_stage ON cases(stage);

CREATE TABLE interactions (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    agent_id INTEGER REFERENCES agents(id),
    channel TEXT NOT NULL {
    _check("channel", "call", "email", "sms", "letter", "registered_letter", "note")
},
    occurred_at TEXT NOT NULL,
    contact_id INTEGER REFERENCES contacts(id),
    phone_id INTEGER REFERENCES phones(id),
    outcome TEXT {
    _check(
        "outcome",
        "right_party",
        "wrong_person",
        "wrong_number",
        "voicemail",
        "no_answer",
        "refused",
    )
},
    cause TEXT {
    _check(
        "cause",
        "invoice_not_received",
        "cash_flow",
        "oversight",
        "dispute",
        "awaiting_approval",
        "other",
    )
},
    notes TEXT NOT NULL DEFAULT '',
    letter_kind TEXT,
    reference TEXT NOT NULL DEFAULT ''
);
CREATE INDEX interactions_case ON interactions(case_id, occurred_at);
CREATE INDEX interactions_agent_day ON interactions(agent_id, occurred_at);

CREATE TABLE disputes (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    reason TEXT NOT NULL,
    owner TEXT NOT NULL,
    opened_on TEXT NOT NULL,
    opened_by INTEGER REFERENCES agents(id),
    status TEXT NOT NULL DEFAULT 'open' {_check("status", "open", "resolved")},
    resolution TEXT {_check("resolution", "credit_note", "rejected", "corrected_invoice", "other")},
    resolved_on TEXT,
    notes TEXT NOT NULL DEFAULT ''
);
CREATE INDEX disputes_case ON disputes(case_id, status);

CREATE TABLE dispute_invoices (
    dispute_id INTEGER NOT NULL REFERENCES disputes(id),
    invoice_id INTEGER NOT NULL REFERENCES invoices(id),
    PRIMARY KEY (dispute_id, invoice_id)
);
CREATE INDEX dispute_invoices_invoice ON dispute_invoices(invoice_id);

CREATE TABLE payment_plans (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    frequency TEXT NOT NULL {_check("frequency", "weekly", "fortnightly", "monthly")},
    total_cents INTEGER NOT NULL CHECK (total_cents > 0),
    status TEXT NOT NULL DEFAULT 'active' {
    _check("status", "active", "completed", "broken", "cancelled")
},
    interaction_id INTEGER REFERENCES interactions(id),
    created_at TEXT NOT NULL,
    created_by INTEGER REFERENCES agents(id)
);
CREATE INDEX payment_plans_case ON payment_plans(case_id);

CREATE TABLE plan_installments (
    id INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES payment_plans(id),
    sequence INTEGER NOT NULL,
    due_date TEXT NOT NULL,
    amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
    paid_cents INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'pending' {_check("status", "pending", "paid", "missed")},
    UNIQUE (plan_id, sequence)
);
CREATE INDEX plan_installments_due ON plan_installments(status, due_date);

CREATE TABLE promises (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
    due_date TEXT NOT NULL,
    proof_requested INTEGER NOT NULL DEFAULT 1,
    status TEXT NOT NULL DEFAULT 'pending' {
    _check("status", "pending", "kept", "broken", "cancelled")
},
    -- 'payment_claimed': the debtor says it paid; due_date is the day it must have arrived by
    -- and payments count from claimed_paid_on (a promise counts them from its creation day).
    kind TEXT NOT NULL DEFAULT 'promise' {_check("kind", "promise", "payment_claimed")},
    claimed_paid_on TEXT,
    interaction_id INTEGER REFERENCES interactions(id),
    created_at TEXT NOT NULL,
    created_by INTEGER REFERENCES agents(id),
    settled_on TEXT
);
CREATE INDEX promises_case ON promises(case_id);
CREATE INDEX promises_due ON promises(status, due_date);

CREATE TABLE callbacks (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    due_at TEXT NOT NULL,
    contact_id INTEGER REFERENCES contacts(id),
    phone_id INTEGER REFERENCES phones(id),
    reason TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'pending' {_check("status", "pending", "done", "cancelled")},
    created_at TEXT NOT NULL,
    created_by INTEGER REFERENCES agents(id),
    done_at TEXT
);
CREATE INDEX callbacks_due ON callbacks(status, due_at);
CREATE INDEX callbacks_case ON callbacks(case_id);

-- A call in progress, saved as the agent goes, offered back after a dropped session.
CREATE TABLE call_drafts (
    case_id INTEGER NOT NULL REFERENCES cases(id),
    agent_id INTEGER NOT NULL REFERENCES agents(id),
    data TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (case_id, agent_id)
);

CREATE TABLE imports (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    file_name TEXT NOT NULL,
    rows_inserted INTEGER NOT NULL,
    rows_updated INTEGER NOT NULL,
    rows_rejected INTEGER NOT NULL,
    imported_at TEXT NOT NULL,
    imported_by TEXT NOT NULL
);

-- Key/value facts about the database itself (e.g. the day the scores were last refreshed).
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE audit_events (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    agent TEXT NOT NULL,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    before TEXT,
    after TEXT,
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_events_at ON audit_events(at);
CREATE INDEX audit_events_entity ON audit_events(entity, entity_id);
CREATE INDEX audit_events_agent ON audit_events(agent, at);
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only: UPDATE refused'); END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only: DELETE refused'); END;
"""

# Bank statements and what their credits paid (services/statements). A movement is a line of a
# statement; a credit is matched to one debtor (its payment row) or waits, unmatched, for a
# supervisor. payment_allocations says which invoices a statement payment paid, so a match can be
# undone; what a payment does not allocate is a credit on the debtor. payer_links remember the
# payer names and IBANs known for a debtor (from matches and supervisors' decisions).
MIGRATION_MONEY = f"""
CREATE TABLE statements (
    id INTEGER PRIMARY KEY,
    format TEXT NOT NULL {_check("format", "cfonb120", "camt053", "mt940")},
    account TEXT NOT NULL,
    currency TEXT NOT NULL,
    opening_on TEXT,
    opening_cents INTEGER NOT NULL,
    closing_on TEXT,
    closing_cents INTEGER NOT NULL,
    file_name TEXT NOT NULL,
    import_id INTEGER REFERENCES imports(id),
    created_at TEXT NOT NULL
);

CREATE TABLE bank_movements (
    id INTEGER PRIMARY KEY,
    movement_key TEXT NOT NULL UNIQUE,
    statement_id INTEGER NOT NULL REFERENCES statements(id),
    line INTEGER NOT NULL,
    booked_on TEXT NOT NULL,
    value_on TEXT,
    amount_cents INTEGER NOT NULL,
    bank_reference TEXT NOT NULL DEFAULT '',
    label TEXT NOT NULL DEFAULT '',
    remittance TEXT NOT NULL DEFAULT '',
    payer_name TEXT NOT NULL DEFAULT '',
    payer_iban TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL {_check("status", "debit", "unmatched", "matched")},
    rule TEXT,
    reason TEXT NOT NULL DEFAULT '',
    matched_at TEXT,
    matched_by TEXT
);
CREATE INDEX bank_movements_status ON bank_movements(status, booked_on);

ALTER TABLE payments ADD COLUMN movement_id INTEGER REFERENCES bank_movements(id);
CREATE INDEX payments_movement ON payments(movement_id) WHERE movement_id IS NOT NULL;

CREATE TABLE payment_allocations (
    payment_id INTEGER NOT NULL REFERENCES payments(id),
    invoice_id INTEGER NOT NULL REFERENCES invoices(id),
    cents INTEGER NOT NULL CHECK (cents > 0),
    PRIMARY KEY (payment_id, invoice_id)
);

-- Payment behaviour learned from the ledger (domain.behaviour): avg_days_late is kept with it.
ALTER TABLE debtors ADD COLUMN history_invoices INTEGER NOT NULL DEFAULT 0;
ALTER TABLE debtors ADD COLUMN share_paid_late REAL NOT NULL DEFAULT 0;

CREATE TABLE payer_links (
    kind TEXT NOT NULL {_check("kind", "name", "iban")},
    value TEXT NOT NULL,
    debtor_id INTEGER NOT NULL REFERENCES debtors(id),
    source TEXT NOT NULL {_check("source", "match", "supervisor")},
    created_at TEXT NOT NULL,
    PRIMARY KEY (kind, value)
);
"""


# The supervisor's day (calls' talk and handling time, the daily aggregates the reports read).
# interactions.started_at: when the call began; talk_seconds: until the agent left the
# conversation for the wrap-up (Conclude); handling_seconds: until the call was saved.
# agent_days: per business day (Europe/Paris) and agent, counts kept by
# storage.reports.refresh_agent_days from the rows added since its watermarks (meta keys
# `reports.last.<table>`): every write path counts, the seeder's and the imports' included.
MIGRATION_SUPERVISOR = """
ALTER TABLE interactions ADD COLUMN started_at TEXT;
ALTER TABLE interactions ADD COLUMN talk_seconds INTEGER;
ALTER TABLE interactions ADD COLUMN handling_seconds INTEGER;
CREATE TABLE agent_days (
    day TEXT NOT NULL,
    agent_id INTEGER NOT NULL REFERENCES agents(id),
    calls INTEGER NOT NULL DEFAULT 0,
    right_party INTEGER NOT NULL DEFAULT 0,
    wrong_person INTEGER NOT NULL DEFAULT 0,
    wrong_number INTEGER NOT NULL DEFAULT 0,
    voicemail INTEGER NOT NULL DEFAULT 0,
    no_answer INTEGER NOT NULL DEFAULT 0,
    refused INTEGER NOT NULL DEFAULT 0,
    emails INTEGER NOT NULL DEFAULT 0,
    letters INTEGER NOT NULL DEFAULT 0,
    timed_calls INTEGER NOT NULL DEFAULT 0,
    talk_seconds INTEGER NOT NULL DEFAULT 0,
    handling_seconds INTEGER NOT NULL DEFAULT 0,
    first_at TEXT,
    last_at TEXT,
    promises INTEGER NOT NULL DEFAULT 0,
    promised_cents INTEGER NOT NULL DEFAULT 0,
    plans INTEGER NOT NULL DEFAULT 0,
    plan_cents INTEGER NOT NULL DEFAULT 0,
    disputes INTEGER NOT NULL DEFAULT 0,
    callbacks_set INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, agent_id)
) WITHOUT ROWID;
-- Aged balance at a day, kept once a day by the portfolio figures (the trend reads them).
CREATE TABLE portfolio_days (
    day TEXT PRIMARY KEY,
    not_due_cents INTEGER NOT NULL,
    late_0_30_cents INTEGER NOT NULL,
    late_31_60_cents INTEGER NOT NULL,
    late_61_90_cents INTEGER NOT NULL,
    late_90_cents INTEGER NOT NULL,
    disputed_cents INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX payments_received ON payments(received_on, debtor_id, amount_cents, allocated_cents);
CREATE INDEX invoices_open_due ON invoices(due_date, outstanding_cents, status)
    WHERE outstanding_cents > 0;
CREATE INDEX invoices_issued ON invoices(issue_date, amount_cents, status);
-- Covering for the money received on a debtor's case between two days (promises' figures).
DROP INDEX payments_debtor;
CREATE INDEX payments_debtor ON payments(debtor_id, received_on, amount_cents);
CREATE INDEX cases_overdue ON cases(status, overdue_cents DESC);
CREATE INDEX cases_claimed ON cases(claimed_by) WHERE claimed_by IS NOT NULL;
CREATE INDEX interactions_agent_case ON interactions(agent_id, occurred_at, case_id);
DROP INDEX interactions_agent_day;
"""

DUNNING_CHANNELS = ("email", "letter", "registered_letter", "sms", "phone")

# The dunning ladder (issue 13): the contract's own late-payment rate, penalties closed (paid or
# waived) per invoice, the steps performed or reserved, manual holds, the ladder's cycle (a case
# closed and reopened starts the ladder again).
MIGRATION_DUNNING = f"""
ALTER TABLE contracts ADD COLUMN late_rate TEXT;
ALTER TABLE invoices ADD COLUMN penalties_closed_on TEXT;
ALTER TABLE cases ADD COLUMN dunning_cycle INTEGER NOT NULL DEFAULT 1;

-- One row per step of the ladder, reserved before it is performed: `key` (case, cycle, step; a
-- pre-reminder: debtor and due date) is unique, so two batches at once or a rerun after a crash
-- never perform a step twice. status: reserved (a batch took it) → sending (an e-mail is being
-- handed to the server) → done; failed (retried by the next run), cancelled (paid meanwhile),
-- held (by a supervisor, `note` says why). A `sending` row whose batch died is left for a human
-- to check: the server may have accepted the message.
CREATE TABLE dunning_steps (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    debtor_id INTEGER NOT NULL REFERENCES debtors(id),
    case_id INTEGER REFERENCES cases(id),
    cycle INTEGER NOT NULL,
    step TEXT NOT NULL {_check("step", *STAGES)},
    channel TEXT NOT NULL {_check("channel", *DUNNING_CHANNELS)},
    due_on TEXT NOT NULL,
    status TEXT NOT NULL {
    _check("status", "reserved", "sending", "done", "failed", "cancelled", "held")
},
    batch TEXT NOT NULL DEFAULT '',
    reserved_at TEXT NOT NULL,
    reserved_by TEXT NOT NULL,
    done_at TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    note TEXT NOT NULL DEFAULT '',
    recipient TEXT NOT NULL DEFAULT '',
    message_id TEXT NOT NULL DEFAULT '',
    reference TEXT NOT NULL DEFAULT '',
    document TEXT NOT NULL DEFAULT '',
    lrar_number TEXT,
    acknowledged_on TEXT,
    amount_cents INTEGER NOT NULL DEFAULT 0,
    invoices TEXT NOT NULL DEFAULT '[]',
    interaction_id INTEGER REFERENCES interactions(id)
);
CREATE INDEX dunning_steps_case ON dunning_steps(case_id, cycle);
CREATE INDEX dunning_steps_status ON dunning_steps(status);
CREATE INDEX dunning_steps_lrar ON dunning_steps(lrar_number) WHERE lrar_number IS NOT NULL;

-- A hold put on a case by hand (`h` on the case): no step until `until` (inclusive).
CREATE TABLE dunning_holds (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    reason TEXT NOT NULL,
    until TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    released_at TEXT,
    released_by TEXT
);
CREATE INDEX dunning_holds_case ON dunning_holds(case_id, released_at);
"""

_NO_UPDATE_TRIGGER = """CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only: UPDATE refused'); END"""


def MIGRATION_AUDIT_CHAIN(conn: sqlite3.Connection) -> None:
    """Each audit event sealed in a hash chain (storage/audit_chain.py); the events already
    there are sealed now, in id order, the UPDATE trigger lifted for that moment only."""
    conn.execute("ALTER TABLE audit_events ADD COLUMN hash TEXT")
    conn.execute("DROP TRIGGER audit_events_no_update")
    seal_existing(conn)
    conn.execute(_NO_UPDATE_TRIGGER)


# A migration is SQL statements, or a function run in the migration's transaction.
Migration = str | Callable[[sqlite3.Connection], None]

# A call that reached nobody may still have left a message (on the voicemail, with whoever
# answered): the agent says so when concluding.
MIGRATION_MESSAGE_LEFT = """
ALTER TABLE interactions ADD COLUMN message_left INTEGER NOT NULL DEFAULT 0
    CHECK (message_left IN (0, 1));
"""

# Credit notes read from e-invoices (services/importing/einvoices.py): each lowers what its
# debtor owes on the invoices it was applied to (credit_note_allocations); what could not be
# applied (nothing open) stays a credit on the debtor, like an over-payment.
MIGRATION_EINVOICES = """
CREATE TABLE credit_notes (
    id INTEGER PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    debtor_id INTEGER NOT NULL REFERENCES debtors(id),
    issue_date TEXT NOT NULL,
    amount_cents INTEGER NOT NULL CHECK (amount_cents >= 0),
    applied_cents INTEGER NOT NULL DEFAULT 0 CHECK (applied_cents BETWEEN 0 AND amount_cents),
    credited_invoice TEXT NOT NULL DEFAULT '',
    file_name TEXT NOT NULL,
    import_id INTEGER REFERENCES imports(id),
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL
);
CREATE INDEX credit_notes_debtor ON credit_notes(debtor_id);

-- The payment terms an e-invoice states (BT-20: "30 jours fin de mois", the penalty clause…).
ALTER TABLE invoices ADD COLUMN payment_terms TEXT NOT NULL DEFAULT '';

CREATE TABLE credit_note_allocations (
    credit_note_id INTEGER NOT NULL REFERENCES credit_notes(id),
    invoice_id INTEGER NOT NULL REFERENCES invoices(id),
    cents INTEGER NOT NULL CHECK (cents > 0),
    PRIMARY KEY (credit_note_id, invoice_id)
);
"""

# Partly kept promises (issue 15): a promise whose date passed with part of its amount paid is
# `partly_kept`, not broken. paid_cents: the money that counted towards it when it was settled
# (its amount for a kept one); late_paid_cents: what came in towards the rest afterwards;
# rest_paid_on: the day the rest was complete. SQLite cannot change a CHECK in place: the table
# is rebuilt (nothing references it). Promises broken with money in before this migration are
# found by their `promise.broken` audit event (which recorded the money) and become partly kept.
MIGRATION_PARTLY_KEPT = f"""
CREATE TABLE promises_new (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
    due_date TEXT NOT NULL,
    proof_requested INTEGER NOT NULL DEFAULT 1,
    status TEXT NOT NULL DEFAULT 'pending' {
    _check("status", "pending", "kept", "broken", "cancelled", "partly_kept")
},
    kind TEXT NOT NULL DEFAULT 'promise' {_check("kind", "promise", "payment_claimed")},
    claimed_paid_on TEXT,
    interaction_id INTEGER REFERENCES interactions(id),
    created_at TEXT NOT NULL,
    created_by INTEGER REFERENCES agents(id),
    settled_on TEXT,
    paid_cents INTEGER NOT NULL DEFAULT 0,
    late_paid_cents INTEGER NOT NULL DEFAULT 0,
    rest_paid_on TEXT
);
INSERT INTO promises_new (id, case_id, amount_cents, due_date, proof_requested, status, kind,
    claimed_paid_on, interaction_id, created_at, created_by, settled_on, paid_cents)
SELECT id, case_id, amount_cents, due_date, proof_requested, status, kind, claimed_paid_on,
    interaction_id, created_at, created_by, settled_on,
    CASE WHEN status = 'kept' THEN amount_cents ELSE 0 END
FROM promises;
DROP TABLE promises;
ALTER TABLE promises_new RENAME TO promises;
CREATE INDEX promises_case ON promises(case_id);
CREATE INDEX promises_due ON promises(status, due_date);
ALTER TABLE debtors ADD COLUMN promises_partly_kept INTEGER NOT NULL DEFAULT 0;
UPDATE promises SET status = 'partly_kept', paid_cents = MIN(amount_cents - 1, (
    SELECT CAST(json_extract(a.after, '$.paid_cents') AS INTEGER) FROM audit_events a
    WHERE a.entity = 'promise' AND a.entity_id = CAST(promises.id AS TEXT)
    AND a.action = 'promise.broken' ORDER BY a.id DESC LIMIT 1))
WHERE status = 'broken' AND (
    SELECT CAST(json_extract(a.after, '$.paid_cents') AS INTEGER) FROM audit_events a
    WHERE a.entity = 'promise' AND a.entity_id = CAST(promises.id AS TEXT)
    AND a.action = 'promise.broken' ORDER BY a.id DESC LIMIT 1) > 0;
UPDATE debtors SET promises_broken = MAX(promises_broken - agg.partly, 0),
    promises_partly_kept = agg.partly
FROM (SELECT c.debtor_id, COUNT(*) AS partly FROM promises p JOIN cases c ON c.id = p.case_id
      WHERE p.status = 'partly_kept' AND p.kind = 'promise' GROUP BY c.debtor_id) AS agg
WHERE debtors.id = agg.debtor_id;
"""


# A promise received in writing (an e-mail, a signed letter) acknowledges the debt: it restarts
# the prescription from that day (C. civ. 2240). A promise on the phone does not.
MIGRATION_WRITTEN_PROMISES = """
ALTER TABLE promises ADD COLUMN written_on TEXT;
"""

# Late penalties a supervisor waived on an invoice: no longer claimed (invoices.penalties_closed_on
# is set the same day); what was waived and why, for the case file and the audit.
MIGRATION_WAIVERS = """
CREATE TABLE penalty_waivers (
    id INTEGER PRIMARY KEY,
    invoice_id INTEGER NOT NULL REFERENCES invoices(id),
    case_id INTEGER REFERENCES cases(id),
    waived_on TEXT NOT NULL,
    reason TEXT NOT NULL,
    interest_cents INTEGER NOT NULL DEFAULT 0,
    indemnity_cents INTEGER NOT NULL DEFAULT 0,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX penalty_waivers_case ON penalty_waivers(case_id);
"""

# The queue's amount part weighs the money overdue by the chance it is still unpaid in 30 days,
# learned from the debtor's last paid invoices (domain.scoring.unpaid_chance): their days late at
# payment, most recent first, space-separated (domain.behaviour keeps it with avg_days_late).
MIGRATION_RANKING_RECORD = """
ALTER TABLE debtors ADD COLUMN recent_days_late TEXT NOT NULL DEFAULT '';
"""

MIGRATIONS: tuple[Migration, ...] = (
    MIGRATION_1,
    MIGRATION_MONEY,
    MIGRATION_SUPERVISOR,
    MIGRATION_DUNNING,
    MIGRATION_AUDIT_CHAIN,
    MIGRATION_MESSAGE_LEFT,
    MIGRATION_EINVOICES,
    MIGRATION_PARTLY_KEPT,
    MIGRATION_WRITTEN_PROMISES,
    MIGRATION_WAIVERS,
    MIGRATION_RANKING_RECORD,
)

SCHEMA_VERSION = len(MIGRATIONS)


class SchemaTooNewError(RuntimeError):
    """The database was written by a newer relance-tui than this one."""


def migrate(conn: sqlite3.Connection) -> int:
    """Apply the migrations the database lacks, each in its own transaction. Returns the version."""
    current = conn.execute("PRAGMA user_version").fetchone()[0]
    if current > SCHEMA_VERSION:
        raise SchemaTooNewError(f"schema version {current} > {SCHEMA_VERSION}")
    for number in range(current + 1, SCHEMA_VERSION + 1):
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Re-read inside the write lock: another process may have migrated meanwhile.
            if conn.execute("PRAGMA user_version").fetchone()[0] >= number:
                conn.execute("COMMIT")
                continue
            migration = MIGRATIONS[number - 1]
            if callable(migration):
                migration(conn)
            else:
                for statement in _statements(migration):
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return SCHEMA_VERSION


def _statements(script: str) -> list[str]:
    """Split a migration into statements (executescript would commit our transaction).

    Comment lines are dropped first, so a `;` may only end a statement or sit inside a trigger.
    """
    code = "".join(
        line for line in script.splitlines(keepends=True) if not line.lstrip().startswith("--")
    )
    statements: list[str] = []
    buffer = ""
    for part in code.split(";"):
        buffer += part + ";"
        if sqlite3.complete_statement(buffer):
            if buffer.strip(" \n;"):
                statements.append(buffer.strip())
            buffer = ""
    return statements
