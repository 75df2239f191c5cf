"""A big invoices file read and validated in two processes: same result as one process."""

from __future__ import annotations

import os
import pickle
import signal
import sqlite3
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from test_importing import (
    DEBTORS,
    INVOICE_HEADER,
    importer_db,
    run,
    snapshot,
    write,
)

from relance_tui.services.importing import halves as import_halves
from relance_tui.services.importing import pipeline as importing
from relance_tui.services.importing.halves import CleanHalf, Halves
from relance_tui.services.importing.read import Source, Table, cut_source, source_part
from relance_tui.storage import checkpointer
from relance_tui.storage.db import connect

ROWS = 400


def line(n: int) -> str:
    return (
        f"F-{n:04d};C00{n % 3 + 1};PO-{n};CT-{n % 3};01/01/2026;{n % 28 + 1:02d}/02/2026;"
        f"{n + 1} {n % 10}00,00 €;{n % 4 * 100},{n % 100:02d};EUR\r\n"
    )


def invoices_file(tmp_path: Path, lines: list[str]) -> Path:
    return write(tmp_path, "factures.csv", INVOICE_HEADER + "".join(lines))


@pytest.fixture
def forks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Halves from a few hundred characters on; the list records each fork."""
    monkeypatch.setattr(import_halves, "PARALLEL_FROM_CHARS", 1_000)
    made: list[int] = []
    real_fork = os.fork

    def fork() -> int:
        child = real_fork()
        if child:
            made.append(child)
        return child

    monkeypatch.setattr(import_halves.os, "fork", fork)
    return made


@pytest.fixture
def one_process(monkeypatch: pytest.MonkeyPatch) -> list[Table]:
    """The invoice files the one-process path split (a start over, or a file not cut in two)."""
    tables: list[Table] = []
    real_split = importing.split_source

    def split(source: Source) -> Table:
        table = real_split(source)
        if "N° facture" in table.headers:
            tables.append(table)
        return table

    monkeypatch.setattr(importing, "split_source", split)
    return tables


def fresh(tmp_path: Path, name: str) -> sqlite3.Connection:
    conn = importer_db(tmp_path / name)
    run(conn, "debtors", write(tmp_path, f"{name}.clients.csv", DEBTORS))
    return conn


def written(conn: sqlite3.Connection) -> dict[str, list[tuple[object, ...]]]:
    """What an invoices import writes, but the time it ran."""
    queries = {
        "invoices": "SELECT * FROM invoices ORDER BY id",
        "contracts": "SELECT * FROM contracts ORDER BY id",
        "cases": "SELECT debtor_id, segment, status, stage, overdue_cents, disputed_cents,"
        " oldest_due_date, open_invoices, prescription_on FROM cases ORDER BY id",
    }
    return {name: [tuple(row) for row in conn.execute(sql)] for name, sql in queries.items()}


def test_halves_write_what_one_process_writes(
    tmp_path: Path, forks: list[int], one_process: list[Table], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = invoices_file(tmp_path, [line(n) for n in range(ROWS)])
    halves = fresh(tmp_path, "halves.db")
    report = run(halves, "invoices", path)
    assert (len(forks), len(one_process)) == (1, 0)
    assert (report.committed, report.rows_read, report.inserted, report.errors) == (
        True,
        ROWS,
        ROWS,
        [],
    )
    assert report.columns["amount"] == "Montant TTC"
    monkeypatch.setattr(import_halves, "PARALLEL_FROM_CHARS", 10**12)
    single = fresh(tmp_path, "single.db")
    assert run(single, "invoices", path).inserted == ROWS
    assert len(forks) == 1
    assert written(halves) == written(single)
    assert len(written(halves)["cases"]) == 3
    numbers = [row[0] for row in halves.execute("SELECT number FROM invoices ORDER BY id")]
    assert numbers == [f"F-{n:04d}" for n in range(ROWS)]  # the file's order


@pytest.mark.parametrize("where", ["first half", "second half"])
def test_a_bad_row_in_either_half_is_reported_as_one_process_would(
    tmp_path: Path, forks: list[int], where: str
) -> None:
    lines = [line(n) for n in range(ROWS)]
    bad = 10 if where == "first half" else ROWS - 10
    lines[bad] = lines[bad].replace("01/01/2026", "31/02/2026")
    conn = fresh(tmp_path, "relance.db")
    before = snapshot(conn)
    report = run(conn, "invoices", invoices_file(tmp_path, lines))
    assert len(forks) == 1
    assert not report.committed
    assert [(error.line, error.field, error.value) for error in report.errors] == [
        (bad + 2, "Date facture", "31/02/2026")
    ]
    assert snapshot(conn) == before


def test_a_number_in_both_halves_is_a_duplicate(tmp_path: Path, forks: list[int]) -> None:
    lines = [line(n) for n in range(ROWS)]
    lines[ROWS - 1] = lines[3]
    conn = fresh(tmp_path, "relance.db")
    report = run(conn, "invoices", invoices_file(tmp_path, lines))
    assert len(forks) == 1
    assert not report.committed
    assert [(error.line, error.field) for error in report.errors] == [(ROWS + 1, "N° facture")]
    assert "ligne 5" in report.errors[0].reason


def test_an_unknown_debtor_found_after_joining_is_reported(
    tmp_path: Path, forks: list[int]
) -> None:
    lines = [line(n) for n in range(ROWS)]
    lines[ROWS - 2] = lines[ROWS - 2].replace(";C00", ";C99", 1)
    conn = fresh(tmp_path, "relance.db")
    report = run(conn, "invoices", invoices_file(tmp_path, lines))
    assert not report.committed
    assert [(error.line, error.field) for error in report.errors] == [(ROWS, "Code client")]
    assert conn.execute("SELECT count(*) FROM invoices").fetchone()[0] == 0


def test_a_contract_new_in_both_halves_starts_at_its_first_invoice(
    tmp_path: Path, forks: list[int], one_process: list[Table]
) -> None:
    lines = [line(n) for n in range(ROWS)]
    lines[ROWS - 3] = lines[ROWS - 3].replace(";01/01/2026;", ";15/12/2025;")
    conn = fresh(tmp_path, "relance.db")
    report = run(conn, "invoices", invoices_file(tmp_path, lines))
    assert (report.committed, report.inserted) == (True, ROWS)
    assert (len(forks), len(one_process)) == (1, 0)
    starts = dict(conn.execute("SELECT reference, start_date FROM contracts").fetchall())
    changed = f"CT-{(ROWS - 3) % 3}"
    assert starts == {f"CT-{n}": "2026-01-01" for n in range(3)} | {changed: "2025-12-15"}


def test_a_contract_of_the_first_half_claimed_by_another_debtor_in_the_second(
    tmp_path: Path, forks: list[int]
) -> None:
    lines = [line(n) for n in range(ROWS)]
    lines[ROWS - 3] = lines[ROWS - 3].replace(f"CT-{(ROWS - 3) % 3}", f"CT-{(ROWS - 2) % 3}")
    conn = fresh(tmp_path, "relance.db")
    report = run(conn, "invoices", invoices_file(tmp_path, lines))
    assert not report.committed
    assert [(error.line, error.field) for error in report.errors] == [(ROWS - 1, "Contrat")]
    assert conn.execute("SELECT count(*) FROM contracts").fetchone()[0] == 0


def source_of(rows: int) -> Source:
    text = "a;b\n" + "".join(f"{n};x\n" for n in range(rows))
    return Source(text, "\n", ";", "utf-8", quoted=False)


def halves_of(rows: int, prepare: Callable[[Table], Any]) -> Halves[Any]:
    source = source_of(rows)
    cut = cut_source(source, import_halves.FIRST_SHARE)
    assert cut is not None
    return Halves(source, cut, prepare)


def counting(on_child: Callable[[], None] | None = None) -> Callable[[Table], Any]:
    parent = os.getpid()

    def prepare(table: Table) -> tuple[int, CleanHalf]:
        if os.getpid() != parent and on_child is not None:
            on_child()
        return table.row_count, CleanHalf(table.row_count, {"a": table.columns[0]})

    return prepare


def no_child_left(halves: Halves[Any]) -> None:
    """The child these halves forked has been reaped. Only it: another test in this worker
    (an sshd of tests/ssh) may have children of its own still running."""
    child = halves._child
    assert child > 0
    with pytest.raises(ChildProcessError):
        os.waitpid(child, os.WNOHANG)


def test_the_halves_cover_every_row_once() -> None:
    with halves_of(1_001, counting()) as halves:
        rows, first = halves.first()
        second = halves.second()
    assert first is not None and second is not None
    assert rows == first.size and first.size + second.size == 1_001
    assert first.values["a"] + second.values["a"] == [str(n) for n in range(1_001)]
    no_child_left(halves)


def test_a_child_of_someone_else_is_not_counted() -> None:
    """An sshd started by tests/ssh in this worker is a child too: no_child_left is about ours."""
    stranger = subprocess.Popen(["sleep", "60"])
    try:
        with halves_of(100, counting()) as halves:
            halves.first()
            assert halves.second() is not None
        no_child_left(halves)
    finally:
        stranger.kill()
        stranger.wait()


def test_a_child_that_fails_sends_nothing() -> None:
    def crash() -> None:
        raise RuntimeError("boom")

    with halves_of(100, counting(crash)) as halves:
        assert halves.first()[1] is not None
        assert halves.second() is None
    no_child_left(halves)


def test_leaving_early_stops_the_child() -> None:
    def hang() -> None:
        time.sleep(60)

    began = time.monotonic()
    halves = halves_of(100, counting(hang))
    with pytest.raises(ValueError, match="parent side"), halves:
        raise ValueError("parent side")
    assert time.monotonic() - began < 30
    no_child_left(halves)


def test_ctrl_c_between_the_fork_and_the_with_still_stops_the_child() -> None:
    def hang() -> None:
        time.sleep(60)

    halves = halves_of(100, counting(hang))
    # Ctrl-C just after the fork, to this thread (pytest-xdist has others): held back until `with`
    signal.pthread_kill(threading.main_thread().ident or 0, signal.SIGINT)
    began = time.monotonic()
    with pytest.raises(KeyboardInterrupt), halves:
        raise AssertionError("the interrupt comes first")
    assert time.monotonic() - began < 30
    no_child_left(halves)
    assert signal.pthread_sigmask(signal.SIG_BLOCK, set()) == set()  # nothing left blocked


def test_a_commit_by_another_agent_meanwhile_makes_the_import_start_over(
    tmp_path: Path, forks: list[int], one_process: list[Table], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Debtors looked up before the halves were made are not trusted once the database moved."""
    conn = fresh(tmp_path, "relance.db")
    real_first = Halves.first

    def first_then_another_commit(self: Halves[Any]) -> Any:
        prepared = real_first(self)
        other = connect(tmp_path / "relance.db")
        with other:
            other.execute(
                "INSERT INTO debtors (reference, legal_name, segment, created_at, updated_at)"
                " VALUES ('C999', 'Nouveau', 'sme', '2026-06-30', '2026-06-30')"
            )
        other.close()
        return prepared

    monkeypatch.setattr(Halves, "first", first_then_another_commit)
    report = run(conn, "invoices", invoices_file(tmp_path, [line(n) for n in range(ROWS)]))
    assert (report.committed, report.inserted) == (True, ROWS)
    assert len(forks) == 1 and len(one_process) == 1


