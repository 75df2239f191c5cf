"""Textual's animations follow the configuration: off unless asked for."""

from __future__ import annotations

from pathlib import Path

import pytest

from relance_tui.config import ConfigError, Settings, load_settings
from relance_tui.tui.app import RelanceApp


def app_with(db_path: Path, settings: Settings) -> RelanceApp:
    return RelanceApp(db_path=db_path, agent_login="alice", settings=settings)


def test_animations_are_off_by_default_and_configurable(db_path: Path, tmp_path: Path) -> None:
    assert app_with(db_path, Settings()).animation_level == "none"
    config = tmp_path / "config.toml"
    config.write_text('animations = "full"\n', encoding="utf-8")
    assert app_with(db_path, load_settings(config)).animation_level == "full"
    config.write_text('animations = "sometimes"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="animations"):
        load_settings(config)
