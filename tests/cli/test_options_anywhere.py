"""--db, --lang and --config work before the command and after it (people type both)."""

from pathlib import Path

import pytest

from relance_tui.cli import main


@pytest.mark.parametrize(
    "argv",
    [
        ["--lang", "en", "--db", "{db}", "agents", "list"],
        ["agents", "list", "--lang", "en", "--db", "{db}"],
        ["agents", "--db", "{db}", "--lang", "en", "list"],
    ],
)
def test_global_options_anywhere(
    argv: list[str], db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--db", str(db_path), "init"]) == 0
    capsys.readouterr()
    assert main([arg.format(db=db_path) for arg in argv]) == 0
    out = capsys.readouterr().out
    assert "Login" in out and "Administrator" in out  # English, and the admin of this new db
