import json
import sqlite3
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from factories import (
    add_agent,
    add_callback,
    add_contact,
    add_invoice,
    add_plan,
    add_promise,
    assign,
    bulk_cases,
    make_case,
    paris_noon,
    set_case,
)
from relance_tui.config import ScoringSettings, ScoringWeights, Settings
from relance_tui.services import queue, ranking
from relance_tui.services.queue import QueueFilters
from relance_tui.storage import queue as store
from relance_tui.storage.db import connect, get_meta, transaction

TODAY = date(2026, 11, 24)
NOW = paris_noon(TODAY)
SETTINGS = Settings()


@pytest.fixture
def conn(db_path: Path) -> Iterator[sqlite3.Connection]:
    connection = connect(db_path)
    yield connection
    connection.close()


def ids(rows: list[queue.QueueRow]) -> list[int]:
    return [row.id for row in rows]


def all_rows(conn: sqlite3.Connection, filters: QueueFilters | None = None) -> list[int]:
    query = queue.build_query(conn, filters or QueueFilters())
    return ids(queue.page_after(conn, query, None, 10_000))


def test_time_bound_items_come_first_then_the_score(conn: sqlite3.Connection) -> None:
    with transaction(conn):
        rich = make_case(conn, TODAY, amount_cents=5_000_000, days_late=300, payer_type="bad")
        small = make_case(conn, TODAY, amount_cents=10_000, days_late=5, payer_type="good")
        medium = make_case(conn, TODAY, amount_cents=200_000, days_late=60)
        broken = make_case(conn, TODAY, amount_cents=10_000, days_late=5)
        promise_today = make_case(conn, TODAY, amount_cents=10_000, days_late=5)
        callback = make_case(conn, TODAY, amount_cents=10_000, days_late=5)
        plan_today = make_case(conn, TODAY, amount_cents=10_000, days_late=4)
        add_promise(
            conn,
            broken,
            due=TODAY - timedelta(days=3),
            status="broken",
            settled_on=TODAY - timedelta(days=2),
        )
        add_promise(conn, promise_today, due=TODAY)
        add_plan(
            conn,
            plan_today,
            [(TODAY - timedelta(days=30), 5000, "paid"), (TODAY, 5000, "pending")],
        )
        add_callback(conn, callback, due_at=NOW - timedelta(minutes=5))
        # A callback later today is not due yet.
        add_callback(conn, medium, due_at=NOW + timedelta(hours=2))
    assert ranking.refresh_scores(conn, SETTINGS, NOW) == 7
    order = all_rows(conn)
    assert order[0] == callback
    assert set(order[1:3]) == {promise_today, plan_today}
    assert order[3] == broken
    assert order[4:] == [rich, medium, small]
    urgencies = [queue.case_row(conn, case).urgency for case in order]  # type: ignore[union-attr]
    assert urgencies == [3, 2, 2, 1, 0, 0, 0]


def test_broken_promise_is_urgent_until_the_case_is_opened(conn: sqlite3.Connection) -> None:
    with transaction(conn):
        case = make_case(conn, TODAY)
        # A pending promise whose date has passed counts as broken from the day after.
        add_promise(conn, case, due=TODAY - timedelta(days=2))
    ranking.refresh_scores(conn, SETTINGS, NOW)
    assert queue.case_row(conn, case).urgency == 1  # type: ignore[union-attr]
    with transaction(conn):
        set_case(conn, case, last_visit_at=NOW.isoformat())
    ranking.refresh_scores(conn, SETTINGS, NOW, [case])
    assert queue.case_row(conn, case).urgency == 0  # type: ignore[union-attr]


def test_missed_installment_is_urgent(conn: sqlite3.Connection) -> None:
    with transaction(conn):
        case = make_case(conn, TODAY)
        add_plan(
            conn,
            case,
            [
                (TODAY - timedelta(days=10), 5000, "missed"),
                (TODAY + timedelta(days=20), 5000, "pending"),
            ],
        )
    ranking.refresh_scores(conn, SETTINGS, NOW)
    assert queue.case_row(conn, case).urgency == 1  # type: ignore[union-attr]


