"""SQL for `relance import`: look-ups by business key, bulk upserts, payment allocation.

Every function runs inside the caller's transaction (services.importing.pipeline opens one
`BEGIN IMMEDIATE` for the whole file). Column lists are fixed here; the caller only says which
optional columns the file carried, so a re-import never blanks a column the file did not have.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from relance_tui.storage import audit_chain

_LOOKUP_CHUNK = 500  # keys per `IN (…)` look-up (well under SQLite's variable limit)
BULK_ROWS = 50_000  # from this many incoming rows, rebuild secondary indexes instead


def _chunks(values: Sequence[Any], size: int = _LOOKUP_CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _lookup(conn: sqlite3.Connection, sql: str, keys: Iterable[Any]) -> list[sqlite3.Row]:
    """Run `sql` (with one `{marks}` placeholder list) for the keys, chunk by chunk."""
    found: list[sqlite3.Row] = []
    unique = list(dict.fromkeys(keys))
    for chunk in _chunks(unique):
        marks = ", ".join("?" * len(chunk))
        found.extend(conn.execute(sql.format(marks=marks), tuple(chunk)).fetchall())
    return found


def debtor_ids(conn: sqlite3.Connection, references: Iterable[str]) -> dict[str, int]:
    """Debtor reference → id, for the references that exist."""
    keys = set(references)
    if len(keys) > 20_000:  # a whole-table read beats thousands of small look-ups
        return {ref: ident for ref, ident in all_debtor_ids(conn).items() if ref in keys}
    rows = _lookup(conn, "SELECT reference, id FROM debtors WHERE reference IN ({marks})", keys)
    return {row[0]: row[1] for row in rows}


def all_debtor_ids(conn: sqlite3.Connection) -> dict[str, int]:
    """Every debtor reference → id."""
    cursor = conn.cursor()
    cursor.row_factory = None  # plain tuples: sqlite3.Row costs on 100 000s of rows
    return dict(cursor.execute("SELECT reference, id FROM debtors").fetchall())


def data_version(conn: sqlite3.Connection) -> int:
    """A number that changes whenever another connection commits to the database."""
    return int(conn.execute("PRAGMA data_version").fetchone()[0])


def count_rows(conn: sqlite3.Connection, table: str) -> int:
    assert table in {"invoices", "debtors", "contacts", "phones", "payments", "contracts"}
    return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


@contextlib.contextmanager
def bulk_indexes(conn: sqlite3.Connection, table: str, incoming: int) -> Iterator[None]:
    """For big loads, drop the table's plain secondary indexes and rebuild them afterwards.

    Building an index once from sorted data is much faster than a million random insertions.
    Runs inside the caller's transaction, so other connections never see the table without them.
    """
    assert table in {"invoices", "debtors"}
    if incoming < BULK_ROWS or incoming < count_rows(conn, table):
        yield
        return
    indexes = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ?"
        " AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%'",
        (table,),
    ).fetchall()
    for name, _sql in indexes:
        conn.execute(f'DROP INDEX "{name}"')
    try:
        yield
    finally:
        with _sorting(conn):
            for _name, sql in indexes:
                conn.execute(sql)


@contextlib.contextmanager
def _sorting(conn: sqlite3.Connection) -> Iterator[None]:
    """Settings for SQLite's sorter while it builds indexes.

    The sorter keeps as much in memory as the page cache may hold, then sorts it in one run.
    Small runs (a few MiB: they stay in the CPU caches) that helper threads sort and merge cost
    half as much: an index over a million invoices is built in ~0.5 s instead of ~1.1 s. The
    transaction's dirty pages that no longer fit spill to the WAL, where the commit would have
    written them (measured: the commit costs the same).
    """
    cache = int(conn.execute("PRAGMA cache_size").fetchone()[0])
    threads = int(conn.execute("PRAGMA threads").fetchone()[0])
    conn.execute("PRAGMA cache_size = -4096")  # KiB
    conn.execute(f"PRAGMA threads = {min(2, os.cpu_count() or 1)}")
    try:
        yield
    finally:
        conn.execute(f"PRAGMA cache_size = {cache}")
        conn.execute(f"PRAGMA threads = {threads}")


# --- debtors --------------------------------------------------------------------------------

DEBTOR_COLUMNS = (
    "legal_name", "siren", "siret", "segment", "payer_type", "strategic", "risk_score",
    "address", "postal_code", "city", "country",
)  # fmt: skip


def upsert_debtors(
    conn: sqlite3.Connection, columns: Sequence[str], rows: Iterable[Sequence[Any]], now: str
) -> None:
    """Rows are (reference, *columns). Columns absent from the file keep their stored value."""
    assert all(column in DEBTOR_COLUMNS for column in columns)
    names = ", ".join(("reference", *columns))
    marks = ", ".join("?" * (len(columns) + 1))
    updates = ", ".join(f"{column} = excluded.{column}" for column in columns)
    segment = "" if "segment" in columns else ", segment"
    segment_value = "" if "segment" in columns else ", 'sme'"
    conn.executemany(
        f"INSERT INTO debtors ({names}{segment}, created_at, updated_at)"
        f" VALUES ({marks}{segment_value}, ?, ?)"
        f" ON CONFLICT (reference) DO UPDATE SET {updates}, updated_at = excluded.updated_at",
        ((*row, now, now) for row in rows),
    )


# --- contacts and phones --------------------------------------------------------------------

CONTACT_COLUMNS = ("role", "email", "preferred_channel", "opposed_to_contact")


def upsert_contacts(
    conn: sqlite3.Connection, columns: Sequence[str], rows: Sequence[Sequence[Any]], now: str
) -> list[int]:
    """Rows are (debtor_id, name, *columns); returns the contact id of each row, in order."""
    assert all(column in CONTACT_COLUMNS for column in columns)
    names = ", ".join(("debtor_id", "name", *columns))
    marks = ", ".join("?" * (len(columns) + 2))
    updates = "".join(f"{column} = excluded.{column}, " for column in columns)
    conn.executemany(
        f"INSERT INTO contacts ({names}, created_at, updated_at) VALUES ({marks}, ?, ?)"
        f" ON CONFLICT (debtor_id, name) DO UPDATE SET {updates}updated_at = excluded.updated_at",
        ((*row, now, now) for row in rows),
    )
    ids: dict[tuple[int, str], int] = {}
    for chunk in _chunks(sorted({row[0] for row in rows})):
        marks = ", ".join("?" * len(chunk))
        for contact_id, debtor_id, name in conn.execute(
            f"SELECT id, debtor_id, name FROM contacts WHERE debtor_id IN ({marks})", tuple(chunk)
        ):
            ids[(debtor_id, name)] = contact_id
    return [ids[(row[0], row[1])] for row in rows]


def existing_contacts(
    conn: sqlite3.Connection, keys: Iterable[tuple[int, str]]
) -> set[tuple[int, str]]:
    wanted = set(keys)
    found: set[tuple[int, str]] = set()
    for chunk in _chunks(sorted({debtor for debtor, _ in wanted})):
        marks = ", ".join("?" * len(chunk))
        for debtor_id, name in conn.execute(
            f"SELECT debtor_id, name FROM contacts WHERE debtor_id IN ({marks})", tuple(chunk)
        ):
            if (debtor_id, name) in wanted:
                found.add((debtor_id, name))
    return found


def upsert_phones(conn: sqlite3.Connection, rows: Iterable[Sequence[Any]]) -> None:
    """Rows are (contact_id, raw, e164, kind, region, time_zone, valid); keyed on (contact, raw)."""
    conn.executemany(
        "INSERT INTO phones (contact_id, raw, e164, kind, region, time_zone, valid)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (contact_id, raw) DO UPDATE SET e164 = excluded.e164, kind = excluded.kind,"
        " region = excluded.region, time_zone = excluded.time_zone, valid = excluded.valid",
        rows,
    )


# --- contracts and invoices -----------------------------------------------------------------


def contracts_by_reference(
    conn: sqlite3.Connection, references: Iterable[str]
) -> dict[str, tuple[int, int]]:
    """Contract reference → (id, debtor_id)."""
    rows = _lookup(
        conn, "SELECT reference, id, debtor_id FROM contracts WHERE reference IN ({marks})",
        references,
    )  # fmt: skip
    return {row[0]: (row[1], row[2]) for row in rows}


def create_contracts(
    conn: sqlite3.Connection, contracts: Iterable[tuple[str, int, str]]
) -> dict[str, int]:
    """Create contracts known only by their reference: (reference, debtor_id, start_date).

    The reference doubles as the title until someone edits it.
    """
    created: dict[str, int] = {}
    for reference, debtor_id, start in contracts:
        cursor = conn.execute(
            "INSERT INTO contracts (reference, debtor_id, title, start_date) VALUES (?, ?, ?, ?)",
            (reference, debtor_id, reference, start),
        )
        assert cursor.lastrowid is not None
        created[reference] = cursor.lastrowid
    return created


def move_contract_starts(conn: sqlite3.Connection, starts: dict[int, str]) -> None:
    """Contract id → an issue date: the contract starts then if it started later."""
    conn.executemany(
        "UPDATE contracts SET start_date = ?2 WHERE id = ?1 AND start_date > ?2", starts.items()
    )


INVOICE_OPTIONAL = ("contract_id", "po_reference", "outstanding_cents", "currency")


def upsert_invoices(
    conn: sqlite3.Connection,
    columns: Sequence[str],
    values: Sequence[Sequence[Any]],
    nulls: Sequence[str] = (),
) -> None:
    """`values` holds one list per column: number, debtor_id, issue_date, due_date, amount_cents,
    then `columns` in order; all of the same length.

    `nulls` are optional columns the file had but left empty on every row: written as NULL
    without a parameter per row (binding Python's None goes through the adaptation protocol and
    cost 0.6 s per million rows).

    On insert a missing outstanding equals the amount; the status follows the outstanding.
    On update only the columns the file had change; cancelled and written-off invoices keep their
    status, and `paid_on` is cleared when an invoice is open again.
    """
    assert all(column in INVOICE_OPTIONAL for column in (*columns, *nulls))
    assert "outstanding_cents" not in nulls
    bound = ("number", "debtor_id", "issue_date", "due_date", "amount_cents", *columns)
    assert len(values) == len(bound)
    names = (*bound, *nulls)
    updates = [f"{name} = excluded.{name}" for name in names[1:]]
    if "outstanding_cents" in columns:
        updates.append(
            "status = CASE WHEN invoices.status IN ('cancelled', 'written_off')"
            " THEN invoices.status ELSE excluded.status END"
        )
        updates.append(
            "paid_on = CASE WHEN excluded.outstanding_cents > 0 THEN NULL ELSE invoices.paid_on END"
        )
    insert_names = list(names)
    if "outstanding_cents" not in columns:
        insert_names.append("outstanding_cents")
    insert_names.append("status")

    def row_values(first: int) -> str:
        params = {name: f"?{first + position}" for position, name in enumerate(bound)}
        outstanding = params.get("outstanding_cents", params["amount_cents"])
        status = (
            f"CASE WHEN {outstanding} = 0 THEN 'paid'"
            f" WHEN {outstanding} < {params['amount_cents']} THEN 'partially_paid' ELSE 'open' END"
        )
        cells = [*params.values(), *("NULL" for _ in nulls)]
        if "outstanding_cents" not in columns:
            cells.append(params["amount_cents"])
        return f"({', '.join((*cells, status))})"

    _insert_rows(
        conn,
        lambda rows: (
            f"INSERT INTO invoices ({', '.join(insert_names)}) VALUES "
            + ", ".join(row_values(1 + row * len(bound)) for row in range(rows))
            + f" ON CONFLICT (number) DO UPDATE SET {', '.join(updates)}"
        ),
        values,
    )


_ROWS_PER_STATEMENT = 50


def _insert_rows(
    conn: sqlite3.Connection, statement: Callable[[int], str], values: Sequence[Sequence[Any]]
) -> None:
    """Run `statement(k)`, an INSERT of k rows in one VALUES list, over columns of values.

    Many rows per statement: executemany's own cost per statement (bind, step, reset) is paid
    once per 50 rows instead of once per row, which halves the time of a million-row insert.
    Parameters are read from one flat row-major list, interleaved at C speed by slice assignment.
    """
    width = len(values)
    count = len(values[0]) if values else 0
    flat: list[Any] = [None] * (width * count)
    for position, column in enumerate(values):
        flat[position::width] = column
    step = width * _ROWS_PER_STATEMENT
    full = count // _ROWS_PER_STATEMENT * step
    if full:
        conn.executemany(
            statement(_ROWS_PER_STATEMENT),
            (flat[start : start + step] for start in range(0, full, step)),
        )
    if full < len(flat):
        conn.execute(statement((len(flat) - full) // width), flat[full:])


# --- payments -------------------------------------------------------------------------------


@dataclass
class OpenInvoice:
    id: int
    number: str
    debtor_id: int
    due_date: str
    outstanding_cents: int
    amount_cents: int
    status: str
    in_dispute: bool
    paid_on: str | None = None
    changed: bool = False


_INVOICE_FIELDS = (
    "id, number, debtor_id, due_date, outstanding_cents, amount_cents, status, in_dispute, paid_on"
)


def _invoice(row: sqlite3.Row) -> OpenInvoice:
    return OpenInvoice(row[0], row[1], row[2], row[3], row[4], row[5], row[6], bool(row[7]), row[8])


def invoices_by_number(conn: sqlite3.Connection, numbers: Iterable[str]) -> dict[str, OpenInvoice]:
    rows = _lookup(
        conn, f"SELECT {_INVOICE_FIELDS} FROM invoices WHERE number IN ({{marks}})", numbers
    )
    return {row[1]: _invoice(row) for row in rows}


def open_invoices(
    conn: sqlite3.Connection, debtor_ids: Iterable[int]
) -> dict[int, list[OpenInvoice]]:
    """Each debtor's open, undisputed invoices, oldest due date first."""
    rows = _lookup(
        conn,
        f"SELECT {_INVOICE_FIELDS} FROM invoices WHERE debtor_id IN ({{marks}})"
        " AND outstanding_cents > 0 AND status IN ('open', 'partially_paid') AND in_dispute = 0"
        " ORDER BY due_date, issue_date, id",
        debtor_ids,
    )
    found: dict[int, list[OpenInvoice]] = {}
    for row in rows:
        found.setdefault(row[2], []).append(_invoice(row))
    for invoices in found.values():
        invoices.sort(key=lambda invoice: (invoice.due_date, invoice.id))
    return found


