"""Write the demo CSV files of fixtures/ as a French Excel user would export them.

Deterministic: the same script gives the same bytes. Built from the synthetic portfolio of
`relance seed` (about 300 debtors, for the business day 2026-11-24), then exported with `;`
separators, `1 234,56` amounts (space, no-break space or narrow no-break space between thousands),
`31/12/2026` dates and French headers; Windows-1252 for debtors and payments, UTF-8 with a BOM for
contacts and invoices.

invoices.csv is the ledger as the ERP exported it on PAYMENTS_SINCE ("Reste dû" before the
payments received since); payments.csv is the bank's list of the payments received since then.
Importing both gives the balances of the business day.

    python scripts/make_fixtures.py [--out fixtures]
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import sqlite3
import tempfile
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path

from relance_tui import i18n
from relance_tui.i18n import t
from relance_tui.services.seed.history import HistoryGenerator
from relance_tui.services.seed.portfolio import PortfolioGenerator, Row
from relance_tui.storage import seeding
from relance_tui.storage.cases import sync_cases
from relance_tui.storage.db import connect, transaction

TODAY = date(2026, 11, 24)
SEED = 20261124
DEBTORS = 300
INVOICES = 3000
PAYMENTS_SINCE = "2026-09-10"
ROOT = Path(__file__).resolve().parents[1]

DEBTOR_HEADERS = (
    "Code client", "Raison sociale", "SIREN", "SIRET", "Segment", "Type de payeur",
    "Stratégique", "Score de risque", "Adresse", "Code postal", "Ville", "Pays",
)  # fmt: skip
CONTACT_HEADERS = (
    "Code client", "Nom", "Fonction", "Téléphone", "Mobile", "E-mail", "Canal préféré",
    "Opposition",
)  # fmt: skip
INVOICE_HEADERS = (
    "N° facture", "Code client", "N° commande", "Contrat", "Date facture", "Date d'échéance",
    "Montant TTC", "Reste dû", "Devise",
)  # fmt: skip
PAYMENT_HEADERS = (
    "Code client", "N° facture", "Date de règlement", "Montant", "Référence",
    "Mode de règlement", "Libellé bancaire",
)  # fmt: skip
CHANNELS = {"phone": "Téléphone", "email": "E-mail", "sms": "SMS", "letter": "Courrier"}
CP1252 = "cp1252"
UTF8_BOM = "utf-8-sig"


def build_portfolio(path: Path) -> sqlite3.Connection:
    """The seed's base portfolio (no history: the demo adds it after importing these files)."""
    conn = connect(path)
    rng = random.Random(SEED)
    with transaction(conn):
        generator = PortfolioGenerator(
            rng, today=TODAY, now="2026-11-24T07:00:00+00:00", first_ids=seeding.next_ids(conn)
        )

        def sink(table: str, rows: list[Row]) -> None:
            seeding.insert_rows(conn, table, rows)

        generator.run(DEBTORS, INVOICES, sink)
        sync_cases(conn, TODAY)
    return conn


def french_amount(cents: int, separator: str) -> str:
    units, rest = divmod(cents, 100)
    return f"{units:,}".replace(",", separator) + f",{rest:02d}"


def french_date(iso: str | None) -> str:
    if not iso:
        return ""
    year, month, day = iso.split("-")
    return f"{day}/{month}/{year}"


def spaced_siren(value: str) -> str:
    return f"{value[:3]} {value[3:6]} {value[6:]}"


def write_csv(path: Path, encoding: str, headers: Sequence[str], rows: Iterable[Row]) -> int:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(headers)
    count = 0
    for row in rows:
        writer.writerow(row)
        count += 1
    path.write_bytes(buffer.getvalue().encode(encoding))
    return count


def debtor_rows(conn: sqlite3.Connection, rng: random.Random) -> Iterable[Row]:
    for row in conn.execute(
        "SELECT reference, legal_name, siren, siret, segment, payer_type, strategic, risk_score,"
        " address, postal_code, city FROM debtors ORDER BY id"
    ):
        siren = row[2] or ""
        siret = row[3] or ""
        if siren and rng.random() < 0.25:  # as typed in some ERPs
            siren = spaced_siren(siren)
        yield (
            row[0], row[1], siren, siret, t(f"segment.{row[4]}"), t(f"payer_type.{row[5]}"),
            "oui" if row[6] else "non", row[7], row[8], row[9], row[10], "France",
        )  # fmt: skip


