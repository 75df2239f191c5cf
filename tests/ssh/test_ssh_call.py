"""A call over a real SSH session, cut in the middle: the app ends, the draft is kept, the claim
is released, whether SIGHUP reaches the app or a wrapper keeps it away (a dead terminal)."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sshd_harness import SshServer, Terminal

from relance_tui.cli import main
from relance_tui.domain.calls import CallDraft, CallStep
from relance_tui.storage.claims import holder

pytestmark = pytest.mark.ssh


def _prepare(db: Path, login: str) -> tuple[int, str]:
    """A seeded database whose best cases with a callable number are the SSH user's."""
    assert main(["--db", str(db), "seed", "--debtors", "80", "--invoices", "600", "--quiet"]) == 0
    assert main(["--db", str(db), "agents", "add", login]) == 0
    conn = sqlite3.connect(db)
    try:
        with conn:
            agent_id = conn.execute("SELECT id FROM agents WHERE login = ?", (login,)).fetchone()[0]
            conn.execute(
                "UPDATE cases SET assigned_agent_id = ?, claimed_by = NULL WHERE id IN ("
                " SELECT c.id FROM cases c WHERE c.status = 'open' AND c.debtor_id IN ("
                "  SELECT ct.debtor_id FROM contacts ct JOIN phones p ON p.contact_id = ct.id"
                "  WHERE p.valid = 1 AND p.marked_invalid_at IS NULL"
                "  AND ct.opposed_to_contact = 0)"
                " ORDER BY c.urgency DESC, c.priority DESC LIMIT 5)",
                (agent_id,),
            )
        top = conn.execute(
            "SELECT d.legal_name FROM cases c JOIN debtors d ON d.id = c.debtor_id"
            " WHERE c.assigned_agent_id = ? AND c.status = 'open'"
            " ORDER BY c.urgency DESC, c.priority DESC, c.id DESC LIMIT 1",
            (agent_id,),
        ).fetchone()[0]
    finally:
        conn.close()
    return int(agent_id), str(top)


def _share(db: Path, group: str) -> None:
    for path in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        if path.exists():
            shutil.chown(path, group=group)
            path.chmod(0o660)


def _remote_alive(user: str, db: Path) -> bool:
    """The app of this test still runs (not another test's: the SSH user is shared)."""
    result = subprocess.run(
        ["pgrep", "-u", user, "-f", f"relance_tui --db {db}"], capture_output=True
    )
    return result.returncode == 0


def _wait_for_draft_with_cause(db: Path, agent_id: int, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    data = None
    while time.monotonic() < deadline:
        conn = sqlite3.connect(db)
        try:
            row = conn.execute(
                "SELECT data FROM call_drafts WHERE agent_id = ?", (agent_id,)
            ).fetchone()
        finally:
            conn.close()
        data = row and row[0]
        if data and CallDraft.from_json(data).cause is not None:
            return
        time.sleep(0.1)
    raise AssertionError(f"no draft with the cause was written: {data!r}")


# `setsid`: the app in a session of its own, as under a wrapper that does not pass SIGHUP on;
# the hung-up terminal is all it has to go by.
WRAPPERS = {"sighup": "", "no-sighup": "setsid -w "}


@pytest.mark.parametrize("wrapper", list(WRAPPERS))
def test_dropped_ssh_session_ends_the_app_keeps_the_draft_and_frees_the_claim(
    ssh_server: SshServer,
    terminal: type[Terminal],
    capsys: pytest.CaptureFixture[str],
    wrapper: str,
) -> None:
    db = ssh_server.shared_dir / f"call-{wrapper}.db"
    agent_id, top_name = _prepare(db, ssh_server.user)
    capsys.readouterr()
    _share(db, ssh_server.group)
    remote = f"{WRAPPERS[wrapper]}env LANG=fr_FR.UTF-8 {ssh_server.relance} --db {db}"
    term = terminal(f"ssh-call-{wrapper}", ssh_server.command(remote), 100, 30)
    term.wait_for(top_name[:20], timeout=30)  # the queue, my best case on top
    term.send("Enter")
    term.wait_for("Total échu", timeout=20)  # the case file, loaded
    term.send("c")
    term.wait_for("Préparer", timeout=10)
    term.send("Enter")  # dial the best contact
    term.wait_for("Bon interlocuteur", timeout=10)
    term.send("1")  # right party
    term.wait_for("Cause du retard", timeout=10)
    term.send("2")  # cash-flow difficulty
    _wait_for_draft_with_cause(db, agent_id)  # written by a worker thread, soon after the key

    term.kill()  # the connection drops: no clean exit
    deadline = time.monotonic() + 20  # a few seconds; more on a loaded machine
    while _remote_alive(ssh_server.user, db) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _remote_alive(ssh_server.user, db)

    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        drafts = conn.execute(
            "SELECT case_id, data FROM call_drafts WHERE agent_id = ?", (agent_id,)
        ).fetchall()
        assert len(drafts) == 1
        draft = CallDraft.from_json(drafts[0]["data"])
        assert draft.step is CallStep.LISTEN
        assert draft.outcome is not None and draft.cause is not None
        case_id = int(drafts[0]["case_id"])
        assert holder(conn, case_id, datetime.now(UTC)) is None  # released on the way out
    finally:
        conn.close()
