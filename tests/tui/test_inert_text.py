"""Hostile text already in the database (written with SQL, past the importer's checks) is shown
as text: in the queue, the case file, the palette; the CLI's `queue` and `audit` print it inert.

What reaches the screen is read from the compositor's strips: no segment holds a control or
bidirectional character, none carries a link or the injected `@click` action.
"""

from __future__ import annotations

import getpass
import json
import os
import subprocess
import sys
from pathlib import Path

from harness import NOW, SETTINGS, TODAY, make_app, seeding, settle, wait_until
from textual.command import CommandList, CommandPalette
from textual.content import Content

from factories import add_agent, add_contact, make_case
from relance_tui.domain.text import unsafe_character
from relance_tui.services import ranking
from relance_tui.storage.db import append_audit, transaction
from relance_tui.tui.app import RelanceApp
from relance_tui.tui.screens.case import TABS, CaseScreen
from relance_tui.tui.screens.queue import QueueScreen

ME = getpass.getuser()
ACTION = "app.screenshot('x.db','dir')"
NAMES = [
    f"[@click={ACTION}]Cliquez ici[/]",
    '[link="https://evil.example"]Lien SARL[/link]',
    "[/] Markup cassé SA",
    "Titre\x1b]0;pirate\x07 SARL",
    "Presse\x1b]52;c;ZWNobyBwd25lZA==\x07papiers",
    "Écran\x1b[?1049l\x1b[2J noir",
    "Huit bits \x9b2J SAS",
    "Honnête SA" + "\x08" * 10 + "Escroc",
    "Nul\x00Octet\rRetour",
    "Facture \u202egnp.exe",
]


def build_db(path: Path, login: str = "alice") -> list[int]:
    with seeding(path) as conn, transaction(conn):
        agent = add_agent(conn, login, "supervisor", name="Chef\x1b[5m clignotant")
        cases = []
        for n, name in enumerate(NAMES):
            case = make_case(
                conn,
                TODAY,
                agent_id=agent,
                name=name,
                reference=f"REF-{n}\x1b[31m[@click={ACTION}]",
                invoice_number=f"F-{n}\x9b[@click={ACTION}]x[/]",
                amount_cents=100_000 * (n + 1),
            )
            debtor = conn.execute("SELECT debtor_id FROM cases WHERE id = ?", (case,)).fetchone()
            conn.execute(
                "UPDATE debtors SET address = ?, city = ? WHERE id = ?",
                ("1 rue\x1b[2J\nHaute", "[b]Paris[/b]\u202e", debtor[0]),
            )
            contact = add_contact(conn, debtor[0], name=name, phones=["06 12 34 56 78"])
            conn.execute(
                "UPDATE contacts SET email = ? WHERE id = ?",
                ("x\x1b]8;;https://e\x07@e.fr", contact),
            )
            cases.append(case)
        append_audit(
            conn,
            agent=login,
            action="note.add",
            entity="case",
            entity_id=cases[0],
            after={"note": NAMES[4]},
            detail=NAMES[3],
        )
        ranking.refresh_scores(conn, SETTINGS, NOW)
    return cases


def screen_text(app: RelanceApp) -> str:
    """The screen as drawn, after checking every segment is inert."""
    lines = []
    for strip in app.screen._compositor.render_strips():
        for segment in strip:
            assert unsafe_character(segment.text) is None, repr(segment.text)
            style = segment.style
            if style is not None:
                assert style.link is None, (segment.text, style.link)
                assert "screenshot" not in repr(style.meta), (segment.text, style.meta)
        lines.append(strip.text)
    return "\n".join(lines)


def no_action(content: Content) -> None:
    for span in content.spans:
        assert "@click" not in str(span.style) and "link" not in str(span.style), span


async def test_queue_and_score_panel_show_text(db_path: Path) -> None:
    build_db(db_path)
    app = make_app(db_path, "alice")
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        shown = screen_text(app)
        assert "[@click=app.screenshot" in shown  # the name, as written
        assert "Titre\ufffd]0;pirate\ufffd SARL" in shown
        for _ in NAMES:  # each row in the score panel in turn
            await pilot.press("j")
            await pilot.pause()
            screen_text(app)


async def test_case_file_shows_text_on_every_tab(db_path: Path) -> None:
    cases = build_db(db_path)
    app = make_app(db_path, "alice")
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        for case in (cases[0], cases[4], cases[8]):
            app.open_case(case)
            await settle(pilot)
            assert isinstance(app.screen, CaseScreen)
            shown = screen_text(app)
            assert "REF-" in shown and "1 rue\ufffd[2J" in shown
            for n in range(2, len(TABS) + 1):
                await pilot.press(str(n))
                await settle(pilot)
                screen_text(app)
            await pilot.press("escape")
            await settle(pilot)


async def test_palette_hits_are_text_without_actions(db_path: Path) -> None:
    build_db(db_path)
    app = make_app(db_path, "alice")
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        for query in ("Cliquez", "Titre", "Lien", "Markup"):
            await pilot.press("ctrl+p")
            await settle(pilot)
            assert isinstance(app.screen, CommandPalette)
            await pilot.press(*query)
            commands = app.screen.query_one(CommandList)
            await wait_until(pilot, lambda hits=commands: hits.option_count)  # searched later
            for index in range(commands.option_count):
                option = commands.get_option_at_index(index)
                hit = option.hit  # type: ignore[attr-defined]
                assert isinstance(hit.prompt, Content)
                no_action(hit.prompt)
                no_action(option.prompt)  # type: ignore[arg-type]
            shown = screen_text(app)
            assert query in shown
            await pilot.press("escape")
            await settle(pilot)


def test_cli_queue_and_audit_print_no_control_character(db_path: Path) -> None:
    build_db(db_path, login=ME)
    env = {**os.environ, "LANG": "fr_FR.UTF-8"}

    def relance(*argv: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "relance_tui", "--db", str(db_path), *argv],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        printed = done.stdout + done.stderr
        assert unsafe_character(printed.replace("\n", "")) is None, printed
        return done.stdout

    text = relance("queue", "--limit", "50")
    assert "[@click=app.screenshot" in text and "Titre\ufffd]0;pirate\ufffd SARL" in text
    data = json.loads(relance("queue", "--json", "--limit", "50"))
    assert {case["debtor"] for case in data["cases"]} == set(NAMES)  # exact, escaped
    text = relance("audit")
    assert "Titre\ufffd]0;pirate\ufffd SARL" in text
    events = [json.loads(line) for line in relance("audit", "--json").splitlines()]
    assert any(event["detail"] == NAMES[3] for event in events)
