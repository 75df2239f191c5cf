"""Agents keep saving calls while a big invoices import holds the write lock.

    python scripts/load_import_and_saves.py [--agents 20] [--rows 1999999] [--debtors 100000]
                                            [--think-ms 500] [--dir DIR]

Prepares a database (a seeded portfolio for the agents, plus the debtors of the file), writes a
French invoices CSV of `--rows` rows (as scripts/bench_import.py does), starts the agents
(each claims one of its own cases, records a call, releases it, over and over), then runs the
import in its own process while they go on, and stops them a few seconds after it ended.
Prints: saves attempted / landed / failed (must be all / 0), how many had to wait, the longest
wait of one write and the p50/p99 of a save, and the import's time.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import ParamSpec, TypeVar

sys.path.insert(0, str(Path(__file__).parent))
from bench_import import write_invoices

TOKEN_PREFIX = "Essai import"
T = TypeVar("T")
P = ParamSpec("P")


def now_utc() -> datetime:
    return datetime.now(UTC)


# --- agent -------------------------------------------------------------------------------------


def run_agent(args: argparse.Namespace) -> int:
    from relance_tui.config import Settings
    from relance_tui.domain import calls
    from relance_tui.domain.models import CallOutcome
    from relance_tui.services.calls import record_call
    from relance_tui.services.casefile import load_case_file
    from relance_tui.services.claims import claim_case, release_case
    from relance_tui.storage.agents import get_agent
    from relance_tui.storage.db import connect

    try:  # the seam to say "waiting" (absent before the write lock file existed)
        from relance_tui.storage.write_lock import reporting_waits
    except ImportError:
        reporting_waits = None

    settings = Settings()
    conn = connect(args.db, migrate_schema=False)
    agent = get_agent(conn, args.login)
    assert agent is not None
    rng = random.Random(f"{args.login}-{os.getpid()}")
    candidates = [row[0] for row in conn.execute(
        "SELECT id FROM cases WHERE status = 'open' AND id % ? = ? ORDER BY id LIMIT 100",
        (args.agents, args.number),
    )]  # fmt: skip
    mine = []  # cases with a number to call; reading them warms the caches up, as in the app
    for case_id in candidates:
        prep = load_case_file(conn, case_id, now=now_utc(), settings=settings).preparation
        if calls.start_call(prep, now=now_utc()).phone_id is not None:
            mine.append(case_id)
    assert mine, "no case with a phone number"
    work = Path(args.work)
    (work / f"warm-{args.login}").touch()
    while not (work / "go").exists():
        time.sleep(0.01)
    waited: list[float] = []
    summary: dict[str, list[object]] = {"attempted": [], "saved": [], "failed": [], "writes": []}

    def timed(kind: str, write: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        waited.clear()
        began = time.perf_counter()
        try:
            if reporting_waits is None:
                result = write(*args, **kwargs)
            else:
                with reporting_waits(lambda: waited.append(time.perf_counter())):
                    result = write(*args, **kwargs)
        finally:
            ms = (time.perf_counter() - began) * 1000
            summary["writes"].append([kind, ms, bool(waited), time.time()])
        return result

    number = 0
    while not (work / "stop").exists():
        time.sleep(rng.uniform(0, 2 * args.think_ms / 1000))
        case_id = mine[number % len(mine)]
        token = f"{args.login}-{number}"
        number += 1
        try:
            moment = now_utc()
            won = timed("claim", claim_case, conn, settings, case_id, agent.id, moment)
            if not won.won:
                summary["failed"].append([token, "claim refused"])
                continue
            case_file = load_case_file(conn, case_id, now=moment, settings=settings)
            prep = case_file.preparation
            draft = calls.begin_identify(calls.start_call(prep, now=moment))
            draft = calls.identify(draft, prep, CallOutcome.VOICEMAIL, now=moment,
                                   hours=settings.contact.calling_hours)  # fmt: skip
            draft = calls.set_notes(draft, f"{TOKEN_PREFIX} {token}")
            summary["attempted"].append(token)
            recorded = timed(
                "save", record_call, conn, settings, draft, agent_login=args.login, now=moment
            )
            if recorded.saved:
                summary["saved"].append(token)
            else:
                problems = list(recorded.problems)
                summary["failed"].append([token, f"refused: {problems}"])
            timed("release", release_case, conn, case_id, agent.id)
        except sqlite3.Error as error:
            summary["failed"].append([token, f"{type(error).__name__}: {error}"])
    (work / f"{args.login}.json").write_text(json.dumps(summary))
    return 0


# --- import ------------------------------------------------------------------------------------


def run_import(args: argparse.Namespace) -> int:
    from relance_tui.services.importing.batch import ImportOptions
    from relance_tui.services.importing.fields import ImportKind
    from relance_tui.services.importing.pipeline import import_file
    from relance_tui.storage.db import connect

    conn = connect(args.db, migrate_schema=False)
    began = time.time()
    report = import_file(
        conn, ImportKind.INVOICES, Path(args.csv), ImportOptions(agent="load"),
        today=date.today(),
    )  # fmt: skip
    ended = time.time()
    result = {
        "began": began,
        "ended": ended,
        "committed": report.committed,
        "rows": report.rows_read,
        "errors": [str(error) for error in report.errors[:5]],
    }
    Path(args.work, "import.json").write_text(json.dumps(result))
    return 0


# --- coordinator -------------------------------------------------------------------------------


def prepare(db: Path, agents: int, debtors: int) -> list[str]:
    from relance_tui.domain.models import AgentRole
    from relance_tui.services.seed.build import seed_database
    from relance_tui.storage.agents import upsert_agent
    from relance_tui.storage.db import connect, transaction, utc_now_iso

    conn = connect(db)
    seed_database(conn, debtors=2000, invoices=12000, seed=7, today=date.today())
    logins = [f"charge{n:02d}" for n in range(1, agents + 1)]
    now = utc_now_iso()
    with transaction(conn):
        # The file's debtors are C000000…: the seeded ones (same pattern) move aside.
        conn.execute("UPDATE debtors SET reference = 'S' || substr(reference, 2)")
        conn.executemany(
            "INSERT INTO debtors (reference, legal_name, segment, created_at, updated_at)"
            " VALUES (?, ?, 'sme', ?, ?)",
            ((f"C{n:06d}", f"Société {n}", now, now) for n in range(debtors)),
        )
        for login in logins:
            upsert_agent(conn, login=login, display_name=login, role=AgentRole.AGENT, by="load")
        # The import runs as `load`: imports are for admins.
        upsert_agent(conn, login="load", display_name="load", role=AgentRole.ADMIN, by="load")
    conn.close()
    return logins


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agents", type=int, default=20)
    parser.add_argument("--rows", type=int, default=1_999_999)  # +1 header: 2M lines, the most
    parser.add_argument("--debtors", type=int, default=100_000)
    parser.add_argument("--think-ms", type=float, default=500, help="mean pause between calls")
    parser.add_argument("--dir", type=Path, help="work directory (default: a temporary one)")
    parser.add_argument("--role", choices=["agent", "import"], help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--work", help=argparse.SUPPRESS)
    parser.add_argument("--csv", help=argparse.SUPPRESS)
    parser.add_argument("--login", help=argparse.SUPPRESS)
    parser.add_argument("--number", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.role == "agent":
        return run_agent(args)
    if args.role == "import":
        return run_import(args)

    work = args.dir or Path(tempfile.mkdtemp(prefix="relance-import-load-"))
    work.mkdir(parents=True, exist_ok=True)
    db, csv_path = work / "load.db", work / "factures.csv"
    began = time.perf_counter()
    logins = prepare(db, args.agents, args.debtors)
    write_invoices(csv_path, args.rows, args.debtors)
    print(f"prepared {db} and {args.rows} invoice rows ({csv_path.stat().st_size / 1e6:.0f} MB)"
          f" in {time.perf_counter() - began:.0f} s", flush=True)  # fmt: skip

    def start(role: str, *extra: str) -> subprocess.Popen[bytes]:
        return subprocess.Popen([sys.executable, __file__, "--role", role, "--db", str(db),
                                 "--work", str(work), "--agents", str(args.agents),
                                 "--think-ms", str(args.think_ms), *extra])  # fmt: skip

    agents = [
        start("agent", "--login", login, "--number", str(number))
        for number, login in enumerate(logins)
    ]
    while not all((work / f"warm-{login}").exists() for login in logins):
        if any(agent.poll() is not None for agent in agents):
            print("an agent ended before it was ready", file=sys.stderr)
            return 2
        time.sleep(0.05)
    (work / "go").touch()
    time.sleep(3)  # saves without an import first
    importer = start("import", "--csv", str(csv_path))
    import_code = importer.wait()
    time.sleep(3)
    (work / "stop").touch()
    codes = [agent.wait() for agent in agents]
    return report(db, work, logins, import_code, codes)


def report(db: Path, work: Path, logins: list[str], import_code: int, codes: list[int]) -> int:
    from relance_tui.storage.db import connect

    imported = json.loads((work / "import.json").read_text()) if import_code == 0 else {}
    attempted: set[str] = set()
    saved: set[str] = set()
    failed: list[list[str]] = []
    writes: list[tuple[str, float, bool, float]] = []
    for login in logins:
        path = work / f"{login}.json"
        if not path.exists():
            continue
        summary = json.loads(path.read_text())
        attempted.update(summary["attempted"])
        saved.update(summary["saved"])
        failed.extend(summary["failed"])
        writes.extend(tuple(write) for write in summary["writes"])
    conn = connect(db, migrate_schema=False)
    stored = {
        row[0].removeprefix(f"{TOKEN_PREFIX} ")
        for row in conn.execute(
            "SELECT notes FROM interactions WHERE notes LIKE ?", (f"{TOKEN_PREFIX} %",)
        )
    }
    saves = sorted(ms for kind, ms, _waited, _at in writes if kind == "save")
    longest = max(writes, key=lambda write: write[1]) if writes else ("-", 0.0, False, 0.0)
    during = [w for w in writes if imported and imported["began"] <= w[3] <= imported["ended"]]
    quantiles = statistics.quantiles(saves, n=100) if len(saves) >= 2 else [0.0] * 99
    lost = saved - stored
    print(f"import: exit {import_code}, committed {imported.get('committed')},"
          f" {imported.get('rows')} rows in"
          f" {imported.get('ended', 0) - imported.get('began', 0):.1f} s"
          f" {imported.get('errors') or ''}")  # fmt: skip
    print(f"agents: {len(logins)} (exit codes {sorted(set(codes))})  saves attempted:"
          f" {len(attempted)}  landed: {len(saved & stored)}  failed: {len(failed)}"
          f"  lost: {len(lost)}")  # fmt: skip
    for token, why in failed[:5]:
        print(f"  failed {token}: {why}")
    print(f"writes (claim, save, release): {len(writes)}, during the import {len(during)},"
          f" that had to wait {sum(1 for w in writes if w[2])}")  # fmt: skip
    print(f"longest wait of one write: {longest[1] / 1000:.2f} s ({longest[0]})"
          f"  save p50 {quantiles[49]:.1f} ms  p99 {quantiles[98]:.1f} ms")  # fmt: skip
    ok = (
        import_code == 0 and imported.get("committed") and not failed and not lost
        and set(codes) == {0} and attempted == saved
    )  # fmt: skip
    print("RESULT: OK" if ok else "RESULT: FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
