"""Benchmark of the supervisor's reports (not a test: prints figures against the 1 s targets).

    python scripts/bench_reports.py [--db PATH] [--debtors N] [--invoices N] [--agents N]
                                    [--days N] [--rounds N]

Seeds (once, kept at PATH, default in the user cache directory) a portfolio with a year of the
team's work: `relance seed --agents 50 --history-days 365` ≈ 2.5 million interactions. Then,
each in a fresh process (interpreter start included) and in-process (median of rounds):
- `relance report daily` for the last working day;                              target < 1 s
- `relance report portfolio`;                                                     target < 1 s
- `relance report promises` (the team and each agent, from one grouped query);
- the supervisor screen's first paint: `v` pressed → the day's table shown, headless (only
  the day tab is read; the others are read when opened);                         target < 1 s
- the aggregates brought up to date after an agent's new call (the incremental refresh).
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import resource
import statistics
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

TODAY = date(2026, 11, 24)
NOW = datetime(2026, 11, 24, 17, 0, tzinfo=UTC)
SUPERVISOR = "superviseur"


def default_db() -> Path:
    from platformdirs import user_cache_path

    return user_cache_path("relance-tui", appauthor=False) / "bench-data" / "reports.db"


def seeded(path: Path, debtors: int, invoices: int, agents: int, days: int) -> Path:
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    print(f"seeding {debtors} debtors, {invoices} invoices, {agents} agents, {days} days…")
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "relance_tui", "seed", "--db", str(path), "--debtors",
         str(debtors), "--invoices", str(invoices), "--agents", str(agents), "--history-days",
         str(days), "--today", TODAY.isoformat(), "--quiet"],
        check=True,
    )  # fmt: skip
    print(f"  seeded in {time.perf_counter() - started:.0f} s")
    return path


def last_working_day() -> date:
    day = TODAY - timedelta(days=1)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def timed_cli(db: Path, *argv: str) -> tuple[float, float]:
    """(wall, CPU) seconds of the command in a fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "relance_tui", "--db", str(db), *argv],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return wall, cpu


def in_process(db: Path, rounds: int) -> dict[str, tuple[float, float]]:
    from relance_tui.services.reports import activity, portfolio, tables
    from relance_tui.services.reports.access import supervisor_named
    from relance_tui.storage.db import connect

    day = last_working_day()
    found: dict[str, list[tuple[float, float]]] = {"daily": [], "portfolio": [], "month": []}

    def clock() -> tuple[float, float]:
        return time.perf_counter(), time.process_time()

    def since(start: tuple[float, float]) -> tuple[float, float]:
        wall, cpu = clock()
        return wall - start[0], cpu - start[1]

    for _ in range(rounds):
        conn = connect(db)
        viewer = supervisor_named(conn, SUPERVISOR)
        started = clock()
        lines = activity.agent_figures(conn, viewer, first=day, last=day, now=NOW)
        tables.daily_table(lines, activity.total(lines))
        found["daily"].append(since(started))
        started = clock()
        portfolio.portfolio_figures(conn, viewer, today=TODAY)
        found["portfolio"].append(since(started))
        started = clock()
        activity.agent_figures(conn, viewer, first=TODAY.replace(day=1), last=day, now=NOW)
        found["month"].append(since(started))
        conn.close()
    return {
        name: (statistics.median(v[0] for v in values), statistics.median(v[1] for v in values))
        for name, values in found.items()
    }


def refresh_after_a_call(db: Path) -> tuple[float, float]:
    from relance_tui.services.reports.access import bring_up_to_date
    from relance_tui.storage.db import connect, transaction

    conn = connect(db)
    with transaction(conn):
        conn.execute(
            "INSERT INTO interactions (case_id, agent_id, channel, occurred_at, outcome,"
            " talk_seconds, handling_seconds) SELECT id, assigned_agent_id, 'call', ?,"
            " 'voicemail', 20, 60 FROM cases WHERE assigned_agent_id IS NOT NULL LIMIT 1",
            (NOW.isoformat(timespec="seconds"),),
        )
    started, cpu = time.perf_counter(), time.process_time()
    bring_up_to_date(conn)
    return time.perf_counter() - started, time.process_time() - cpu


async def first_paint(db: Path) -> tuple[float, float]:
    from textual.widgets import DataTable

    from relance_tui.config import Settings
    from relance_tui.tui.app import RelanceApp
    from relance_tui.tui.screens.supervisor import SupervisorScreen

    app = RelanceApp(db_path=db, agent_login=SUPERVISOR, settings=Settings(), clock=lambda: NOW)
    async with app.run_test(size=(120, 35)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        started, cpu = time.perf_counter(), time.process_time()
        await pilot.press("v")
        while True:
            screen = app.screen
            loaded = isinstance(screen, SupervisorScreen) and screen.board is not None
            if loaded and screen.query_one("#day-table", DataTable).row_count:
                break
            await pilot.pause(0.005)
        await pilot.pause()
        return time.perf_counter() - started, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument("--debtors", type=int, default=100_000)
    parser.add_argument("--invoices", type=int, default=1_000_000)
    parser.add_argument("--agents", type=int, default=50)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    db = seeded(args.db or default_db(), args.debtors, args.invoices, args.agents, args.days)

    from relance_tui.storage.db import connect, transaction

    conn = connect(db)
    me = getpass.getuser()
    with transaction(conn):  # the OS user reads the reports as a supervisor
        conn.execute(
            "INSERT INTO agents (login, display_name, role, created_at) VALUES (?, ?, 'admin', ?)"
            " ON CONFLICT(login) DO UPDATE SET role = 'admin', active = 1",
            (me, me, NOW.isoformat()),
        )
    counts = {
        table: conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
        for table in ("interactions", "invoices", "payments", "promises", "agent_days")
    }
    conn.close()
    print("data: " + ", ".join(f"{n:,} {table}" for table, n in counts.items()))
    day = last_working_day().isoformat()
    rows = [
        ("relance report daily (process)", timed_cli(db, "report", "daily", "--date", day)),
        (
            "relance report portfolio (process)",
            timed_cli(db, "report", "portfolio", "--date", TODAY.isoformat()),
        ),
        (
            "relance report promises (process)",
            timed_cli(db, "report", "promises", "--date", TODAY.isoformat()),
        ),
    ]
    figures = in_process(db, args.rounds)
    rows += [
        ("daily figures, in process (median)", figures["daily"]),
        ("portfolio figures, in process (median)", figures["portfolio"]),
        ("month to date per agent, in process", figures["month"]),
        ("aggregates after a new call", refresh_after_a_call(db)),
        ("supervisor screen, v → first paint", asyncio.run(first_paint(db))),
    ]
    # On a loaded machine wall time waits for the CPU: CPU time says what the work costs.
    print(f"{'':<42} {'wall':>8}  {'CPU':>8}   (load average {os.getloadavg()[0]:.1f})")
    for name, (wall, cpu) in rows:
        verdict = ""
        if "month" not in name and "after" not in name and "promises" not in name:
            verdict = "  ok" if wall < 1 else ("  ok on CPU" if cpu < 1 else "  OVER 1 s")
        print(f"{name:<42} {wall * 1000:5.0f} ms  {cpu * 1000:5.0f} ms{verdict}")


if __name__ == "__main__":
    main()
