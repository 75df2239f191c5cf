"""`relance import einvoices`: Factur-X PDFs, CII and UBL files (fixtures/einvoices/, written after
the EN 16931 examples) into debtors, invoices and credit notes; re-imported, refused, audited."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from einvoice_files import (
    CII_CREDIT_NOTE,
    CII_INVOICE,
    FIXTURES,
    UBL_CREDIT_NOTE,
    UBL_INVOICE,
    facturx_pdf,
    fixture,
    variant,
    write,
)
from factories import add_agent, add_debtor, add_invoice
from relance_tui.services.importing.einvoices import EInvoicesRefused, import_einvoices
from relance_tui.services.permissions import NotAllowedError
from relance_tui.storage.casework import case_header
from relance_tui.storage.db import connect, transaction

NOW = datetime(2026, 5, 15, 9, 0, tzinfo=UTC)  # both fixture invoices overdue
OURS = "552200016"  # the seller of every fixture: Minoterie du Val SAS


@pytest.fixture
def conn(tmp_path: Path) -> sqlite3.Connection:
    connection = connect(tmp_path / "relance.db")
    with transaction(connection):
        add_agent(connection, "admin", role="admin")
        add_agent(connection, "agent1")
    return connection


def run(conn: sqlite3.Connection, *paths: Path, agent: str = "admin", siren: str = OURS):  # type: ignore[no-untyped-def]
    return import_einvoices(conn, list(paths), agent=agent, now=NOW, creditor_siren=siren)


def invoices(conn: sqlite3.Connection) -> dict[str, tuple[object, ...]]:
    return {
        row[0]: tuple(row[1:])
        for row in conn.execute(
            "SELECT i.number, d.reference, i.amount_cents, i.outstanding_cents, i.status,"
            " i.issue_date, i.due_date FROM invoices i JOIN debtors d ON d.id = i.debtor_id"
        )
    }


def counts(conn: sqlite3.Connection) -> tuple[int, ...]:
    return tuple(
        conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        for table in ("debtors", "invoices", "credit_notes", "credit_note_allocations", "payments")
    )


def test_pdf_cii_and_ubl_invoices_and_credit_notes(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    folder = tmp_path / "recues"
    folder.mkdir()
    write(folder, "F2026-0101.pdf", facturx_pdf(fixture(CII_INVOICE)))
    for name in (UBL_INVOICE, UBL_CREDIT_NOTE, CII_CREDIT_NOTE):
        shutil.copy(FIXTURES / name, folder / name)

    report = run(conn, folder)

    assert (report.files, report.invoices, report.credit_notes, report.debtors) == (4, 2, 2, 2)
    assert invoices(conn) == {
        # 1 200 € with 200 € prepaid: 1 000 € due, then 240 € taken off by the CII credit note
        "F2026-0101": ("CLMARTIN", 120000, 76000, "partially_paid", "2026-03-02", "2026-04-30"),
        # a buyer without a code at the seller: its SIRET is its reference; 150 € credited
        "F2026-0102": ("80423511700012", 90000, 75000, "partially_paid", "2026-03-05",
                       "2026-04-04"),
    }  # fmt: skip
    debtors = conn.execute(
        "SELECT reference, legal_name, siren, siret, address, postal_code, city FROM debtors"
        " ORDER BY reference"
    ).fetchall()
    assert [tuple(row) for row in debtors] == [
        ("80423511700012", "Transports Dubois SARL", "804235117", "80423511700012",
         "ZA des Grands Champs, Bâtiment C", "21200", "Beaune"),
        ("CLMARTIN", "Boulangerie Martin", "123456782", None, "12 rue Paul Bert", "69003",
         "Lyon"),
    ]  # fmt: skip
    notes = conn.execute(
        "SELECT c.number, c.amount_cents, c.applied_cents, i.number, a.cents FROM credit_notes c"
        " JOIN credit_note_allocations a ON a.credit_note_id = c.id"
        " JOIN invoices i ON i.id = a.invoice_id ORDER BY c.number"
    ).fetchall()
    assert [tuple(row) for row in notes] == [
        ("A2026-0007", 15000, 15000, "F2026-0102", 15000),
        ("A2026-0008", 24000, 24000, "F2026-0101", 24000),
    ]
    assert report.owed_cents == 190000 and report.credited_cents == 39000
    terms = dict(conn.execute("SELECT number, payment_terms FROM invoices"))
    assert terms["F2026-0102"] == "30 jours date de facture"
    assert terms["F2026-0101"].startswith("Paiement à 30 jours fin de mois. Pénalités")
    # the debtors owe money overdue: their cases are open
    assert conn.execute("SELECT count(*) FROM cases WHERE status = 'open'").fetchone()[0] == 2


def test_reimporting_the_same_files_adds_nothing(conn: sqlite3.Connection, tmp_path: Path) -> None:
    run(conn, FIXTURES)
    before = (counts(conn), invoices(conn))

    again = run(conn, FIXTURES, FIXTURES / UBL_INVOICE)  # the folder, and one of its files again

    assert (counts(conn), invoices(conn)) == before
    assert (again.invoices, again.credit_notes, again.debtors, again.known) == (0, 0, 0, 4)


def test_known_buyer_found_by_siren_and_credit_note_without_reference(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    with transaction(conn):
        martin = add_debtor(conn, reference="C042", name="Martin", siren="123456782")
        add_invoice(conn, martin, due=date(2026, 1, 31), amount_cents=10000, number="OLD-1")
    no_code = ("<ram:ID>CLMARTIN</ram:ID>\n", "")
    invoice = write(tmp_path, "f.xml", variant(CII_INVOICE, no_code))
    # a credit note naming no invoice goes to the oldest open one first: OLD-1 is credited
    # whole (cancelled), the rest lowers F2026-0101
    unlinked = variant(
        CII_CREDIT_NOTE, no_code,
        ("<ram:InvoiceReferencedDocument>", "<!--"), ("</ram:InvoiceReferencedDocument>", "-->"),
    )  # fmt: skip
    note = write(tmp_path, "a.xml", unlinked)

    report = run(conn, invoice, note)

    assert report.debtors == 0
    assert invoices(conn) == {
        "OLD-1": ("C042", 10000, 0, "cancelled", "2026-01-01", "2026-01-31"),
        "F2026-0101": ("C042", 120000, 86000, "partially_paid", "2026-03-02", "2026-04-30"),
    }


def test_credit_note_larger_than_what_is_owed_leaves_a_credit(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    run(conn, FIXTURES / UBL_INVOICE)
    big = variant(UBL_CREDIT_NOTE, ('"EUR">150.00', '"EUR">1000.00'))
    report = run(conn, write(tmp_path, "avoir.xml", big))
    assert invoices(conn)["F2026-0102"][2:4] == (0, "cancelled")
    assert (report.credited_cents, report.credit_left_cents) == (90000, 10000)
    # the case shows the credit (nothing is owed any more: the case is closed, still readable)
    case_id = conn.execute("SELECT id FROM cases").fetchone()[0]
    assert case_header(conn, case_id)["credit_cents"] == 10000


def test_each_credit_note_lowers_only_once_and_changes_are_audited(
    conn: sqlite3.Connection,
) -> None:
    run(conn, FIXTURES)
    changes = conn.execute(
        "SELECT entity_id, before, after FROM audit_events WHERE action = 'import.invoice_change'"
    ).fetchall()
    changed = {
        conn.execute("SELECT number FROM invoices WHERE id = ?", (int(row[0]),)).fetchone()[0]
        for row in changes
    }
    assert changed == {"F2026-0101", "F2026-0102"}
    assert (
        conn.execute(
            "SELECT count(*) FROM audit_events WHERE action = 'import.einvoices'"
        ).fetchone()[0]
        == 1
    )


BAD_FILES = [
    # (name, content, words the refusal must carry: the file, the element, the fix)
    ("tronquee.xml", fixture(UBL_INVOICE)[:900], ["tronquee.xml, ligne", "XML invalide"]),
    ("camt.xml", '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"/>',
     ["camt.xml", "pas une facture électronique", "CrossIndustryInvoice"]),
    ("sans-echeance.xml", variant(UBL_INVOICE, ("<cbc:DueDate>2026-04-04</cbc:DueDate>", "")),
     ["sans-echeance.xml, BT-9 (cbc:DueDate)", "date d'échéance absente"]),
    ("dollars.xml", variant(CII_INVOICE, ("Code>EUR</ram:Invoice", "Code>USD</ram:Invoice")),
     ["dollars.xml, BT-5", "ram:InvoiceCurrencyCode", "en USD", "euros"]),
    ("siren.xml", variant(CII_INVOICE, ('schemeID="0002">123456782', 'schemeID="0002">123456789')),
     ["siren.xml, BT-47", "SIREN « 123456789 » invalide"]),
    ("proforma.xml", variant(CII_INVOICE, ("<ram:TypeCode>380", "<ram:TypeCode>325")),
     ["proforma.xml, BT-3", "pro forma"]),
    ("montant.xml", variant(UBL_INVOICE, ('TaxInclusiveAmount currencyID="EUR">900.00',
                                          'TaxInclusiveAmount currencyID="EUR">900,00')),
     ["montant.xml, BT-112 (cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount)", "« 900,00 »"]),
    ("entites.xml", '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>',
     ["entites.xml", "DTD"]),
    ("ordinaire.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", ["ordinaire.pdf", "PDF"]),
]  # fmt: skip


@pytest.mark.parametrize(("name", "content", "words"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_a_bad_file_is_named_with_its_element_and_nothing_is_written(
    conn: sqlite3.Connection, tmp_path: Path, name: str, content: str | bytes, words: list[str]
) -> None:
    good = write(tmp_path, "bonne.xml", fixture(UBL_INVOICE))
    bad = write(tmp_path, name, content)
    with pytest.raises(EInvoicesRefused) as refused:
        run(conn, good, bad)
    message = str(refused.value)
    for word in words:
        assert word in message
    assert "bonne.xml" not in message
    assert counts(conn) == (0, 0, 0, 0, 0)


def test_a_plain_pdf_says_it_has_no_factur_x(conn: sqlite3.Connection, tmp_path: Path) -> None:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    path = tmp_path / "scan.pdf"
    with path.open("wb") as handle:
        writer.write(handle)
    with pytest.raises(EInvoicesRefused, match="ne contient pas de XML Factur-X"):
        run(conn, path)


def test_a_supplier_invoice_is_refused_and_without_our_siren_one_seller_only(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    with pytest.raises(EInvoicesRefused, match="pas par nous"):
        run(conn, FIXTURES / UBL_INVOICE, siren="412290033")
    other = variant(UBL_INVOICE, ('schemeID="0002">552200016', 'schemeID="0002">412290033'),
                    ("<cbc:ID>F2026-0102", "<cbc:ID>X-1"))  # fmt: skip
    with pytest.raises(EInvoicesRefused, match="plusieurs vendeurs"):
        run(conn, FIXTURES / UBL_INVOICE, write(tmp_path, "x.xml", other), siren="")
    report = run(conn, FIXTURES / UBL_INVOICE, siren="")
    assert report.invoices == 1 and "vendeur non vérifié" in report.notes[0]


def test_an_invoice_number_reissued_for_another_amount_is_refused(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    run(conn, FIXTURES / UBL_INVOICE)
    changed = variant(UBL_INVOICE, ('TaxInclusiveAmount currencyID="EUR">900.00',
                                    'TaxInclusiveAmount currencyID="EUR">950.00'))  # fmt: skip
    with pytest.raises(EInvoicesRefused, match="se corrige par un avoir"):
        run(conn, write(tmp_path, "v2.xml", changed))
    assert invoices(conn)["F2026-0102"][1] == 90000


def test_an_invoice_from_the_fec_takes_the_e_invoices_due_date_and_keeps_its_debtor(
    conn: sqlite3.Connection,
) -> None:
    with transaction(conn):  # as a FEC leaves it: no SIREN, a due date guessed at issue + 30
        dubois = add_debtor(conn, reference="411DUBOIS", name="DUBOIS TRANSPORTS")
        add_invoice(conn, dubois, due=date(2026, 4, 10), amount_cents=90000, number="F2026-0102")
    report = run(conn, FIXTURES / UBL_INVOICE, FIXTURES / UBL_CREDIT_NOTE)
    assert (report.invoices, report.known, report.debtors) == (0, 1, 0)
    assert invoices(conn)["F2026-0102"][0::5] == ("411DUBOIS", "2026-04-04")
    assert invoices(conn)["F2026-0102"][2] == 75000  # the credit note found it too
    moved = conn.execute(
        "SELECT before, after FROM audit_events WHERE action = 'import.invoice_change'"
    ).fetchall()
    assert any('"due_date":"2026-04-10"' in row[0] and '"2026-04-04"' in row[1] for row in moved)


def test_only_admins_import(conn: sqlite3.Connection) -> None:
    with pytest.raises(NotAllowedError):
        run(conn, FIXTURES, agent="agent1")
    assert counts(conn) == (0, 0, 0, 0, 0)
