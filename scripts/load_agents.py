"""Many agents on one database: N processes each loop claim → read the case → record → release.

    python scripts/load_agents.py 50 200 [--db PATH] [--kill-rate 0.005] [--think-ms 1000]

Workers warm up (imports, caches) and start together; each pauses a random 0–2×`--think-ms`
between actions (a real agent spends minutes per call; `--think-ms 0` runs them back to back).
Some workers are killed at random (SIGKILL), many of them inside the recording transaction, and
restarted to finish their share. Each worker keeps a journal (each line written through to the
kernel before it goes on): what it attempted, what the database acknowledged, when it held which
case. At the end the script checks the database against the journals and prints: actions
attempted, committed, lost (must be 0), failed (a save or claim release that timed out or was
refused: must be 0), double claims (must be 0), `PRAGMA integrity_check`, the
workers' CPU time (and the actions' own), the p50/p99 latency of one whole action and of each of
its steps (claim, read, record, release: each as long as the agent waits for it), and the
largest the WAL grew.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import resource
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

CASE_POOL = 300  # agents compete for the same few hundred cases, so claims really collide
TOKEN_PREFIX = "Essai de charge"


def now_utc() -> datetime:
    return datetime.now(UTC)


# --- worker ------------------------------------------------------------------------------------


def run_worker(args: argparse.Namespace) -> int:
    from relance_tui.config import ClaimSettings, Settings
    from relance_tui.domain import calls
    from relance_tui.domain.models import CallOutcome, Cause
    from relance_tui.formatting import money
    from relance_tui.services.calls import record_call
    from relance_tui.services.casefile import load_case_file
    from relance_tui.services.claims import claim_case, release_case
    from relance_tui.storage.agents import get_agent
    from relance_tui.storage.db import connect

    settings = Settings(claims=ClaimSettings(expiry_minutes=1))
    conn = connect(args.db)
    agent = get_agent(conn, args.login)
    assert agent is not None
    rng = random.Random(f"{args.seed}-{args.login}-{os.getpid()}")
    journal_path = Path(args.journal)
    lines = journal_path.read_text().splitlines() if journal_path.exists() else []
    done = sum(1 for line in lines if '"done"' in line)
    attempts = sum(1 for line in lines if '"attempt"' in line)  # killed ones included

    def write(entry: dict[str, object]) -> None:
        # Written through to the kernel before going on: a SIGKILL cannot lose it then (only a
        # crash of the machine could, which this test does not make; an fsync here would put
        # four disk flushes into each action's timed interval).
        journal.write(json.dumps(entry) + "\n")
        journal.flush()

    doomed = False  # decided once per action: this action's recording is killed midway

    def maybe_die(statement: str) -> None:
        # Killed for real inside the transaction, between two of its statements.
        if doomed and statement.startswith("INSERT INTO interactions"):
            os.kill(os.getpid(), signal.SIGKILL)

    conn.set_trace_callback(maybe_die)
    case_ids = [row[0] for row in conn.execute(
        "SELECT id FROM cases WHERE status = 'open' ORDER BY id LIMIT ?", (CASE_POOL,)
    )]  # fmt: skip
    # Warm up as a running app is: lazy imports (holidays, call domain) and caches, not timed.
    money(0)  # the queue on screen shows amounts: Babel's locale data is loaded before any case
    warm = load_case_file(conn, case_ids[0], now=now_utc(), settings=settings)
    calls.start_call(warm.preparation, now=now_utc())
    journal = journal_path.open("a", buffering=1)  # its existence says "warm"
    go = Path(args.journal).with_name("go")
    while not go.exists():  # every agent starts together, once all are warm
        time.sleep(0.01)
    while done < args.actions:
        time.sleep(rng.uniform(0, 2 * args.think_ms / 1000))  # the agent reads, types, talks
        case_id = rng.choice(case_ids)
        started = time.perf_counter()
        cpu_started = time.process_time()
        claimed_at = now_utc()
        phases: dict[str, float] = {}  # each step's own time, as the agent waits for it
        try:
            result = claim_case(conn, settings, case_id, agent.id, claimed_at)
            phases["claim"] = _ms(started)
        except sqlite3.OperationalError:  # the write lock did not come within the busy timeout
            write({"kind": "busy", "case": case_id})
            continue
        if not result.won:
            write({"kind": "refused", "case": case_id})
            continue
        won_at = time.time()
        write({"kind": "claim", "case": case_id, "at": won_at,
               "expires": (claimed_at + timedelta(minutes=1)).timestamp()})  # fmt: skip
        moment = now_utc()
        step = time.perf_counter()
        case_file = load_case_file(conn, case_id, now=moment, settings=settings)
        phases["read"] = _ms(step)
        prep = case_file.preparation
        token = f"{args.login}-{done}-{rng.randrange(10**9)}"
        draft = calls.start_call(prep, now=moment)
        if draft.phone_id is None:  # nobody to call on this case: let it go
            # Journal first, then release: the journal's hold must never end after the real one.
            write({"kind": "release", "case": case_id, "at": time.time()})
            step = time.perf_counter()
            release_case(conn, case_id, agent.id)
            phases["release"] = _ms(step)
            write({"kind": "done", "token": None, "ms": _ms(started),
                   "cpu_ms": _cpu_ms(cpu_started), "phases": phases})  # fmt: skip
            done += 1
            continue
        draft = calls.begin_identify(draft)
        hours = settings.contact.calling_hours
        if rng.random() < 0.5:
            draft = calls.identify(draft, prep, CallOutcome.VOICEMAIL, now=moment, hours=hours)
            draft = calls.set_notes(draft, f"{TOKEN_PREFIX} {token}")
        else:
            draft = calls.identify(draft, prep, CallOutcome.RIGHT_PARTY, now=moment, hours=hours)
            draft = calls.listen(draft, Cause.CASH_FLOW, f"{TOKEN_PREFIX} {token}")
            amount = min(prep.balance, Decimal("500.00")) or Decimal("10.00")
            draft = calls.solve_promise(
                draft, amount=amount, due_date=moment.date() + timedelta(days=7)
            )
            draft = calls.conclude(draft, prep, today=moment.date())
        write({"kind": "attempt", "token": token})
        attempts += 1
        doomed = rng.random() < args.kill_rate or attempts == args.kill_attempt
        try:
            step = time.perf_counter()
            recorded = record_call(conn, settings, draft, agent_login=args.login, now=moment)
            phases["record"] = _ms(step)
        except sqlite3.OperationalError:  # nothing written: the app tells the agent to retry
            write({"kind": "busy", "token": token})
        else:
            if recorded.saved:
                write({"kind": "committed", "token": token})
            else:
                write({"kind": "rejected", "token": token, "why": list(recorded.problems)})
        # Journal first, then release: a journaled hold always lies inside the real one, so any
        # overlap the report finds is a real double claim.
        write({"kind": "release", "case": case_id, "at": time.time()})
        try:
            step = time.perf_counter()
            release_case(conn, case_id, agent.id)
            phases["release"] = _ms(step)
        except sqlite3.OperationalError:  # the claim simply expires; counted as failed
            write({"kind": "busy", "case": case_id})
        write({"kind": "done", "token": token, "ms": _ms(started),
               "cpu_ms": _cpu_ms(cpu_started), "phases": phases})  # fmt: skip
        done += 1
    return 0


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def _cpu_ms(started: float) -> float:
    return (time.process_time() - started) * 1000


# --- coordinator -------------------------------------------------------------------------------


def prepare_database(
    path: Path, agents: int, seed: int, debtors: int = 2000, invoices: int = 12000
) -> list[str]:
    from relance_tui.domain.models import AgentRole
    from relance_tui.services.seed.build import seed_database
    from relance_tui.storage.agents import upsert_agent
    from relance_tui.storage.db import connect, transaction

    conn = connect(path)
    seed_database(conn, debtors=debtors, invoices=invoices, seed=seed, today=date.today())
    logins = [f"charge{i:02d}" for i in range(1, agents + 1)]
    with transaction(conn):
        for login in logins:
            upsert_agent(conn, login=login, display_name=login, role=AgentRole.AGENT, by="load")
    conn.close()
    return logins


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("agents", type=int)
    parser.add_argument("actions", type=int, help="actions per agent")
    parser.add_argument("--db", type=Path)
    parser.add_argument(
        "--kill-rate",
        type=float,
        default=0.005,
        help="chance that an action's recording transaction is killed midway",
    )
    parser.add_argument("--kill-attempt", type=int, default=0, metavar="N",
                        help="also kill each worker in its Nth recording (0: none)")  # fmt: skip
    parser.add_argument("--external-kills", type=int, default=10,
                        help="workers killed from outside at random moments")  # fmt: skip
    parser.add_argument(
        "--think-ms",
        type=float,
        default=1000,
        help="mean pause between an agent's actions (0: back to back)",
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--debtors", type=int, default=2000, help="debtors seeded")
    parser.add_argument("--invoices", type=int, default=12000, help="invoices seeded")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--login", help=argparse.SUPPRESS)
    parser.add_argument("--journal", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return run_worker(args)

    work = Path(tempfile.mkdtemp(prefix="relance-load-"))
    db = args.db or work / "load.db"
    print(f"preparing {db} …", flush=True)
    logins = prepare_database(db, args.agents, args.seed, args.debtors, args.invoices)
    journals = {login: work / f"{login}.jsonl" for login in logins}

    def spawn(login: str) -> subprocess.Popen[bytes]:
        return subprocess.Popen([
            sys.executable, __file__, str(args.agents), str(args.actions), "--worker",
            "--db", str(db), "--login", login, "--journal", str(journals[login]),
            "--kill-rate", str(args.kill_rate), "--seed", str(args.seed),
            "--think-ms", str(args.think_ms), "--kill-attempt", str(args.kill_attempt),
        ])  # fmt: skip

    rng = random.Random(args.seed)
    running = {login: spawn(login) for login in logins}
    while any(not path.exists() for path in journals.values()):  # each writes when warm
        time.sleep(0.05)
    cpu_before = _children_cpu()
    (work / "go").touch()
    started = time.perf_counter()
    restarts = external = 0
    next_kill = time.monotonic() + rng.uniform(0.5, 2.0)
    wal = Path(f"{db}-wal")
    largest_wal = 0
    while running:
        time.sleep(0.05)
        with contextlib.suppress(FileNotFoundError):
            largest_wal = max(largest_wal, wal.stat().st_size)
        if external < args.external_kills and time.monotonic() >= next_kill:
            victim = rng.choice(sorted(running))
            running[victim].send_signal(signal.SIGKILL)
            external += 1
            next_kill = time.monotonic() + rng.uniform(0.5, 2.0)
        for login, process in list(running.items()):
            code = process.poll()
            if code is None:
                continue
            if code == 0:
                del running[login]
            elif code < 0:  # killed: a fresh process picks up where the journal says it was
                restarts += 1
                running[login] = spawn(login)
            else:
                for process in running.values():
                    process.kill()
                print(f"worker {login} failed with exit code {code}", file=sys.stderr)
                return 2
    elapsed = time.perf_counter() - started
    cpu = _children_cpu() - cpu_before
    return report(db, journals, elapsed, restarts, external, cpu, largest_wal)


def _children_cpu() -> float:
    """CPU seconds (user + system) of the workers that ended so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def report(
    db: Path,
    journals: dict[str, Path],
    elapsed: float,
    restarts: int,
    external: int,
    cpu: float,
    largest_wal: int,
) -> int:
    from relance_tui.storage.db import connect

    attempted: set[str] = set()
    committed: set[str] = set()
    refused = rejected = busy = 0
    latencies: list[float] = []
    action_cpu: list[float] = []
    steps: dict[str, list[float]] = defaultdict(list)
    holds: dict[int, list[tuple[float, float, str]]] = defaultdict(list)
    for login, path in journals.items():
        # What this agent holds in the database, as its journal shows it. A worker killed while
        # holding a case leaves it claimed: the hold lasts until it expires, or until the
        # restarted worker (same agent) claims it again and releases it.
        open_claims: dict[int, tuple[float, float]] = {}
        for line in path.read_text().splitlines():
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:  # a line cut by SIGKILL
                continue
            kind = entry["kind"]
            if kind == "attempt":
                attempted.add(entry["token"])
            elif kind == "committed":
                committed.add(entry["token"])
            elif kind == "rejected":
                rejected += 1
            elif kind == "refused":
                refused += 1
            elif kind == "busy":
                busy += 1
            elif kind == "claim":
                case_id, at, expires = entry["case"], entry["at"], entry["expires"]
                held = open_claims.get(case_id)
                if held is not None and at < held[1]:  # our own earlier claim, still live
                    open_claims[case_id] = (held[0], expires)
                    continue
                if held is not None:
                    holds[case_id].append((held[0], held[1], login))
                open_claims[case_id] = (at, expires)
            elif kind == "release":
                held = open_claims.pop(entry["case"], None)
                if held is not None:
                    holds[entry["case"]].append((held[0], min(entry["at"], held[1]), login))
            elif kind == "done":
                latencies.append(entry["ms"])
                action_cpu.append(entry.get("cpu_ms", 0.0))
                for step, ms in entry.get("phases", {}).items():
                    steps[step].append(ms)
        for case_id, (at, expires) in open_claims.items():
            holds[case_id].append((at, expires, login))

    conn = connect(db)
    stored = {
        row[0].removeprefix(f"{TOKEN_PREFIX} ")
        for row in conn.execute(
            "SELECT notes FROM interactions WHERE notes LIKE ?", (f"{TOKEN_PREFIX} %",)
        )
    }
    lost = committed - stored
    unacknowledged = (stored & attempted) - committed  # killed after COMMIT, before the journal
    torn = stored - attempted
    double_claims = 0
    for intervals in holds.values():
        intervals.sort()
        for index, (_start, end, who) in enumerate(intervals):
            double_claims += sum(
                1 for start_b, _end_b, who_b in intervals[index + 1 :]
                if who_b != who and start_b < end
            )  # fmt: skip
    integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
    quantiles = statistics.quantiles(latencies, n=100) if len(latencies) >= 2 else [0.0] * 99
    print(f"agents: {len(journals)}  elapsed: {elapsed:.1f} s  restarts after kills: {restarts}"
          f" (external kills: {external})")  # fmt: skip
    print(f"actions attempted: {len(attempted)}  committed: {len(committed)}"
          f"  committed-unacknowledged (killed after COMMIT): {len(unacknowledged)}"
          f"  rejected by the service: {rejected}  claim refusals: {refused}"
          f"  busy time-outs (not written, agent told to retry): {busy}")  # fmt: skip
    print(f"lost: {len(lost)}  records without an attempt: {len(torn)}  double claims: "
          f"{double_claims}")  # fmt: skip
    print(f"integrity_check: {integrity}")
    print(f"workers' CPU: {cpu:.1f} s ({cpu / elapsed:.2f} cores;"
          f" {1000 * cpu / max(len(latencies), 1):.1f} ms per action, every start-up's imports"
          f" and warm-up included)  load average at the end: {os.getloadavg()[0]:.1f}")  # fmt: skip
    mean_cpu = statistics.fmean(action_cpu or [0.0])
    print(f"CPU of the actions alone (no start-up, no pause): {mean_cpu:.1f} ms per action")
    print(f"action latency: p50 {quantiles[49]:.1f} ms  p99 {quantiles[98]:.1f} ms"
          f"  (claim → read case → record → release, {len(latencies)} actions)")  # fmt: skip
    print("  steps:" + "".join(
        f"  {step} p50 {_percentile(values, 50):.1f} p99 {_percentile(values, 99):.1f}"
        for step, values in steps.items()
    ) + " ms")  # fmt: skip
    print(f"largest WAL seen: {largest_wal / 2**20:.1f} MiB")
    failed = busy + rejected
    print(f"failed: {failed} (busy time-outs and refusals: the agent would have been told)")
    ok = not lost and not torn and double_claims == 0 and integrity == "ok" and not failed
    print("RESULT: OK" if ok else "RESULT: FAILED")
    return 0 if ok else 1


def _percentile(values: list[float], which: int) -> float:
    return statistics.quantiles(values, n=100)[which - 1] if len(values) >= 2 else 0.0


if __name__ == "__main__":
    raise SystemExit(main())