def test_score_parts_are_stored_as_shares(conn: sqlite3.Connection) -> None:
    with transaction(conn):
        case = make_case(conn, TODAY, amount_cents=1_000_000, days_late=90, payer_type="bad")
    ranking.refresh_scores(conn, SETTINGS, NOW, [case])
    row = queue.case_row(conn, case)
    assert row is not None
    parts = json.loads(row.score_parts)
    assert sum(parts.values()) == pytest.approx(1.0, abs=0.01)
    assert parts["amount"] > parts["stage"]
    assert 0 < row.priority <= 100
    scored_on = conn.execute("SELECT scored_on FROM cases WHERE id = ?", (case,)).fetchone()[0]
    assert scored_on == TODAY.isoformat()


def test_disputed_money_does_not_count(conn: sqlite3.Connection) -> None:
    with transaction(conn):
        plain = make_case(conn, TODAY, amount_cents=100_000, name="Sans litige")
        disputed = make_case(conn, TODAY, amount_cents=100_000, name="Avec litige")
        debtor = conn.execute("SELECT debtor_id FROM cases WHERE id = ?", (disputed,)).fetchone()[0]
        add_invoice(
            conn, debtor, due=TODAY - timedelta(days=30), amount_cents=9_000_000, in_dispute=True
        )
        from relance_tui.storage.cases import sync_cases

        sync_cases(conn, TODAY, [debtor])
    ranking.refresh_scores(conn, SETTINGS, NOW)
    a, b = queue.case_row(conn, plain), queue.case_row(conn, disputed)
    assert a is not None and b is not None
    assert b.overdue_cents == 100_000 and b.disputed_cents == 9_000_000
    assert a.priority == pytest.approx(b.priority)


def test_refresh_queue_reranks_once_a_day_and_when_weights_change(
    conn: sqlite3.Connection,
) -> None:
    with transaction(conn):
        bulk_cases(conn, 50, TODAY)
    first = queue.refresh_queue(conn, SETTINGS, NOW)
    assert first.full and first.rescored == 50
    assert get_meta(conn, ranking.META_SCORED_DAY) == TODAY.isoformat()
    again = queue.refresh_queue(conn, SETTINGS, NOW + timedelta(hours=1))
    assert not again.full and again.rescored == 0
    # A case changed by an import (sync_cases marks it stale) is re-scored alone.
    with transaction(conn):
        conn.execute("UPDATE cases SET scored_on = NULL WHERE id = 1")
    assert queue.refresh_queue(conn, SETTINGS, NOW) == queue.RefreshOutcome(False, 1)
    # New weights: everything again.
    heavier = Settings(scoring=ScoringSettings(weights=ScoringWeights(age=90)))
    assert queue.refresh_queue(conn, heavier, NOW).full
    # Next day: everything again.
    assert queue.refresh_queue(conn, heavier, NOW + timedelta(days=1)).full


def test_changing_weights_reranks(conn: sqlite3.Connection) -> None:
    with transaction(conn):
        rich_recent = make_case(conn, TODAY, amount_cents=9_000_000, days_late=2)
        poor_old = make_case(conn, TODAY, amount_cents=5_000, days_late=700)
    amount_first = Settings(scoring=ScoringSettings(weights=ScoringWeights(amount=100, age=1)))
    age_first = Settings(scoring=ScoringSettings(weights=ScoringWeights(amount=1, age=100)))
    queue.refresh_queue(conn, amount_first, NOW)
    assert all_rows(conn) == [rich_recent, poor_old]
    queue.refresh_queue(conn, age_first, NOW)
    assert all_rows(conn) == [poor_old, rich_recent]


def test_callback_coming_due_is_picked_up_by_the_minute_refresh(conn: sqlite3.Connection) -> None:
    with transaction(conn):
        case = make_case(conn, TODAY)
        add_callback(conn, case, due_at=NOW + timedelta(minutes=30))
    queue.refresh_queue(conn, SETTINGS, NOW)
    assert queue.case_row(conn, case).urgency == 0  # type: ignore[union-attr]
    outcome = queue.refresh_queue(conn, SETTINGS, NOW + timedelta(minutes=31))
    assert outcome == queue.RefreshOutcome(False, 1)
    assert queue.case_row(conn, case).urgency == 3  # type: ignore[union-attr]


def test_refresh_inside_a_callers_transaction(conn: sqlite3.Connection) -> None:
    with transaction(conn):
        case = make_case(conn, TODAY)
        assert ranking.refresh_scores(conn, SETTINGS, NOW, [case]) == 1
    assert ranking.refresh_scores(conn, SETTINGS, NOW, []) == 0


