"""`relance demo`: the fixture files go through the importer, the seed's history goes on top."""

from __future__ import annotations

import sqlite3
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from relance_tui.cli import main
from relance_tui.services.seed.build import seed_clock
from relance_tui.services.seed.demo import (
    DemoError,
    demo_db_path,
    ensure_demo_database,
    fixtures_dir,
)

TODAY = date(2026, 11, 24)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    return ensure_demo_database(path, today=TODAY, os_user="camille")


def _rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(path)
    try:
        return [tuple(row) for row in conn.execute(sql)]
    finally:
        conn.close()


def _count(path: Path, sql: str) -> int:
    return int(str(_rows(path, sql)[0][0]))


def test_fixture_files_are_imported(demo: Path) -> None:
    def lines(name: str) -> int:
        return len((fixtures_dir() / name).read_bytes().splitlines()) - 1

    assert _count(demo, "SELECT COUNT(*) FROM debtors") == lines("debtors.csv")
    assert _count(demo, "SELECT COUNT(*) FROM contacts") == lines("contacts.csv")
    assert _count(demo, "SELECT COUNT(*) FROM invoices") == lines("invoices.csv")
    assert _count(demo, "SELECT COUNT(*) FROM payments") == lines("payments.csv")
    assert _count(demo, "SELECT COUNT(*) FROM imports") == 4
    assert _count(demo, "SELECT COUNT(*) FROM phones WHERE valid = 0") > 0
    overseas = _count(
        demo, "SELECT COUNT(*) FROM phones WHERE region IN ('RE','YT','GP','MQ','GF')"
    )
    assert overseas > 0


def test_history_on_top(demo: Path) -> None:
    assert _count(demo, "SELECT COUNT(*) FROM cases WHERE status = 'open'") > 30
    promises = Counter(row[0] for row in _rows(demo, "SELECT status FROM promises"))
    assert promises["kept"] and promises["broken"] and promises["pending"]
    now = seed_clock(TODAY)
    due_now = _count(
        demo, f"SELECT COUNT(*) FROM callbacks WHERE status = 'pending' AND due_at <= '{now}'"
    )
    assert due_now > 0
    assert _count(demo, "SELECT COUNT(*) FROM interactions WHERE channel = 'call'") > 0
    assert _count(demo, "SELECT COUNT(*) FROM disputes") > 0
    assert _count(demo, "SELECT COUNT(*) FROM cases WHERE assigned_agent_id IS NOT NULL") > 0
    assert (
        _count(demo, "SELECT COUNT(*) FROM cases WHERE scored_on IS NULL AND status = 'open'") == 0
    )


def test_os_user_is_a_supervisor(demo: Path) -> None:
    roles = dict(_rows(demo, "SELECT login, role FROM agents"))
    assert roles["camille"] == "supervisor"
    assert roles["superviseur"] == "supervisor"
    assert {"agent1", "agent2", "agent3", "agent4", "admin"} <= set(roles)


def test_nothing_of_the_build_is_left_beside_the_database(demo: Path) -> None:
    assert not [name.name for name in demo.parent.iterdir() if ".building" in name.name]


def test_later_runs_keep_the_database(demo: Path) -> None:
    conn = sqlite3.connect(demo)
    conn.execute("INSERT INTO meta (key, value) VALUES ('marker', 'kept')")
    conn.commit()
    conn.close()
    ensure_demo_database(demo, today=date(2026, 11, 25), os_user="dominique")
    assert _rows(demo, "SELECT value FROM meta WHERE key = 'marker'") == [("kept",)]
    assert dict(_rows(demo, "SELECT login, role FROM agents"))["dominique"] == "supervisor"


def test_same_history_every_time(demo: Path, tmp_path: Path) -> None:
    again = ensure_demo_database(tmp_path / "again.db", today=TODAY, os_user="camille")
    for table in ("interactions", "promises", "callbacks", "disputes", "payment_plans"):
        sql = f"SELECT * FROM {table} ORDER BY id"
        assert _rows(demo, sql) == _rows(again, sql), table


def test_missing_fixtures_say_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(DemoError, match="make_fixtures"):
        ensure_demo_database(tmp_path / "x.db", today=TODAY, os_user="camille", fixtures=tmp_path)
    assert not (tmp_path / "x.db").exists()


def test_cli_builds_in_the_user_data_directory(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--no-open"]) == 0
    path = demo_db_path()
    assert path.exists()
    assert str(path) in capsys.readouterr().out
    assert "home" in str(path)  # conftest isolates XDG_DATA_HOME
    assert main(["demo", "--no-open", "--reset"]) == 0
    assert "Préparation" in capsys.readouterr().err
