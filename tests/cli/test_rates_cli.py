import json
from pathlib import Path

import pytest

from relance_tui.cli import main


def test_rates_lists_the_table_and_the_unconfirmed_half_year(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["rates"]) == 0
    out = capsys.readouterr().out.replace("\u00a0", " ")
    assert "2025 H1   3,15 %  13,15 %    11,15 %" in out  # ECB, B2B + 10, public + 8
    assert "2026 H2" in out and "à confirmer" in out
    assert "Semestres manquants ou non confirmés" in out and ": 2026 H2" in out


def test_a_user_copy_next_to_the_config_wins(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "conf" / "config.toml"
    config.parent.mkdir()
    config.write_text("", "utf-8")
    (config.parent / "rates.toml").write_text(
        '[[semester]]\nstart = 2026-07-01\necb_mro = "2.40"\nlegal_other = "2.50"\n', "utf-8"
    )
    assert main(["rates", "--config", str(config), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["source"] == str(config.parent / "rates.toml")
    [row] = data["rows"]
    assert (row["b2b"], row["public_body"], row["contract_floor"]) == ("12.40", "10.40", "7.50")
    assert "2026 H2" not in data["missing"]
    (config.parent / "rates.toml").write_text("[[semester]]\nstart = 2026-03-01\n", "utf-8")
    assert main(["rates", "--config", str(config)]) == 1
    assert "rates.toml" in capsys.readouterr().err
