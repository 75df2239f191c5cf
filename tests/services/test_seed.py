"""`relance seed`: same arguments, same database; a portfolio that looks like the real thing."""

from __future__ import annotations

import random
import sqlite3
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from relance_tui.cli import main
from relance_tui.domain.identifiers import siren_error, siret_error
from relance_tui.domain.phones import parse_phone
from relance_tui.services.seed import data as seed_data
from relance_tui.services.seed.build import SeedError, seed_clock, seed_database
from relance_tui.storage.db import connect
from relance_tui.storage.seeding import SEEDED_TABLES

TODAY = date(2026, 11, 24)


def _seed(path: Path, *, seed: int = 7, debtors: int = 400, invoices: int = 4000) -> None:
    conn = connect(path)
    try:
        seed_database(conn, debtors=debtors, invoices=invoices, seed=seed, today=TODAY)
    finally:
        conn.close()


def _tables(path: Path) -> dict[str, list[tuple[object, ...]]]:
    conn = sqlite3.connect(path)
    try:
        tables = (*SEEDED_TABLES, "audit_events", "meta")
        return {
            table: [tuple(row) for row in conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2")]
            for table in tables
        }
    finally:
        conn.close()


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("seed") / "seeded.db"
    _seed(path)
    return path


@pytest.fixture
def db(seeded: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(seeded)
    conn.row_factory = sqlite3.Row
    return conn


def test_same_seed_same_database_other_seed_other_data(tmp_path: Path, seeded: Path) -> None:
    again = tmp_path / "again.db"
    other = tmp_path / "other.db"
    _seed(again)
    _seed(other, seed=8)
    first, second, third = _tables(seeded), _tables(again), _tables(other)
    for table in first:
        assert first[table] == second[table], table
    assert first["debtors"] != third["debtors"]
    assert first["invoices"] != third["invoices"]


def test_every_timestamp_comes_from_the_seed_clock(db: sqlite3.Connection) -> None:
    now = seed_clock(TODAY)
    assert now == "2026-11-24T07:00:00+00:00"
    stamps = {row[0] for row in db.execute("SELECT DISTINCT created_at FROM cases")}
    assert stamps == {now}
    assert {row[0] for row in db.execute("SELECT DISTINCT at FROM audit_events")} == {now}


def test_counts_and_identifiers(db: sqlite3.Connection) -> None:
    assert db.execute("SELECT COUNT(*) FROM debtors").fetchone()[0] == 400
    assert db.execute("SELECT COUNT(*) FROM invoices").fetchone()[0] == 4000
    for siren, siret, segment in db.execute("SELECT siren, siret, segment FROM debtors"):
        if segment == "consumer":
            assert siren is None and siret is None
            continue
        assert siren_error(siren) is None
        assert siret_error(siret) is None and siret.startswith(siren)
        if segment == "public_body":
            assert siren.startswith("2")
    sirens = [row[0] for row in db.execute("SELECT siren FROM debtors WHERE siren IS NOT NULL")]
    assert len(sirens) == len(set(sirens))
    segments = Counter(row[0] for row in db.execute("SELECT segment FROM debtors"))
    assert set(segments) == {"large_account", "multi_site", "sme", "public_body", "consumer"}
    payers = {row[0] for row in db.execute("SELECT payer_type FROM debtors")}
    assert payers == {"good", "smart", "bad", "very_bad", "unknown"}
    assert db.execute("SELECT COUNT(*) FROM debtors WHERE strategic = 1").fetchone()[0] > 0
    overseas = db.execute("SELECT COUNT(*) FROM debtors WHERE postal_code LIKE '97%'")
    assert overseas.fetchone()[0] > 0


def test_contacts_fit_the_segment(db: sqlite3.Connection) -> None:
    roles = {
        (segment, role)
        for segment, role in db.execute(
            "SELECT d.segment, c.role FROM contacts c JOIN debtors d ON d.id = c.debtor_id"
        )
    }
    assert ("large_account", "buyer") in roles
    assert ("multi_site", "accounts_payable") in roles
    assert ("sme", "decision_maker") in roles
    assert ("public_body", "public_accountant") in roles
    assert db.execute("SELECT COUNT(*) FROM contacts WHERE opposed_to_contact = 1").fetchone()[0]
    assert db.execute("SELECT COUNT(*) FROM contacts WHERE email LIKE '%@%'").fetchone()[0]


def test_phones_are_what_parse_phone_says(db: sqlite3.Connection) -> None:
    regions = Counter()
    invalid = 0
    for row in db.execute("SELECT raw, e164, kind, region, time_zone, valid FROM phones"):
        parsed = parse_phone(row["raw"])
        assert (parsed.e164, parsed.kind.value, parsed.region, parsed.time_zone) == (
            row["e164"],
            row["kind"],
            row["region"],
            row["time_zone"],
        ), row["raw"]
        assert bool(row["valid"]) == parsed.valid
        invalid += not parsed.valid
        regions[row["region"]] += 1
    assert invalid > 0
    assert {"FR", "RE"} <= set(regions)
    assert len({"RE", "YT", "GP", "MQ", "GF"} & set(regions)) >= 3


@pytest.mark.parametrize(("region", "kind"), sorted(seed_data.PHONE_PREFIXES))
def test_every_phone_prefix_makes_valid_numbers_of_its_region(region: str, kind: str) -> None:
    rng = random.Random(region + kind)
    for _ in range(300):
        row = seed_data.phone(rng, region, kind)
        parsed = parse_phone(row.raw)
        assert parsed.valid, row.raw
        assert (parsed.e164, parsed.region, parsed.kind.value) == (row.e164, region, kind)


def test_cases_carry_the_invoice_aggregates(db: sqlite3.Connection) -> None:
    expected = {
        debtor: (overdue, disputed)
        for debtor, overdue, disputed in db.execute(
            "SELECT debtor_id, SUM(CASE WHEN in_dispute = 0 THEN outstanding_cents ELSE 0 END),"
            " SUM(CASE WHEN in_dispute = 1 THEN outstanding_cents ELSE 0 END) FROM invoices"
            " WHERE outstanding_cents > 0 AND status IN ('open', 'partially_paid')"
            " AND due_date < '2026-11-24' GROUP BY debtor_id"
        )
    }
    cases = {
        debtor: (overdue, disputed)
        for debtor, overdue, disputed in db.execute(
            "SELECT debtor_id, overdue_cents, disputed_cents FROM cases WHERE status = 'open'"
        )
    }
    assert cases == expected
    assert len(cases) > 50
    stages = {row[0] for row in db.execute("SELECT stage FROM cases")}
    assert {"friendly_reminder", "phone_reminder", "formal_notice"} <= stages
    unassigned = db.execute("SELECT COUNT(*) FROM cases WHERE assigned_agent_id IS NULL")
    assert unassigned.fetchone()[0] < len(cases) / 10


def test_history_has_every_kind_of_event(db: sqlite3.Connection) -> None:
    promises = Counter(row[0] for row in db.execute("SELECT status FROM promises"))
    kinds = {row[0] for row in db.execute("SELECT DISTINCT kind FROM promises")}
    assert kinds == {"promise", "payment_claimed"}
    assert promises["kept"] and promises["broken"] and promises["pending"]
    due_today = db.execute(
        "SELECT COUNT(*) FROM promises WHERE status = 'pending' AND due_date = '2026-11-24'"
    )
    assert due_today.fetchone()[0] > 0
    now = seed_clock(TODAY)
    callbacks_due = db.execute(
        "SELECT COUNT(*) FROM callbacks WHERE status = 'pending' AND due_at <= ?", (now,)
    )
    assert callbacks_due.fetchone()[0] > 0
    assert db.execute("SELECT COUNT(*) FROM callbacks WHERE due_at > ?", (now,)).fetchone()[0]
    channels = {row[0] for row in db.execute("SELECT DISTINCT channel FROM interactions")}
    assert {"call", "email", "registered_letter"} <= channels
    outcomes = {row[0] for row in db.execute("SELECT DISTINCT outcome FROM interactions")}
    assert {"right_party", "voicemail", "no_answer"} <= outcomes
    causes = {row[0] for row in db.execute("SELECT DISTINCT cause FROM interactions")}
    assert "cash_flow" in causes
    assert db.execute("SELECT COUNT(*) FROM payment_plans").fetchone()[0] > 0
    assert db.execute("SELECT COUNT(*) FROM plan_installments").fetchone()[0] > 0
    kept = db.execute("SELECT SUM(promises_kept), SUM(promises_broken) FROM debtors").fetchone()
    assert kept[0] == promises["kept"] and kept[1] == promises["broken"]
    late = db.execute("SELECT COUNT(*) FROM debtors WHERE avg_days_late > 0").fetchone()[0]
    assert late > 0


def test_open_disputes_flag_their_invoices(db: sqlite3.Connection) -> None:
    rows = db.execute(
        "SELECT d.status, i.in_dispute FROM disputes d"
        " JOIN dispute_invoices di ON di.dispute_id = d.id JOIN invoices i ON i.id = di.invoice_id"
    ).fetchall()
    assert rows
    assert all(in_dispute == (status == "open") for status, in_dispute in rows)


def test_agents_supervisor_and_admin(db: sqlite3.Connection) -> None:
    roles = dict(db.execute("SELECT login, role FROM agents").fetchall())
    assert roles["superviseur"] == "supervisor"
    assert roles["admin"] == "admin"
    assert roles["agent1"] == roles["agent3"] == "agent"
    rules = db.execute("SELECT COUNT(*) FROM portfolio_rules").fetchone()[0]
    assert rules == 3


def test_refuses_a_database_with_debtors(seeded: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.db"
    source = sqlite3.connect(seeded)
    target = sqlite3.connect(copy)
    source.backup(target)
    source.close()
    target.close()
    conn = connect(copy)
    with pytest.raises(SeedError, match=r"seed\.error\.not_empty"):
        seed_database(conn, debtors=10, invoices=10, seed=1, today=TODAY)
    conn.close()


def test_cli_seed_refuses_then_forces(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "cli.db"
    args = ["seed", "--db", str(path), "--debtors", "30", "--invoices", "200", "--quiet"]
    args += ["--today", "2026-11-24"]
    assert main(args) == 0
    assert "30 débiteurs" in capsys.readouterr().out
    assert main(args) == 1
    assert "--force" in capsys.readouterr().err
    assert main([*args, "--force"]) == 0
    assert main(["seed", "--db", str(path), "--debtors", "zero"]) == 2  # a usage error
    assert "« zero » n'est pas un nombre entier" in capsys.readouterr().err
