"""scripts/eval_ranking.py on a tiny generated history: it prints the three figures, and each
snapshot's queue is built from the past only (a settlement after the snapshot's day changes
nothing in it; one before does)."""

from __future__ import annotations

import dataclasses
import json
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"
sys.path.insert(0, str(SCRIPTS))

import eval_ranking  # noqa: E402
from make_payment_history import write_history  # noqa: E402


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("history") / "history.csv"
    write_history(path, customers=30, months=6, end=date(2026, 11, 30), seed=3)
    return path


def test_it_prints_the_share_of_each_ranking(
    history: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert eval_ranking.main([str(history), "--warmup-weeks", "16", "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["snapshots"] > 0 and figures["late_cents"] > 0
    assert set(figures["shares"]) == {"relance", "amount", "oldest"}
    assert all(0 <= share <= 1 for share in figures["shares"].values())
    assert eval_ranking.main([str(history), "--warmup-weeks", "16"]) == 0
    text = capsys.readouterr().out
    for label in ("relance-tui queue", "biggest amount first", "oldest overdue first"):
        assert label in text


def _queue_on(
    invoices: list[eval_ranking.HistoryInvoice], day: date, workdir: Path
) -> tuple[eval_ranking.QueueCase, ...]:
    days = [d for d in eval_ranking.snapshot_days(invoices, 8) if d <= day]
    workdir.mkdir()
    *_, last = eval_ranking.replay(invoices, days, workdir)
    assert last.day == day
    return last.queue


def test_a_snapshot_sees_only_the_past(history: Path, tmp_path: Path) -> None:
    invoices = eval_ranking.read_history(history)
    day = eval_ranking.snapshot_days(invoices, 8)[3]
    queue = _queue_on(invoices, day, tmp_path / "as-is")
    assert queue  # something is overdue that day

    # Every settlement after the day moved or removed: the day's queue is the same.
    future = [
        dataclasses.replace(i, settled=None if n % 2 else i.settled + timedelta(days=40))
        if i.settled and i.settled > day
        else i
        for n, i in enumerate(invoices)
    ]
    assert future != invoices
    assert _queue_on(future, day, tmp_path / "future-changed") == queue

    # A settlement before the day does change it (the comparison can see a difference).
    paid_late = next(i for i in invoices if i.settled and i.due < day < i.settled)
    past = [dataclasses.replace(i, settled=day) if i is paid_late else i for i in invoices]
    assert _queue_on(past, day, tmp_path / "past-changed") != queue
