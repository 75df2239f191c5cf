"""The case banner's words (tui.widgets.case_views)."""

from __future__ import annotations

from pathlib import Path

from harness import NOW, SETTINGS, TODAY, seeding

from factories import make_case, set_case
from relance_tui.services.casefile import load_case_file
from relance_tui.storage.db import transaction
from relance_tui.tui.widgets.case_views import banner


def banner_of(db_path: Path, stage: str, next_action: str) -> str:
    with seeding(db_path) as conn:
        with transaction(conn):
            case_id = make_case(conn, TODAY)
            set_case(
                conn, case_id, stage=stage, next_action=next_action, next_action_on="2026-12-01"
            )
        case_file = load_case_file(conn, case_id, now=NOW, settings=SETTINGS)
    return banner(case_file).plain


def test_the_banner_names_the_next_step(db_path: Path) -> None:
    text = banner_of(db_path, "formal_notice", "legal_action")
    assert "Mise en demeure → Injonction de payer 01/12/2026" in text


def test_the_last_rung_is_not_its_own_next_step(db_path: Path) -> None:
    text = banner_of(db_path, "legal_action", "legal_action")
    assert "Injonction de payer — 01/12/2026" in text
    assert "→" not in text
