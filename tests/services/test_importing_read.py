"""Reading French exports: encodings, separators, headers, amounts, dates; the model's rules."""

from __future__ import annotations

import random
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import TypeAdapter, ValidationError

from relance_tui.domain.models import Contact, Debtor, Invoice, Payment
from relance_tui.services.importing.batch import _field_type, cents_bounds
from relance_tui.services.importing.fields import KINDS
from relance_tui.services.importing.read import (
    Bad,
    ImportFileError,
    amounts_fast,
    date_parser,
    normalise_label,
    parse_amount_cents,
    read_table,
)


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize("sep", [";", ",", "\t"])
def test_separator_is_sniffed(tmp_path: Path, sep: str) -> None:
    text = sep.join(["N° facture", "Montant TTC"]) + "\r\n" + sep.join(["F1", "12"]) + "\r\n"
    table = read_table(write(tmp_path / "f.csv", text))
    assert table.separator == sep
    assert table.headers == ["N° facture", "Montant TTC"]
    assert table.columns == [["F1"], ["12"]]


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [("utf-8-sig", "utf-8-sig"), ("utf-8", "utf-8"), ("cp1252", "cp1252"), ("utf-16", "utf-16")],
)
def test_encodings(tmp_path: Path, encoding: str, expected: str) -> None:
    table = read_table(
        write(tmp_path / "f.csv", "Raison sociale;Reste dû\nSociété Générale;1\n", encoding)
    )
    assert table.encoding == expected
    assert table.headers == ["Raison sociale", "Reste dû"]  # no BOM glued to the first header
    assert table.columns[0] == ["Société Générale"]


def test_neither_utf8_nor_cp1252_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(b"Code client;Raison sociale\nC1;Caf\xe9 \x81\n")
    with pytest.raises(ImportFileError, match=r"encodage.*0x81.*ligne 2"):
        read_table(path)


def test_empty_missing_and_xlsx_files(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match="introuvable"):
        read_table(tmp_path / "absent.csv")
    with pytest.raises(ImportFileError, match="vide"):
        read_table(write(tmp_path / "empty.csv", "\r\n\r\n"))
    xlsx = tmp_path / "f.xlsx"
    xlsx.write_bytes(b"PK\x03\x04rest")  # a workbook's signature, and nothing of one
    with pytest.raises(ImportFileError, match="pas un classeur lisible"):
        read_table(xlsx)


def test_quoted_fields_blank_lines_and_line_numbers(tmp_path: Path) -> None:
    text = 'Code;Nom\r\nC1;"Dupont; fils"\r\n\r\nC2;"sur\r\ndeux lignes"\r\nC3;x;;\r\n;;\r\n'
    table = read_table(write(tmp_path / "f.csv", text))
    assert table.columns == [["C1", "C2", "C3"], ["Dupont; fils", "sur\ndeux lignes", "x"]]
    assert [table.line(i) for i in range(3)] == [2, 4, 6]
    assert not table.shape_errors


def test_extra_cells_are_flagged_short_rows_padded(tmp_path: Path) -> None:
    table = read_table(write(tmp_path / "f.csv", "A;B;C\n1;2\n1;2;3;4\n"))
    assert table.row(0) == ["1", "2", ""]
    assert list(table.shape_errors) == [1]


@pytest.mark.parametrize(
    ("raw", "cents"),
    [
        ("1 234,56", 123456),
        ("1\u00a0234,56", 123456),
        ("1\u202f234,56 €", 123456),
        ("1234.56", 123456),
        ("1.234,56", 123456),
        ("1,234.56", 123456),
        ("12,5", 1250),
        ("12", 1200),
        ("€ 12,00", 1200),
        ("-120,00", -12000),
        ("12.500", 1250),
        ("", None),
    ],
)
def test_amounts(raw: str, cents: int | None) -> None:
    assert parse_amount_cents(raw) == cents


@pytest.mark.parametrize("raw", ["abc", "1,234", "12,345", "1 2a,00", "--"])
def test_unreadable_amounts(raw: str) -> None:
    assert isinstance(parse_amount_cents(raw), Bad)


def test_fast_amount_path_agrees_with_the_cell_by_cell_one() -> None:
    column = ["1\u202f234,56", "12.30", "5 000,00 €", "0,01", "99999,99"]
    assert amounts_fast(column) == [parse_amount_cents(cell) for cell in column]
    for odd in (["-1,00"], ["1,5"], [""], ["12"], ["1,00", "x"]):
        assert amounts_fast(odd) is None  # left to the careful path


def test_dates() -> None:
    parse = date_parser(None)
    assert parse("31/12/2026") == "2026-12-31"
    assert parse("2026-12-31") == "2026-12-31"
    assert parse("31/12/2026 00:00:00") == "2026-12-31"
    assert parse("") is None
    assert isinstance(parse("31/02/2026"), Bad)
    assert isinstance(parse("12/31/26"), Bad)
    assert date_parser("%d.%m.%y")("31.12.26") == "2026-12-31"
    assert date_parser("%m/%d/%Y")("12/31/2026") == "2026-12-31"


@pytest.mark.parametrize(
    ("header", "normalised"),
    [
        ("N° facture", "n facture"),
        ("Nº de facture", "n facture"),
        ("Numéro de facture", "n facture"),
        ("  DATE D'ÉCHÉANCE ", "date echeance"),
        ("Invoice number", "invoice n"),
        ("Montant TTC (€)", "montant ttc"),
        ("Reste dû", "reste du"),
    ],
)
def test_header_normalisation(header: str, normalised: str) -> None:
    assert normalise_label(header) == normalised


def test_aliases_are_written_normalised_and_fields_exist_on_the_models() -> None:
    for spec in KINDS.values():
        for field in spec.fields:
            assert all(normalise_label(alias) == alias for alias in field.aliases), field.name
            if field.name not in {"phone", "mobile"}:
                assert field.name in spec.model.model_fields


def test_the_importer_knows_every_cross_field_rule_of_the_models() -> None:
    # If a model gains a model_validator, the importer's vectorised checks must learn it
    # (services/import_kinds.py): this test fails until they do.
    rules = {
        model.__name__: set(model.__pydantic_decorators__.model_validators)
        for model in (Invoice, Debtor, Contact, Payment)
    }
    assert rules == {
        "Invoice": {"_consistent"},
        "Debtor": {"_siret_belongs_to_siren"},
        "Contact": set(),
        "Payment": set(),
    }


@pytest.mark.parametrize(
    ("model", "name"), [(Invoice, "amount"), (Invoice, "outstanding"), (Payment, "amount")]
)
def test_cents_bounds_match_the_model_field(model: type[Invoice], name: str) -> None:
    adapter = TypeAdapter(_field_type(model, name))
    low, high = cents_bounds(model.model_fields[name])
    rng = random.Random(3)
    samples = [0, 1, -1, 99, 100, 10**14 - 1, 10**14, 10**15, -(10**14)]
    samples += [rng.randrange(-(10**15), 10**15) for _ in range(300)]
    for cents in samples:
        try:
            adapter.validate_python(Decimal(cents) / 100)
            accepted = True
        except ValidationError:
            accepted = False
        fast = (low is None or cents > low) and (high is None or cents < high)
        assert fast == accepted, cents
