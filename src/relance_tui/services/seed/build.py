"""`relance seed`: a realistic, deterministic French portfolio of any size.

Same arguments, same database: every random draw comes from `random.Random(seed)` and every
timestamp from a clock fixed at `today` 07:00 UTC (08:00 in Paris in winter). One transaction,
rows inserted with `executemany` in large batches.
"""

from __future__ import annotations

import json
import random
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time

from relance_tui.config import Settings
from relance_tui.domain.models import AgentRole
from relance_tui.i18n import Key, key
from relance_tui.services.ranking import refresh_scores
from relance_tui.services.seed import data as seed_data
from relance_tui.services.seed.activity import add_activity
from relance_tui.services.seed.history import HistoryGenerator, HistorySummary, agent_logins
from relance_tui.services.seed.portfolio import PortfolioCounts, PortfolioGenerator, Row
from relance_tui.storage import seeding
from relance_tui.storage.agents import get_agent, upsert_agent
from relance_tui.storage.cases import sync_cases
from relance_tui.storage.db import append_audit, set_meta, transaction
from relance_tui.storage.reports import refresh_agent_days

SEED_AGENT = "seed"
SUPERVISOR_LOGIN = "superviseur"
ADMIN_LOGIN = "admin"
MAX_AGENTS = 20
DEBTORS_PER_AGENT = 5_000


class SeedError(ValueError):
    """The database cannot be seeded as asked; `key` says why (its text takes `{path}`)."""

    def __init__(self, key: Key) -> None:
        super().__init__(key)
        self.key = key


@dataclass
class SeedSummary:
    debtors: int
    contacts: int
    phones: int
    invalid_phones: int
    contracts: int
    invoices: int
    payments: int
    open_cases: int
    agents: int
    interactions: int
    disputes: int
    promises: dict[str, int] = field(default_factory=dict)
    plans: int = 0
    callbacks: int = 0
    by_segment: dict[str, int] = field(default_factory=dict)


def seed_clock(today: date) -> str:
    """The fixed 'now' of a seed: every timestamp it writes derives from it."""
    return datetime.combine(today, time(7, 0), UTC).isoformat(timespec="seconds")


def agent_count(debtors: int) -> int:
    return max(3, min(MAX_AGENTS, round(debtors / DEBTORS_PER_AGENT)))


def create_agents(
    conn: sqlite3.Connection,
    rng: random.Random,
    *,
    count: int,
    now: str,
    by: str = SEED_AGENT,
    extra_supervisors: Sequence[str] = (),
) -> list[int]:
    """agent1…agentN, `superviseur`, `admin` (+ extra supervisors); return the agents' ids."""
    people = [(login, AgentRole.AGENT) for login in agent_logins(count)]
    people += [(SUPERVISOR_LOGIN, AgentRole.SUPERVISOR), (ADMIN_LOGIN, AgentRole.ADMIN)]
    people += [(login, AgentRole.SUPERVISOR) for login in extra_supervisors]
    ids: list[int] = []
    for login, role in people:
        _civility, first, last = seed_data.person_name(rng)
        row = upsert_agent(
            conn, login=login, display_name=f"{first} {last}", role=role, by=by, now=now
        )
        if role is AgentRole.AGENT:
            ids.append(row.id)
    return ids


def make_admin(conn: sqlite3.Connection, login: str, *, now: str) -> None:
    existing = get_agent(conn, login)
    if existing is None or existing.role is not AgentRole.ADMIN or not existing.active:
        name = existing.display_name if existing else login
        upsert_agent(
            conn, login=login, display_name=name, role=AgentRole.ADMIN, by=SEED_AGENT, now=now
        )


def add_history(
    conn: sqlite3.Connection,
    rng: random.Random,
    *,
    today: date,
    now: str,
    agents: Sequence[int],
) -> HistorySummary:
    """Stages, portfolios and the collection history of every open case (inside a transaction)."""
    return HistoryGenerator(conn, rng, today=today, now=now).run(agents)


def rank_queue(conn: sqlite3.Connection, today: date) -> None:
    """Score every open case with the default weights, as of the seed clock."""

    refresh_scores(conn, Settings(), datetime.fromisoformat(seed_clock(today)))


def seed_database(
    conn: sqlite3.Connection,
    *,
    debtors: int,
    invoices: int,
    seed: int,
    today: date,
    progress: Callable[[str], None] | None = None,
    admin: str | None = None,
    agents: int | None = None,
    history_days: int = 0,
) -> SeedSummary:
    """Fill an empty database with a synthetic portfolio. Raises SeedError if it has debtors.

    `admin` (the user seeding) is made an administrator in the same transaction: everything the
    seeding records comes before the mark that tells later work apart (`activity_since_seed`).
    `agents`: how many agents (default: one per 5 000 debtors, 3 to 20); `history_days`: that
    many days of the team's work before `today` (services.seed.activity).
    """
    if debtors < 1 or invoices < 0:
        raise SeedError(key("seed.error.counts"))
    if seeding.count_rows(conn, "debtors"):
        raise SeedError(key("seed.error.not_empty"))
    say = progress or (lambda _message: None)
    now = seed_clock(today)
    rng = random.Random(seed)
    history_rng = random.Random(f"{seed}:history")
    with seeding.bulk_load(conn), transaction(conn):
        say("agents")
        team = create_agents(conn, rng, count=agents or agent_count(debtors), now=now)
        if admin is not None:
            make_admin(conn, admin, now=now)
        say("debtors")
        generator = PortfolioGenerator(rng, today=today, now=now, first_ids=seeding.next_ids(conn))

        def sink(table: str, rows: list[Row]) -> None:
            seeding.insert_rows(conn, table, rows)

        counts: PortfolioCounts = generator.run(debtors, invoices, sink, progress)
        say("cases")
        sync_cases(conn, today)
        say("history")
        history = add_history(conn, history_rng, today=today, now=now, agents=team)
        if history_days:
            say("activity")
            activity_rng = random.Random(f"{seed}:activity")
            history.interactions += add_activity(
                conn, activity_rng, today=today, days=history_days, agents=team, progress=say
            )
        say("reports")
        refresh_agent_days(conn)
        say("scores")
        rank_queue(conn, today)
        open_cases = int(
            conn.execute("SELECT COUNT(*) FROM cases WHERE status = 'open'").fetchone()[0]
        )
        summary = SeedSummary(
            debtors=counts.debtors,
            contacts=counts.contacts,
            phones=counts.phones,
            invalid_phones=counts.invalid_phones,
            contracts=counts.contracts,
            invoices=counts.invoices,
            payments=counts.payments,
            open_cases=open_cases,
            agents=len(team),
            interactions=history.interactions,
            disputes=history.disputes,
            promises=history.promises or {},
            plans=history.plans,
            callbacks=history.callbacks,
            by_segment=dict(sorted(counts.by_segment.items())),
        )
        arguments: dict[str, object] = {
            "debtors": debtors,
            "invoices": invoices,
            "seed": seed,
            "today": str(today),
        }
        if agents:
            arguments["agents"] = agents
        if history_days:
            arguments["history_days"] = history_days
        set_meta(conn, "seeded_with", json.dumps(arguments))
        append_audit(
            conn,
            agent=SEED_AGENT,
            action="seed.run",
            entity="database",
            entity_id="seed",
            after=asdict(summary),
            at=now,
        )
        seeding.mark_seeded(conn)
    say("checkpoint")
    seeding.checkpoint(conn)
    return summary
