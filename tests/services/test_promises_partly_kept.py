"""Promises partly kept (issue 15): the date passes with part of the money in. With a fixed today:
paid in full before the date → kept; part paid → partly kept with the amounts; nothing → broken;
then the rest imported after the date, through the real payments import."""

import getpass
import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from factories import add_agent, add_promise, make_case, paris_noon, set_case
from relance_tui.cli import main
from relance_tui.config import Settings
from relance_tui.domain.scoring import URGENCY_REASON_KEYS, urgency_reason
from relance_tui.formatting import PARIS, money
from relance_tui.i18n import t
from relance_tui.services.casefile import HistoryKind, load_case_file, promise_money_text
from relance_tui.services.followup import check_commitments
from relance_tui.services.importing.after import settle_after_import
from relance_tui.services.importing.batch import ImportOptions
from relance_tui.services.importing.fields import ImportKind
from relance_tui.services.importing.pipeline import import_file
from relance_tui.services.reports.portfolio import promise_figures
from relance_tui.storage.db import connect, transaction

TODAY = date(2026, 12, 1)
DUE = TODAY - timedelta(days=1)
MADE = date(2026, 11, 20)
SETTINGS = Settings()
ME = getpass.getuser()


def pay(conn: sqlite3.Connection, case_id: int, day: date, cents: int) -> None:
    conn.execute(
        "INSERT INTO payments (debtor_id, received_on, amount_cents, created_at, created_by)"
        " SELECT debtor_id, ?, ?, '2026-11-20T06:00:00+00:00', 'import' FROM cases WHERE id = ?",
        (day.isoformat(), cents, case_id),
    )


def promise_on(conn: sqlite3.Connection, case_id: int, cents: int) -> int:
    promise = add_promise(conn, case_id, due=DUE, amount_cents=cents)
    conn.execute(
        "UPDATE promises SET created_at = ? WHERE id = ?", (f"{MADE}T09:00:00+00:00", promise)
    )
    return promise


def counters(conn: sqlite3.Connection, case_id: int) -> tuple[int, int, int]:
    row = conn.execute(
        "SELECT promises_kept, promises_partly_kept, promises_broken FROM debtors"
        " WHERE id = (SELECT debtor_id FROM cases WHERE id = ?)",
        (case_id,),
    ).fetchone()
    return int(row[0]), int(row[1]), int(row[2])


@pytest.fixture
def world(db_path: Path) -> tuple[sqlite3.Connection, dict[str, int]]:
    conn = connect(db_path)
    ids: dict[str, int] = {}
    with transaction(conn):
        add_agent(conn, ME, role="admin")
        agent = add_agent(conn, "agent1")
        for name in ("kept", "partly", "broken"):
            ids[name] = make_case(
                conn, TODAY, amount_cents=100_000, agent_id=agent, reference=name.upper()
            )
            set_case(
                conn, ids[name], stage="phone_reminder", last_visit_at="2026-11-20T10:00:00+00:00"
            )
        ids["p_kept"] = promise_on(conn, ids["kept"], 50_000)
        pay(conn, ids["kept"], date(2026, 11, 25), 50_000)
        ids["p_partly"] = promise_on(conn, ids["partly"], 50_000)
        pay(conn, ids["partly"], date(2026, 11, 18), 40_000)  # before the promise: not counted
        pay(conn, ids["partly"], date(2026, 11, 26), 30_000)
        ids["p_broken"] = promise_on(conn, ids["broken"], 50_000)
    return conn, ids


def test_kept_partly_kept_and_broken_on_the_day_after_the_date(
    world: tuple[sqlite3.Connection, dict[str, int]],
) -> None:
    conn, ids = world
    report = check_commitments(conn, SETTINGS, TODAY, paris_noon(TODAY))

    assert (report.promises_kept, report.promises_partly_kept, report.promises_broken) == (1, 1, 1)
    rows = {
        row["id"]: tuple(row)[1:]
        for row in conn.execute(
            "SELECT id, status, settled_on, paid_cents, late_paid_cents, rest_paid_on FROM promises"
        )
    }
    assert rows == {
        ids["p_kept"]: ("kept", "2026-11-25", 50_000, 0, None),
        ids["p_partly"]: ("partly_kept", "2026-12-01", 30_000, 0, None),
        ids["p_broken"]: ("broken", "2026-12-01", 0, 0, None),
    }
    # The debtor's counters: one of each kind, each on its own debtor.
    assert counters(conn, ids["kept"]) == (1, 0, 0)
    assert counters(conn, ids["partly"]) == (0, 1, 0)
    assert counters(conn, ids["broken"]) == (0, 0, 1)

    # Back in the queue like a broken promise, with its own reason and next action.
    cases = {
        row["id"]: (row["urgency"], row["next_action"], row["next_action_on"])
        for row in conn.execute("SELECT id, urgency, next_action, next_action_on FROM cases")
    }
    assert cases[ids["partly"]] == (1, "claim_remainder", "2026-12-01")
    assert cases[ids["broken"]] == (1, "second_reminder", "2026-12-01")
    assert t(URGENCY_REASON_KEYS[urgency_reason(1, "claim_remainder")]) == (
        "Promesse partiellement tenue"
    )
    assert t(URGENCY_REASON_KEYS[urgency_reason(1, "second_reminder")]) == "Promesse rompue"

    # The case file says what was paid and what is missing.
    case_file = load_case_file(conn, ids["partly"], now=paris_noon(TODAY), settings=SETTINGS)
    [line] = case_file.promises
    assert promise_money_text(line) == f"{money(30_000)} payés, {money(20_000)} manquants"
    assert case_file.summary.promises_partly_kept == 1
    [entry] = [e for e in case_file.history if e.kind is HistoryKind.PROMISE]
    assert entry.status.startswith("Partiellement tenue — ")

    # The supervisor's promises figures count it from its status.
    figures = promise_figures(conn, TODAY - timedelta(days=30), TODAY)[None]  # the team
    assert figures.results == {"kept_on_time": 1, "partly_kept": 1, "broken": 1}

    # Settling again changes nothing (idempotent).
    again = check_commitments(conn, SETTINGS, TODAY, paris_noon(TODAY))
    assert not again.changed


