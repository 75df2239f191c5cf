import os
import sqlite3
import stat
from datetime import date
from pathlib import Path

import pytest

from relance_tui.storage import schema
from relance_tui.storage.cases import sync_cases
from relance_tui.storage.db import append_audit, connect, resolve_db_path, transaction


def test_new_database_is_migrated_in_wal_with_foreign_keys(db_path: Path) -> None:
    conn = connect(db_path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] > 0
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"debtors", "invoices", "cases", "promises", "audit_events", "callbacks"} <= tables


def test_file_is_private_to_owner_and_group(db_path: Path) -> None:
    old_umask = os.umask(0o022)
    try:
        connect(db_path).close()
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(db_path.stat().st_mode) == 0o660


def test_reopening_does_not_migrate_twice(db_path: Path) -> None:
    connect(db_path).close()
    conn = connect(db_path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION


def test_migrations_apply_from_any_older_version(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:1])
    monkeypatch.setattr(schema, "SCHEMA_VERSION", 1)
    connect(db_path).close()
    extra = "CREATE TABLE later_feature (id INTEGER PRIMARY KEY);"
    monkeypatch.setattr(schema, "MIGRATIONS", (*schema.MIGRATIONS, extra))
    monkeypatch.setattr(schema, "SCHEMA_VERSION", 2)
    conn = connect(db_path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
    conn.execute("SELECT * FROM later_feature")


def test_newer_database_is_refused(db_path: Path) -> None:
    conn = connect(db_path)
    conn.execute(f"PRAGMA user_version = {schema.SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(schema.SchemaTooNewError):
        connect(db_path)


def test_failed_migration_leaves_version_unchanged(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    connect(db_path).close()
    broken = "CREATE TABLE half (id INTEGER); CREATE TABLE half (id INTEGER);"
    monkeypatch.setattr(schema, "MIGRATIONS", (*schema.MIGRATIONS, broken))
    monkeypatch.setattr(schema, "SCHEMA_VERSION", len(schema.MIGRATIONS))
    with pytest.raises(sqlite3.OperationalError):
        connect(db_path)
    raw = sqlite3.connect(db_path)
    assert raw.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION - 1
    assert raw.execute("SELECT count(*) FROM sqlite_master WHERE name = 'half'").fetchone()[0] == 0


def test_audit_table_is_append_only(db_path: Path) -> None:
    conn = connect(db_path)
    with transaction(conn):
        append_audit(
            conn, agent="agent1", action="test", entity="case", entity_id=1, after={"a": 1}
        )
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("UPDATE audit_events SET agent = 'someone else'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("DELETE FROM audit_events")
    assert conn.execute("SELECT agent FROM audit_events").fetchone()[0] == "agent1"


def test_transaction_rolls_back_everything_on_error(db_path: Path) -> None:
    conn = connect(db_path)
    with pytest.raises(RuntimeError), transaction(conn):
        conn.execute(
            "INSERT INTO agents (login, display_name, role, created_at)"
            " VALUES ('a', 'A', 'agent', 'x')"
        )
        raise RuntimeError("crash mid-write")
    assert conn.execute("SELECT count(*) FROM agents").fetchone()[0] == 0


def test_check_constraints_guard_the_data(db_path: Path) -> None:
    conn = connect(db_path)
    conn.execute(
        "INSERT INTO debtors (reference, legal_name, segment, created_at, updated_at)"
        " VALUES ('D1', 'X', 'sme', 'x', 'x')"
    )
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute(
            "INSERT INTO invoices (number, debtor_id, issue_date, due_date, amount_cents,"
            " outstanding_cents) VALUES ('F1', 1, '2026-02-01', '2026-01-01', 100, 100)"
        )
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute(
            "INSERT INTO invoices (number, debtor_id, issue_date, due_date, amount_cents,"
            " outstanding_cents) VALUES ('F1', 99, '2026-01-01', '2026-02-01', 100, 100)"
        )


def test_db_path_resolution(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert resolve_db_path("/x/y.db") == Path("/x/y.db")
    monkeypatch.setenv("RELANCE_DB", str(tmp_path / "env.db"))
    assert resolve_db_path(None) == tmp_path / "env.db"
    monkeypatch.delenv("RELANCE_DB")
    assert resolve_db_path(None).name == "relance.db"
    assert str(resolve_db_path(None)).startswith(os.environ["XDG_DATA_HOME"])


def test_sync_cases_opens_updates_and_closes(db_path: Path) -> None:
    conn = connect(db_path)
    conn.execute(
        "INSERT INTO debtors (reference, legal_name, segment, created_at, updated_at)"
        " VALUES ('D1', 'A', 'sme', 'x', 'x'), ('D2', 'B', 'consumer', 'x', 'x')"
    )
    conn.execute(
        "INSERT INTO invoices (number, debtor_id, issue_date, due_date, amount_cents,"
        " outstanding_cents, in_dispute) VALUES"
        " ('F1', 1, '2026-01-01', '2026-02-01', 1000, 1000, 0),"
        " ('F2', 1, '2026-01-01', '2026-01-15', 400, 400, 1),"
        " ('F3', 1, '2026-11-01', '2026-12-01', 500, 500, 0),"
        " ('F4', 2, '2026-01-01', '2026-03-01', 700, 700, 0)"
    )
    with transaction(conn):
        sync_cases(conn, date(2026, 11, 24))
    rows = {r["debtor_id"]: dict(r) for r in conn.execute("SELECT * FROM cases")}
    assert rows[1]["overdue_cents"] == 1000  # not yet due and disputed money are not chased
    assert rows[1]["disputed_cents"] == 400
    assert rows[1]["oldest_due_date"] == "2026-02-01"
    assert rows[1]["prescription_on"] == "2031-01-15"  # B2B: 5 years
    assert rows[2]["prescription_on"] == "2028-03-01"  # consumer: 2 years
    conn.execute("UPDATE invoices SET outstanding_cents = 0, status = 'paid' WHERE number = 'F4'")
    with transaction(conn):
        sync_cases(conn, date(2026, 11, 24), [2])
    closed = conn.execute("SELECT status, stage FROM cases WHERE debtor_id = 2").fetchone()
    assert tuple(closed) == ("closed", "closed")
