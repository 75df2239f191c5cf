import getpass
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from factories import add_agent, case_of, make_case
from relance_tui.cli import main
from relance_tui.config import Settings
from relance_tui.domain.clock import business_day
from relance_tui.services.ladder import case_decision
from relance_tui.storage.db import connect, transaction

ME = getpass.getuser()
TODAY = business_day(datetime.now(UTC))


@pytest.fixture
def setup(db_path: Path, tmp_path: Path) -> tuple[Path, Path]:
    conn = connect(db_path)
    with transaction(conn):
        add_agent(conn, ME, "supervisor")
        # Reached the registered letter before our records: the formal notice (J+60) is due.
        case = make_case(conn, TODAY, days_late=61, reference="GARAGE", name="Garage Leroy")
        conn.execute("UPDATE cases SET stage = 'registered_letter' WHERE id = ?", (case,))
    conn.close()
    config = tmp_path / "conf" / "config.toml"
    config.parent.mkdir()
    config.write_text(
        f'[dunning]\nletters_dir = "{tmp_path / "letters"}"\nrequire_approval = false\n', "utf-8"
    )
    return db_path, config


def test_registered_letter_number_and_acknowledgment_move_the_deadline(
    setup: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    db, config = setup
    base = ["--db", str(db), "--config", str(config)]
    assert main([*base, "dunning"]) == 0
    conn = connect(db)
    step = conn.execute("SELECT reference, document, step, channel FROM dunning_steps").fetchone()
    assert (step["step"], step["channel"]) == ("formal_notice", "registered_letter")
    assert Path(step["document"]).exists()
    capsys.readouterr()
    assert main([*base, "letters", "lrar", step["reference"], "1A 234 567 8901 2"]) == 0
    assert main([*base, "letters", "ack", "1A 234 567 8901 2", "nope"]) == 2
    received = TODAY + timedelta(days=3)
    assert main([*base, "letters", "ack", "1A 234 567 8901 2", received.isoformat()]) == 0
    assert "reçu le" in capsys.readouterr().out
    # The injonction step waits for the formal notice's 8-day deadline counted from receipt.
    decision = case_decision(conn, case_of_ref(conn), TODAY + timedelta(days=40), Settings())
    assert decision is not None and decision.next is not None
    assert decision.next.step == "legal_action"
    assert decision.due_on == max(
        TODAY - timedelta(days=61) + timedelta(days=90), received + timedelta(days=9)
    )
    assert main([*base, "letters", "ack", "UNKNOWN", received.isoformat()]) == 1


def case_of_ref(conn: sqlite3.Connection) -> int:
    debtor = conn.execute("SELECT id FROM debtors WHERE reference = 'GARAGE'").fetchone()[0]
    return case_of(conn, debtor)


def test_a_letter_by_hand_is_written_and_recorded(
    setup: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    db, config = setup
    assert main(["--db", str(db), "--config", str(config), "letters", "make", "GARAGE",
                 "--kind", "promise_confirmation"]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert "- Facture F-" in out  # the preview lists the invoices
    conn = connect(db)
    row = conn.execute("SELECT channel, letter_kind, reference, notes FROM interactions").fetchone()
    assert (row["channel"], row["letter_kind"]) == ("letter", "promise_confirmation")
    assert Path(row["notes"]).exists() and row["reference"] in out
