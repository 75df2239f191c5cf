"""A small run of scripts/load_import_and_saves.py: agent processes keep claiming, saving calls
and releasing while an invoices import, in its own process, holds the write lock for its one
transaction. Every save lands (0 failed, 0 lost), the import commits, and the run did overlap:
writes came during the import and had to wait for it. The full size (20 agents, 2M rows) is
the script's default; its figures are in the README."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "load_import_and_saves.py"


def figure(report: str, pattern: str) -> int:
    found = re.search(pattern, report)
    assert found is not None, (pattern, report)
    return int(found.group(1))


def test_saves_wait_for_a_big_import_and_all_land(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, str(SCRIPT), "--agents", "3", "--rows", "30000", "--debtors", "800",
         "--think-ms", "50", "--dir", str(tmp_path)],
        capture_output=True, text=True, timeout=300,
        env={**os.environ, "TMPDIR": str(tmp_path)},
    )  # fmt: skip
    report = run.stdout
    assert run.returncode == 0, (report, run.stderr)
    assert "RESULT: OK" in report and "committed True" in report
    assert figure(report, r"failed: (\d+)") == 0
    assert figure(report, r"lost: (\d+)") == 0
    assert figure(report, r"saves attempted: (\d+)") == figure(report, r"landed: (\d+)") > 0
    assert figure(report, r"during the import (\d+)") > 0
    assert figure(report, r"that had to wait (\d+)") > 0
