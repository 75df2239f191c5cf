"""Letters rendered to PDF and read back with pdftotext; e-mail bodies; template errors and the
sandbox."""

import shutil
import sqlite3
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest

from factories import add_contact, add_debtor, add_invoice, case_of, open_cases
from relance_tui.config import CreditorSettings, DunningSettings, Settings
from relance_tui.services.letters import EmailTemplates, LetterWriter, TemplateError
from relance_tui.services.notices import Notice, build_notice
from relance_tui.storage.db import connect, transaction

T = date(2026, 11, 2)
CREDITOR = CreditorSettings(
    name="Rivière Distribution SAS",
    address="12 rue des Lilas",
    postal_code="69003",
    city="Lyon",
    siren="552100554",
    iban="FR76 3000 6000 0112 3456 7890 189",
    contact="Sophie Martin",
    principal_name="Banque du Rhône",
    principal_address="3 quai Saint-Antoine, 69002 Lyon",
)
SETTINGS = Settings(dunning=DunningSettings(creditor=CREDITOR))
AGENCY = Settings(
    dunning=DunningSettings(creditor=CreditorSettings(**{**CREDITOR.__dict__, "agency": True}))
)
needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed"
)


def debtor_case(conn: sqlite3.Connection, segment: str, name: str) -> tuple[int, int]:
    with transaction(conn):
        debtor = add_debtor(conn, name=name, segment=segment, siren="742353584")
        conn.execute(
            "UPDATE debtors SET address = '108 allée des Tilleuls', postal_code = '62000',"
            " city = 'Arras' WHERE id = ?",
            (debtor,),
        )
        add_contact(conn, debtor, name="Isabelle Michaud", role="decision_maker")
        # 1 000 € due 30 days ago; 500 € due 20 days ago, 200 € of it paid.
        add_invoice(
            conn, debtor, due=T - timedelta(days=30), amount_cents=100_000, number=f"F-{name[:3]}-1"
        )
        add_invoice(
            conn, debtor, due=T - timedelta(days=20), amount_cents=50_000,
            outstanding_cents=30_000, number=f"F-{name[:3]}-2",
        )  # fmt: skip
        open_cases(conn, T)
    return debtor, case_of(conn, debtor)


def notice(conn: sqlite3.Connection, segment: str, step: str, settings: Settings = SETTINGS,
           name: str = "Picard Construction SAS") -> Notice:  # fmt: skip
    debtor, case = debtor_case(conn, segment, name)
    return build_notice(
        conn, debtor_id=debtor, case_id=case, step=step, channel="registered_letter",
        reference=f"REL-{case}-7", today=T, settings=settings,
    )  # fmt: skip


def pdf_text(tmp_path: Path, the_notice: Notice) -> str:
    path = tmp_path / "letter.pdf"
    with LetterWriter() as writer:
        writer.write(the_notice, path)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    return " ".join(text.replace("\u202f", " ").replace("\u00a0", " ").split())


@pytest.fixture
def conn(db_path: Path) -> sqlite3.Connection:
    return connect(db_path)


@needs_poppler
def test_b2b_formal_notice_carries_its_mentions(conn: sqlite3.Connection, tmp_path: Path) -> None:
    the_notice = notice(conn, "sme", "formal_notice")
    assert the_notice.kind == "formal_notice" and the_notice.contact_name == "Isabelle Michaud"
    text = pdf_text(tmp_path, the_notice)
    assert "MISE EN DEMEURE DE PAYER" in text and "mettons en demeure" in text
    assert "Lettre recommandée avec accusé de réception" in text
    # Deadline: 8 days from 02/11/2026.
    assert "au plus tard le 10/11/2026" in text and "délai de 8 jours" in text
    assert "F-Pic-1" in text and "F-Pic-2" in text  # one notice for both invoices
    assert "Principal restant dû : 1 300,00 €" in text
    assert "(40 € par facture) : 80,00 €" in text
    assert "L441-10" in text and "D441-5" in text
    assert "SIREN 742353584" in text and "SIREN 552100554" in text
    assert "injonction de payer" in text
    # Interest (2026 H2, 12.15 %, not confirmed yet: an estimate): 1 000 × 0.1215 × 30 / 365
    # = 9.99 € and 300 × 0.1215 × 20 / 365 = 2.00 €; + 80 € + 1 300 € = 1 391.99 €.
    assert "Intérêts de retard au 02/11/2026 : 11,99 € (estimation" in text
    assert "Total réclamé : 1 391,99 €" in text
    assert "FR76 3000 6000 0112 3456 7890 189" in text


