import pytest

from relance_tui.domain.identifiers import luhn_complete, luhn_valid, siren_error, siret_error


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
