"""A save that waits for another process's write says so, keys keep working, and it lands."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from harness import make_app, open_case, press, settle, wait_until
from textual.command import CommandPalette

from relance_tui.storage.db import connect
from relance_tui.tui.screens.case import CaseScreen

HOLDER = """
import sys
from relance_tui.storage.db import connect, transaction
conn = connect(sys.argv[1], migrate_schema=False)
with transaction(conn):
    print("held", flush=True)
    sys.stdin.readline()
"""


def calls(db_path: Path, case_id: int) -> int:
    conn = connect(db_path, migrate_schema=False)
    try:
        sql = "SELECT count(*) FROM interactions WHERE case_id = ?"
        return int(conn.execute(sql, (case_id,)).fetchone()[0])
    finally:
        conn.close()


def waiting_line(app: object) -> str:
    from relance_tui.tui.widgets.write_waiting import WriteWaiting

    shown = [w for s in app.screen_stack for w in s.query(WriteWaiting)]  # type: ignore[attr-defined]
    return str(shown[0].render()) if shown else ""


async def test_a_waiting_save_says_so_and_lands(db_path: Path, seeded: dict[str, int]) -> None:
    app = make_app(db_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_case(pilot, seeded["case"])
        await press(pilot, "c", "enter", "1", "2", "enter", "1", "enter", "enter")
        holder = subprocess.Popen(
            [sys.executable, "-c", HOLDER, str(db_path)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            assert holder.stdout is not None and holder.stdout.readline() == "held\n"
            await pilot.press("enter")  # Conclude: save
            await wait_until(pilot, lambda: "Enregistrement en attente" in waiting_line(app))
            assert calls(db_path, seeded["case"]) == 0
            await pilot.press("ctrl+p")  # keys still answer while the save waits
            await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette))
            await pilot.press("escape")
            await wait_until(pilot, lambda: isinstance(app.screen, CaseScreen))
        finally:
            assert holder.stdin is not None
            holder.stdin.write("\n")
            holder.stdin.close()
            holder.wait(timeout=30)
        await wait_until(pilot, lambda: not isinstance(app.screen, CaseScreen))
        await settle(pilot)
        assert waiting_line(app) == ""
    assert calls(db_path, seeded["case"]) == 1
