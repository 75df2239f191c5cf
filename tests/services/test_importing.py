"""relance import, service level: real SQLite files, real CSV files as French tools write them."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest

from factories import add_agent
from relance_tui.services.importing.batch import ImportOptions, ImportReport
from relance_tui.services.importing.fields import ImportKind
from relance_tui.services.importing.pipeline import import_file
from relance_tui.services.importing.read import ImportFileError
from relance_tui.storage.db import connect, transaction

TODAY = date(2026, 6, 30)
DEBTORS = (
    "Code client;Raison sociale;SIREN;SIRET;Segment;Type de payeur;Stratégique;Score de risque;"
    "Adresse;Code postal;Ville;Pays\r\n"
    "C001;Boulangerie Martin;732829320;73282932000074;PME;Bon payeur;non;30;1 rue de la Paix;"
    "75002;Paris;France\r\n"
    "C002;Mairie de Trifouilly;;;Secteur public;Très mauvais payeur;oui;10;;;;FR\r\n"
    "C003;Grands Magasins SA;552081317;;Grand compte;Payeur stratège;oui;60;;;;Belgique\r\n"
)
INVOICE_HEADER = (
    "N° facture;Code client;N° commande;Contrat;Date facture;Date d'échéance;Montant TTC;"
    "Reste dû;Devise\r\n"
)


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8-sig") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def importer_db(path: Path) -> sqlite3.Connection:
    """A database whose admin "tester" runs the imports (importing is for admins)."""
    connection = connect(path)
    with transaction(connection):
        add_agent(connection, "tester", role="admin")
    return connection


def run(conn: sqlite3.Connection, kind: str, path: Path, **options: object) -> ImportReport:
    return import_file(
        conn,
        ImportKind(kind),
        path,
        ImportOptions(agent="tester", **options),
        today=TODAY,  # type: ignore[arg-type]
    )


def snapshot(conn: sqlite3.Connection) -> dict[str, list[tuple[object, ...]]]:
    tables = (
        "debtors",
        "contacts",
        "phones",
        "contracts",
        "invoices",
        "payments",
        "cases",
        "imports",
        "audit_events",
    )
    return {
        table: [tuple(row) for row in conn.execute(f"SELECT * FROM {table} ORDER BY 1")]
        for table in tables
    }


@pytest.fixture
def conn(db_path: Path, tmp_path: Path) -> sqlite3.Connection:
    connection = importer_db(db_path)
    report = run(connection, "debtors", write(tmp_path, "clients.csv", DEBTORS))
    assert report.committed and report.inserted == 3, report.errors
    return connection


def invoices(conn: sqlite3.Connection) -> dict[str, tuple[object, ...]]:
    rows = conn.execute(
        "SELECT number, d.reference, issue_date, due_date, amount_cents, outstanding_cents,"
        " status, currency FROM invoices i JOIN debtors d ON d.id = i.debtor_id"
    )
    return {row[0]: tuple(row[1:]) for row in rows}


def test_debtors_with_french_labels(conn: sqlite3.Connection) -> None:
    rows = {
        row[0]: tuple(row[1:])
        for row in conn.execute(
            "SELECT reference, legal_name, siren, siret, segment, payer_type, strategic,"
            " risk_score, country, city FROM debtors"
        )
    }
    assert rows["C001"] == (
        "Boulangerie Martin",
        "732829320",
        "73282932000074",
        "sme",
        "good",
        0,
        30,
        "FR",
        "Paris",
    )
    assert rows["C002"][3:6] == ("public_body", "very_bad", 1)
    assert rows["C003"][3:5] == ("large_account", "smart")
    assert rows["C003"][7] == "BE"


def test_invoices_from_a_french_excel_export(conn: sqlite3.Connection, tmp_path: Path) -> None:
    text = INVOICE_HEADER + (
        "F-001;C001;PO-1;;01/01/2026;31/01/2026;1\u00a0234,56 €;1 234,56;EUR\r\n"
        "F-002;C001;;CT-9;15/01/2026;2026-02-14;1\u00a0500,00;;\r\n"
        "F-003;C003;;CT-9B;01/02/2026;03/03/2026;12 000,00;2 000,00;EUR\r\n"
        "F-004;C003;;;01/02/2026;03/03/2026;100;0;EUR\r\n"
    )
    report = run(conn, "invoices", write(tmp_path, "factures.csv", text, "cp1252"))
    assert report.committed and not report.errors
    assert (report.rows_read, report.inserted, report.updated) == (4, 4, 0)
    assert invoices(conn) == {
        "F-001": ("C001", "2026-01-01", "2026-01-31", 123456, 123456, "open", "EUR"),
        "F-002": ("C001", "2026-01-15", "2026-02-14", 150000, 150000, "open", "EUR"),
        "F-003": ("C003", "2026-02-01", "2026-03-03", 1200000, 200000, "partially_paid", "EUR"),
        "F-004": ("C003", "2026-02-01", "2026-03-03", 10000, 0, "paid", "EUR"),
    }
    contracts = conn.execute("SELECT reference, title, start_date FROM contracts ORDER BY 1")
    assert [tuple(row) for row in contracts] == [
        ("CT-9", "CT-9", "2026-01-15"),
        ("CT-9B", "CT-9B", "2026-02-01"),
    ]
    cases = conn.execute(
        "SELECT d.reference, overdue_cents, open_invoices FROM cases c"
        " JOIN debtors d ON d.id = c.debtor_id ORDER BY 1"
    )
    assert [tuple(row) for row in cases] == [("C001", 273456, 2), ("C003", 200000, 1)]
    audit = conn.execute("SELECT agent, action FROM audit_events WHERE action LIKE 'import.%'")
    assert [tuple(row) for row in audit] == [
        ("tester", "import.debtors"),
        ("tester", "import.invoices"),
    ]
    imports = conn.execute("SELECT kind, file_name, rows_inserted FROM imports ORDER BY id")
    assert [tuple(row) for row in imports][-1] == ("invoices", "factures.csv", 4)


def test_english_headers_comma_separator_and_iso_dates(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    text = (
        "Invoice number,Customer code,Invoice date,Due date,Amount,Balance due\n"
        "INV-1,C002,2026-03-01,2026-03-31,99.90,99.90\n"
    )
    report = run(conn, "invoices", write(tmp_path, "inv.csv", text, "utf-8"))
    assert report.committed, report.errors
    assert invoices(conn)["INV-1"][3:5] == (9990, 9990)


def test_map_and_date_format_and_ignored_columns(conn: sqlite3.Connection, tmp_path: Path) -> None:
    text = (
        "Réf. pièce\tTiers\tÉmise le\tPayable le\tTTC\tVendeur\n"
        "X-1\tC001\t01.02.26\t15.03.26\t10,00\tLéa\n"
    )
    path = write(tmp_path, "export.txt", text)
    with pytest.raises(ImportFileError, match=r"N° facture \(number\).*--map"):
        run(conn, "invoices", path)
    report = run(
        conn,
        "invoices",
        path,
        mapping={"number": "réf. PIÈCE", "issue_date": "Émise le", "due_date": "Payable le"},
        date_format="%d.%m.%y",
    )
    assert report.committed, report.errors
    assert report.ignored_columns == ["Vendeur"]
    assert invoices(conn)["X-1"][:4] == ("C001", "2026-02-01", "2026-03-15", 1000)
    with pytest.raises(ImportFileError, match="inconnu"):
        run(conn, "invoices", path, mapping={"nope": "TTC"})


def test_a_bad_file_reports_every_error_and_writes_nothing(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    good = INVOICE_HEADER + "F-001;C001;;;01/01/2026;31/01/2026;100,00;;EUR\r\n"
    run(conn, "invoices", write(tmp_path, "ok.csv", good))
    before = snapshot(conn)
    text = INVOICE_HEADER + (
        "F-010;C001;;;01/01/2026;31/01/2026;-120,00;;EUR\r\n"  # 2 negative amount
        "F-011;C999;;;01/01/2026;31/01/2026;100,00;;EUR\r\n"  # 3 unknown debtor
        "F-012;C001;;;01/03/2026;01/02/2026;100,00;;EUR\r\n"  # 4 due before issue
        "F-010;C001;;;01/01/2026;31/01/2026;100,00;;EUR\r\n"  # 5 duplicate of line 2
        "F-013;C001;;;32/01/2026;31/01/2026;100,00;;EUR\r\n"  # 6 bad date
        "F-014;C001;;;01/01/2026;31/01/2026;100,00;150,00;EUR\r\n"  # 7 outstanding > amount
        "F-015;C001;;;01/01/2026;31/01/2026;100,00;;EU\r\n"  # 8 bad currency
        "F-016;C001;;;01/01/2026;31/01/2026;12,345;;EUR\r\n"  # 9 three decimals
        "F-017;C001;;;01/01/2026;31/01/2026;10,00;;EUR\r\n"  # 10 good
    )
    report = run(conn, "invoices", write(tmp_path, "bad.csv", text))
    assert not report.committed
    found = {(error.line, error.field) for error in report.errors}
    assert found == {
        (2, "Montant TTC"),
        (3, "Code client"),
        (4, "Date d'échéance"),
        (5, "N° facture"),
        (6, "Date facture"),
        (7, "Reste dû"),
        (8, "Devise"),
        (9, "Montant TTC"),
    }
    reasons = {error.line: error.reason for error in report.errors}
    assert "C999" in reasons[3] and "import debtors" in reasons[3]
    assert "ligne 2" in reasons[5]
    assert "échéance" in reasons[4]
    assert report.rejected == 8
    assert snapshot(conn) == before  # nothing written, not even the good line


def test_reimport_updates_instead_of_duplicating(conn: sqlite3.Connection, tmp_path: Path) -> None:
    first = INVOICE_HEADER + "F-1;C001;;;01/01/2026;31/01/2026;1\u202f100,00;1\u202f100,00;EUR\r\n"
    run(conn, "invoices", write(tmp_path, "a.csv", first))
    second = INVOICE_HEADER + (
        "F-1;C001;PO-9;;01/01/2026;31/01/2026;1\u202f100,00;40,00;EUR\r\n"
        "F-2;C002;;;01/01/2026;31/01/2026;10,00;10,00;EUR\r\n"
    )
    report = run(conn, "invoices", write(tmp_path, "b.csv", second))
    assert (report.inserted, report.updated) == (1, 1)
    assert invoices(conn)["F-1"][4:6] == (4000, "partially_paid")
    assert conn.execute("SELECT count(*) FROM invoices").fetchone()[0] == 2
    report = run(conn, "debtors", write(tmp_path, "clients.csv", DEBTORS))
    assert (report.inserted, report.updated) == (0, 3)
    assert conn.execute("SELECT count(*) FROM debtors").fetchone()[0] == 3
    # a file without "Reste dû" does not wipe what payments did
    third = (
        "N° facture;Code client;Date facture;Date d'échéance;Montant TTC\r\n"
        "F-1;C001;01/01/2026;31/01/2026;1100,00\r\n"
    )
    run(conn, "invoices", write(tmp_path, "c.csv", third))
    assert invoices(conn)["F-1"][4] == 4000


def test_many_rows_land_whole_with_their_own_values(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    """Rows are written many per statement: every row keeps its own values, none is dropped."""
    count = 123  # two full statements of rows and a remainder

    def line(n: int, outstanding: int) -> str:
        return (
            f"F-{n:03d};C00{n % 3 + 1};PO-{n};;01/01/2026;{n % 28 + 1:02d}/02/2026;"
            f"{n + 1},00;{outstanding},{n % 100:02d}\r\n"
        )

    first = INVOICE_HEADER + "".join(line(n, n % 2 * n) for n in range(count))
    report = run(conn, "invoices", write(tmp_path, "a.csv", first))
    assert (report.committed, report.inserted, report.updated) == (True, count, 0)
    stored = invoices(conn)
    assert len(stored) == count
    for n in range(count):
        reference = f"C00{n % 3 + 1}"
        outstanding = n % 2 * n * 100 + n % 100
        status = "paid" if outstanding == 0 else "partially_paid"
        due = f"2026-02-{n % 28 + 1:02d}"
        expected = (reference, "2026-01-01", due, (n + 1) * 100, outstanding, status, "EUR")
        assert stored[f"F-{n:03d}"] == expected
    second = INVOICE_HEADER + "".join(line(n, 0) for n in range(count - 1, -1, -1))
    report = run(conn, "invoices", write(tmp_path, "b.csv", second))
    assert (report.inserted, report.updated) == (0, count)
    stored = invoices(conn)
    for n in range(count):
        status = "paid" if n % 100 == 0 else "partially_paid"
        assert stored[f"F-{n:03d}"][4:6] == (n % 100, status)


def test_a_new_contract_on_a_row_with_an_unreadable_date(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    text = INVOICE_HEADER + (
        "F-1;C001;;CT-NEW;32/01/2026;28/02/2026;100,00;;EUR\r\n"
        "F-2;C001;;CT-NEW;05/01/2026;28/02/2026;100,00;;EUR\r\n"
    )
    path = write(tmp_path, "factures.csv", text)
    report = run(conn, "invoices", path)
    assert not report.committed
    assert [(error.line, error.field) for error in report.errors] == [(2, "Date facture")]
    report = run(conn, "invoices", path, skip_bad=True, rejects_path=tmp_path / "rejets.csv")
    assert (report.committed, report.inserted) == (True, 1)
    contract = conn.execute("SELECT reference, start_date FROM contracts").fetchall()
    assert [tuple(row) for row in contract] == [("CT-NEW", "2026-01-05")]


def test_skip_bad_imports_good_rows_and_writes_rejects(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    text = INVOICE_HEADER + (
        "F-1;C001;;;01/01/2026;31/01/2026;100,00;;EUR\r\n"
        "F-2;C001;;;01/01/2026;31/01/2026;-5,00;;EUR\r\n"
        "F-3;C404;;;01/01/2026;31/01/2026;5,00;;EUR\r\n"
        "F-4;C002;;;01/01/2026;31/01/2026;5,00;;EUR\r\n"
    )
    rejects = tmp_path / "rejets.csv"
    report = run(
        conn,
        "invoices",
        write(tmp_path, "f.csv", text, "cp1252"),
        skip_bad=True,
        rejects_path=rejects,
    )
    assert report.committed
    assert (report.inserted, report.rejected) == (2, 2)
    assert set(invoices(conn)) == {"F-1", "F-4"}
    content = rejects.read_bytes().decode("cp1252").splitlines()
    assert content[0] == INVOICE_HEADER.strip() + ";Motif du rejet"
    assert content[1].startswith(
        "F-2;C001;;;01/01/2026;31/01/2026;-5,00;;EUR;ligne 3 : Montant TTC"
    )
    assert content[2].startswith("F-3;C404;") and "C404" in content[2].split(";")[-1]
    assert len(content) == 3


def test_contacts_keep_invalid_phones_flagged(conn: sqlite3.Connection, tmp_path: Path) -> None:
    text = (
        "Code client;Nom;Fonction;Téléphone;Mobile;E-mail;Canal préféré;Opposition\r\n"
        "C001;Jeanne Martin;Comptabilité fournisseurs;01 42 68 53 00;06 12 34 56 78;"
        "compta@martin.fr;E-mail;non\r\n"
        "C002;Paul Durand;Public accountant;0262 21 00 00;0692 12 34 56;;Téléphone;non\r\n"
        "C003;Anne Lee;decision_maker;12345;;;phone;oui\r\n"
    )
    path = write(tmp_path, "contacts.csv", text)
    report = run(conn, "contacts", path)
    assert report.committed and report.inserted == 3
    assert [(w.line, w.field, w.value) for w in report.warnings] == [(4, "Téléphone", "12345")]
    phones = {
        row[0]: tuple(row[1:])
        for row in conn.execute("SELECT raw, e164, kind, region, time_zone, valid FROM phones")
    }
    assert phones["0692 12 34 56"] == ("+262692123456", "mobile", "RE", "Indian/Reunion", 1)
    assert phones["01 42 68 53 00"][:2] == ("+33142685300", "fixed")
    assert phones["12345"] == (None, "unknown", None, None, 0)
    roles = dict(conn.execute("SELECT name, role FROM contacts").fetchall())
    assert roles == {
        "Jeanne Martin": "accounts_payable",
        "Paul Durand": "public_accountant",
        "Anne Lee": "decision_maker",
    }
    report = run(conn, "contacts", path)
    assert (report.inserted, report.updated) == (0, 3)
    assert conn.execute("SELECT count(*) FROM phones").fetchone()[0] == 5


def test_payments_allocate_and_are_not_applied_twice(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    run(
        conn,
        "invoices",
        write(
            tmp_path,
            "f.csv",
            INVOICE_HEADER
            + (
                "F-1;C001;;;01/01/2026;31/01/2026;1 000,00;;EUR\r\n"
                "F-2;C001;;;01/02/2026;28/02/2026;500,00;;EUR\r\n"
                "F-3;C003;;;01/01/2026;31/01/2026;300,00;;EUR\r\n"
                "F-4;C003;;;01/03/2026;31/03/2026;300,00;;EUR\r\n"
            ),
        ),
    )
    text = (
        "Code client;N° facture;Date de règlement;Montant;Référence;Mode de règlement;"
        "Libellé bancaire\r\n"
        "C001;F-2;05/03/2026;200,00;VIR-1;Virement;VIR MARTIN\r\n"  # named invoice, partial
        "C003;;06/03/2026;450,00;;Chèque;CHQ 1\r\n"  # oldest first: F-3 then 150 on F-4
        ";F-1;07/03/2026;1 000,00;VIR-2;Virement;\r\n"  # debtor found from the invoice
        "C001;;08/03/2026;50,00;;Chèque;CHQ 2\r\n"  # F-2's remaining 300 → 250
        "C002;;09/03/2026;80,00;;Chèque;CHQ 3\r\n"  # nothing open: unmatched
    )
    path = write(tmp_path, "reglements.csv", text)
    report = run(conn, "payments", path)
    assert report.committed and report.inserted == 5, report.errors
    state = {
        row[0]: (row[1], row[2], row[3])
        for row in conn.execute("SELECT number, outstanding_cents, status, paid_on FROM invoices")
    }
    assert state == {
        "F-1": (0, "paid", "2026-03-07"),
        "F-2": (25000, "partially_paid", None),
        "F-3": (0, "paid", "2026-03-06"),
        "F-4": (15000, "partially_paid", None),
    }
    payments = [
        tuple(row)
        for row in conn.execute(
            "SELECT reference, amount_cents, matched, allocated_cents FROM payments ORDER BY id"
        )
    ]
    assert payments == [
        ("VIR-1", 20000, 1, 20000),
        ("", 45000, 1, 45000),
        ("VIR-2", 100000, 1, 100000),
        ("", 5000, 1, 5000),
        ("", 8000, 0, 0),
    ]
    assert [w.line for w in report.warnings] == [6]
    cases = dict(
        conn.execute(
            "SELECT d.reference, c.overdue_cents FROM cases c JOIN debtors d ON d.id = c.debtor_id"
        ).fetchall()
    )
    assert cases["C001"] == 25000 and cases["C003"] == 15000
    behaviour = {  # learned from the invoices the import paid (F-1: 35 days late, F-3: 34)
        row[0]: (row[1], row[2], row[3])
        for row in conn.execute(
            "SELECT reference, avg_days_late, share_paid_late, history_invoices FROM debtors"
        )
    }
    assert behaviour["C001"] == (35.0, 1.0, 1) and behaviour["C003"] == (34.0, 1.0, 1)
    again = run(conn, "payments", path)
    assert (again.inserted, again.unchanged) == (0, 5)
    assert conn.execute("SELECT sum(outstanding_cents) FROM invoices").fetchone()[0] == 40000


def test_payment_errors(conn: sqlite3.Connection, tmp_path: Path) -> None:
    run(
        conn,
        "invoices",
        write(
            tmp_path, "f.csv", INVOICE_HEADER + "F-1;C001;;;01/01/2026;31/01/2026;10,00;;EUR\r\n"
        ),
    )
    text = (
        "Code client;N° facture;Date de règlement;Montant;Référence\r\n"
        "C003;F-1;05/03/2026;10,00;R1\r\n"  # invoice of another debtor
        ";F-9;05/03/2026;10,00;R2\r\n"  # unknown invoice, no debtor
        ";;05/03/2026;10,00;R3\r\n"  # nothing to go on
        "C001;;05/03/2026;10,00;R3\r\n"  # duplicate reference
    )
    report = run(conn, "payments", write(tmp_path, "p.csv", text))
    assert not report.committed
    assert [error.line for error in report.errors] == [2, 3, 4, 5]


def test_file_level_problems(conn: sqlite3.Connection, tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match="vide"):
        run(conn, "invoices", write(tmp_path, "e.csv", ""))
    with pytest.raises(ImportFileError, match="obligatoire"):
        run(conn, "invoices", write(tmp_path, "c.csv", "Code;Nom\r\nA;B\r\n"))
    report = run(conn, "invoices", write(tmp_path, "h.csv", INVOICE_HEADER))
    assert report.committed and report.rows_read == 0


def test_an_empty_contract_column_clears_the_contract_on_reimport(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    first = INVOICE_HEADER + "F-1;C001;;CT-1;01/01/2026;31/01/2026;100,00;100,00;EUR\r\n"
    assert run(conn, "invoices", write(tmp_path, "a.csv", first)).committed
    assert conn.execute("SELECT contract_id FROM invoices").fetchone()[0] is not None
    second = INVOICE_HEADER + "F-1;C001;;;01/01/2026;31/01/2026;100,00;100,00;EUR\r\n"
    report = run(conn, "invoices", write(tmp_path, "b.csv", second))
    assert report.committed and report.updated == 1
    assert conn.execute("SELECT contract_id FROM invoices").fetchone()[0] is None
    # a file without the column keeps it
    run(conn, "invoices", write(tmp_path, "c.csv", first))
    third = (
        "N° facture;Code client;Date facture;Date d'échéance;Montant TTC\r\n"
        "F-1;C001;01/01/2026;31/01/2026;100,00\r\n"
    )
    run(conn, "invoices", write(tmp_path, "d.csv", third))
    assert conn.execute("SELECT contract_id FROM invoices").fetchone()[0] is not None


def test_text_columns_the_fast_check_leaves_to_the_model(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    text = INVOICE_HEADER + (
        " F-1 ;C001;;;01/01/2026;31/01/2026;100,00;100,00;EUR\r\n"  # stripped by the model
        + "F-" + "9" * 70 + ";C001;;;01/01/2026;31/01/2026;100,00;100,00;EUR\r\n"
    )  # fmt: skip
    report = run(conn, "invoices", write(tmp_path, "a.csv", text))
    assert not report.committed
    assert [(error.line, error.field) for error in report.errors] == [(3, "N° facture")]
    report = run(conn, "invoices", write(tmp_path, "b.csv", text), skip_bad=True)
    assert report.committed and list(invoices(conn)) == ["F-1"]