def test_where_a_file_is_cut() -> None:
    source = source_of(10)
    cut = cut_source(source)
    assert cut is not None
    first, second = source_part(source, cut, second=False), source_part(source, cut, second=True)
    assert first.text.startswith("a;b\n") and second.text.startswith("a;b\n")
    assert first.text + second.text.removeprefix("a;b\n") == source.text
    assert cut_source(Source("a;b\n1;x", "\n", ";", "utf-8", quoted=False)) is None
    assert cut_source(Source('a;b\n"1";x\n2;y\n', "\n", ";", "utf-8", quoted=True)) is None


def test_a_refused_fork_leaves_the_file_to_one_process(
    tmp_path: Path, one_process: list[Table], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(import_halves, "PARALLEL_FROM_CHARS", 1_000)

    def no_fork() -> int:
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(import_halves.os, "fork", no_fork)
    conn = fresh(tmp_path, "relance.db")
    path = invoices_file(tmp_path, [line(n) for n in range(ROWS)])
    checkpointer.stop()  # its connection's files are not the pipe: counted out
    opened = len(os.listdir("/proc/self/fd"))
    report = run(conn, "invoices", path)
    assert (report.committed, report.inserted, len(one_process)) == (True, ROWS, 1)
    checkpointer.stop()
    assert len(os.listdir("/proc/self/fd")) == opened  # the pipe was closed


def test_a_child_killed_while_it_answers_sends_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Half an answer (the child killed in the middle of writing it) is no answer."""
    real_dumps = pickle.dumps

    def half_written(value: object, protocol: int) -> bytes:
        return real_dumps(value, protocol=protocol)[:100]

    monkeypatch.setattr(import_halves.pickle, "dumps", half_written)
    with halves_of(1_000, counting()) as halves:
        assert halves.first()[1] is not None
        assert halves.second() is None
    no_child_left(halves)
