"""The supervisor's figures on the hand-built world (tests/report_world.py): one test a figure."""

import sqlite3
from pathlib import Path

import pytest

import report_world as world
from relance_tui.services.permissions import NotAllowedError
from relance_tui.services.reports.activity import AgentFigures, agent_actions, agent_figures
from relance_tui.services.reports.live import agents_now
from relance_tui.services.reports.portfolio import (
    PortfolioFigures,
    portfolio_figures,
    promises_per_agent,
)
from relance_tui.storage.agents import AgentRow, get_agent
from relance_tui.storage.db import connect, transaction
from relance_tui.storage.reports import refresh_agent_days

E = world.EXPECTED


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("world") / "relance.db"
    world.build(connect(path))
    return path


@pytest.fixture
def conn(built: Path) -> sqlite3.Connection:
    return connect(built)


def boss(conn: sqlite3.Connection) -> AgentRow:
    agent = get_agent(conn, "sophie")
    assert agent is not None
    return agent


def by_login(lines: list[AgentFigures]) -> dict[str, AgentFigures]:
    return {line.login: line for line in lines}


def figure(line: AgentFigures, name: str) -> object:
    if name in line.outcomes:
        return line.outcomes[name]
    return getattr(line, name)


DAY_CASES = [
    (login, name, value) for login, figures in E["day"].items() for name, value in figures.items()
]
PERIOD_CASES = [
    (login, name, value)
    for login, figures in E["period"].items()
    for name, value in figures.items()
]


@pytest.mark.parametrize(("login", "name", "value"), DAY_CASES)
def test_the_day_per_agent(conn: sqlite3.Connection, login: str, name: str, value: object) -> None:
    lines = by_login(
        agent_figures(conn, boss(conn), first=world.TODAY, last=world.TODAY, now=world.NOW)
    )
    assert figure(lines[login], name) == value


@pytest.mark.parametrize(("login", "name", "value"), PERIOD_CASES)
def test_a_period_per_agent(conn: sqlite3.Connection, login: str, name: str, value: object) -> None:
    lines = by_login(
        agent_figures(conn, boss(conn), first=world.YESTERDAY, last=world.TODAY, now=world.NOW)
    )
    assert figure(lines[login], name) == value


def test_supervisors_without_casework_have_no_line_and_one_agent_can_be_asked_for(
    conn: sqlite3.Connection,
) -> None:
    lines = agent_figures(conn, boss(conn), first=world.TODAY, last=world.TODAY, now=world.NOW)
    assert [line.login for line in lines] == ["alice", "bruno", "chloe"]
    only = agent_figures(
        conn, boss(conn), first=world.TODAY, last=world.TODAY, now=world.NOW, agent="bruno"
    )
    assert [line.login for line in only] == ["bruno"]


def test_agents_are_refused(conn: sqlite3.Connection) -> None:
    alice = get_agent(conn, "alice")
    assert alice is not None
    with pytest.raises(NotAllowedError, match="superviseurs"):
        agent_figures(conn, alice, first=world.TODAY, last=world.TODAY, now=world.NOW)
    with pytest.raises(NotAllowedError):
        portfolio_figures(conn, alice, today=world.TODAY)
    with pytest.raises(NotAllowedError):
        agents_now(conn, alice, now=world.NOW)


def test_the_aggregates_count_each_row_once_and_follow_new_ones(
    conn: sqlite3.Connection, built: Path
) -> None:
    viewer = boss(conn)
    before = by_login(
        agent_figures(conn, viewer, first=world.TODAY, last=world.TODAY, now=world.NOW)
    )
    with transaction(conn):
        assert refresh_agent_days(conn) == 0  # nothing new: nothing counted again
    other = connect(built)
    with transaction(other):
        other.execute(
            "INSERT INTO interactions (case_id, agent_id, channel, occurred_at, outcome,"
            " talk_seconds, handling_seconds) VALUES (?, ?, 'call', ?, 'right_party', 10, 20)",
            (1, before["chloe"].agent_id, world.at(world.TODAY, 17)),
        )
    after = by_login(
        agent_figures(conn, viewer, first=world.TODAY, last=world.TODAY, now=world.NOW)
    )
    assert after["chloe"].calls == 1 and after["chloe"].talk_seconds == 10
    assert after["alice"] == before["alice"]
    with transaction(other):
        other.execute("DELETE FROM interactions WHERE agent_id = ?", (before["chloe"].agent_id,))
        other.execute("DELETE FROM agent_days WHERE agent_id = ?", (before["chloe"].agent_id,))


