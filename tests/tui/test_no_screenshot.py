"""The app never writes a screenshot: run as a shared server's service account, Textual's
action would write a file of any name anywhere that account may write, the database included."""

from __future__ import annotations

from pathlib import Path

from harness import make_app, seed_queue, settle


async def test_the_screenshot_action_writes_nothing(db_path: Path) -> None:
    seed_queue(db_path)
    app = make_app(db_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await app.run_action(f"app.screenshot('{db_path.name}', '{db_path.parent}')")
        await app.run_action(f"app.screenshot('shot.svg', '{db_path.parent}')")
        await pilot.pause()
    assert not (db_path.parent / "shot.svg").exists()
    assert db_path.read_bytes()[:16] == b"SQLite format 3\x00"
