"""SIGTERM ends the app cleanly in a real terminal (tmux): terminal restored, claim free, the
call's draft kept with the notes typed but not yet confirmed."""

from __future__ import annotations

import json
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sshd_harness import Terminal

from relance_tui.cli import main

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is missing")


def _give_agent1_callable_cases(db: Path) -> None:
    assert main(["--db", str(db), "seed", "--debtors", "80", "--invoices", "600", "--quiet"]) == 0
    conn = sqlite3.connect(db)
    try:
        with conn:
            conn.execute(
                "UPDATE cases SET assigned_agent_id = (SELECT id FROM agents WHERE login ="
                " 'agent1'), claimed_by = NULL WHERE id IN (SELECT c.id FROM cases c"
                " WHERE c.status = 'open' AND c.debtor_id IN (SELECT ct.debtor_id FROM contacts"
                " ct JOIN phones p ON p.contact_id = ct.id WHERE p.valid = 1"
                " AND p.marked_invalid_at IS NULL AND ct.opposed_to_contact = 0))"
            )
            conn.execute(
                "UPDATE cases SET assigned_agent_id = (SELECT id FROM agents WHERE login ="
                " 'agent2') WHERE assigned_agent_id = (SELECT id FROM agents WHERE login ="
                " 'agent1') AND id NOT IN (SELECT c.id FROM cases c WHERE c.debtor_id IN ("
                " SELECT ct.debtor_id FROM contacts ct JOIN phones p ON p.contact_id = ct.id"
                " WHERE p.valid = 1 AND p.marked_invalid_at IS NULL"
                " AND ct.opposed_to_contact = 0))"
            )
    finally:
        conn.close()


def _app_pid(db: Path) -> int:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        found = subprocess.run(
            ["pgrep", "-f", f"^{sys.executable} -m relance_tui --db {db}"],
            capture_output=True, text=True,
        ).stdout.split()  # fmt: skip
        if found:
            return int(found[0])
        time.sleep(0.1)
    raise AssertionError("the app did not start")


def _wait_for_cause_in_draft(db: Path, timeout: float = 20) -> None:
    """The cause key was taken (the draft, written by a worker, has it): notes typed after this
    land in the notes field, however slow the machine."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        conn = sqlite3.connect(db)
        try:
            rows = [json.loads(row[0]) for row in conn.execute("SELECT data FROM call_drafts")]
        finally:
            conn.close()
        if any(draft.get("cause") for draft in rows):
            return
        time.sleep(0.1)
    raise AssertionError("the cause never reached the draft")


def _flags(term: Terminal) -> str:
    result = subprocess.run(
        [*term.tmux, "display", "-p", "-t", term.name,
         "#{alternate_on}#{mouse_any_flag}"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return result.stdout.strip()


def test_sigterm_restores_the_terminal_keeps_the_draft_and_frees_the_claim(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _give_agent1_callable_cases(db_path)
    capsys.readouterr()
    app = f"{sys.executable} -m relance_tui --db {db_path} --agent agent1"
    term = Terminal("sigterm", ["sh", "-c", f"{app}; echo EXITED $?; sleep 60"], 100, 30)
    try:
        term.wait_for("Échu", timeout=30)  # the queue
        term.send("Enter")
        term.wait_for("Total échu", timeout=20)  # the case file, loaded (and claimed)
        term.send("c")
        term.wait_for("Préparer", timeout=10)
        term.send("Enter")  # dial the best contact
        term.wait_for("Bon interlocuteur", timeout=10)
        term.send("1")  # right party
        term.wait_for("Cause du retard", timeout=10)
        term.send("2")  # cash-flow difficulty
        _wait_for_cause_in_draft(db_path)
        term.send("-l", "rappeler vendredi")  # notes typed, not confirmed
        term.wait_for("rappeler vendredi", timeout=10)
        assert _flags(term) == "11"  # alternate screen, mouse reporting on
        pid = _app_pid(db_path)
        subprocess.run(["kill", f"-{signal.SIGTERM.value}", str(pid)], check=True)
        term.wait_for(f"EXITED {128 + signal.SIGTERM.value}", timeout=20)
        assert _flags(term) == "00"  # normal screen, mouse off
    finally:
        term.kill()
    conn = sqlite3.connect(db_path)
    try:
        claimed = conn.execute("SELECT id FROM cases WHERE claimed_by IS NOT NULL").fetchall()
        drafts = [json.loads(row[0]) for row in conn.execute("SELECT data FROM call_drafts")]
    finally:
        conn.close()
    assert claimed == []
    assert [(d["step"], d["notes"]) for d in drafts] == [("listen", "rappeler vendredi")]
