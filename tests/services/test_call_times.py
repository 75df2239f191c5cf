"""Talk and handling time: when a call starts, when the conversation ends, when it is saved."""

import sqlite3
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from factories import add_agent, add_contact, make_case, paris_noon
from relance_tui.config import Settings
from relance_tui.domain import calls
from relance_tui.domain.models import CallOutcome, Cause
from relance_tui.services.calls import record_call
from relance_tui.services.casefile import load_case_file
from relance_tui.storage.db import connect, transaction

TODAY = date(2026, 11, 24)
START = paris_noon(TODAY)
SETTINGS = Settings()
HOURS = SETTINGS.contact.calling_hours


@pytest.fixture
def conn(db_path: Path) -> sqlite3.Connection:
    return connect(db_path)


@pytest.fixture
def case_id(conn: sqlite3.Connection) -> int:
    with transaction(conn):
        agent = add_agent(conn, "agent1", name="Agent Un")
        case = make_case(conn, TODAY, days_late=40, amount_cents=120_000, agent_id=agent)
        debtor = conn.execute("SELECT debtor_id FROM cases WHERE id = ?", (case,)).fetchone()[0]
        add_contact(conn, debtor, name="Jeanne Martin", phones=["01 42 68 53 00"])
    return case


def timing(conn: sqlite3.Connection) -> tuple[str, int, int]:
    row = conn.execute("SELECT started_at, talk_seconds, handling_seconds FROM interactions")
    return tuple(row.fetchone())  # type: ignore[return-value]


def test_a_reached_call_stores_its_talk_and_handling_time(
    conn: sqlite3.Connection, case_id: int
) -> None:
    prep = load_case_file(conn, case_id, now=START, settings=SETTINGS).preparation
    draft = calls.begin_identify(calls.start_call(prep, now=START))
    draft = calls.identify(draft, prep, CallOutcome.RIGHT_PARTY, now=START, hours=HOURS)
    draft = calls.listen(draft, Cause.CASH_FLOW, "")
    draft = calls.solve_promise(draft, amount=Decimal("500.00"), due_date=date(2026, 11, 30))
    hung_up = START + timedelta(minutes=4, seconds=10)
    draft = calls.conclude(draft, prep, today=TODAY, now=hung_up)
    saved = hung_up + timedelta(seconds=50)

    assert record_call(conn, SETTINGS, draft, agent_login="agent1", now=saved).saved
    assert timing(conn) == ("2026-11-24T11:00:00+00:00", 250, 300)


def test_an_unreached_call_ends_its_talk_when_the_outcome_is_chosen(
    conn: sqlite3.Connection, case_id: int
) -> None:
    prep = load_case_file(conn, case_id, now=START, settings=SETTINGS).preparation
    draft = calls.begin_identify(calls.start_call(prep, now=START))
    rang = START + timedelta(seconds=40)
    draft = calls.identify(draft, prep, CallOutcome.VOICEMAIL, now=rang, hours=HOURS)

    saved = rang + timedelta(seconds=60)
    assert record_call(conn, SETTINGS, draft, agent_login="agent1", now=saved).saved
    _, talk, handling = timing(conn)
    assert (talk, handling) == (40, 100)


def test_going_back_from_conclude_resumes_the_conversation() -> None:
    draft = calls.CallDraft(case_id=1, started_at=START, talk_ended_at=START, step="conclude")
    assert calls.go_back(draft).talk_ended_at is None
    saved = START + timedelta(minutes=2)
    assert calls.call_durations(calls.go_back(draft), saved) == (120, 120)
    assert calls.call_durations(draft, saved) == (0, 120)


def test_a_resumed_call_leaves_out_the_time_it_lay_dead() -> None:
    """The session died a minute into the call; the agent took it up again an hour later."""
    draft = calls.CallDraft(case_id=1, started_at=START, step="listen")
    last_saved = START + timedelta(seconds=60)
    resumed_at = START + timedelta(hours=1)
    draft = calls.resume_call(draft, last_saved_at=last_saved, now=resumed_at)
    assert draft.paused_seconds == 3540
    draft = calls.CallDraft.model_validate(
        {**draft.model_dump(), "talk_ended_at": resumed_at + timedelta(seconds=30)}
    )
    saved = resumed_at + timedelta(seconds=90)
    assert calls.call_durations(draft, saved) == (90, 150)


def test_a_pause_after_the_conversation_leaves_its_talk_time_whole() -> None:
    ended = START + timedelta(seconds=40)
    draft = calls.CallDraft(case_id=1, started_at=START, talk_ended_at=ended, step="conclude")
    resumed_at = START + timedelta(hours=1)
    draft = calls.resume_call(draft, last_saved_at=START + timedelta(seconds=50), now=resumed_at)
    saved = resumed_at + timedelta(seconds=20)
    assert calls.call_durations(draft, saved) == (40, 70)
    assert calls.call_durations(calls.go_back(draft), saved) == (70, 70)