def existing_payment_references(conn: sqlite3.Connection, references: Iterable[str]) -> set[str]:
    rows = _lookup(conn, "SELECT reference FROM payments WHERE reference IN ({marks})", references)
    return {row[0] for row in rows}


PaymentKey = tuple[int, str, int, str, str]  # debtor_id, received_on, cents, method, bank label


def unreferenced_payment_counts(
    conn: sqlite3.Connection, debtor_ids: Iterable[int]
) -> dict[PaymentKey, int]:
    """How many payments without reference each (debtor, day, amount, method, label) has."""
    counts: dict[PaymentKey, int] = {}
    for chunk in _chunks(sorted(set(debtor_ids))):
        marks = ", ".join("?" * len(chunk))
        for row in conn.execute(
            "SELECT debtor_id, received_on, amount_cents, method, bank_label, count(*)"
            f" FROM payments WHERE reference = '' AND debtor_id IN ({marks})"
            " GROUP BY debtor_id, received_on, amount_cents, method, bank_label",
            tuple(chunk),
        ):
            counts[(row[0], row[1], row[2], row[3], row[4])] = row[5]
    return counts


def insert_payments(conn: sqlite3.Connection, rows: Iterable[Sequence[Any]]) -> None:
    """Rows are (debtor_id, invoice_id, reference, received_on, amount_cents, method,
    bank_label, matched, allocated_cents, created_at, created_by)."""
    conn.executemany(
        "INSERT INTO payments (debtor_id, invoice_id, reference, received_on, amount_cents,"
        " method, bank_label, matched, allocated_cents, created_at, created_by)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )


def save_invoice_balances(conn: sqlite3.Connection, invoices: Iterable[OpenInvoice]) -> None:
    conn.executemany(
        "UPDATE invoices SET outstanding_cents = ?, status = ?, paid_on = ? WHERE id = ?",
        (
            (invoice.outstanding_cents, invoice.status, invoice.paid_on, invoice.id)
            for invoice in invoices
            if invoice.changed
        ),
    )


# --- what an import changed, row by row, for the audit trail ------------------------------------

# While an import writes, temporary triggers (this connection only) note each invoice whose
# amount, balance, due date or status changes and each case that closes or opens again; the import
# then copies them into audit_events, each sealed in the chain. New rows are not noted (the import's
# own event counts them), so a first import of a million invoices costs nothing more.
_CHANGES_SETUP = (
    "CREATE TEMP TABLE import_changes (action TEXT NOT NULL, entity TEXT NOT NULL,"
    " entity_id INTEGER NOT NULL, before TEXT, after TEXT, detail TEXT NOT NULL)",
    """CREATE TEMP TRIGGER import_invoice_changed
    AFTER UPDATE OF amount_cents, outstanding_cents, due_date, status ON main.invoices
    WHEN OLD.amount_cents IS NOT NEW.amount_cents
      OR OLD.outstanding_cents IS NOT NEW.outstanding_cents
      OR OLD.due_date IS NOT NEW.due_date OR OLD.status IS NOT NEW.status
    BEGIN
      INSERT INTO import_changes VALUES ('import.invoice_change', 'invoice', NEW.id,
        json_object('amount_cents', OLD.amount_cents, 'outstanding_cents', OLD.outstanding_cents,
                    'due_date', OLD.due_date, 'status', OLD.status),
        json_object('amount_cents', NEW.amount_cents, 'outstanding_cents', NEW.outstanding_cents,
                    'due_date', NEW.due_date, 'status', NEW.status),
        NEW.number);
    END""",
    """CREATE TEMP TRIGGER import_case_status
    AFTER UPDATE OF status ON main.cases WHEN OLD.status IS NOT NEW.status
    BEGIN
      INSERT INTO import_changes VALUES (
        CASE NEW.status WHEN 'closed' THEN 'import.case_close' ELSE 'import.case_reopen' END,
        'case', NEW.id, json_object('status', OLD.status), json_object('status', NEW.status), '');
    END""",
)
_CHANGES_TEARDOWN = (
    "DROP TRIGGER IF EXISTS temp.import_invoice_changed",
    "DROP TRIGGER IF EXISTS temp.import_case_status",
    "DROP TABLE IF EXISTS temp.import_changes",
)


@contextlib.contextmanager
def changes_noted(conn: sqlite3.Connection) -> Iterator[None]:
    """Note the rows the import changes (inside its transaction) until `audit_changes`."""
    for statement in _CHANGES_TEARDOWN:  # left over by an interrupted import on this connection
        conn.execute(statement)
    for statement in _CHANGES_SETUP:
        conn.execute(statement)
    try:
        yield
    finally:
        for statement in _CHANGES_TEARDOWN:
            conn.execute(statement)


def audit_changes(conn: sqlite3.Connection, *, agent: str, at: str, import_id: int) -> int:
    """One audit event per row the import changed (see changes_noted), sealed in the chain;
    returns how many."""
    return audit_chain.append_selected(
        conn,
        "SELECT :audit_base + rowid AS id, :at AS at, :agent AS agent, action, entity,"
        " CAST(entity_id AS TEXT) AS entity_id, before, after, 'import #' || :import_id ||"
        " CASE detail WHEN '' THEN '' ELSE ': ' || detail END AS detail"
        " FROM temp.import_changes ORDER BY rowid",
        {"at": at, "agent": agent, "import_id": import_id},
    )


# --- the import log -------------------------------------------------------------------------


def last_import_id(conn: sqlite3.Connection) -> int:
    """The id of the newest recorded import (0: none yet)."""
    return int(conn.execute("SELECT coalesce(max(id), 0) FROM imports").fetchone()[0])


def record_import(
    conn: sqlite3.Connection,
    *,
    kind: str,
    file_name: str,
    inserted: int,
    updated: int,
    rejected: int,
    at: str,
    by: str,
) -> int:
    cursor = conn.execute(
        "INSERT INTO imports (kind, file_name, rows_inserted, rows_updated, rows_rejected,"
        " imported_at, imported_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (kind, file_name, inserted, updated, rejected, at, by),
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


@contextlib.contextmanager
def bulk_session(conn: sqlite3.Connection, rows: int) -> Iterator[None]:
    """Settings for big files, around (outside) the import's transaction.

    A bigger page cache (dirty pages stay in memory until the commit), and no per-row foreign
    key look-ups: every id the importer writes was just read from its table inside the same
    `BEGIN IMMEDIATE` transaction, so it exists. Both are restored afterwards.
    """
    if rows < BULK_ROWS:
        yield
        return
    previous = int(conn.execute("PRAGMA cache_size").fetchone()[0])
    foreign_keys = int(conn.execute("PRAGMA foreign_keys").fetchone()[0])
    conn.execute("PRAGMA cache_size = -262144")  # 256 MiB
    conn.execute("PRAGMA foreign_keys = OFF")
    try:
        yield
    finally:
        conn.execute(f"PRAGMA cache_size = {previous}")
        conn.execute(f"PRAGMA foreign_keys = {'ON' if foreign_keys else 'OFF'}")
