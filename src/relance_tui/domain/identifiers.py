"""Legal and bank identifiers, checked with python-stdnum: SIREN, SIRET (La Poste's rule included),
French VAT numbers, IBAN and BIC. Each `*_error` returns why a value is refused, or None."""

from __future__ import annotations

import re
from collections.abc import Callable

from stdnum import bic, iban, luhn
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidLength, ValidationError
from stdnum.fr import siren, siret, tva

from relance_tui.i18n import Key, key

# The head office (35600000000048) follows Luhn; La Poste's other SIRETs only need a digit sum
# that is a multiple of 5 (stdnum.fr.siret knows this).
LA_POSTE_SIREN = "356000000"
_IBAN_SHAPE = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{8,30}\Z")
_SEPARATORS = str.maketrans("", "", " \u00a0\u202f.-")


def luhn_valid(digits: str) -> bool:
    return bool(luhn.is_valid(digits)) if digits.isdigit() else False


def luhn_complete(prefix: str) -> str:
    """Append the check digit that makes `prefix` + digit Luhn-valid (used to make valid SIRENs)."""
    return prefix + luhn.calc_check_digit(prefix)


def normalise_identifier(raw: str) -> str:
    """Drop the spaces, dots and dashes people type inside identifiers."""
    return raw.translate(_SEPARATORS)


def _reason(
    validate: Callable[[str], str], value: str, length: Key, checksum: Key, form: Key
) -> Key | None:
    try:
        validate(value)
    except InvalidLength:
        return length
    except (InvalidChecksum, InvalidComponent):
        return checksum
    except ValidationError:
        return form
    return None


def siren_error(raw: str) -> Key | None:
    """Return why `raw` is not a valid SIREN, or None when it is."""
    value = normalise_identifier(raw)
    if len(value) != 9 or not value.isdigit():
        return key("siren.length")
    return _reason(
        siren.validate, value, key("siren.length"), key("siren.checksum"), key("siren.length")
    )


def siret_error(raw: str) -> Key | None:
    value = normalise_identifier(raw)
    if len(value) != 14 or not value.isdigit():
        return key("siret.length")
    return _reason(
        siret.validate, value, key("siret.length"), key("siret.checksum"), key("siret.length")
    )


def vat_error(raw: str) -> Key | None:
    """A French VAT number: FR + 2 check characters + the SIREN."""
    value = normalise_identifier(raw).upper()
    if not value.startswith("FR"):
        return key("identifiers.vat.format")
    return _reason(
        tva.validate,
        value,
        key("identifiers.vat.length"),
        key("identifiers.vat.checksum"),
        key("identifiers.vat.format"),
    )


def iban_error(raw: str) -> Key | None:
    value = normalise_identifier(raw).upper()
    if not _IBAN_SHAPE.match(value):
        return key("identifiers.iban.format")
    return _reason(
        iban.validate,
        value,
        key("identifiers.iban.length"),
        key("identifiers.iban.checksum"),
        key("identifiers.iban.format"),
    )


def bic_error(raw: str) -> Key | None:
    value = normalise_identifier(raw).upper()
    return _reason(
        bic.validate,
        value,
        key("identifiers.bic.length"),
        key("identifiers.bic.format"),
        key("identifiers.bic.format"),
    )


def compact_iban(raw: str) -> str:
    """An IBAN as the bank writes it in files: upper case, no spaces."""
    return normalise_identifier(raw).upper()
