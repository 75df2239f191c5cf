"""A write on a case is checked against a light read of the case (services.call_preparation):
the same case, open invoices, contacts and phones as the case file the agent sees, for every
case of a seeded database with weeks of activity (invoices paid, disputed; phones marked
invalid; contacts opposed)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from factories import paris_noon
from relance_tui.config import Settings
from relance_tui.domain.calls import CallPreparation
from relance_tui.services.call_preparation import preparation_to_record
from relance_tui.services.casefile import CaseNotFoundError, load_case_file
from relance_tui.services.seed.build import seed_database
from relance_tui.storage.db import connect, transaction

TODAY = date(2026, 11, 24)


def checked(prep: CallPreparation) -> tuple[object, ...]:
    """What the checks and the writes read; the screen-only parts (phone display, calling
    hours, last contacts, warnings) are left out."""
    return (
        prep.case_id,
        prep.debtor_name,
        prep.segment,
        prep.stage,
        prep.postal_code,
        prep.overdue,
        prep.disputed,
        prep.balance,
        prep.invoices,
        tuple(
            (c.contact_id, c.name, c.role, c.email, c.opposed,
             tuple((p.phone_id, p.kind, p.region, p.time_zone, p.usable) for p in c.phones))
            for c in prep.contacts
        ),
    )  # fmt: skip


def test_the_light_read_matches_the_case_file_on_every_case(tmp_path: Path) -> None:
    conn = connect(tmp_path / "seeded.db")
    seed_database(conn, debtors=120, invoices=600, seed=5, today=TODAY, history_days=20)
    with transaction(conn):  # some of what the light read must see too
        conn.execute("UPDATE phones SET marked_invalid_at = '2026-11-20' WHERE id % 5 = 0")
        conn.execute("UPDATE contacts SET opposed_to_contact = 1 WHERE id % 7 = 0")
        conn.execute("UPDATE invoices SET in_dispute = 1 WHERE id % 6 = 0")
    settings = Settings()
    case_ids = [row[0] for row in conn.execute("SELECT id FROM cases ORDER BY id")]
    seen_usable = set()
    for case_id in case_ids:
        full = load_case_file(conn, case_id, now=paris_noon(TODAY), settings=settings)
        light = preparation_to_record(conn, case_id)
        assert checked(light) == checked(full.preparation), case_id
        seen_usable |= {p.usable for c in light.contacts for p in c.phones}
    assert seen_usable == {True, False}
    assert any(i.in_dispute for c in case_ids for i in preparation_to_record(conn, c).invoices)
    with pytest.raises(CaseNotFoundError):
        preparation_to_record(conn, max(case_ids) + 1)
    assert not conn.in_transaction