def test_closed_case_scores_zero(conn: sqlite3.Connection) -> None:
    with transaction(conn):
        case = make_case(conn, TODAY)
    ranking.refresh_scores(conn, SETTINGS, NOW)
    with transaction(conn):
        conn.execute(
            "UPDATE cases SET status = 'closed', urgency = 1, priority = 5 WHERE id = ?", (case,)
        )
    ranking.refresh_scores(conn, SETTINGS, NOW, [case])
    row = queue.case_row(conn, case)
    assert row is not None and row.urgency == 0 and row.priority == 0
    assert all_rows(conn) == []


def test_filters(conn: sqlite3.Connection) -> None:
    with transaction(conn):
        alice = add_agent(conn, "alice")
        bob = add_agent(conn, "bob")
        a1 = make_case(conn, TODAY, agent_id=alice, segment="sme", amount_cents=50_000)
        a2 = make_case(conn, TODAY, agent_id=alice, segment="public_body", amount_cents=900_000)
        b1 = make_case(conn, TODAY, agent_id=bob, segment="sme", amount_cents=300_000)
        set_case(conn, a2, stage="formal_notice")
    ranking.refresh_scores(conn, SETTINGS, NOW)
    assert set(all_rows(conn)) == {a1, a2, b1}
    assert set(all_rows(conn, QueueFilters(agent_id=alice))) == {a1, a2}
    assert all_rows(conn, QueueFilters(agent_id=bob)) == [b1]
    assert set(all_rows(conn, QueueFilters(segment="sme"))) == {a1, b1}
    assert all_rows(conn, QueueFilters(stage="formal_notice")) == [a2]
    assert set(all_rows(conn, QueueFilters(min_overdue_cents=200_000))) == {a2, b1}
    assert all_rows(conn, QueueFilters(agent_id=alice, segment="sme")) == [a1]
    query = queue.build_query(conn, QueueFilters(agent_id=alice))
    assert queue.count_queue(conn, query) == queue.QueueCounts(2, 0)


def test_search_by_each_key(conn: sqlite3.Connection) -> None:
    with transaction(conn):
        target = make_case(
            conn,
            TODAY,
            name="Société Générale des Eaux",
            reference="CLI-042",
            siren="552100554",
            invoice_number="FAC-2026-0042",
        )
        other = make_case(conn, TODAY, name="Boulangerie Martin", reference="CLI-043")
        debtor = conn.execute("SELECT debtor_id FROM cases WHERE id = ?", (target,)).fetchone()[0]
        add_contact(conn, debtor, phones=["06 12 34 56 78"])
        reunion = make_case(conn, TODAY, name="Pêcherie de Saint-Pierre")
        debtor2 = conn.execute("SELECT debtor_id FROM cases WHERE id = ?", (reunion,)).fetchone()[0]
        add_contact(conn, debtor2, phones=["0692 12 34 56"])
    ranking.refresh_scores(conn, SETTINGS, NOW)

    def search(text: str) -> list[int]:
        return all_rows(conn, QueueFilters(search=text))

    assert search("générale") == [target]
    assert search("GENERALE des") == [target]  # accents and case do not matter
    assert search("eaux") == [target]
    assert search("pecherie") == [reunion]
    assert search("CLI-042") == [target]
    assert search("cli-042") == [target]
    assert search("FAC-2026-0042") == [target]
    assert search("fac-2026-00") == [target]  # invoice number prefix
    assert search("552100554") == [target]
    assert search("552 100 554") == [target]
    assert search("55210055400013") == [target]  # SIRET → SIREN
    for phone in ("0612345678", "06 12 34 56 78", "06.12.34.56.78", "+33 6 12 34 56 78",
                  "0033612345678"):  # fmt: skip
        assert search(phone) == [target], phone
    assert search("+262 692 12 34 56") == [reunion]
    assert search("0692123456") == [reunion]
    assert search("martin") == [other]
    assert search("nobody at all") == []
    assert search("100%") == []  # LIKE wildcards are escaped
    assert queue.find_cases(conn, "martin") and queue.find_cases(conn, "martin")[0].id == other
    assert queue.find_cases(conn, "  ") == []


