"""`relance report`: the hand-built world's figures (tests/report_world.py) as JSON, CSV, text."""

import contextlib
import getpass
import io
import json
import sqlite3
from pathlib import Path

import pytest

import report_world as world
from relance_tui.cli import main
from relance_tui.storage.db import connect, transaction

E = world.EXPECTED
DAY = "2026-11-24"
# The JSON's names for the figures of report_world.EXPECTED, and how money is written.
JSON_NAMES = {"promised_cents": "promised", "plan_cents": "planned", "cases_touched": "cases",
              "collected_cents": "collected", "first_at": "first", "last_at": "last",
              "talk_seconds": "talk", "handling_seconds": "handling"}  # fmt: skip


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("report") / "relance.db"
    conn = connect(path)
    world.build(conn)
    with transaction(conn):
        conn.execute(
            "INSERT INTO agents (login, display_name, role, created_at)"
            " VALUES (?, 'Moi', 'supervisor', '2026-01-01')",
            (getpass.getuser(),),
        )
        # A debtor name a spreadsheet would run as a formula.
        conn.execute("UPDATE debtors SET legal_name = '=1+2' WHERE reference = 'C000104'")
    return path


def run(capsys: pytest.CaptureFixture[str], db: Path, *argv: str) -> tuple[int, str, str]:
    code = main(["--db", str(db), *argv])
    out, err = capsys.readouterr()
    return code, out, err


def json_figure(name: str, value: object) -> object:
    if name.endswith("_cents"):
        return f"{int(value) // 100}.{int(value) % 100:02d}"  # type: ignore[call-overload]
    return value


@pytest.fixture(scope="module")
def daily(db: Path) -> dict[str, dict[str, object]]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["--db", str(db), "report", "daily", "--date", DAY, "--format", "json"]) == 0
    data = json.loads(out.getvalue())
    assert (data["from"], data["to"]) == (DAY, DAY)
    return {line["agent"]: line for line in data["agents"]}


@pytest.mark.parametrize(
    ("login", "name", "value"),
    [
        (login, name, value)
        for login, figures in E["day"].items()
        for name, value in figures.items()
        if name != "timed_calls"  # not a column: the talk and handling times' divisor
    ],
)
def test_daily_json_per_figure(
    daily: dict[str, dict[str, object]], login: str, name: str, value: object
) -> None:
    assert daily[login][JSON_NAMES.get(name, name)] == json_figure(name, value)


def test_daily_for_a_period_and_one_agent(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, db, "report", "daily", "--from", "23/11/2026", "--to", DAY, "--agent", "bruno",
        "--format", "json",
    )  # fmt: skip
    data = json.loads(out)
    assert code == 0 and [line["agent"] for line in data["agents"]] == ["bruno"]
    for name, value in E["period"]["bruno"].items():
        assert data["agents"][0][JSON_NAMES.get(name, name)] == json_figure(name, value)


def test_daily_table_reads_down_the_figures(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, db, "report", "daily", "--date", DAY)
    lines = out.splitlines()
    assert code == 0 and lines[0] == "Activité par agent — 24/11/2026"
    assert lines[1].split() == ["alice", "bruno", "chloe", "Total"]
    assert lines[2].split() == ["Appels", "3", "4", "0", "7"]
    collected = next(line for line in lines if line.startswith("Encaissé"))
    assert collected.split("  ")[0] == "Encaissé" and "200,00\u00a0€" in collected


def test_portfolio_csv_opens_in_french_excel(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, db, "report", "portfolio", "--date", DAY, "--format", "csv")
    assert code == 0 and out.startswith("\ufeffIndicateur;Valeur\n")
    rows = [line.split(";") for line in out[1:].splitlines()]
    figures = {row[0]: row[1] for row in rows if len(row) == 2}
    assert figures["Retard 0–30 j"] == "1 100,00"
    assert figures["Encours total"] == "5 200,00"
    assert figures["DSO (jours, countback)"] == "131,5"
    assert figures["CEI du mois"] == "16,1"
    top = [row for row in rows if len(row) == 5]
    assert top[1] == ["C000101", "Alpha SARL", "1 000,00", "10/10/2026", "alice"]
    assert top[3][1] == "'=1+2"  # shown as text, never run


