"""scripts/demo.sh says what it does on its first run, and installs again only when
pyproject.toml changed. Run on a copy of the project whose .venv logs what it is asked to do
(a pip install is minutes of network and CPU)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FAKE_PYTHON = """#!/bin/sh
if [ "$1" = "-m" ] && [ "$2" = "pip" ]; then
    echo "pip $*" >>"$LOG"
    echo "Collecting textual"
    echo "Successfully installed relance-tui-0.1.0"
    printf '#!/bin/sh\\necho "relance $*" >>"$LOG"\\n' >"$(dirname "$0")/relance"
    chmod +x "$(dirname "$0")/relance"
    exit "${PIP_STATUS:-0}"
fi
exec {python} "$@"
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The script and pyproject.toml, and a .venv whose python logs pip installs."""
    (tmp_path / "scripts").mkdir()
    shutil.copy(ROOT / "scripts" / "demo.sh", tmp_path / "scripts" / "demo.sh")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    bin_dir = tmp_path / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "python").write_text(FAKE_PYTHON.replace("{python}", sys.executable))
    (bin_dir / "python").chmod(0o755)
    return tmp_path


def demo(project: Path, *args: str, **env: str) -> tuple[list[str], str]:
    log = project / "calls.log"
    log.unlink(missing_ok=True)
    done = subprocess.run(
        ["bash", str(project / "scripts" / "demo.sh"), *args],
        env={**os.environ, "LOG": str(log), **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    calls = log.read_text().splitlines() if log.exists() else []
    return [call.split()[0] + (" fail" if done.returncode else "") for call in calls], done.stderr


def test_the_first_run_says_what_it_does_and_later_runs_do_not_install(project: Path) -> None:
    calls, said = demo(project, "--no-open")
    assert calls == ["pip", "relance"]
    assert "installation de l'application" in said and "Collecting textual" in said
    calls, said = demo(project, "--no-open")
    assert (calls, said) == (["relance"], "")  # straight to the app
    with (project / "pyproject.toml").open("a") as handle:
        handle.write("\n# a new dependency, say\n")
    assert demo(project)[0] == ["pip", "relance"]
    assert demo(project)[0] == ["relance"]


def test_in_english_and_a_failed_install_is_said(project: Path) -> None:
    calls, said = demo(project, "--lang", "en", PIP_STATUS="1")
    assert calls == ["pip fail"] and "the installation failed" in said
    calls, said = demo(project, "--lang", "en")  # tried again, since it did not succeed
    assert calls == ["pip", "relance"] and "installing the application" in said