def test_the_rest_imported_after_the_date(
    world: tuple[sqlite3.Connection, dict[str, int]],
    tmp_path: Path,
    db_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    conn, ids = world
    check_commitments(conn, SETTINGS, TODAY, paris_noon(TODAY))
    later = TODAY + timedelta(days=4)

    def import_payment(day: date, euros: str, reference: str) -> None:
        path = tmp_path / f"{reference}.csv"
        path.write_text(
            "Code client;N° facture;Date de règlement;Montant;Référence\n"
            f"PARTLY;;{day:%d/%m/%Y};{euros};{reference}\n",
            encoding="utf-8",
        )
        report = import_file(conn, ImportKind.PAYMENTS, path, ImportOptions(agent=ME), today=later)
        assert report.committed, report.errors
        settle_after_import(conn, SETTINGS, paris_noon(later))

    import_payment(TODAY + timedelta(days=2), "50,00", "VIR-A")  # some of the rest
    row = conn.execute(
        "SELECT status, paid_cents, late_paid_cents, rest_paid_on FROM promises WHERE id = ?",
        (ids["p_partly"],),
    ).fetchone()
    assert tuple(row) == ("partly_kept", 30_000, 5_000, None)
    case = conn.execute("SELECT * FROM cases WHERE id = ?", (ids["partly"],)).fetchone()
    assert case["next_action"] == "claim_remainder" and case["urgency"] == 1

    import_payment(TODAY + timedelta(days=3), "150,00", "VIR-B")  # the rest, and more
    row = conn.execute(
        "SELECT status, paid_cents, late_paid_cents, rest_paid_on FROM promises WHERE id = ?",
        (ids["p_partly"],),
    ).fetchone()
    # Still partly kept (the date was missed), the rest recorded; counters not counted twice.
    assert tuple(row) == ("partly_kept", 30_000, 20_000, "2026-12-04")
    assert counters(conn, ids["partly"]) == (0, 1, 0)
    case = conn.execute("SELECT * FROM cases WHERE id = ?", (ids["partly"],)).fetchone()
    assert case["next_action"] == "" and case["urgency"] == 0
    actions = [
        r[0]
        for r in conn.execute(
            "SELECT action FROM audit_events WHERE entity = 'promise' AND entity_id = ?",
            (str(ids["p_partly"]),),
        )
    ]
    assert actions == ["promise.partly_kept", "promise.rest", "promise.rest"]
    conn.close()

    # `relance case REF` shows it.
    assert main(["--db", str(db_path), "case", "PARTLY"]) == 0
    out = capsys.readouterr().out
    assert f"Partiellement tenue — {money(30_000)} payés à la date, le reste le 04/12/2026" in out


def test_relance_import_says_a_promise_was_partly_kept(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    today = datetime.now(UTC).astimezone(PARIS).date()
    conn = connect(db_path)
    with transaction(conn):
        add_agent(conn, ME, role="admin")
        case_id = make_case(conn, today, amount_cents=100_000, reference="C1")
        promise = add_promise(conn, case_id, due=today - timedelta(days=1), amount_cents=50_000)
        conn.execute(
            "UPDATE promises SET created_at = ? WHERE id = ?",
            (f"{today - timedelta(days=10)}T09:00:00+00:00", promise),
        )
    conn.close()
    payments = tmp_path / "reglements.csv"
    payments.write_text(
        "Code client;N° facture;Date de règlement;Montant;Référence\n"
        f"C1;;{today - timedelta(days=5):%d/%m/%Y};200,00;VIR-1\n",
        encoding="utf-8",
    )
    assert main(["--db", str(db_path), "import", "payments", str(payments)]) == 0
    assert "Promesses partiellement tenues 1 ; reste reçu sur 0." in capsys.readouterr().out
