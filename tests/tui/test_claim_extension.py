"""A claim lasts while the agent works: a key press on the case screen moves its expiry forward
(on the screen's next claim check), idleness does not. The app's clock is injected."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from harness import NOW, SETTINGS, open_case, settle, wait_until

import relance_tui.tui.screens.case as case_screen
from relance_tui.domain.clock import utc_iso
from relance_tui.tui.app import RelanceApp

TTL = timedelta(minutes=SETTINGS.claims.expiry_minutes)


def expiry(db_path: Path, case_id: int) -> str | None:
    conn = sqlite3.connect(db_path)
    try:
        row = conn.execute("SELECT claim_expires_at FROM cases WHERE id = ?", (case_id,)).fetchone()
    finally:
        conn.close()
    return None if row is None else row[0]


async def test_a_key_press_moves_the_claims_expiry_forward(
    db_path: Path, seeded: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(case_screen, "CLAIM_CHECK_SECONDS", 0.05)  # the check, not the window
    now = [NOW]

    def clock() -> datetime:
        return now[0]

    app = RelanceApp(db_path=db_path, agent_login="agent1", settings=SETTINGS, clock=clock)
    case = seeded["case"]
    async with app.run_test(size=(120, 35)) as pilot:
        await open_case(pilot, case)
        assert expiry(db_path, case) == utc_iso(NOW + TTL)

        now[0] = NOW + timedelta(minutes=10)  # still inside the claim's window
        await pilot.pause(0.3)  # several checks go by: nobody pressed anything
        await settle(pilot)
        assert expiry(db_path, case) == utc_iso(NOW + TTL)

        await pilot.press("down")
        await wait_until(pilot, lambda: expiry(db_path, case) == utc_iso(now[0] + TTL))

        now[0] = NOW + timedelta(minutes=20)
        await pilot.press("up")
        await wait_until(pilot, lambda: expiry(db_path, case) == utc_iso(now[0] + TTL))
