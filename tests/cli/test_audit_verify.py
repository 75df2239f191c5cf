"""The audit trail's hash chain: tampering with plain `sqlite3` is found and named."""

from __future__ import annotations

import getpass
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from relance_tui.cli import main
from relance_tui.storage import audit_chain
from relance_tui.storage.db import append_audit, connect, transaction
from relance_tui.storage.schema import MIGRATION_1, _statements

needs_sqlite3 = pytest.mark.skipif(
    shutil.which("sqlite3") is None,
    reason="the sqlite3 shell is missing (scripts/system-packages.sh)",
)
UNGUARDED = "DROP TRIGGER audit_events_no_update; DROP TRIGGER audit_events_no_delete; "


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def shell(db: Path, sql: str) -> None:
    """What an intruder with write access to the file does: the sqlite3 shell, no relance."""
    subprocess.run(["sqlite3", str(db), sql], check=True, capture_output=True, timeout=30)


@pytest.fixture
def trail(db_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A database with ten events written by relance itself."""
    assert run(capsys, "--db", str(db_path), "init")[0] == 0
    for number in range(9):
        assert run(capsys, "--db", str(db_path), "agents", "add", f"agent{number}")[0] == 0
    code, out, _ = run(capsys, "--db", str(db_path), "audit", "verify")
    assert code == 0 and "10 événements vérifiés" in out
    return db_path


@needs_sqlite3
@pytest.mark.parametrize(
    ("tampering", "named"),
    [
        (
            "DELETE FROM audit_events WHERE id = 4",
            "n° 5. Les événements n° 4 à 4 ont été supprimés",
        ),
        (
            "UPDATE audit_events SET agent = 'quelquun' WHERE id = 6",
            "n° 6. Le contenu de l'événement n° 6 ne correspond pas à son empreinte",
        ),
        (
            "INSERT INTO audit_events (at, agent, action, entity, entity_id, detail)"
            " VALUES ('2026-01-01T00:00:00+00:00', 'x', 'case.close', 'case', '1', '')",
            "n° 11. L'événement n° 11 n'a pas d'empreinte",
        ),
        (  # inserted with a made-up seal: relance's next event chains to it, as after an edit
            "INSERT INTO audit_events (at, agent, action, entity, entity_id, detail, hash)"
            " VALUES ('2026-01-01T00:00:00+00:00', 'x', 'case.close', 'case', '1', '',"
            " hex(randomblob(32)))",
            "n° 11. Le contenu de l'événement n° 11 ne correspond pas",
        ),
    ],
    ids=["delete", "edit", "insert", "insert-sealed"],
)
def test_verify_names_the_first_broken_link(
    trail: Path, capsys: pytest.CaptureFixture[str], tampering: str, named: str
) -> None:
    shell(trail, UNGUARDED + tampering)
    assert run(capsys, "--db", str(trail), "agents", "add", "after")[0] == 0
    code, out, err = run(capsys, "--db", str(trail), "audit", "verify")
    assert code == 1 and not out
    assert named in err


@needs_sqlite3
def test_a_supervisor_command_warns_from_the_checkpoint(
    trail: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The checkpoint (set by the verify above) is the last event: the start-up check reads on
    from it, and also sees an earlier edit re-sealed up to the end through the checkpoint."""
    code, _, err = run(capsys, "--db", str(trail), "agents", "list")
    assert code == 0 and not err
    conn = sqlite3.connect(trail)
    rows = conn.execute("SELECT id, hash FROM audit_events ORDER BY id").fetchall()
    conn.close()
    # An edit of event 3, then every seal from 3 on recomputed, as a careful intruder would.
    shell(trail, UNGUARDED + "UPDATE audit_events SET agent = 'personne' WHERE id = 3")
    conn = sqlite3.connect(trail)
    previous = rows[1][1]
    for event_id, _ in rows[2:]:
        (event_json,) = conn.execute(f"{audit_chain._SELECT} WHERE id = ?", (event_id,)).fetchone()[
            1:2
        ]
        previous = audit_chain.seal(previous, event_json)
        conn.execute("UPDATE audit_events SET hash = ? WHERE id = ?", (previous, event_id))
    conn.commit()
    conn.close()
    code, out, err = run(capsys, "--db", str(trail), "agents", "list")
    assert code == 0 and getpass.getuser() in out
    assert "Attention : Journal d'audit altéré" in err and "n° 10" in err
    assert "relance audit verify" in err
    # The chain itself holds now (re-sealed): the full check too names the checkpoint's event.
    code, _, err = run(capsys, "--db", str(trail), "audit", "verify")
    assert code == 1 and "n° 10, vérifié auparavant, a été modifié" in err


def test_an_agent_is_not_warned_nor_allowed_to_verify(
    trail: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "--db", str(trail), "agents", "add", "bob")[0] == 0
    code, _, err = run(capsys, "--db", str(trail), "--agent", "bob", "audit", "verify")
    assert code == 1 and "superviseurs" in err
    conn = sqlite3.connect(trail)
    conn.executescript(UNGUARDED + "DELETE FROM audit_events WHERE id = 11")
    conn.close()
    code, _, err = run(capsys, "--db", str(trail), "--agent", "bob", "queue")
    assert code == 0 and not err
    code, _, err = run(capsys, "--db", str(trail), "queue")
    assert code == 0 and "Journal d'audit altéré" in err


def test_a_database_from_before_the_chain_is_sealed_at_migration(db_path: Path) -> None:
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.execute("BEGIN")
    for statement in _statements(MIGRATION_1):
        conn.execute(statement)
    conn.execute("PRAGMA user_version = 1")
    for number in range(5):
        conn.execute(
            "INSERT INTO audit_events (at, agent, action, entity, entity_id, detail)"
            " VALUES ('2025-06-01T10:00:00+00:00', 'ana', 'case.note', 'case', ?, 'é\\n\x01')",
            (str(number),),
        )
    conn.execute("COMMIT")
    conn.close()
    conn = connect(db_path)
    assert audit_chain.verify(conn).checked == 5
    with transaction(conn):
        append_audit(conn, agent="ana", action="case.note", entity="case", entity_id=9)
    verdict = audit_chain.verify(conn)
    assert verdict.broken is None and verdict.checked == 6
    with pytest.raises(sqlite3.IntegrityError):  # the UPDATE trigger is back
        conn.execute("UPDATE audit_events SET hash = NULL WHERE id = 1")
    conn.close()
