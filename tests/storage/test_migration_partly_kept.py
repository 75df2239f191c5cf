"""MIGRATION_PARTLY_KEPT on a database that has promises already: those broken with money in (their
`promise.broken` audit event says how much) become partly kept, and the debtor's counters move."""

from datetime import date
from pathlib import Path

import pytest

from factories import add_promise, make_case
from relance_tui.storage import schema
from relance_tui.storage.db import append_audit, connect, transaction

TODAY = date(2026, 12, 1)


def test_broken_promises_with_money_in_become_partly_kept(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    full = schema.MIGRATIONS
    before = full[: full.index(schema.MIGRATION_PARTLY_KEPT)]
    monkeypatch.setattr(schema, "MIGRATIONS", before)
    monkeypatch.setattr(schema, "SCHEMA_VERSION", len(before))
    conn = connect(db_path)
    with transaction(conn):
        case_id = make_case(conn, TODAY)
        partly = add_promise(conn, case_id, due=TODAY, amount_cents=50_000, status="broken")
        broken = add_promise(conn, case_id, due=TODAY, amount_cents=40_000, status="broken")
        kept = add_promise(conn, case_id, due=TODAY, amount_cents=10_000, status="kept")
        conn.execute("UPDATE debtors SET promises_broken = 2, promises_kept = 1")
        for promise, paid in ((partly, 20_000), (broken, 0)):
            append_audit(
                conn, agent="system", action="promise.broken", entity="promise",
                entity_id=promise, after={"status": "broken", "paid_cents": paid},
            )  # fmt: skip
    conn.close()

    monkeypatch.setattr(schema, "MIGRATIONS", full)
    monkeypatch.setattr(schema, "SCHEMA_VERSION", len(full))
    conn = connect(db_path)
    rows = {
        row[0]: tuple(row)[1:]
        for row in conn.execute("SELECT id, status, paid_cents, late_paid_cents FROM promises")
    }
    assert rows == {
        partly: ("partly_kept", 20_000, 0),
        broken: ("broken", 0, 0),
        kept: ("kept", 10_000, 0),
    }
    counters = conn.execute(
        "SELECT promises_kept, promises_partly_kept, promises_broken FROM debtors"
    ).fetchone()
    assert tuple(counters) == (1, 1, 1)
    # The new status is allowed, an unknown one still refused.
    conn.execute("UPDATE promises SET status = 'partly_kept' WHERE id = ?", (broken,))
    with pytest.raises(Exception, match="CHECK"):
        conn.execute("UPDATE promises SET status = 'half' WHERE id = ?", (broken,))
