"""`relance seed --agents N --history-days N`: the team's past work, counted in the aggregates."""

from datetime import date
from pathlib import Path

from relance_tui.domain.kpi import balance_moves
from relance_tui.services.seed.build import seed_database
from relance_tui.storage.db import connect

TODAY = date(2026, 11, 24)


def test_history_days_fill_weekdays_and_the_aggregates_count_them(db_path: Path) -> None:
    conn = connect(db_path)
    summary = seed_database(
        conn, debtors=300, invoices=1200, seed=3, today=TODAY, agents=4, history_days=10
    )
    assert summary.agents == 4
    days = {
        row[0]
        for row in conn.execute(
            "SELECT DISTINCT substr(occurred_at, 1, 10) FROM interactions"
            " WHERE talk_seconds IS NOT NULL"
        )
    }
    # 10 days back from Tuesday 24th: 14th … 23rd, weekends (14-15, 21-22) left out
    assert days == {f"2026-11-{d:02d}" for d in (16, 17, 18, 19, 20, 23)}
    assert not {"2026-11-14", "2026-11-15", "2026-11-21", "2026-11-22"} & days
    assert all(date.fromisoformat(d).weekday() < 5 for d in days)
    calls = conn.execute(
        "SELECT COUNT(*) FROM interactions WHERE channel = 'call' AND agent_id IS NOT NULL"
    ).fetchone()[0]
    assert conn.execute("SELECT SUM(calls) FROM agent_days").fetchone()[0] == calls
    assert calls > 4 * 8 * 100  # ~190 actions an agent a day, 85 % calls
    talk = conn.execute(
        "SELECT MIN(talk_seconds), MIN(handling_seconds - talk_seconds) FROM interactions"
        " WHERE talk_seconds IS NOT NULL"
    ).fetchone()
    assert talk[0] >= 15 and talk[1] >= 30
    promises = conn.execute(
        "SELECT status, COUNT(*) FROM promises WHERE interaction_id IS NOT NULL GROUP BY status"
    ).fetchall()
    assert {row[0] for row in promises} >= {"kept", "broken", "pending"}


def test_the_same_seed_gives_the_same_activity(tmp_path: Path) -> None:
    def digest(path: Path) -> tuple[object, ...]:
        conn = connect(path)
        seed_database(conn, debtors=200, invoices=600, seed=5, today=TODAY, agents=3,
                      history_days=3)  # fmt: skip
        row = conn.execute(
            "SELECT COUNT(*), SUM(talk_seconds), MAX(occurred_at) FROM interactions"
        ).fetchone()
        return tuple(row)

    assert digest(tmp_path / "a.db") == digest(tmp_path / "b.db")


def test_balancing_moves_cases_from_the_busiest_to_the_least_busy() -> None:
    assert balance_moves({1: 10, 2: 0, 3: 2}) == [(1, 2, 4), (1, 3, 2)]
    moves = balance_moves({1: 5, 2: 5, 3: 3})
    after = {1: 5, 2: 5, 3: 3}
    for giver, taker, count in moves:
        after[giver] -= count
        after[taker] += count
    assert sorted(after.values()) == [4, 4, 5]
    assert balance_moves({1: 3}) == [] and balance_moves({1: 2, 2: 2}) == []