def contact_rows(conn: sqlite3.Connection) -> Iterable[Row]:
    phones: dict[int, list[tuple[str, str]]] = {}
    for contact_id, raw, kind in conn.execute(
        "SELECT contact_id, raw, kind FROM phones ORDER BY id"
    ):
        phones.setdefault(contact_id, []).append((raw, kind))
    for contact_id, reference, name, role, mail, channel, opposed in conn.execute(
        "SELECT c.id, d.reference, c.name, c.role, c.email, c.preferred_channel,"
        " c.opposed_to_contact FROM contacts c JOIN debtors d ON d.id = c.debtor_id ORDER BY c.id"
    ):
        landline = mobile = ""
        for raw, kind in phones.get(contact_id, []):
            if kind == "mobile" and not mobile:
                mobile = raw
            elif not landline:
                landline = raw
            else:
                mobile = mobile or raw
        yield (
            reference, name, t(f"role.{role}"), landline, mobile, mail, CHANNELS[channel],
            "oui" if opposed else "non",
        )  # fmt: skip


def _separator(rng: random.Random) -> str:
    roll = rng.random()
    return " " if roll < 0.5 else "\u202f" if roll < 0.8 else "\u00a0"


def invoice_rows(conn: sqlite3.Connection, rng: random.Random) -> Iterable[Row]:
    for row in conn.execute(
        "SELECT i.number, d.reference, i.po_reference, COALESCE(c.reference, ''), i.issue_date,"
        " i.due_date, i.amount_cents, i.outstanding_cents + COALESCE((SELECT SUM(p.amount_cents)"
        "   FROM payments p WHERE p.invoice_id = i.id AND p.received_on >= :since), 0),"
        " i.currency FROM invoices i"
        " JOIN debtors d ON d.id = i.debtor_id LEFT JOIN contracts c ON c.id = i.contract_id"
        " WHERE i.status IN ('open', 'partially_paid', 'paid') ORDER BY i.id",
        {"since": PAYMENTS_SINCE},
    ):
        separator = _separator(rng)
        yield (
            row[0], row[1], row[2], row[3], french_date(row[4]), french_date(row[5]),
            french_amount(row[6], separator), french_amount(row[7], separator), row[8],
        )  # fmt: skip


def payment_rows(conn: sqlite3.Connection, rng: random.Random) -> Iterable[Row]:
    for row in conn.execute(
        "SELECT d.reference, i.number, p.received_on, p.amount_cents, p.reference, p.method,"
        " p.bank_label FROM payments p JOIN debtors d ON d.id = p.debtor_id"
        " JOIN invoices i ON i.id = p.invoice_id WHERE p.received_on >= ?"
        " ORDER BY p.received_on, p.id",
        (PAYMENTS_SINCE,),
    ):
        separator = " " if rng.random() < 0.6 else "\u00a0"  # no U+202F in Windows-1252
        yield (
            row[0], row[1], french_date(row[2]), french_amount(row[3], separator), row[4],
            row[5], row[6],
        )  # fmt: skip


def make_fixtures(out: Path) -> dict[str, int]:
    i18n.set_language("fr")
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        conn = build_portfolio(Path(work) / "fixtures.db")
        try:
            rng = random.Random(SEED + 1)
            return {
                "debtors.csv": write_csv(
                    out / "debtors.csv", CP1252, DEBTOR_HEADERS, debtor_rows(conn, rng)
                ),
                "contacts.csv": write_csv(
                    out / "contacts.csv", UTF8_BOM, CONTACT_HEADERS, contact_rows(conn)
                ),
                "invoices.csv": write_csv(
                    out / "invoices.csv", UTF8_BOM, INVOICE_HEADERS, invoice_rows(conn, rng)
                ),
                "payments.csv": write_csv(
                    out / "payments.csv", CP1252, PAYMENT_HEADERS, payment_rows(conn, rng)
                ),
            }
        finally:
            conn.close()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=ROOT / "fixtures", help="output directory")
    args = parser.parse_args(argv)
    for name, count in make_fixtures(args.out).items():
        print(f"{args.out / name}: {count} lines")
    return 0


# Kept for readers: the history the demo adds on top of these files.
__all__ = ["HistoryGenerator", "main", "make_fixtures"]

if __name__ == "__main__":
    raise SystemExit(main())
