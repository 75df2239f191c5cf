"""Every test runs with its own config/data directories and the French language."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from relance_tui import i18n


@pytest.fixture(autouse=True, scope="session")
def isolated_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The same isolation for what is built once per module or session (a report's database),
    before any test's own: a shared server set up on the machine running the tests (its
    /etc/relance/server.toml) or the user's settings must not apply to them."""
    base = tmp_path_factory.mktemp("session-home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HOME", str(base))
        patch.setenv("XDG_CONFIG_HOME", str(base / ".config"))
        patch.setenv("XDG_DATA_HOME", str(base / ".local" / "share"))
        for name in ("RELANCE_DB", "RELANCE_CONFIG", "RELANCE_LANG"):
            patch.delenv(name, raising=False)
        patch.setenv("RELANCE_SERVER_CONFIG", str(base / "no-server.toml"))
        yield


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.delenv("RELANCE_DB", raising=False)
    monkeypatch.delenv("RELANCE_CONFIG", raising=False)
    monkeypatch.delenv("RELANCE_LANG", raising=False)
    # A shared-server configuration on the machine running the tests must not apply to them.
    monkeypatch.setenv("RELANCE_SERVER_CONFIG", str(tmp_path / "no-server.toml"))
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")
    i18n.set_language("fr")
    yield
    i18n.set_language("fr")


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "relance.db"
