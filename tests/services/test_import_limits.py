"""The import's bounds and per-field text rules, service level, on real files and databases."""

from __future__ import annotations

import csv
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from factories import add_agent
from relance_tui.services.importing import opening, pipeline
from relance_tui.services.importing.batch import ImportOptions, ImportReport
from relance_tui.services.importing.fields import ImportKind
from relance_tui.services.importing.pipeline import import_file
from relance_tui.services.importing.read import ImportFileError
from relance_tui.storage.db import connect, transaction

TODAY = date(2026, 6, 30)
DEBTORS_HEADER = "Code client;Raison sociale;Adresse;Ville\r\n"
INVOICES_HEADER = "N° facture;Code client;Date facture;Date d'échéance;Montant TTC\r\n"


def run(db: Path, kind: str, path: Path, **options: object) -> ImportReport:
    conn = connect(db)
    if conn.execute("SELECT 1 FROM agents WHERE login = 'tester'").fetchone() is None:
        with transaction(conn):
            add_agent(conn, "tester", role="admin")  # importing is for admins
    try:
        return import_file(
            conn,
            ImportKind(kind),
            path,
            ImportOptions(agent="tester", **options),  # type: ignore[arg-type]
            today=TODAY,
        )
    finally:
        conn.close()


def rows(db: Path, sql: str) -> list[sqlite3.Row]:
    conn = connect(db)
    try:
        return list(conn.execute(sql))
    finally:
        conn.close()


def test_a_multi_line_address_is_joined_other_fields_refuse_line_ends(
    db_path: Path, tmp_path: Path
) -> None:
    path = tmp_path / "clients.csv"
    path.write_text(
        DEBTORS_HEADER
        + 'C1;Boulangerie Martin;"12 rue Haute\n  Bâtiment B\n\n";Paris\r\n'
        + 'C2;"Deux\nlignes";1 rue Basse;Lyon\r\n',
        encoding="utf-8",
    )
    report = run(db_path, "debtors", path)
    assert [(e.line, e.field, e.reason) for e in report.errors] == [
        (6, "Raison sociale", "caractère de contrôle ou invisible U+000A interdit : retirez-le "
         "du fichier"),
    ]  # fmt: skip
    report = run(db_path, "debtors", path, skip_bad=True)
    assert report.committed and report.rejected == 1
    assert [tuple(r) for r in rows(db_path, "SELECT reference, address FROM debtors")] == [
        ("C1", "12 rue Haute, Bâtiment B")
    ]


def test_control_characters_in_any_column_are_refused_once(db_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "factures.csv"
    path.write_text(
        INVOICES_HEADER
        + "F1\x1b[2J;C1;01/01/2026;31/01/2026;12,50\r\n"  # a text column
        + "F2;C1;01/01/2026\x07;31/01/2026;12,50\r\n"  # unreadable date: reported once
        + "F3;C1;01/01/2026;31/01/2026;12,50\x1c\r\n",  # an amount Python's strip() would eat
        encoding="utf-8",
    )
    report = run(db_path, "invoices", path)
    reasons = {(e.line, e.field): e.reason for e in report.errors}
    assert "U+001B" in reasons[(2, "N° facture")]
    assert "date illisible" in reasons[(3, "Date facture")]
    assert "U+001C" in reasons[(4, "Montant TTC")]
    assert len([e for e in report.errors if e.line == 3]) == 1
    assert not report.committed


def test_size_and_line_limits(
    db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "factures.csv"
    path.write_text(INVOICES_HEADER + "F1;C1;01/01/2026;31/01/2026;12,50\r\n" * 300, "utf-8")
    monkeypatch.setattr(opening, "MAX_LINES", 200)
    with pytest.raises(ImportFileError, match="a 301 lignes : au plus 200 par import"):
        run(db_path, "invoices", path)
    monkeypatch.setattr(opening, "MAX_FILE_BYTES", 5_000)
    with pytest.raises(ImportFileError, match="fait 0 Mo : au plus 0 Mo par import"):
        run(db_path, "invoices", path)


def test_a_header_line_is_checked_before_the_file_is_read(db_path: Path, tmp_path: Path) -> None:
    """Past the first bytes, bytes that are no text at all: the header decides first."""
    path = tmp_path / "factures.csv"
    tail = b"\x81\x8d\x8f" * 100_000  # neither UTF-8 nor Windows-1252
    lines = b"a;b\r\n" * (opening.HEAD_BYTES // 5 + 1)
    path.write_bytes(b"Colonne;Autre\r\n" + lines + tail)
    with pytest.raises(ImportFileError, match=r"colonne\(s\) obligatoire\(s\) absente\(s\)"):
        run(db_path, "invoices", path)
    path.write_bytes(b"x" * (opening.HEAD_BYTES + 10) + b"\n" + b"a;b\n")
    with pytest.raises(ImportFileError, match="première ligne dépasse 1\u202f024 Ko"):
        run(db_path, "invoices", path)


def test_a_file_of_bad_lines_is_not_read_past_the_probe(db_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "factures.csv"
    bad = "".join(f"F{n};C1;pas une date;31/01/2026;12,50\r\n" for n in range(3 * 1000))
    path.write_text(INVOICES_HEADER + bad, encoding="utf-8")
    report = run(db_path, "invoices", path, skip_bad=True)
    assert not report.committed
    assert report.stopped_after == pipeline.PROBE_ROWS + 1
    assert report.rejected == pipeline.PROBE_ROWS
    assert rows(db_path, "SELECT count(*) FROM invoices")[0][0] == 0
    # A short file of bad lines is reported whole, as before.
    path.write_text(INVOICES_HEADER + bad[: bad.index("F20;")], encoding="utf-8")
    report = run(db_path, "invoices", path)
    assert report.stopped_after is None and report.rejected == 20


def test_the_csv_field_limit_is_left_as_it_was(db_path: Path, tmp_path: Path) -> None:
    before = csv.field_size_limit()
    path = tmp_path / "clients.csv"
    path.write_text(DEBTORS_HEADER + f'C1;"{"x" * 200_000}";;\r\n', encoding="utf-8")
    report = run(db_path, "debtors", path)
    assert [e.reason for e in report.errors] == [
        "la cellule de la colonne « Raison sociale » fait 200\u202f000 caractères : "
        "au plus 10\u202f000 (un guillemet non refermé ?)"
    ]
    assert csv.field_size_limit() == before