def test_portfolio_json(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, db, "report", "portfolio", "--date", DAY, "--format", "json")
    assert code == 0
    figures, top = json.loads(out)
    assert figures["late_90"] == "1400.00" and figures["dso"] == 131.5 and figures["cei"] == 16.1
    assert figures["kept_rate"] == 50.0 and figures["disputes_open"] == 2
    assert [d["reference"] for d in top] == E["top"]


def test_promises_report(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, db, "report", "promises", "--date", DAY, "--format", "json")
    assert code == 0
    lines = {line["agent"]: line for line in json.loads(out)}
    assert lines["Total"]["kept_on_time"] == 1 and lines["Total"]["partly_kept"] == 1
    assert (
        lines["alice"]["promised"] == "750.00" and lines["bruno"]["promise_collected"] == "500.00"
    )


def test_agents_are_refused_and_bad_periods_are_usage_errors(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    conn = sqlite3.connect(db)
    conn.execute("UPDATE agents SET role = 'agent' WHERE login = ?", (getpass.getuser(),))
    conn.commit()
    try:
        code, _, err = run(capsys, db, "report", "daily")
        assert code == 1 and "superviseurs" in err
    finally:
        conn.execute("UPDATE agents SET role = 'supervisor' WHERE login = ?", (getpass.getuser(),))
        conn.commit()
    code, _, err = run(capsys, db, "report", "daily", "--date", DAY, "--from", DAY)
    assert code == 2
    code, _, err = run(capsys, db, "report", "daily", "--from", DAY, "--to", "2026-11-01")
    assert code == 2
    assert main(["--db", str(db), "report", "daily", "--date", "hier"]) == 2


# The portfolio JSON's names for the figures of report_world.EXPECTED (money in euros).
PORTFOLIO_FIGURES = {
    **{bucket: json_figure("_cents", cents) for bucket, cents in E["buckets"].items()},
    "receivables": json_figure("_cents", E["receivables_cents"]),
    "overdue": json_figure("_cents", E["overdue_today"]),
    "dso": E["dso_days"],
    "cei": E["cei"],
    "month_collected": json_figure("_cents", E["month_collected_cents"]),
    "kept_rate": E["kept_rate"],
    "promised": json_figure("_cents", E["promised_cents"]),
    "promise_collected": json_figure("_cents", E["promise_collected_cents"]),
    "disputed": json_figure("_cents", E["disputed_cents"]),
    "disputes_open": E["disputes_open"],
    "dispute_oldest": E["dispute_oldest_days"],
    "dispute_average": E["dispute_average_days"],
}


@pytest.fixture(scope="module")
def portfolio_json(db: Path) -> dict[str, object]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        argv = ["--db", str(db), "report", "portfolio", "--date", DAY, "--format", "json"]
        assert main(argv) == 0
    figures, _top = json.loads(out.getvalue())
    assert set(figures) == set(PORTFOLIO_FIGURES)
    return dict(figures)


@pytest.mark.parametrize("name", list(PORTFOLIO_FIGURES))
def test_portfolio_json_per_figure(portfolio_json: dict[str, object], name: str) -> None:
    assert portfolio_json[name] == PORTFOLIO_FIGURES[name]


@pytest.mark.parametrize("result", list(E["promises"]))
def test_promises_report_per_result(
    db: Path, capsys: pytest.CaptureFixture[str], result: str
) -> None:
    code, out, _ = run(capsys, db, "report", "promises", "--date", DAY, "--format", "json")
    total = next(line for line in json.loads(out) if line["agent"] == "Total")
    assert code == 0 and total[result] == E["promises"][result]
