"""Getting started: no database made behind the user's back, output piped into `head`, counts."""

from __future__ import annotations

import getpass
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from factories import add_agent, make_case
from relance_tui.cli import main
from relance_tui.services.queue import business_day
from relance_tui.services.seed.demo import demo_db_path
from relance_tui.storage.db import connect, default_db_path, transaction

ME = getpass.getuser()


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def make_demo() -> Path:
    """A database where `relance demo` keeps it (its content does not matter here)."""
    path = demo_db_path()
    connect(path).close()
    return path


@pytest.mark.parametrize("command", [["queue"], ["audit"], ["agents", "list"], []])
def test_with_only_the_demo_a_command_says_where_it_is_and_creates_nothing(
    command: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    demo = make_demo()
    code, out, err = run(capsys, *command)
    assert (code, out) == (1, "")
    assert str(demo) in err and "relance demo" in err and f"--db {demo}" in err
    assert not default_db_path().exists()
    monkeypatch.setenv("RELANCE_DB", str(demo.with_name("ailleurs.db")))  # asked for this one
    code, _, err = run(capsys, *command)
    assert code == 1 and "ailleurs.db" in err and "relance demo" not in err


def test_without_the_demo_the_message_says_how_to_create_a_database(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = run(capsys, "queue")
    assert code == 1 and "relance --db" in err and "init" in err and "démonstration" not in err
    assert not default_db_path().exists()


def test_init_still_creates_the_default_database(capsys: pytest.CaptureFixture[str]) -> None:
    make_demo()
    code, out, _ = run(capsys, "init")
    assert code == 0 and str(default_db_path()) in out
    assert run(capsys, "queue")[0] == 0


def test_queue_header_says_no_cases_and_none_urgent(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    conn = connect(db_path)
    with transaction(conn):
        me = add_agent(conn, ME, "agent")
    out = run(capsys, "--db", str(db_path), "queue")[1]
    assert out.splitlines()[0] == f"File de travail — {ME} : aucun dossier"
    out = run(capsys, "--db", str(db_path), "--lang", "en", "queue")[1]
    assert out.splitlines()[0] == f"Work queue — {ME}: no cases"
    with transaction(conn):
        make_case(conn, business_day(datetime.now(UTC)), agent_id=me, amount_cents=5_000)
    conn.close()
    out = run(capsys, "--db", str(db_path), "queue")[1]
    assert out.splitlines()[0] == f"File de travail — {ME} : 1 dossier, aucun urgent"


@pytest.fixture
def busy_db(db_path: Path) -> Path:
    conn = connect(db_path)
    with transaction(conn):
        me = add_agent(conn, ME, "admin")
        for n in range(30):
            make_case(conn, business_day(datetime.now(UTC)), agent_id=me, amount_cents=100 + n)
    conn.close()
    return db_path


@pytest.mark.parametrize("command", ["queue", "audit"])
def test_a_reader_that_goes_away_ends_the_command_quietly(busy_db: Path, command: str) -> None:
    """`relance queue | head -1`: the pipe's reader is gone before the command writes a line."""
    reader, writer = os.pipe()
    os.close(reader)
    child = subprocess.run(
        [sys.executable, "-m", "relance_tui", "--db", str(busy_db), command],
        stdout=writer,
        stderr=subprocess.PIPE,
        text=True,
        timeout=60,
        check=False,
    )
    os.close(writer)
    assert child.stderr == ""  # no BrokenPipeError, no "Exception ignored"
    assert child.returncode == 141  # as a shell reports a command its reader left


def test_ctrl_c_in_a_command_says_so_in_french(
    db_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from relance_tui.cli import init_cmd

    def interrupted(args: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(init_cmd, "run", interrupted)
    code, out, err = run(capsys, "--db", str(db_path), "init")
    assert (code, out, err) == (130, "", "relance : interrompu (Ctrl+C).\n")
