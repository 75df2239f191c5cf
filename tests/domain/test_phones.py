import pytest

from relance_tui.domain.phones import PhoneKind, format_national, parse_phone, search_key


@pytest.mark.parametrize(
    ("typed", "e164", "kind", "zone", "national"),
    [
        ("01 42 68 53 00", "+33142685300", PhoneKind.FIXED, "Europe/Paris", "01 42 68 53 00"),
        ("06.12.34.56.78", "+33612345678", PhoneKind.MOBILE, "Europe/Paris", "06 12 34 56 78"),
        ("0692 12 34 56", "+262692123456", PhoneKind.MOBILE, "Indian/Reunion", "0692 12 34 56"),
        ("0639 01 23 45", "+262639012345", PhoneKind.MOBILE, "Indian/Mayotte", "0639 01 23 45"),
        ("+262 692 12 34 56", "+262692123456", PhoneKind.MOBILE, "Indian/Reunion", "0692 12 34 56"),
        ("0590 20 12 34", "+590590201234", PhoneKind.FIXED, "America/Guadeloupe", "0590 20 12 34"),
        ("0696 20 12 34", "+596696201234", PhoneKind.MOBILE, "America/Martinique", "0696 20 12 34"),
        ("0033 9 72 12 34 56", "+33972123456", PhoneKind.VOIP, "Europe/Paris", "09 72 12 34 56"),
    ],
)
def test_french_and_overseas_numbers(
    typed: str, e164: str, kind: PhoneKind, zone: str, national: str
) -> None:
    parsed = parse_phone(typed)
    assert parsed.valid
    assert parsed.e164 == e164
    assert parsed.kind is kind
    assert parsed.time_zone == zone
    assert format_national(parsed.e164) == national


def test_reunion_mobile_is_not_read_as_metropolitan() -> None:
    # phonenumbers alone reads 0692… in region FR as an invalid +33 number.
    assert parse_phone("0692123456").region == "RE"


def test_invalid_number_is_kept_as_typed_and_flagged() -> None:
    parsed = parse_phone(" 01 23 ")
    assert not parsed.valid
    assert parsed.raw == "01 23"
    assert parsed.e164 is None
    assert parsed.error == "phone.invalid"
    assert format_national(parsed.e164, parsed.raw) == "01 23"


def test_empty_and_garbage() -> None:
    assert parse_phone("").error == "phone.empty"
    assert parse_phone("n/a").error == "phone.empty"


def test_search_key_normalises_any_format() -> None:
    assert search_key("06 12 34 56 78") == search_key("+33612345678") == "+33612345678"
    assert search_key("Dupont") is None
