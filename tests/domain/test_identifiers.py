import pytest

from relance_tui.domain.identifiers import (
    bic_error,
    iban_error,
    luhn_complete,
    luhn_valid,
    siren_error,
    siret_error,
    vat_error,
)


@pytest.mark.parametrize("siren", ["732829320", "732 829 320", "552 100 554", "542107651"])
def test_valid_sirens(siren: str) -> None:
    assert siren_error(siren) is None


@pytest.mark.parametrize(
    ("siren", "error"),
    [("732829321", "siren.checksum"), ("12345678", "siren.length"), ("ABCDEFGHI", "siren.length")],
)
def test_invalid_sirens(siren: str, error: str) -> None:
    assert siren_error(siren) == error


def test_siret_luhn_on_fourteen_digits() -> None:
    assert siret_error("732 829 320 00074") is None
    assert siret_error("73282932000075") == "siret.checksum"
    assert siret_error("7328293200007") == "siret.length"


def test_la_poste_siret_exception() -> None:
    # La Poste's establishments follow "sum of digits divisible by 5", not Luhn.
    assert siret_error("35600000000048") is None  # head office: plain Luhn
    assert not luhn_valid("35600000000010")
    assert siret_error("35600000000010") is None
    assert siret_error("35600000000011") == "siret.checksum"


def test_luhn_complete_makes_valid_sirens() -> None:
    for prefix in ("12345678", "00000001", "98765432"):
        assert siren_error(luhn_complete(prefix)) is None


def test_siret_whose_siren_part_is_wrong_is_refused() -> None:
    # Luhn holds on the 14 digits but not on the first 9: stdnum checks both.
    assert luhn_valid("10000000000008")
    assert siret_error("10000000000008") == "siret.checksum"


@pytest.mark.parametrize(
    ("vat", "error"),
    [
        ("FR40303265045", None),
        ("fr 40 303 265 045", None),
        ("FR41303265045", "identifiers.vat.checksum"),
        ("FR4030326504", "identifiers.vat.length"),
        ("DE40303265045", "identifiers.vat.format"),
    ],
)
def test_french_vat_numbers(vat: str, error: str | None) -> None:
    assert vat_error(vat) == error


@pytest.mark.parametrize(
    ("number", "error"),
    [
        ("FR76 3000 6000 0112 3456 7890 189", None),
        ("FR7630006000011234567890188", "identifiers.iban.checksum"),
        ("7630006000011234567890189", "identifiers.iban.format"),
    ],
)
def test_ibans(number: str, error: str | None) -> None:
    assert iban_error(number) == error


@pytest.mark.parametrize(
    ("code", "error"),
    [
        ("BNPAFRPP", None),
        ("BNPAFRPPXXX", None),
        ("BNPAFRP", "identifiers.bic.length"),
        ("BNP1FRPP", "identifiers.bic.format"),
    ],
)
def test_bics(code: str, error: str | None) -> None:
    assert bic_error(code) == error
