"""The TUI's one way to the database (tui/database.py), on a real SQLite file: quitting during a
query, a page read that fails, a case that cannot be read."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from harness import NOW, SETTINGS, TODAY, WAIT_SECONDS, make_app, seeding, settle, wait_until
from rich.text import Text
from textual.widgets import Static

from factories import add_agent, make_case
from relance_tui.services import casefile, queue
from relance_tui.storage.db import connect, transaction
from relance_tui.tui.app import RelanceApp
from relance_tui.tui.screens.case import CaseScreen
from relance_tui.tui.widgets.queue_table import QueueTable


@pytest.fixture
def case_ids(db_path: Path) -> list[int]:
    with seeding(db_path) as conn:
        with transaction(conn):
            agent = add_agent(conn, "alice", name="Alice Martin")
            ids = [
                make_case(conn, TODAY, agent_id=agent, name=name, reference=f"CLI-{n}")
                for n, name in enumerate(("Boulangerie Martin", "Garage Leroy", "Chez Paul"))
            ]
        queue.refresh_queue(conn, SETTINGS, NOW)  # ranked: the app's refresh reloads nothing
    return ids


def notifications(app: RelanceApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


def endless_query(conn: sqlite3.Connection, started: threading.Event, ended: list[str]) -> None:
    """A query that runs until it is interrupted (or gives up, failing the test, after a
    while); `started` is set once it runs, `ended` gets how it ended."""
    give_up = time.monotonic() + 2 * WAIT_SECONDS

    def running(_: int) -> int:
        started.set()
        if time.monotonic() > give_up:
            raise RuntimeError("never interrupted")
        return 1

    conn.create_function("running", 1, running)
    try:
        conn.execute(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n)"
            " SELECT count(*) FROM n WHERE running(i)"
        ).fetchone()
    except sqlite3.OperationalError as error:
        ended.append(str(error))
        raise
    ended.append("finished")


class TrackedConnection(sqlite3.Connection):
    """Remembers the thread that opened it and the one that closed it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.opened_by = threading.get_ident()
        self.closed_by: int | None = None

    def close(self) -> None:
        self.closed_by = threading.get_ident()
        super().close()


async def test_quitting_during_a_query_interrupts_it_and_each_thread_closes_its_connection(
    db_path: Path, case_ids: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The queue's score refresh is mid-query when the agent quits: the query is interrupted,
    the app exits cleanly, and every connection is closed by the thread that opened it (the
    queue screen used to close them from the UI thread under the running query: SIGSEGV)."""
    connections: list[TrackedConnection] = []

    def tracked_connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        conn = real_connect(*args, **kwargs, factory=TrackedConnection)
        connections.append(conn)
        return conn

    real_connect = sqlite3.connect
    monkeypatch.setattr(sqlite3, "connect", tracked_connect)

    started = threading.Event()
    ended: list[str] = []
    used: list[sqlite3.Connection] = []

    def slow_refresh(conn: sqlite3.Connection, *args: Any) -> queue.RefreshOutcome:
        used.append(conn)
        endless_query(conn, started, ended)
        return queue.RefreshOutcome(False, 0)

    monkeypatch.setattr(queue, "refresh_queue", slow_refresh)
    app = make_app(db_path, "alice")
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, started.is_set)
        await pilot.press("q")
    assert app.return_code == 0
    assert ended == ["interrupted"]
    assert not any(thread.is_alive() for thread in app.database.threads)
    main = threading.main_thread().ident
    mine = [conn for conn in connections if conn.opened_by != main]
    assert used and used[0] in mine
    assert [conn.closed_by for conn in mine] == [conn.opened_by for conn in mine]
    assert not any("base de données" in text for text in notifications(app))  # not a failure


async def test_quitting_during_a_rerank_releases_my_claims_without_waiting_for_it(
    db_path: Path, case_ids: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A re-rank holds the write lock that releasing my claims on quit needs: it is stopped
    first (the release used to wait for it, up to the busy timeout)."""
    from relance_tui.storage.db import transaction as write

    started = threading.Event()
    ended: list[str] = []

    def slow_rerank(conn: sqlite3.Connection, *args: Any) -> queue.RefreshOutcome:
        with write(conn):
            endless_query(conn, started, ended)
        return queue.RefreshOutcome(True, 0)

    app = make_app(db_path, "alice")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        queue_screen = app.screen
        app.open_case(case_ids[0])
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen) and app.screen.holder is None
        assert claimed_by(db_path, case_ids[0]) is not None
        monkeypatch.setattr(queue, "refresh_queue", slow_rerank)
        queue_screen._refresh()  # type: ignore[attr-defined]
        await wait_until(pilot, started.is_set)
        await pilot.press("q")
    assert app.return_code == 0
    assert ended == ["interrupted"]
    assert claimed_by(db_path, case_ids[0]) is None


def claimed_by(path: Path, case_id: int) -> int | None:
    conn = connect(path)
    try:
        row = conn.execute("SELECT claimed_by FROM cases WHERE id = ?", (case_id,)).fetchone()
        return row[0] if row else None
    finally:
        conn.close()


async def test_a_page_read_that_fails_is_told_to_the_agent_and_read_again(
    db_path: Path, case_ids: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """It used to stay "pending" for good: the queue showed "…" lines until restarted."""
    read = queue.fetch_page
    failures: list[str] = []

    def fails_once(*args: Any, **kwargs: Any) -> list[queue.QueueRow]:
        if not failures:
            failures.append("disk I/O error [b]x[/b]")  # markup-like text stays text
            raise sqlite3.OperationalError(failures[0])
        return read(*args, **kwargs)

    monkeypatch.setattr(queue, "fetch_page", fails_once)
    app = make_app(db_path, "alice")
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: bool(failures))
        table = app.screen.query_one(QueueTable)
        await wait_until(pilot, lambda: table.pager.has_page(0))
        await settle(pilot)
        lines = [table.render_line(y).text for y in range(1, 4)]
        told = [n for n in app._notifications if "disk I/O error [b]x[/b]" in str(n.message)]
    assert len(told) == 1 and told[0].severity == "error" and not told[0].markup
    assert str(told[0].message) == "Erreur de la base de données : disk I/O error [b]x[/b]"
    assert sorted(row.id for row in read_rows(table)) == sorted(case_ids)
    assert any("Boulangerie Martin" in line for line in lines)


def read_rows(table: QueueTable) -> list[queue.QueueRow]:
    return [row for index in range(table.total) if (row := table.row_at(index)) is not None]


async def test_a_case_that_cannot_be_read_shows_the_error_instead_of_loading(
    db_path: Path, case_ids: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    def unreadable(*args: Any, **kwargs: Any) -> casefile.CaseFile:
        raise sqlite3.DatabaseError("database disk image is malformed")

    app = make_app(db_path, "alice")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        monkeypatch.setattr(casefile, "load_case_file", unreadable)
        app.open_case(case_ids[0])
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CaseScreen)
        banner = screen.query_one("#case-banner", Static).content
        assert isinstance(banner, Text)
        assert banner.plain == (
            "Le dossier n'a pas pu être lu : database disk image is malformed (Échap pour revenir)"
        )
        assert "database disk image is malformed" in " ".join(notifications(app))
        assert screen.read_only
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, CaseScreen)
    assert claimed_by(db_path, case_ids[0]) is None  # claimed on the way, released with the failure
