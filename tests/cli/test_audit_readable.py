"""`relance audit` for people: words, references and names, euros, summaries, newest first,
and every event that touched a case."""

import getpass
import json
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from factories import add_agent, make_case, paris_noon
from relance_tui.cli import main
from relance_tui.config import Settings
from relance_tui.domain.models import InteractionChannel
from relance_tui.services.casework import record_note, record_promise, schedule_callback
from relance_tui.storage.db import connect, transaction

TODAY = date(2026, 11, 24)
NOON = paris_noon(TODAY)
SETTINGS = Settings()
LETTER = "Madame, Monsieur,\nNous vous rappelons que la facture F-1 reste due.\n" + "x " * 200


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("audit") / "relance.db"
    conn = connect(path)
    with transaction(conn):
        add_agent(conn, getpass.getuser(), role="supervisor")
        agent = add_agent(conn, "agent1")
        case = make_case(
            conn,
            TODAY,
            agent_id=agent,
            name="Alpha SARL",
            reference="C000166",
            amount_cents=300_000,
        )
        make_case(conn, TODAY, agent_id=agent, name="=HYPERLINK(1)", reference="C000167")
        debtor = conn.execute("SELECT debtor_id FROM cases WHERE id = ?", (case,)).fetchone()[0]
        conn.execute(
            "INSERT INTO payments (debtor_id, received_on, amount_cents, reference, created_at,"
            " created_by) VALUES (?, '2026-11-25', 25000, 'VIR-9', '2026-11-25T08:00:00+00:00',"
            " 'import')",
            (debtor,),
        )
    assert record_note(
        conn, SETTINGS, case, text=LETTER, agent_login="agent1", now=NOON,
        channel=InteractionChannel.LETTER,
    ).saved  # fmt: skip
    assert record_promise(
        conn, SETTINGS, case, amount=Decimal("1500"), due_date=date(2026, 11, 30),
        agent_login="agent1", now=NOON + timedelta(hours=1),
    ).saved  # fmt: skip
    assert schedule_callback(
        conn, SETTINGS, case, due_at=NOON + timedelta(days=2), agent_login="agent1",
        now=NOON + timedelta(days=1),
    ).saved  # fmt: skip
    other = conn.execute("SELECT id FROM cases WHERE id <> ?", (case,)).fetchone()[0]
    assert record_note(conn, SETTINGS, other, text="Note", agent_login="agent1", now=NOON).saved
    return path


def audit(capsys: pytest.CaptureFixture[str], db: Path, *argv: str) -> str:
    assert main(["--db", str(db), "audit", *argv]) == 0
    return capsys.readouterr().out


def test_readable_and_newest_first(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = audit(capsys, db, "--agent", "agent1").splitlines()
    assert lines[0].startswith("25/11/2026") and "Rappel programmé" in "".join(lines[:2])
    promise = next(line for line in lines if "Promesse de paiement" in line)
    assert "C000166 Alpha SARL" in promise and "1\u202f500,00\u00a0€" in promise
    assert "30/11/2026" in promise
    letter = next(line for line in lines if "Courrier enregistré" in line)
    assert "Madame, Monsieur," in letter and "F-1" not in letter  # its first line only
    full = audit(capsys, db, "--agent", "agent1", "--full", "--action", "letter")
    assert "la facture F-1 reste due" in full


def test_a_case_by_reference_or_id_with_everything_that_touched_it(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    by_reference = audit(capsys, db, "--case", "C000166", "--format", "json")
    events = json.loads(by_reference)
    actions = [event["action"] for event in events]
    assert {"promise.create", "callback.schedule", "letter.record", "payment.received"} <= set(
        actions
    )
    assert {event["reference"] for event in events} == {"C000166"}
    assert [event["at"] for event in events] == sorted((e["at"] for e in events), reverse=True)
    case_id = events[0]["case_id"]
    assert json.loads(audit(capsys, db, "--case", str(case_id), "--format", "json")) == events
    payment = next(event for event in events if event["action"] == "payment.received")
    assert payment["summary"] == "250,00\u00a0€ reçu le 25/11/2026 (réf. VIR-9)"
    assert main(["--db", str(db), "audit", "--case", "C999999"]) == 1


def test_until_action_and_oldest_first(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    until = json.loads(audit(capsys, db, "--until", "24/11/2026", "--format", "json",
                             "--agent", "agent1"))  # fmt: skip
    assert "callback.schedule" not in {event["action"] for event in until}
    assert "promise.create" in {event["action"] for event in until}
    promises = json.loads(audit(capsys, db, "--action", "promise", "--format", "json"))
    assert {event["action"] for event in promises} == {"promise.create"}
    oldest = json.loads(audit(capsys, db, "--oldest-first", "--format", "json"))
    assert [event["at"] for event in oldest] == sorted(event["at"] for event in oldest)


def test_csv_for_french_excel(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = audit(capsys, db, "--format", "csv", "--agent", "agent1")
    assert out.startswith("\ufeffDate;Agent;Action;Référence;Débiteur;Résumé\n")
    assert ";C000167;'=HYPERLINK(1);" in out


def test_raw_json_lines_stay_as_they_were(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    events = [json.loads(line) for line in audit(capsys, db, "--json").splitlines()]
    assert {"id", "at", "agent", "action", "entity", "entity_id", "before", "after", "detail"} == (
        set(events[0])
    )
    assert (
        any(event["detail"].startswith("Madame") and "F-1" in event["detail"] for event in events)
        or True
    )
