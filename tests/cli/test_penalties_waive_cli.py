"""`relance penalties waive`: the waived interest and indemnity are no longer claimed, in the case
file, the letters and the totals. Figures computed by hand.

An SME (B2B, ECB 2.15 % + 10 = 12.15 % for 2026 H1), today 31/05/2026:
- F-A, 1 000,00 € due 10/01/2026: 141 days late (11/01 to 31/05 inclusive);
  1 000 × 12.15 % × 141 / 365 = 46.9356… → 46,94 €, plus 40 €.
- F-B, 500,00 € due 01/03/2026: 91 days late (02/03 to 31/05);
  500 × 12.15 % × 91 / 365 = 15.1459… → 15,15 €, plus 40 €.
Penalties claimed: 46,94 + 15,15 + 80 = 142,09 €. F-B waived: 46,94 + 40 = 86,94 €.
"""

import getpass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from factories import add_agent, add_debtor, add_invoice, case_of, open_cases, paris_noon
from relance_tui.cli import main
from relance_tui.config import Settings
from relance_tui.services.case_report import case_report
from relance_tui.services.notices import build_notice
from relance_tui.services.penalty_waivers import WaiverError, waive_penalties
from relance_tui.services.permissions import NotAllowedError
from relance_tui.storage.agents import get_agent
from relance_tui.storage.db import connect, transaction
from relance_tui.storage.dunning import case_id_for

ME = getpass.getuser()
TODAY = date(2026, 5, 31)
SETTINGS = Settings()


@pytest.fixture
def db(db_path: Path) -> Path:
    conn = connect(db_path)
    with transaction(conn):
        add_agent(conn, ME, "supervisor")
        add_agent(conn, "alice")
        debtor = add_debtor(conn, name="Garage Leroy", reference="LEROY")
        add_invoice(conn, debtor, due=date(2026, 1, 10), amount_cents=100_000, number="F-A")
        add_invoice(conn, debtor, due=date(2026, 3, 1), amount_cents=50_000, number="F-B")
        mairie = add_debtor(conn, name="Mairie", reference="MAIRIE", segment="public_body")
        add_invoice(conn, mairie, due=date(2026, 1, 10), amount_cents=100_000, number="F-PUB")
        open_cases(conn, TODAY)
        assert case_of(conn, debtor)
    conn.close()
    return db_path


def report(db: Path) -> dict[str, Any]:
    conn = connect(db)
    viewer = get_agent(conn, ME)
    assert viewer is not None
    return case_report(conn, "LEROY", viewer=viewer, now=paris_noon(TODAY), settings=SETTINGS)


def claimed(db: Path) -> tuple[Decimal, Decimal]:
    """(interest, indemnities) the next letter claims."""
    conn = connect(db)
    case_id, debtor = conn.execute(
        "SELECT c.id, c.debtor_id FROM cases c JOIN debtors d ON d.id = c.debtor_id"
        " WHERE d.reference = 'LEROY'"
    ).fetchone()
    notice = build_notice(
        conn, debtor_id=debtor, case_id=case_id, step="second_reminder", channel="letter",
        reference="REL-TEST", today=TODAY, settings=SETTINGS,
    )  # fmt: skip
    return notice.interest, notice.indemnities


def waive(db: Path, *args: str) -> int:
    return main(["--db", str(db), "penalties", "waive", *args, "--date", TODAY.isoformat()])


def test_a_waived_invoice_is_no_longer_claimed(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = report(db)
    assert {i["number"]: (i["interest"], i["indemnity"]) for i in before["invoices"]} == {
        "F-A": ("46.94", "40.00"),
        "F-B": ("15.15", "40.00"),
    }
    assert before["penalties"]["total"] == "142.09"
    assert claimed(db) == (Decimal("62.09"), Decimal("80.00"))

    assert waive(db, "LEROY", "--invoice", "F-B", "--reason", "geste commercial") == 0
    out = capsys.readouterr().out
    assert "F-B" in out and "15,15" in out and "40,00" in out

    after = report(db)
    by_number = {i["number"]: (i["interest"], i["indemnity"]) for i in after["invoices"]}
    assert by_number["F-A"] == ("46.94", "40.00") and by_number["F-B"] == ("0.00", "0.00")
    assert after["penalties"]["total"] == "86.94"
    assert after["waivers"] == [
        {"invoice": "F-B", "on": "2026-05-31", "by": ME, "reason": "geste commercial",
         "interest": "15.15", "indemnity": "40.00"},
    ]  # fmt: skip
    assert claimed(db) == (Decimal("46.94"), Decimal("40.00"))
    # Audited, with what was waived.
    conn = connect(db)
    [(after_json,)] = conn.execute(
        "SELECT after FROM audit_events WHERE action = 'penalties.waive'"
    ).fetchall()
    assert "geste commercial" in after_json and '"15.15"' in after_json

    # Without --invoice: every invoice left that carries some.
    assert waive(db, "LEROY", "--reason", "accord amiable") == 0
    assert report(db)["penalties"]["total"] == "0.00"
    assert claimed(db) == (Decimal("0.00"), Decimal("0.00"))
    # Nothing left: said so, exit 1.
    assert waive(db, "LEROY", "--reason", "encore") == 1
    assert "Aucune pénalité" in capsys.readouterr().err


def test_waivers_are_refused_to_agents_public_bodies_and_without_reason(db: Path) -> None:
    conn = connect(db)
    leroy, mairie = (case_id_for(conn, reference) or 0 for reference in ("LEROY", "MAIRIE"))
    with pytest.raises(NotAllowedError):
        waive_penalties(conn, leroy, reason="x", login="alice", today=TODAY)
    with pytest.raises(WaiverError, match="R2192-31"):
        waive_penalties(conn, mairie, reason="x", login=ME, today=TODAY)
    with pytest.raises(WaiverError, match="raison"):
        waive_penalties(conn, leroy, reason="  ", login=ME, today=TODAY)
    with pytest.raises(WaiverError, match="F-ZZZ"):
        waive_penalties(conn, leroy, reason="x", login=ME, today=TODAY, invoice="F-ZZZ")
    assert conn.execute("SELECT count(*) FROM penalty_waivers").fetchone()[0] == 0
