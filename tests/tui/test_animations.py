"""Textual's animations follow the configuration: off unless asked for."""

from __future__ import annotations

from pathlib import Path

import pytest
from harness import make_app

from relance_tui.config import ConfigError, Settings, load_settings


def test_animations_are_off_by_default_and_configurable(db_path: Path, tmp_path: Path) -> None:
    assert make_app(db_path, settings=Settings()).animation_level == "none"
    config = tmp_path / "config.toml"
    config.write_text('animations = "full"\n', encoding="utf-8")
    assert make_app(db_path, settings=load_settings(config)).animation_level == "full"
    config.write_text('animations = "sometimes"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="animations"):
        load_settings(config)
