"""The README's configuration example is a valid configuration, with the defaults it states."""

import re
from pathlib import Path

from relance_tui.config import Settings, load_settings

README = Path(__file__).parents[1] / "README.md"


def test_readme_configuration_example_loads(tmp_path: Path) -> None:
    text = README.read_text(encoding="utf-8")
    block = re.search(r"## Configuration.*?```toml\n(.*?)```", text, re.S)
    assert block is not None
    path = tmp_path / "config.toml"
    path.write_text(block.group(1), encoding="utf-8")
    settings = load_settings(path)
    defaults = Settings()
    assert settings.scoring == defaults.scoring
    assert settings.contact == defaults.contact
    assert settings.claims == defaults.claims
    assert settings.language == "fr"
    assert settings.animations == defaults.animations == "none"
