import getpass
import json
from datetime import date
from pathlib import Path

import pytest

from factories import add_agent, add_debtor, add_invoice, case_of, open_cases
from relance_tui.cli import main
from relance_tui.storage.db import connect, transaction

ME = getpass.getuser()


@pytest.fixture
def db(db_path: Path) -> Path:
    conn = connect(db_path)
    with transaction(conn):
        add_agent(conn, ME, "supervisor")
        add_agent(conn, "alice")
        debtor = add_debtor(
            conn, name="Mairie de Trifouilly", reference="MAIRIE", segment="public_body"
        )
        # Due 20/05/2025: public body, ECB 3.15 % on 01/01/2025 + 8 = 11.15 % for the whole time.
        add_invoice(conn, debtor, due=date(2025, 5, 20), amount_cents=1_000_000, number="F-PUB")
        open_cases(conn, date(2025, 9, 30))
        conn.execute(
            "UPDATE cases SET assigned_agent_id = 1 WHERE id = ?", (case_of(conn, debtor),)
        )
    conn.close()
    return db_path


def test_case_prints_the_public_body_penalties(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--db", str(db), "case", "MAIRIE", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["debtor"]["segment"] == "public_body"
    [invoice] = report["invoices"]
    assert invoice["number"] == "F-PUB" and invoice["indemnity"] == "40.00"
    assert {p["rate"] for p in invoice["periods"]} == {"11.15"}  # one rate, no half-year split
    assert len(invoice["periods"]) == 1
    assert report["penalties"]["regime"] == "public_body"
    # Loi 68-1250: 4 years from 01/01/2026.
    assert report["prescription_on"] == "2030-01-01"
    assert main(["--db", str(db), "case", "MAIRIE"]) == 0
    out = capsys.readouterr().out
    assert "organisme public, R2192-31" in out and "Prescription : 01/01/2030" in out


def test_case_refuses_an_unknown_reference_and_another_agents_case(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--db", str(db), "case", "NOPE"]) == 1
    assert "Aucun dossier" in capsys.readouterr().err
    conn = connect(db)
    with transaction(conn):
        conn.execute("UPDATE agents SET role = 'agent' WHERE login = ?", (ME,))
        conn.execute(
            "UPDATE cases SET assigned_agent_id = (SELECT id FROM agents WHERE login = 'alice')"
        )
    conn.close()
    assert main(["--db", str(db), "case", "MAIRIE"]) == 1
    assert "autre agent" in capsys.readouterr().err
