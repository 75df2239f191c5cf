"""French company identifiers: SIREN (9 digits) and SIRET (14 digits), both Luhn-checked."""

from __future__ import annotations

from relance_tui.i18n import Key, key

# Some La Poste SIRETs break the Luhn rule; theirs is "the digits add up to a multiple of 5".
LA_POSTE_SIREN = "356000000"
_SEPARATORS = str.maketrans("", "", " \u00a0\u202f.-")


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = ord(char) - 48
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def normalise_identifier(raw: str) -> str:
    """Drop the spaces, dots and dashes people type inside identifiers."""
    return (
        raw.replace(" ", "")
        .replace("\u00a0", "")
        .replace("\u202f", "")
        .replace(".", "")
        .replace("-", "")
    )


def siren_error(raw: str) -> Key | None:
    """Return why `raw` is not a valid SIREN, or None when it is."""
    value = normalise_identifier(raw)
    if len(value) != 9 or not value.isdigit():
        return key("siren.length")
    if not luhn_valid(value):
        return key("siren.checksum")
    return None


def siret_error(raw: str) -> Key | None:
    value = normalise_identifier(raw)
    if len(value) != 14 or not value.isdigit():
        return key("siret.length")
    if luhn_valid(value):
        return None
    if value.startswith(LA_POSTE_SIREN) and sum(int(c) for c in value) % 5 == 0:
        return None
    return key("siret.checksum")


def luhn_complete(prefix: str) -> str:
    """Append the check digit that makes `prefix` + digit Luhn-valid (used to make valid SIRENs)."""
    for digit in "0123456789":
        if luhn_valid(prefix + digit):
            return prefix + digit
    raise AssertionError("unreachable: one digit always completes a Luhn number")