def test_drilling_down_into_an_agents_day(conn: sqlite3.Connection) -> None:
    alice = by_login(
        agent_figures(conn, boss(conn), first=world.TODAY, last=world.TODAY, now=world.NOW)
    )["alice"]
    actions = agent_actions(conn, boss(conn), alice.agent_id, first=world.TODAY, last=world.TODAY)
    assert [(a.debtor_reference, a.channel, a.outcome) for a in actions] == [
        ("C000101", "call", "right_party"),
        ("C000102", "call", "voicemail"),
        ("C000102", "email", None),
        ("C000101", "letter", None),
        ("C000102", "call", "right_party"),
    ]
    assert actions[0].promised_cents == 60_000 and actions[4].planned_cents == 60_000
    assert actions[0].debtor_name == "Alpha SARL" and actions[0].talk_seconds == 240


@pytest.fixture
def portfolio(conn: sqlite3.Connection) -> PortfolioFigures:
    return portfolio_figures(conn, boss(conn), today=world.TODAY)


@pytest.mark.parametrize("bucket", list(E["buckets"]))
def test_aged_balance(portfolio: PortfolioFigures, bucket: str) -> None:
    assert portfolio.buckets[bucket] == E["buckets"][bucket]


@pytest.mark.parametrize(
    "name",
    [
        "receivables_cents", "dso_days", "cei", "month_collected_cents", "kept_rate",
        "disputed_cents", "disputes_open", "dispute_oldest_days", "dispute_average_days",
    ],
)  # fmt: skip
def test_portfolio_figure(portfolio: PortfolioFigures, name: str) -> None:
    value = portfolio.promises.kept_rate if name == "kept_rate" else getattr(portfolio, name)
    assert value == E[name]


@pytest.mark.parametrize("result", list(E["promises"]))
def test_promises_over_30_days(portfolio: PortfolioFigures, result: str) -> None:
    assert portfolio.promises.results.get(result, 0) == E["promises"][result]


def test_collected_against_promised(portfolio: PortfolioFigures) -> None:
    assert portfolio.promises.promised_cents == E["promised_cents"]
    assert portfolio.promises.collected_cents == E["promise_collected_cents"]


def test_promises_per_agent(conn: sqlite3.Connection) -> None:
    lines = promises_per_agent(conn, boss(conn), today=world.TODAY)
    assert lines[0][0] is None and lines[0][1].kept_rate == 50.0
    agents = {agent.login: figures for agent, figures in lines[1:] if agent is not None}
    assert agents["alice"].results == {"kept_late": 1, "broken": 1}
    assert (agents["alice"].promised_cents, agents["alice"].collected_cents) == (75_000, 50_000)
    assert agents["bruno"].results == {"kept_on_time": 1, "partly_kept": 1}
    assert (agents["bruno"].promised_cents, agents["bruno"].collected_cents) == (70_000, 50_000)


def test_top_debtors_by_overdue(portfolio: PortfolioFigures) -> None:
    assert [d.reference for d in portfolio.top] == E["top"]
    assert portfolio.top[0].agent == "alice" and portfolio.top[0].overdue_cents == 100_000


def test_trends(portfolio: PortfolioFigures) -> None:
    trends = portfolio.trends
    assert len(trends.days) == 30 and trends.days[-1] == world.TODAY
    assert trends.calls[-2:] == E["trend_calls_last_two"]
    collected = {
        d.isoformat(): c for d, c in zip(trends.days, trends.collected_cents, strict=True) if c
    }
    assert collected == E["trend_collected"]
    assert trends.overdue_cents[-1] == E["overdue_today"] and trends.overdue_cents[0] is None
    assert trends.promised_cents[-1] == 60_000 and trends.right_party[-1] == 3


@pytest.mark.parametrize("login", list(E["now"]))
def test_now_per_agent(conn: sqlite3.Connection, login: str) -> None:
    lines = {line.login: line for line in agents_now(conn, boss(conn), now=world.NOW)}
    line = lines[login]
    got = (line.open_cases, line.late_callbacks, line.case_reference, line.held_minutes,
           line.call_minutes, line.idle)  # fmt: skip
    assert got == E["now"][login]
    assert "sophie" not in lines


def test_a_promise_recorded_as_partly_kept_counts_so(tmp_path: Path) -> None:
    """Whatever set it (the follow-up's own 'partly_kept' status), such a promise is partly
    kept, even with no money found in its window: alice's broken 250 € of 10/11 here."""
    conn = connect(tmp_path / "relance.db")
    world.build(conn)
    with transaction(conn):
        conn.execute("PRAGMA ignore_check_constraints = ON")  # where the status is not known yet
        conn.execute(
            "UPDATE promises SET status = 'partly_kept' WHERE amount_cents = 25000"
            " AND due_date = '2026-11-10'"
        )
    figures = portfolio_figures(conn, boss(conn), today=world.TODAY).promises
    assert figures.results == {"kept_on_time": 1, "kept_late": 1, "partly_kept": 2}
    assert figures.kept_rate == 50.0
    alice = next(f for a, f in promises_per_agent(conn, boss(conn), today=world.TODAY)
                 if a is not None and a.login == "alice")  # fmt: skip
    assert alice.results == {"kept_late": 1, "partly_kept": 1}
