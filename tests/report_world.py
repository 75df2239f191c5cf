"""A small hand-built world for the supervisor's figures; every figure is worked out by hand in
EXPECTED (and the comments beside the rows say where each comes from).

Tuesday 24/11/2026, 18:00 in Paris (17:00 UTC); November in Paris is UTC+1.
Agents: alice, bruno, chloe (nothing done), sophie (supervisor).
Cases (overdue excludes disputed invoices, like the queue):
  Alpha SARL   (alice) ALPHA-1 1 000,00 € due 10/10 (45 days: 31–60), ALPHA-2 500,00 € due 10/12
  Bêta SA      (alice) BETA-1 2 000,00 € issued 01/07, 1 400,00 € left, due 01/08 (115: >90),
                       in dispute since 25/10
  Gamma & Fils (bruno) GAMMA-1 800,00 € due 14/11 (10: 0–30), GAMMA-2 1 200,00 € due 10/09
                       (75: 61–90), in dispute since today
  Delta        (bruno) DELTA-1 300,00 € due 01/11 (23: 0–30), DELTA-2 400,00 € paid 23/11
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from relance_tui.storage.cases import sync_cases
from relance_tui.storage.db import transaction

PARIS = ZoneInfo("Europe/Paris")
TODAY = date(2026, 11, 24)
NOW = datetime(2026, 11, 24, 18, 0, tzinfo=PARIS).astimezone(UTC)
YESTERDAY = date(2026, 11, 23)
STAMP = "2026-01-01T00:00:00+00:00"


def at(day: date, hour: int, minute: int = 0) -> str:
    """A Paris time on `day`, stored as UTC."""
    moment = datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS)
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _insert(conn: sqlite3.Connection, table: str, **values: object) -> int:
    columns = ", ".join(values)
    marks = ", ".join("?" for _ in values)
    cursor = conn.execute(
        f"INSERT INTO {table} ({columns}) VALUES ({marks})", tuple(values.values())
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def build(conn: sqlite3.Connection) -> dict[str, int]:
    """Write the world; returns the ids by name (agents, cases)."""
    ids: dict[str, int] = {}
    with transaction(conn):
        for login, name, role in (
            ("alice", "Alice Martin", "agent"),
            ("bruno", "Bruno Petit", "agent"),
            ("chloe", "Chloé Roux", "agent"),
            ("sophie", "Sophie Chef", "supervisor"),
        ):
            ids[login] = _insert(
                conn, "agents", login=login, display_name=name, role=role, created_at=STAMP
            )
        debtors = {}
        for key, reference, name in (
            ("alpha", "C000101", "Alpha SARL"),
            ("beta", "C000102", "Bêta SA"),
            ("gamma", "C000103", "Gamma & Fils"),
            ("delta", "C000104", "Delta Transports"),
        ):
            debtors[key] = _insert(
                conn, "debtors", reference=reference, legal_name=name, segment="sme",
                created_at=STAMP, updated_at=STAMP,
            )  # fmt: skip
        invoices = {}
        for number, debtor, issued, due, amount, left, status, disputed in (
            ("ALPHA-1", "alpha", "2026-09-10", "2026-10-10", 100_000, 100_000, "open", 0),
            ("ALPHA-2", "alpha", "2026-11-10", "2026-12-10", 50_000, 50_000, "open", 0),
            ("BETA-1", "beta", "2026-07-01", "2026-08-01", 200_000, 140_000, "partially_paid", 1),
            ("GAMMA-1", "gamma", "2026-10-15", "2026-11-14", 80_000, 80_000, "open", 0),
            ("GAMMA-2", "gamma", "2026-08-11", "2026-09-10", 120_000, 120_000, "open", 1),
            ("DELTA-1", "delta", "2026-10-01", "2026-11-01", 30_000, 30_000, "open", 0),
            ("DELTA-2", "delta", "2026-10-05", "2026-11-04", 40_000, 0, "paid", 0),
        ):
            invoices[number] = _insert(
                conn, "invoices", number=number, debtor_id=debtors[debtor], issue_date=issued,
                due_date=due, amount_cents=amount, outstanding_cents=left, status=status,
                in_dispute=disputed,
            )  # fmt: skip
        sync_cases(conn, TODAY)
        for key, debtor_id in debtors.items():
            ids[key] = conn.execute(
                "SELECT id FROM cases WHERE debtor_id = ?", (debtor_id,)
            ).fetchone()[0]
        alice, bruno = ids["alice"], ids["bruno"]
        for key, agent in (("alpha", alice), ("beta", alice), ("gamma", bruno), ("delta", bruno)):
            conn.execute("UPDATE cases SET assigned_agent_id = ? WHERE id = ?", (agent, ids[key]))

        # Payments: (debtor, received, amount, applied to invoices)
        for debtor, received, amount, applied in (
            ("beta", "2026-11-20", 50_000, 50_000),
            ("delta", "2026-11-23", 40_000, 40_000),
            ("alpha", "2026-11-24", 20_000, 0),  # on account, not applied yet
            ("gamma", "2026-10-28", 10_000, 10_000),
        ):
            _insert(
                conn, "payments", debtor_id=debtors[debtor], received_on=received,
                amount_cents=amount, allocated_cents=applied, created_at=STAMP, created_by="import",
            )  # fmt: skip

        def call(case: str, agent: int, when: str, outcome: str, talk: int | None = None,
                 handling: int | None = None, channel: str = "call") -> int:  # fmt: skip
            return _insert(
                conn, "interactions", case_id=ids[case], agent_id=agent, channel=channel,
                occurred_at=when, outcome=outcome if channel == "call" else None,
                notes=f"{channel} {outcome}", talk_seconds=talk, handling_seconds=handling,
                started_at=when if talk is not None else None,
            )  # fmt: skip

        # Today, alice: 3 calls (2 reached), an e-mail, a letter; a promise and a plan.
        ids["alice_promise_call"] = call("alpha", alice, at(TODAY, 9, 5), "right_party", 240, 300)
        call("beta", alice, at(TODAY, 9, 30), "voicemail", 30, 45)
        call("beta", alice, at(TODAY, 10, 15), "", channel="email")
        call("alpha", alice, at(TODAY, 14, 0), "", channel="letter")
        plan_call = call("beta", alice, at(TODAY, 16, 40), "right_party", 420, 540)
        # Today, bruno: 4 calls; the first at 00:30 in Paris, still the 23rd in UTC.
        call("gamma", bruno, at(TODAY, 0, 30), "refused", 60, 90)
        call("gamma", bruno, at(TODAY, 10, 0), "right_party", 600, 660)
        call("delta", bruno, at(TODAY, 10, 20), "no_answer", 20, 30)
        call("delta", bruno, at(TODAY, 11, 0), "wrong_number")  # saved before timings existed
        # Yesterday
        call("alpha", alice, at(YESTERDAY, 15, 0), "wrong_person")
        kept_call = call("delta", bruno, at(YESTERDAY, 9, 0), "right_party", 300, 360)

        # Promises: (case, by, amount, due, made on, status, settled on, kind)
        links = {TODAY.isoformat(): ids["alice_promise_call"], YESTERDAY.isoformat(): kept_call}
        for case, agent, amount, due, made, status, settled, kind in (
            ("alpha", alice, 60_000, "2026-11-30", "2026-11-24", "pending", None, "promise"),
            ("delta", bruno, 40_000, "2026-11-23", "2026-11-23", "kept", "2026-11-23", "promise"),
            ("beta", alice, 50_000, "2026-11-15", "2026-11-05", "kept", "2026-11-20", "promise"),
            (
                "gamma",
                bruno,
                30_000,
                "2026-11-01",
                "2026-10-20",
                "partly_kept",
                "2026-11-02",
                "promise",
            ),
            ("alpha", alice, 25_000, "2026-11-10", "2026-11-01", "broken", "2026-11-11", "promise"),
            ("gamma", bruno, 15_000, "2026-10-20", "2026-10-01", "broken", "2026-10-21", "promise"),
            ("delta", bruno, 40_000, "2026-11-20", "2026-11-18", "kept", "2026-11-20", "claimed"),
        ):
            _insert(
                conn, "promises", case_id=ids[case], amount_cents=amount, due_date=due,
                status=status, settled_on=settled,
                kind="payment_claimed" if kind == "claimed" else kind,
                created_at=at(date.fromisoformat(made), 12), created_by=agent,
                interaction_id=links.get(made),
            )  # fmt: skip
        plan = _insert(
            conn, "payment_plans", case_id=ids["beta"], frequency="monthly", total_cents=60_000,
            interaction_id=plan_call, created_at=at(TODAY, 16, 45), created_by=alice,
        )  # fmt: skip
        for n, due in enumerate(("2026-12-15", "2027-01-15", "2027-02-15"), start=1):
            _insert(
                conn, "plan_installments", plan_id=plan, sequence=n, due_date=due,
                amount_cents=20_000,
            )  # fmt: skip

        # Disputes: Beta's for 30 days (alice), Gamma's from today (bruno), Delta's resolved.
        for case, agent, opened, status, invoice in (
            ("beta", alice, "2026-10-25", "open", "BETA-1"),
            ("gamma", bruno, "2026-11-24", "open", "GAMMA-2"),
            ("delta", bruno, "2026-09-01", "resolved", "DELTA-2"),
        ):
            dispute = _insert(
                conn, "disputes", case_id=ids[case], reason="écart", owner="compta",
                opened_on=opened, opened_by=agent, status=status,
            )  # fmt: skip
            _insert(conn, "dispute_invoices", dispute_id=dispute, invoice_id=invoices[invoice])

        # Callbacks alice scheduled: two yesterday for today (one done, one missed), one today.
        for due, status, made, done in (
            (at(TODAY, 11), "done", at(YESTERDAY, 15, 5), at(TODAY, 11, 2)),
            (at(TODAY, 15), "pending", at(YESTERDAY, 15, 6), None),
            (at(date(2026, 11, 25), 10), "pending", at(TODAY, 9, 31), None),
        ):
            _insert(
                conn, "callbacks", case_id=ids["beta"], due_at=due, status=status,
                created_at=made, created_by=alice, done_at=done,
            )  # fmt: skip

        # Now: alice holds Bêta since 17:50 and is on a call since 17:55; bruno and chloe idle.
        conn.execute(
            "UPDATE cases SET claimed_by = ?, claimed_at = ?, claim_expires_at = ? WHERE id = ?",
            (alice, at(TODAY, 17, 50), at(TODAY, 18, 20), ids["beta"]),
        )
        conn.execute(
            "INSERT INTO call_drafts (case_id, agent_id, data, updated_at) VALUES (?, ?, ?, ?)",
            (ids["beta"], alice, json.dumps({"started_at": at(TODAY, 17, 55)}), at(TODAY, 17, 58)),
        )
    return ids


# Every figure, worked out by hand from the rows above.
EXPECTED = {
    "day": {  # 24/11
        "alice": dict(
            calls=3, right_party=2, voicemail=1, emails=1, letters=1, promises=1,
            promised_cents=60_000, plans=1, plan_cents=60_000, disputes=0, callbacks_set=1,
            callbacks_done=1, callbacks_missed=1, cases_touched=2, collected_cents=20_000,
            first_at="2026-11-24T08:05:00+00:00", last_at="2026-11-24T15:40:00+00:00",
            timed_calls=3, talk_seconds=690, handling_seconds=885,
        ),
        "bruno": dict(
            calls=4, right_party=1, refused=1, no_answer=1, wrong_number=1, emails=0, letters=0,
            promises=0, promised_cents=0, plans=0, plan_cents=0, disputes=1, callbacks_set=0,
            callbacks_done=0, callbacks_missed=0, cases_touched=2, collected_cents=0,
            first_at="2026-11-23T23:30:00+00:00", last_at="2026-11-24T10:00:00+00:00",
            timed_calls=3, talk_seconds=680, handling_seconds=780,
        ),
        "chloe": dict(calls=0, cases_touched=0, collected_cents=0, first_at=None),
    },
    "period": {  # 23/11–24/11
        "alice": dict(calls=4, right_party=2, wrong_person=1, promises=1, callbacks_set=3,
                      cases_touched=2, collected_cents=20_000,
                      first_at="2026-11-23T14:00:00+00:00"),
        "bruno": dict(calls=5, right_party=2, promises=1, promised_cents=40_000, disputes=1,
                      cases_touched=2, collected_cents=40_000, talk_seconds=980),
    },
    "buckets": {"not_due": 50_000, "late_0_30": 110_000, "late_31_60": 100_000,
                "late_61_90": 120_000, "late_90": 140_000},
    "receivables_cents": 520_000,
    # countback: Nov 50k (24 d), Oct 150k (31), Sep 100k (30), Aug 120k (31): 116 days and
    # 110k left... of 520k: 520-50-150-100-120 = 100k left of July's 200k: 31 × 0.5 = 15.5
    "dso_days": 131.5,
    # applied in November 90k; start = 520k − 50k invoiced + 90k = 560k;
    # 90k / (560k + 50k − 50k not due) = 16.07 %
    "cei": 16.1,
    "month_collected_cents": 110_000,
    "promises": {"kept_on_time": 1, "kept_late": 1, "partly_kept": 1, "broken": 1},
    "kept_rate": 50.0,
    "promised_cents": 145_000,
    "promise_collected_cents": 100_000,
    "disputed_cents": 260_000,
    "disputes_open": 2,
    "dispute_oldest_days": 30,
    "dispute_average_days": 15,
    "top": ["C000101", "C000103", "C000104"],  # 1 000, 800, 300 (Bêta: all in dispute)
    "trend_calls_last_two": (2, 7),
    "trend_collected": {"2026-10-28": 10_000, "2026-11-20": 50_000, "2026-11-23": 40_000,
                        "2026-11-24": 20_000},
    "overdue_today": 470_000,
    "now": {  # 18:00: open cases, late callbacks, held case and minutes, call minutes, idle
        "alice": (2, 1, "C000102", 10, 5, False),
        "bruno": (2, 0, "", None, None, True),
        "chloe": (0, 0, "", None, None, True),
    },
}  # fmt: skip
