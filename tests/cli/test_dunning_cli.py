import getpass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from factories import add_agent, make_case
from relance_tui.cli import main
from relance_tui.domain.clock import business_day
from relance_tui.storage.db import connect, transaction

ME = getpass.getuser()
TODAY = business_day(datetime.now(UTC))


@pytest.fixture
def base(db_path: Path, tmp_path: Path) -> list[str]:
    conn = connect(db_path)
    with transaction(conn):
        add_agent(conn, ME, "supervisor")
        make_case(conn, TODAY, days_late=20, reference="UN", amount_cents=120_000)
        make_case(conn, TODAY, days_late=20, reference="DEUX", amount_cents=30_000)
    conn.close()
    config = tmp_path / "conf" / "config.toml"
    config.parent.mkdir()
    config.write_text(f'[dunning]\nletters_dir = "{tmp_path / "letters"}"\n', "utf-8")
    return ["--db", str(db_path), "--config", str(config)]


def steps(db: str) -> int:
    conn = connect(db)
    try:
        return int(conn.execute("SELECT count(*) FROM dunning_steps").fetchone()[0])
    finally:
        conn.close()


def test_review_then_approve(base: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*base, "dunning", "--dry-run"]) == 0
    out = capsys.readouterr().out.replace("\u202f", " ").replace("\u00a0", " ")
    assert "UN " in out and "DEUX " in out and "Relance amiable" in out
    # No SMTP server configured: the e-mails would be letters; the total per kind.
    assert "E-mails à envoyer : 2 (1 500,00 €)" in out
    # Without --approve (the default asks for it) nothing is performed.
    assert main([*base, "dunning"]) == 0
    assert "en attente d'approbation" in capsys.readouterr().out and steps(base[1]) == 0
    assert main([*base, "dunning", "--hold", "DEUX", "adresse à vérifier"]) == 0
    assert "retenue" in capsys.readouterr().out
    assert main([*base, "dunning", "--approve"]) == 0
    out = capsys.readouterr().out
    assert "Effectuées : 1" in out and "à imprimer" in out
    assert main([*base, "dunning", "--release", "DEUX"]) == 0
    assert main([*base, "dunning", "--approve"]) == 0
    assert "Effectuées : 1" in capsys.readouterr().out
    assert main([*base, "dunning", "--settle", "x", "maybe"]) == 2
