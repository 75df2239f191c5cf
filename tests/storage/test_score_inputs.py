"""The score inputs of one case (read after every write on a case, inside the write lock) are
the very row the many-cases read gives, on a seeded database with weeks of activity: promises
kept, broken and due, plans with installments paid and missed, callbacks due and not."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path

from relance_tui.domain.clock import PARIS, utc_iso
from relance_tui.services.seed.build import seed_database
from relance_tui.storage.db import connect
from relance_tui.storage.queue import read_score_inputs

TODAY = date(2026, 11, 24)


def test_one_case_reads_the_same_score_inputs_as_the_batch(tmp_path: Path) -> None:
    conn = connect(tmp_path / "seeded.db")
    seed_database(conn, debtors=150, invoices=700, seed=3, today=TODAY, history_days=25)
    case_ids = [row[0] for row in conn.execute("SELECT id FROM cases ORDER BY id")]
    kinds = {
        "promise": "SELECT DISTINCT case_id FROM promises",
        "plan": "SELECT DISTINCT case_id FROM payment_plans",
        "callback": "SELECT DISTINCT case_id FROM callbacks",
    }
    for name, sql in kinds.items():  # the seed made each kind of commitment the rows depend on
        assert conn.execute(sql).fetchall(), name
    compared = 0
    for day in (TODAY - timedelta(days=10), TODAY, TODAY + timedelta(days=9)):
        moment = datetime.combine(day, time(11, 30), tzinfo=PARIS)
        when = {
            "now_iso": utc_iso(moment),
            "today_iso": day.isoformat(),
            "day_start_iso": utc_iso(datetime.combine(day, time(), tzinfo=PARIS)),
        }
        batch = {row[0]: row for row in read_score_inputs(conn, case_ids=case_ids, **when)}
        assert len(batch) == len(case_ids)
        differing = [
            case_id
            for case_id in case_ids
            if read_score_inputs(conn, case_ids=[case_id], **when) != [batch[case_id]]
        ]
        assert differing == []
        assert read_score_inputs(conn, case_ids=[case_ids[0]] * 2, **when) == [batch[case_ids[0]]]
        # The rows differ between cases and days in the parts that come from commitments.
        compared += len({row[18:24] for row in batch.values()})
    assert compared > 6
