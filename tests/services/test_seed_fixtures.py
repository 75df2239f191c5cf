"""The demo CSV files are what scripts/make_fixtures.py writes, in the French Excel format."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from relance_tui.domain.phones import parse_phone

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures"
NAMES = ("debtors.csv", "contacts.csv", "invoices.csv", "payments.csv")


def test_fixtures_are_up_to_date(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "make_fixtures.py"), "--out", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    for name in NAMES:
        assert (tmp_path / name).read_bytes() == (FIXTURES / name).read_bytes(), (
            f"{name} is stale: run python scripts/make_fixtures.py"
        )


def test_french_excel_format() -> None:
    debtors = (FIXTURES / "debtors.csv").read_bytes()
    invoices = (FIXTURES / "invoices.csv").read_bytes()
    assert not debtors.startswith(b"\xef\xbb\xbf")
    assert debtors.decode("cp1252").startswith("Code client;Raison sociale;SIREN;SIRET;Segment;")
    assert invoices.startswith(b"\xef\xbb\xbf")
    text = invoices.decode("utf-8-sig")
    header = text.splitlines()[0]
    assert header == (
        "N° facture;Code client;N° commande;Contrat;Date facture;Date d'échéance;"
        "Montant TTC;Reste dû;Devise"
    )
    assert "\u202f" in text and "\u00a0" in text
    assert ";31/" in text or "/2026;" in text
    payments = (FIXTURES / "payments.csv").read_bytes().decode("cp1252")
    assert "\u00a0" in payments
    assert len(debtors.decode("cp1252").splitlines()) == 301
    contacts = (FIXTURES / "contacts.csv").read_text(encoding="utf-8-sig").splitlines()[1:]
    regions: set[str | None] = set()
    invalid = 0
    for line in contacts:
        for raw in line.split(";")[3:5]:
            if raw:
                parsed = parse_phone(raw)
                regions.add(parsed.region)
                invalid += not parsed.valid
    assert invalid > 0
    assert len({"RE", "YT", "GP", "MQ", "GF"} & regions) >= 3
