"""After an import lands: new cases go to their portfolio, payments keep promises at once."""

import getpass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from factories import add_agent, add_debtor, add_promise, make_case
from relance_tui.cli import main
from relance_tui.formatting import PARIS
from relance_tui.storage.db import connect, transaction


def test_payments_import_keeps_the_promise_and_invoices_import_fills_portfolios(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    today = datetime.now(UTC).astimezone(PARIS).date()
    conn = connect(db_path)
    with transaction(conn):
        add_agent(conn, getpass.getuser(), role="admin")
        agent = add_agent(conn, "agent1")
        case_id = make_case(conn, today, amount_cents=120_000, agent_id=agent, reference="C1")
        promise = add_promise(conn, case_id, due=today + timedelta(days=3), amount_cents=50_000)
        add_debtor(conn, reference="C2", name="Nouveau client SAS")
    db = ("--db", str(db_path))
    assert main([*db, "agents", "rule", "add", "agent1", "--segment", "sme"]) == 0

    payments = tmp_path / "reglements.csv"
    payments.write_text(
        "Code client;N° facture;Date de règlement;Montant;Référence\n"
        f"C1;;{today:%d/%m/%Y};500,00;VIR-1\n",
        encoding="utf-8",
    )
    assert main([*db, "import", "payments", str(payments)]) == 0
    out = capsys.readouterr().out
    assert "promesses tenues 1" in out
    status = conn.execute("SELECT status FROM promises WHERE id = ?", (promise,)).fetchone()[0]
    assert status == "kept"

    invoices = tmp_path / "factures.csv"
    issued, due = today - timedelta(days=60), today - timedelta(days=30)
    invoices.write_text(
        "N° facture;Code client;Date facture;Date d'échéance;Montant TTC\n"
        f"F-NEW;C2;{issued:%d/%m/%Y};{due:%d/%m/%Y};1 500,00\n",
        encoding="utf-8",
    )
    assert main([*db, "import", "invoices", str(invoices)]) == 0
    assert "1 nouveau dossier attribué" in capsys.readouterr().out
    owner = conn.execute(
        "SELECT a.login FROM cases c JOIN debtors d ON d.id = c.debtor_id"
        " JOIN agents a ON a.id = c.assigned_agent_id WHERE d.reference = 'C2'"
    ).fetchone()
    assert owner is not None and owner[0] == "agent1"
