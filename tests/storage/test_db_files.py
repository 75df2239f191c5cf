"""What `connect` accepts as a database file, and the directories it makes."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from relance_tui.config import make_dirs
from relance_tui.storage.db import NotADatabaseError, connect, data_dir, transaction


@pytest.fixture
def open_umask() -> Iterator[None]:
    previous = os.umask(0)
    try:
        yield
    finally:
        os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("create", [True, False])
def test_an_empty_file_is_refused_and_left_empty(db_path: Path, create: bool) -> None:
    db_path.touch()
    with pytest.raises(NotADatabaseError) as refused:
        connect(db_path, create=create)
    assert refused.value.reason == "empty"
    assert db_path.stat().st_size == 0
    assert not [p for p in db_path.parent.iterdir() if p.name.startswith(f"{db_path.name}-")]


def test_a_file_of_another_kind_is_refused_and_left_as_it_was(db_path: Path) -> None:
    db_path.write_text("Code client;Raison sociale\n", encoding="utf-8")
    with pytest.raises(NotADatabaseError) as refused:
        connect(db_path)
    assert refused.value.reason == "foreign"
    assert db_path.read_text(encoding="utf-8") == "Code client;Raison sociale\n"


def test_another_programs_database_is_refused_and_left_as_it_was(db_path: Path) -> None:
    other = sqlite3.connect(db_path)
    other.execute("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)")
    other.commit()
    other.close()
    with pytest.raises(NotADatabaseError) as refused:
        connect(db_path)
    assert refused.value.reason == "foreign"
    other = sqlite3.connect(db_path)
    names = {row[0] for row in other.execute("SELECT name FROM sqlite_master")}
    assert names == {"moz_places"}
    assert other.execute("PRAGMA user_version").fetchone()[0] == 0
    other.close()


def test_a_missing_database_is_created_only_when_asked(db_path: Path) -> None:
    with pytest.raises(NotADatabaseError) as refused:
        connect(db_path, create=False)
    assert refused.value.reason == "missing"
    assert not db_path.exists()
    connect(db_path).close()  # create=True: what init, seed and demo do
    connect(db_path, create=False).close()


def test_directories_are_made_with_their_own_modes_whatever_the_umask(
    tmp_path: Path, open_umask: None
) -> None:
    shared = tmp_path / "srv" / "relance" / "relance.db"
    connect(shared).close()
    assert mode(tmp_path / "srv") == 0o700  # a parent made on the way: private
    assert mode(shared.parent) == 0o2770  # the database's: owner and group, setgid
    assert mode(shared) == 0o660
    own = data_dir() / "relance.db"  # the user's data directory: private to them
    assert not data_dir().parent.exists()
    connect(own).close()
    for level in (data_dir(), data_dir().parent, data_dir().parent.parent):
        assert mode(level) == 0o700, level
    config = tmp_path / "home" / ".config" / "relance-tui"
    make_dirs(config)
    assert mode(config) == mode(config.parent) == 0o700


def test_existing_directories_keep_their_mode(tmp_path: Path, open_umask: None) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o755)
    connect(shared / "relance.db").close()
    assert mode(shared) == 0o755


def test_opening_again_keeps_the_locks_of_the_connections_already_open(db_path: Path) -> None:
    """Closing any descriptor of the file drops every POSIX lock the process holds on it: a
    check that opened the file itself let another process take the database for unused and
    delete the WAL under an open connection, whose writes were then lost."""
    first = connect(db_path)
    with transaction(first):
        first.execute("INSERT INTO meta (key, value) VALUES ('a', '1')")
    connect(db_path).close()  # a second connection of this process comes and goes
    reader = (  # reads the database, then closes: the last one out checkpoints and drops the WAL
        "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]);"
        " c.execute('SELECT count(*) FROM meta').fetchone(); c.close()"
    )
    subprocess.run([sys.executable, "-c", reader, str(db_path)], check=True)
    assert Path(f"{db_path}-wal").exists()  # the other process did not think itself the last
    with transaction(first):
        first.execute("INSERT INTO meta (key, value) VALUES ('b', '2')")
    check = (
        "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]);"
        " print(c.execute('SELECT count(*) FROM meta').fetchone()[0])"
    )
    seen = subprocess.run(
        [sys.executable, "-c", check, str(db_path)], check=True, capture_output=True, text=True
    )
    assert seen.stdout.strip() == "2"
    first.close()