def test_broad_name_search_filters_inside_the_page_query(
    conn: sqlite3.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(queue, "SEARCH_CAP", 10)
    with transaction(conn):
        bulk_cases(conn, 30, TODAY, name_prefix="Transports")
        bulk_cases(conn, 5, TODAY, name_prefix="Boulangerie")
    ranking.refresh_scores(conn, SETTINGS, NOW)
    query = queue.build_query(conn, QueueFilters(search="transports"))
    assert query.name_pattern is not None
    assert queue.count_queue(conn, query).total == 30
    assert len(queue.page_after(conn, query, None, 100)) == 30
    with transaction(conn):  # the count starts from the matching debtors: closed cases left out
        conn.execute(
            "UPDATE cases SET status = 'closed' WHERE debtor_id ="
            " (SELECT min(id) FROM debtors WHERE legal_name LIKE 'Transports%')"
        )
    assert queue.count_queue(conn, query).total == 29
    assert len(queue.page_after(conn, query, None, 100)) == 29


def test_paging_to_the_end_of_a_long_queue(conn: sqlite3.Connection) -> None:
    with transaction(conn):
        agent = add_agent(conn, "alice")
        bulk_cases(conn, 3000, TODAY, agent_id=agent)
    ranking.refresh_scores(conn, SETTINGS, NOW)
    query = queue.build_query(conn, QueueFilters(agent_id=agent))
    assert queue.count_queue(conn, query).total == 3000
    everything = queue.page_after(conn, query, None, 5000)
    keys = [row.key for row in everything]
    assert keys == sorted(keys, reverse=True)
    # Forward, page by page.
    forward: list[queue.QueueRow] = []
    after = None
    while page := queue.page_after(conn, query, after, 128):
        forward.extend(page)
        after = page[-1].key
    assert ids(forward) == ids(everything)
    # From the end, backwards, without OFFSET.
    tail = queue.page_before(conn, query, None, 100)
    assert ids(tail) == ids(everything[-100:])
    backward: list[queue.QueueRow] = []
    before = None
    while page := queue.page_before(conn, query, before, 128):
        backward = page + backward
        before = page[0].key
    assert ids(backward) == ids(everything)


def test_pages_use_the_queue_indexes(conn: sqlite3.Connection) -> None:
    for query, index in (
        (store.QueueQuery(), "cases_queue"),
        (store.QueueQuery(agent_id=1), "cases_agent_queue"),
        (store.QueueQuery(segment="sme", min_overdue_cents=100), "cases_queue"),
    ):
        for forward in (True, False):
            plan = store.page_plan(conn, query, forward=forward)
            assert f"USING INDEX {index}" in plan, plan
            assert "TEMP B-TREE" not in plan, plan


def test_empty_queue(conn: sqlite3.Connection) -> None:
    assert ranking.refresh_scores(conn, SETTINGS, NOW) == 0
    query = queue.build_query(conn, QueueFilters())
    assert queue.page_after(conn, query) == []
    assert queue.page_before(conn, query) == []
    assert queue.count_queue(conn, query) == queue.QueueCounts(0, 0)
    # The full refresh above recorded the day: nothing more to do today.
    assert queue.refresh_queue(conn, SETTINGS, NOW) == queue.RefreshOutcome(False, 0)


def test_unknown_agent(conn: sqlite3.Connection) -> None:
    with pytest.raises(queue.UnknownAgentError):
        queue.resolve_agent(conn, "nobody")
    with transaction(conn):
        add_agent(conn, "alice")
    assert queue.resolve_agent(conn, "alice").login == "alice"


def test_assign_helper_roundtrip(conn: sqlite3.Connection) -> None:
    with transaction(conn):
        agent = add_agent(conn, "carol")
        case = make_case(conn, TODAY)
        assign(conn, case, agent)
    row = queue.case_row(conn, case)
    assert row is not None and row.agent_login == "carol"


def test_start_of_day_refresh_breaks_unpaid_promises_first(conn: sqlite3.Connection) -> None:
    with transaction(conn):
        case_id = make_case(conn, TODAY, days_late=40)
        promise = add_promise(conn, case_id, due=TODAY - timedelta(days=2))
    queue.refresh_queue(conn, SETTINGS, NOW)
    assert conn.execute("SELECT status FROM promises WHERE id = ?", (promise,)).fetchone()[0] == (
        "broken"
    )
    assert conn.execute("SELECT urgency FROM cases WHERE id = ?", (case_id,)).fetchone()[0] == 1
    assert get_meta(conn, "followup.last_day") == TODAY.isoformat()