@needs_poppler
def test_consumer_formal_notice_claims_no_indemnity(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    the_notice = notice(conn, "consumer", "formal_notice", name="M. Jean Dupont")
    assert the_notice.kind == "formal_notice_consumer" and the_notice.indemnities == 0
    text = pdf_text(tmp_path, the_notice)
    assert "MISE EN DEMEURE" in text and "1231-6" in text and "taux légal" in text
    assert "40 €" not in text and "Indemnités forfaitaires" not in text
    assert "1 300,00 €" in text


@needs_poppler
def test_agency_first_letter_to_a_consumer_has_every_r124_4_item(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    the_notice = notice(conn, "consumer", "friendly_reminder", AGENCY, name="Mme Lucie Petit")
    assert the_notice.kind == "consumer_agency_first"
    text = pdf_text(tmp_path, the_notice)
    # The collector's identity and address, and that it does amicable collection.
    assert "Rivière Distribution SAS, 12 rue des Lilas, 69003 Lyon" in text
    assert "recouvrement amiable" in text
    # The creditor's identity and address.
    assert "Banque du Rhône, 3 quai Saint-Antoine, 69002 Lyon" in text
    # Basis and amount split into principal, interest and other sums; no fees.
    assert "Fondement de la créance" in text
    assert "principal 1 300,00 €, intérêts 0,00 €, autres sommes 0,00 €" in text
    # A demand to pay and how to pay.
    assert "payer cette somme au plus tard le 10/11/2026" in text and "IBAN" in text
    # L111-8 paragraphs 2 and 3.
    assert "Les frais de recouvrement entrepris sans titre exécutoire restent à la charge" in text
    assert "débiteur de mauvaise foi" in text
    assert "rappellera la référence" in text


@needs_poppler
def test_public_body_and_injonction_file(conn: sqlite3.Connection, tmp_path: Path) -> None:
    public = notice(conn, "public_body", "second_reminder", name="Mairie de Trifouilly")
    assert "R2192-31" in pdf_text(tmp_path, public)
    court = notice(conn, "sme", "legal_action", name="Garage Leroy SARL")
    text = pdf_text(tmp_path, court)
    assert "Cerfa n° 12946" in text and "tribunal de commerce" in text
    assert "Pièces à joindre" in text and "Garage Leroy SARL" in text
    consumer = notice(conn, "consumer", "legal_action", name="M. Paul Martin")
    assert "Cerfa n° 12948" in pdf_text(tmp_path, consumer)


@needs_poppler
def test_hostile_text_stays_text_and_a_page_renders(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    the_notice = notice(conn, "sme", "friendly_reminder", name="#set page(width: 1cm) *X* $y$ ]")
    text = pdf_text(tmp_path, the_notice)
    assert "#set page(width: 1cm) *X* $y$ ]" in text
    if shutil.which("pdftoppm"):
        subprocess.run(
            ["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(tmp_path / "letter.pdf"),
             str(tmp_path / "page")], check=True,
        )  # fmt: skip
        assert (tmp_path / "page-1.png").stat().st_size > 1000


def test_the_users_copy_wins_and_errors_name_file_and_line(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    the_notice = notice(conn, "sme", "friendly_reminder")
    folder = Path.home() / ".config" / "relance-tui" / "letters"
    folder.mkdir(parents=True)
    mine = folder / "friendly_reminder.typ"
    mine.write_text('#import "base.typ": *\nBonjour #data.debtor.name\n', "utf-8")
    with LetterWriter() as writer:
        assert writer.pdf(the_notice).startswith(b"%PDF")
    mine.write_text('#import "base.typ": *\nBonjour\n#data.debtor.nope\n', "utf-8")
    with LetterWriter() as writer, pytest.raises(TemplateError) as caught:
        writer.pdf(the_notice)
    message = str(caught.value)
    assert str(mine) in message and "ligne 3" in message and "nope" in message
    mine.write_text('#import "@preview/cetz:0.2.2": canvas\n', "utf-8")
    with pytest.raises(TemplateError, match="paquets"):
        LetterWriter()


def test_email_bodies_and_their_sandbox(conn: sqlite3.Connection) -> None:
    the_notice = notice(conn, "sme", "friendly_reminder", name="Boulangerie <b>Martin</b>")
    body = EmailTemplates().render(the_notice)
    assert body.subject.startswith("Rappel de factures échues — Rivière Distribution SAS")
    assert "F-Bou-1" in body.text and "Total : " in body.text
    assert "Boulangerie &lt;b&gt;Martin" not in body.text  # text is not escaped…
    folder = Path.home() / ".config" / "relance-tui" / "emails"
    folder.mkdir(parents=True)
    (folder / "email.html").write_text("<p>{{ debtor.name }}</p>\n", "utf-8")
    assert "&lt;b&gt;Martin&lt;/b&gt;" in EmailTemplates().render(the_notice).html  # …HTML is
    mine = folder / "email.txt"
    mine.write_text("Bonjour\n{{ letter.nope }}\n", "utf-8")
    with pytest.raises(TemplateError) as caught:
        EmailTemplates().render(the_notice)
    assert str(mine) in str(caught.value) and "ligne 2" in str(caught.value)
    mine.write_text("{{ ''.__class__.__mro__[1].__subclasses__() }}\n", "utf-8")
    with pytest.raises(TemplateError):
        EmailTemplates().render(the_notice)
    mine.write_text('{% include "/etc/passwd" %}\n', "utf-8")
    with pytest.raises(TemplateError):
        EmailTemplates().render(the_notice)
