"""`relance seed --history-days N`: N days of the team's work before `today` (weekdays), dense
enough to measure the supervisor's reports on (a year for 50 agents ≈ 2.5 million
interactions): each agent's calls, e-mails and letters through the working day on the cases of
their portfolio, with outcomes, talk and handling time; promises on some reached calls (kept on
time, late or broken once due), callbacks after some unreached ones. Deterministic like the rest
of the seed; rows go in with `executemany`, one day at a time.
"""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta

from relance_tui.domain.clock import PARIS
from relance_tui.services.seed.history import CALL_NOTES, OUTCOME_WEIGHTS, OUTCOMES
from relance_tui.storage import seeding

ACTIONS_PER_DAY = 190  # per agent, ± 20 %
PROMISE_SHARE = 0.25  # of the reached calls
CALLBACK_SHARE = 0.10  # of the unreached calls
TALK_SECONDS = {"right_party": (120, 600), "voicemail": (20, 45), "no_answer": (15, 30)}
DEFAULT_TALK = (30, 90)


def add_activity(
    conn: sqlite3.Connection,
    rng: random.Random,
    *,
    today: date,
    days: int,
    agents: Sequence[int],
    progress: Callable[[str], None] | None = None,
) -> int:
    """Write the activity; returns how many interactions. Call inside the seed's transaction."""
    portfolios = seeding.open_cases_by_agent(conn, agents)
    everyone = [case for cases in portfolios.values() for case in cases]
    if not everyone or not agents:
        return 0
    ids = seeding.next_ids(conn)
    written = 0
    for back in range(days, 0, -1):
        day = today - timedelta(days=back)
        if day.weekday() >= 5:
            continue
        rows = _day(rng, day, today, agents, portfolios, everyone, ids)
        seeding.insert_activity(conn, *rows)
        written += len(rows[0])
        if progress is not None and day.day == 1:
            progress(f"activity {day.isoformat()}")
    return written


def _day(
    rng: random.Random,
    day: date,
    today: date,
    agents: Sequence[int],
    portfolios: dict[int, list[int]],
    everyone: list[int],
    ids: dict[str, int],
) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]], list[tuple[object, ...]]]:
    interactions: list[tuple[object, ...]] = []
    promises: list[tuple[object, ...]] = []
    callbacks: list[tuple[object, ...]] = []
    start = datetime(day.year, day.month, day.day, 8, 30, tzinfo=PARIS).astimezone(UTC)
    for agent in agents:
        cases = portfolios.get(agent) or everyone
        count = int(ACTIONS_PER_DAY * (0.8 + 0.4 * rng.random()))
        step = 9 * 3600 // max(count, 1)  # 08:30 to 17:30
        for n in range(count):
            at = start + timedelta(seconds=n * step + int(rng.random() * step))
            stamp = at.isoformat(timespec="seconds")
            case = cases[int(rng.random() * len(cases))]
            draw = rng.random()
            interaction = ids["interactions"]
            ids["interactions"] += 1
            if draw < 0.85:
                outcome = rng.choices(OUTCOMES, OUTCOME_WEIGHTS)[0]
                low, high = TALK_SECONDS.get(outcome, DEFAULT_TALK)
                talk = low + int(rng.random() * (high - low))
                handling = talk + 30 + int(rng.random() * 150)
                began = (at - timedelta(seconds=handling)).isoformat(timespec="seconds")
                interactions.append((interaction, case, agent, "call", stamp, outcome,
                                     CALL_NOTES[outcome if outcome != "right_party" else "other"],
                                     began, talk, handling))  # fmt: skip
                if outcome == "right_party" and rng.random() < PROMISE_SHARE:
                    promises.append(_promise(rng, ids, case, agent, interaction, day, today, stamp))
                elif outcome != "right_party" and rng.random() < CALLBACK_SHARE:
                    callbacks.append(_callback(rng, ids, case, agent, day, today, stamp))
            else:
                channel = "email" if draw < 0.95 else "letter"
                interactions.append((interaction, case, agent, channel, stamp, None,
                                     "Relance envoyée.", None, None, None))  # fmt: skip
    return interactions, promises, callbacks


def _promise(
    rng: random.Random, ids: dict[str, int], case: int, agent: int, interaction: int,
    day: date, today: date, stamp: str,
) -> tuple[object, ...]:  # fmt: skip
    promise = ids["promises"]
    ids["promises"] += 1
    due = day + timedelta(days=3 + int(rng.random() * 18))
    amount = (200 + int(rng.random() * 4800)) * 100
    status, settled = "pending", None
    if due < today:
        draw = rng.random()
        if draw < 0.45:
            status, settled = "kept", due - timedelta(days=int(rng.random() * 3))
        elif draw < 0.6:
            status, settled = "kept", due + timedelta(days=1 + int(rng.random() * 5))
        else:
            status, settled = "broken", due + timedelta(days=1)
        settled = min(settled, today - timedelta(days=1))
    return (promise, case, amount, due.isoformat(), 1, status, interaction, stamp, agent,
            settled.isoformat() if settled else None, "promise", None)  # fmt: skip


def _callback(
    rng: random.Random, ids: dict[str, int], case: int, agent: int, day: date, today: date,
    stamp: str,
) -> tuple[object, ...]:  # fmt: skip
    callback = ids["callbacks"]
    ids["callbacks"] += 1
    due_day = day + timedelta(days=1)
    due = datetime(due_day.year, due_day.month, due_day.day, 10, tzinfo=PARIS).astimezone(UTC)
    due_at = due.isoformat(timespec="seconds")
    done = due_day < today and rng.random() < 0.8
    return (callback, case, due_at, None, None, "Rappel demandé", "done" if done else (
        "cancelled" if due_day < today else "pending"), stamp, agent,
        due_at if done else None)  # fmt: skip
