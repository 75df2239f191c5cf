import getpass
import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from factories import add_agent, add_callback, make_case
from relance_tui.cli import main
from relance_tui.services.queue import business_day
from relance_tui.storage.db import connect, transaction

ME = getpass.getuser()


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def cases(db_path: Path) -> dict[str, int]:
    """Me as a plain agent with two cases, `alice` with one (one callback due), a supervisor."""
    today = business_day(datetime.now(UTC))
    conn = connect(db_path)
    with transaction(conn):
        me = add_agent(conn, ME, "agent")
        alice = add_agent(conn, "alice")
        add_agent(conn, "chef", "supervisor")
        mine_big = make_case(
            conn, today, agent_id=me, name="Grosse Dette SA", amount_cents=1_500_000, days_late=120
        )
        mine_small = make_case(conn, today, agent_id=me, name="Petite Dette", amount_cents=5_000)
        theirs = make_case(conn, today, agent_id=alice, name="Chez Alice", amount_cents=1_000)
        add_callback(conn, theirs, due_at=datetime.now(UTC) - timedelta(minutes=1))
    conn.close()
    return {"big": mine_big, "small": mine_small, "theirs": theirs}


def test_queue_shows_my_portfolio_ranked_with_reasons(
    db_path: Path, cases: dict[str, int], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "--db", str(db_path), "queue")
    assert code == 0, err
    lines = out.splitlines()
    assert ME in lines[0] and "2 dossiers" in lines[0]
    assert "Grosse Dette SA" in lines[1] and "120 j" in lines[1]
    assert "15\u202f000,00\xa0€" in lines[1]
    assert "pourquoi : " in lines[2] and "montant" in lines[2] and "%" in lines[2]
    assert "Petite Dette" in lines[3]
    assert "Chez Alice" not in out


def test_queue_json(
    db_path: Path, cases: dict[str, int], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "--db", str(db_path), "queue", "--json", "--limit", "1")
    assert code == 0
    data = json.loads(out)
    assert data["total"] == 2 and len(data["cases"]) == 1
    first = data["cases"][0]
    assert first["case_id"] == cases["big"]
    assert first["overdue_cents"] == 1_500_000
    assert sum(first["score_parts"].values()) == pytest.approx(1, abs=0.01)


def test_supervisor_sees_everyone_and_one_agent(
    db_path: Path, cases: dict[str, int], capsys: pytest.CaptureFixture[str]
) -> None:
    conn = connect(db_path)
    with transaction(conn):
        conn.execute("UPDATE agents SET role = 'supervisor' WHERE login = ?", (ME,))
    conn.close()
    code, out, _ = run(capsys, "--db", str(db_path), "queue")
    assert code == 0 and "tous les agents" in out and "3 dossiers" in out
    assert out.splitlines()[1].split("]")[0].endswith("Rappel dû")  # callback first
    assert "alice" in out  # agent column for supervisors
    code, out, _ = run(capsys, "--db", str(db_path), "queue", "--agent", "alice", "--json")
    assert code == 0
    assert [c["case_id"] for c in json.loads(out)["cases"]] == [cases["theirs"]]


def test_plain_agent_cannot_see_another_queue(
    db_path: Path, cases: dict[str, int], capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "--db", str(db_path), "queue", "--agent", "alice")
    assert code == 1 and "superviseur" in err


def test_unknown_agent_is_a_clear_error(
    db_path: Path, cases: dict[str, int], capsys: pytest.CaptureFixture[str]
) -> None:
    conn = connect(db_path)
    with transaction(conn):
        conn.execute("UPDATE agents SET role = 'admin' WHERE login = ?", (ME,))
    conn.close()
    code, _, err = run(capsys, "--db", str(db_path), "queue", "--agent", "ghost")
    assert code == 1
    assert "ghost" in err and "administrateur" in err and "relance agents add ghost" in err


def test_unknown_os_user(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    conn = connect(db_path)
    with transaction(conn):
        add_agent(conn, "someone_else", "admin")
    conn.close()
    code, _, err = run(capsys, "--db", str(db_path), "queue")
    assert code == 1 and ME in err and "administrateur" in err


def test_empty_queue_and_bad_limit(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "--db", str(db_path), "init")[0] == 0  # I become the admin
    code, out, _ = run(capsys, "--db", str(db_path), "queue")
    assert code == 0 and "Aucun dossier" in out
    code, _, err = run(capsys, "--db", str(db_path), "queue", "--limit", "0")
    assert code == 2 and "--limit" in err


def test_english(db_path: Path, cases: dict[str, int], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--lang", "en", "--db", str(db_path), "queue")
    assert code == 0 and "Work queue" in out and "why: " in out and "amount" in out


def test_connection_left_usable(db_path: Path, cases: dict[str, int]) -> None:
    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT COUNT(*) FROM cases").fetchone()[0] == 3
    conn.close()


CODES = ("check_promise", "callback", "verify_payment", "check_plan")


def test_queue_says_the_next_action_in_words_never_its_code(
    db_path: Path, cases: dict[str, int], capsys: pytest.CaptureFixture[str]
) -> None:
    conn = connect(db_path)
    with transaction(conn):
        for case, code in zip((cases["big"], cases["small"]), CODES[:2], strict=True):
            conn.execute(
                "UPDATE cases SET next_action = ?, next_action_on = '2026-12-24' WHERE id = ?",
                (code, case),
            )
    conn.close()
    _, out, _ = run(capsys, "--db", str(db_path), "queue")
    assert "Vérifier la promesse 24/12/2026" in out and "Rappeler 24/12/2026" in out
    assert not [code for code in CODES if code in out]
    _, out, _ = run(capsys, "--db", str(db_path), "queue", "--json")
    labels = [row["next_action_label"] for row in json.loads(out)["cases"]]
    assert sorted(labels) == ["Rappeler", "Vérifier la promesse"]
