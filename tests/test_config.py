from pathlib import Path

import pytest

from relance_tui.config import ConfigError, Settings, load_settings, resolve_config_path


def test_missing_file_means_defaults(tmp_path: Path) -> None:
    assert load_settings(tmp_path / "none.toml") == Settings()


def test_values_are_read_and_checked(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[scoring.weights]\namount = 50\n[claims]\nexpiry_minutes = 5\n")
    settings = load_settings(path)
    assert settings.scoring.weights.amount == 50
    assert settings.claims.expiry_minutes == 5
    path.write_text("[scoring.weights]\namount = -1\n")
    with pytest.raises(ConfigError, match=r"scoring\.weights\.amount"):
        load_settings(path)
    path.write_text("[scoring\n")
    with pytest.raises(ConfigError, match=r"config\.toml"):
        load_settings(path)


def test_config_path_resolution(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("RELANCE_CONFIG", str(tmp_path / "c.toml"))
    assert resolve_config_path(None) == tmp_path / "c.toml"
    assert resolve_config_path("/etc/relance.toml") == Path("/etc/relance.toml")


def test_keymap_is_read_as_text(tmp_path: Path) -> None:
    """The ids and keys are the app's to check (tests/tui/test_keymap.py); here, their type."""
    path = tmp_path / "config.toml"
    path.write_text('[keymap]\n"queue.search" = "ctrl+f"\n')
    assert load_settings(path).keymap == {"queue.search": "ctrl+f"}
    assert Settings().keymap == {}
    path.write_text('[keymap]\n"queue.search" = 5\n')
    with pytest.raises(ConfigError, match=r"keymap\.queue\.search"):
        load_settings(path)
