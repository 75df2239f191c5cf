"""A small run of scripts/load_agents.py: agent processes claim, read, record and release on one
seeded database while some are SIGKILLed, many inside the recording transaction, and restarted.
Every call the database acknowledged is there (0 lost), no save failed or timed out (0 failed),
no case was held by two agents at once, and the file is intact. The script checks the database
against each worker's journal; this test reads its report."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "load_agents.py"


def figure(report: str, name: str) -> int:
    found = re.search(rf"{name}: (\d+)", report)
    assert found is not None, (name, report)
    return int(found.group(1))


def test_agents_killed_mid_write_lose_nothing_and_fail_nothing(tmp_path: Path) -> None:
    env = {**os.environ, "TMPDIR": str(tmp_path)}  # the workers' journals
    run = subprocess.run(
        [sys.executable, str(SCRIPT), "3", "8", "--db", str(tmp_path / "load.db"),
         "--debtors", "60", "--invoices", "300", "--think-ms", "10", "--kill-rate", "0",
         "--kill-attempt", "2", "--external-kills", "1", "--seed", "11"],
        capture_output=True, text=True, timeout=300, env=env,
    )  # fmt: skip
    report = run.stdout
    assert run.returncode == 0, (report, run.stderr)
    assert "RESULT: OK" in report
    assert figure(report, "lost") == 0
    assert figure(report, "failed") == 0
    assert figure(report, "double claims") == 0
    assert "integrity_check: ok" in report
    assert figure(report, "committed") > 0
    # Each worker was killed inside its second recording transaction, and restarted.
    assert figure(report, "restarts after kills") >= 3 + figure(report, "external kills")
    assert "p99" in report
