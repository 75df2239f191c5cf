"""`d` on the queue: the supervisor's review of the day's dunning batch, through to the database,
the letters folder and a real SMTP server on loopback (aiosmtpd)."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from harness import TODAY, hold_still, make_app, press, seeding, settle, wait_until
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from factories import add_agent, add_contact, add_debtor, add_invoice, case_of, open_cases
from relance_tui.config import DunningSettings, Settings, SmtpSettings
from relance_tui.formatting import money
from relance_tui.services.dunning_review import hold_due_step, perform_reviewed, review_batch
from relance_tui.services.permissions import NotAllowedError
from relance_tui.storage.db import connect, transaction
from relance_tui.tui.screens.dunning_review import DunningReviewScreen
from smtp_server import Mailbox, smtp_server

Snap = Callable[..., bool]


def seed(db_path: Path) -> dict[str, int]:
    """chef (supervisor), agent1; four debtors whose first step is due today: two SMEs by
    e-mail, one SME with no e-mail address (a letter instead), one consumer (a letter)."""
    with seeding(db_path) as conn, transaction(conn):
        add_agent(conn, "chef", "supervisor", name="Chef d'équipe")
        add_agent(conn, "agent1", name="Agent Un")
        debtors = {}
        for n, (name, segment, email, days) in enumerate(
            [
                ("Boulangerie Martin", "sme", "compta@martin.fr", 16),
                ("Garage Leroy", "sme", "factures@leroy.fr", 17),
                ("Fleurs Dubois", "sme", "", 18),
                ("Jean Petit", "consumer", "", 12),
            ]
        ):
            debtor = add_debtor(conn, name=name, reference=f"CLI-{n + 1:04d}", segment=segment)
            conn.execute(
                "UPDATE debtors SET postal_code = '7501' || ?, city = 'Paris' WHERE id = ?",
                (n, debtor),
            )
            contact = add_contact(conn, debtor, name=f"Compta {name}", role="accounts_payable")
            conn.execute("UPDATE contacts SET email = ? WHERE id = ?", (email, contact))
            due = TODAY - timedelta(days=days)
            add_invoice(conn, debtor, due=due, amount_cents=(n + 1) * 10_000, number=f"F-{n + 1}")
            debtors[name] = debtor
        open_cases(conn, TODAY)
        return {name: case_of(conn, debtor) for name, debtor in debtors.items()}


def settings_for(port: int, tmp_path: Path) -> Settings:
    return Settings(
        dunning=DunningSettings(
            letters_dir=str(tmp_path / "letters"),
            smtp=SmtpSettings(
                host="127.0.0.1", port=port, security="none", sender="relance@riviere.fr"
            ),
        )
    )


async def open_review(pilot: Pilot[Any]) -> DunningReviewScreen:
    await settle(pilot)
    await press(pilot, "d")
    screen = pilot.app.screen
    assert isinstance(screen, DunningReviewScreen)
    await wait_until(pilot, lambda: screen.review is not None)
    await settle(pilot)
    return screen


def cells(screen: DunningReviewScreen) -> list[list[str]]:
    table = screen.query_one(DataTable)
    return [[str(cell) for cell in table.get_row_at(n)] for n in range(table.row_count)]


async def test_the_review_lists_the_days_steps_with_channel_recipient_and_totals(
    db_path: Path, tmp_path: Path
) -> None:
    seed(db_path)
    app = make_app(db_path, "chef", settings=settings_for(2525, tmp_path))
    async with app.run_test(size=(120, 35)) as pilot:
        screen = await open_review(pilot)
        rows = cells(screen)
        totals = str(screen.query_one("#review-totals", Static).render())
    assert [(r[0], r[3], r[5]) for r in rows] == [
        ("CLI-0001", "e-mail", "compta@martin.fr"),
        ("CLI-0002", "e-mail", "factures@leroy.fr"),
        ("CLI-0003", "courrier", "Compta Fleurs Dubois, 75012 Paris"),
        ("CLI-0004", "courrier", "Compta Jean Petit, 75013 Paris"),
    ]
    assert rows[0][2] == "Relance amiable" and rows[0][4] == money(10_000)
    assert f"E-mails à envoyer : 2 ({money(30_000)})" in totals
    assert f"Courriers à imprimer : 2 ({money(70_000)})" in totals


async def test_hold_one_with_a_reason_then_approve_and_perform_the_rest(
    db_path: Path, tmp_path: Path
) -> None:
    cases = seed(db_path)
    box = Mailbox()
    with smtp_server(box) as port:
        app = make_app(db_path, "chef", settings=settings_for(port, tmp_path))
        async with app.run_test(size=(120, 35)) as pilot:
            screen = await open_review(pilot)
            await press(pilot, "j", "h")  # Garage Leroy
            await pilot.press(*"Litige en cours de verification")
            await press(pilot, "enter")
            await wait_until(pilot, lambda: screen.review is not None and screen.review.held)
            assert screen.review is not None
            assert [line.due.reference for line in screen.review.lines] == [
                "CLI-0001", "CLI-0003", "CLI-0004",
            ]  # fmt: skip
            held_row = cells(screen)[-1]
            assert held_row[0] == "CLI-0002" and "Litige en cours de verification" in held_row[6]
            await press(pilot, "v", "o")
            await wait_until(pilot, lambda: not screen.running and bool(screen.result))
            await settle(pilot)
            result = str(screen.query_one("#review-result", Static).render())
            remaining = screen.review
    assert "E-mails à envoyer : 1 faits, 0 en échec" in result, result
    assert "Courriers à imprimer : 2 faits, 0 en échec" in result, result
    assert remaining is not None and not remaining.lines and len(remaining.held) == 1
    # The e-mail at the server, the held debtor's not sent.
    assert box.to() == ["compta@martin.fr"]
    # The letters as PDF files in the chosen folder (and the day's file to print).
    letters = sorted((tmp_path / "letters" / TODAY.isoformat()).glob("*.pdf"))
    assert len(letters) == 2
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", str(letters[0]), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert "F-3" in text or "F-4" in text
    conn = connect(db_path)
    held = conn.execute(
        "SELECT status, note, reserved_by FROM dunning_steps WHERE case_id = ?",
        (cases["Garage Leroy"],),
    ).fetchone()
    assert tuple(held) == ("held", "Litige en cours de verification", "chef")
    audit = {
        row["action"]: row["after"]
        for row in conn.execute("SELECT action, after FROM audit_events")
    }
    assert "Litige en cours de verification" in audit["dunning.hold_step"]
    assert '"steps": 3' in audit["dunning.approve"]
    done = conn.execute("SELECT count(*) FROM dunning_steps WHERE status = 'done'").fetchone()[0]
    assert done == 3


async def test_u_releases_a_held_step(db_path: Path, tmp_path: Path) -> None:
    seed(db_path)
    app = make_app(db_path, "chef", settings=settings_for(2525, tmp_path))
    async with app.run_test(size=(120, 35)) as pilot:
        screen = await open_review(pilot)
        await press(pilot, "h")
        await pilot.press(*"Adresse a verifier")
        await press(pilot, "enter")
        await wait_until(pilot, lambda: screen.review is not None and screen.review.held)
        screen.query_one(DataTable).move_cursor(row=3)  # the held line, last
        await press(pilot, "u")
        await wait_until(pilot, lambda: screen.review is not None and not screen.review.held)
        assert screen.review is not None and len(screen.review.lines) == 4


async def test_an_agent_is_refused(db_path: Path, tmp_path: Path) -> None:
    seed(db_path)
    settings = settings_for(2525, tmp_path)
    app = make_app(db_path, "agent1", settings=settings)
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        await press(pilot, "d")  # not an agent's key on the queue
        assert not isinstance(app.screen, DunningReviewScreen)
        app.action_dunning_review()  # as the palette opens it
        await settle(pilot)
        await wait_until(pilot, lambda: not isinstance(app.screen, DunningReviewScreen))
        told = [n.message for n in app._notifications]
    assert any("superviseurs" in text for text in told), told
    conn = connect(db_path)
    with pytest.raises(NotAllowedError):
        review_batch(conn, today=TODAY, settings=settings, login="agent1")
    review = review_batch(conn, today=TODAY, settings=settings, login="chef")
    with pytest.raises(NotAllowedError):
        perform_reviewed(conn, review, settings=settings, login="agent1")
    assert conn.execute("SELECT count(*) FROM dunning_steps").fetchone()[0] == 0


@pytest.mark.parametrize("size", [(80, 24), (120, 35)], ids=["80x24", "120x35"])
def test_snapshot(snap_compare: Snap, db_path: Path, tmp_path: Path, size: tuple[int, int]) -> None:
    seed(db_path)
    with seeding(db_path) as conn:
        due = review_batch(conn, today=TODAY, settings=settings_for(2525, tmp_path), login="chef")
        hold_due_step(conn, due.lines[1].due, reason="Litige en cours", login="chef")
    app = make_app(db_path, "chef", settings=settings_for(2525, Path("/nonexistent")))

    async def run_before(pilot: Pilot[Any]) -> None:
        await open_review(pilot)
        await hold_still(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)
