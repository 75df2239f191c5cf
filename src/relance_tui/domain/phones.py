"""Phone numbers: parse what agents and exports type, French overseas prefixes included.

`phonenumbers.parse("0692…", "FR")` yields an invalid +33 number, so national numbers that start
with an overseas prefix are parsed in their own region first (docs/french-collection-rules.md,
"Phone numbers").
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType

from relance_tui.i18n import Key, key

DEFAULT_REGION = "FR"

OVERSEAS_NATIONAL_PREFIXES: dict[str, str] = {
    "0262": "RE", "0263": "RE", "0692": "RE", "0693": "RE",
    "0269": "YT", "0639": "YT",
    "0590": "GP", "0690": "GP", "0691": "GP",
    "0594": "GF", "0694": "GF",
    "0596": "MQ", "0696": "MQ", "0697": "MQ",
}  # fmt: skip

REGION_TIME_ZONES: dict[str, str] = {
    "FR": "Europe/Paris", "MC": "Europe/Monaco",
    "RE": "Indian/Reunion", "YT": "Indian/Mayotte",
    "GP": "America/Guadeloupe", "BL": "America/St_Barthelemy", "MF": "America/Marigot",
    "GF": "America/Cayenne", "MQ": "America/Martinique", "PM": "America/Miquelon",
    "NC": "Pacific/Noumea", "PF": "Pacific/Tahiti", "WF": "Pacific/Wallis",
    "BE": "Europe/Brussels", "CH": "Europe/Zurich", "LU": "Europe/Luxembourg",
    "DE": "Europe/Berlin", "ES": "Europe/Madrid", "IT": "Europe/Rome", "GB": "Europe/London",
}  # fmt: skip


class PhoneKind(StrEnum):
    MOBILE = "mobile"
    FIXED = "fixed"
    VOIP = "voip"
    OTHER = "other"
    UNKNOWN = "unknown"


PHONE_KIND_KEYS: dict[str, str] = {
    PhoneKind.MOBILE: "phone_kind.mobile",
    PhoneKind.FIXED: "phone_kind.fixed",
    PhoneKind.VOIP: "phone_kind.voip",
    PhoneKind.OTHER: "phone_kind.other",
    PhoneKind.UNKNOWN: "phone_kind.unknown",
}


_KIND_BY_TYPE = {
    PhoneNumberType.MOBILE: PhoneKind.MOBILE,
    PhoneNumberType.FIXED_LINE: PhoneKind.FIXED,
    PhoneNumberType.FIXED_LINE_OR_MOBILE: PhoneKind.FIXED,
    PhoneNumberType.VOIP: PhoneKind.VOIP,
}


@dataclass(frozen=True, slots=True)
class ParsedPhone:
    raw: str
    e164: str | None
    region: str | None
    kind: PhoneKind
    time_zone: str | None
    error: Key | None  # why the number is not valid

    @property
    def valid(self) -> bool:
        return self.error is None


def _digits_and_plus(raw: str) -> str:
    kept = "".join(ch for ch in raw if ch.isdigit() or ch == "+")
    if kept.startswith("00"):
        kept = "+" + kept[2:]
    return kept


def parse_phone(raw: str, default_region: str = DEFAULT_REGION) -> ParsedPhone:
    """Parse a phone as typed. Invalid numbers come back with `error` set, never raised."""
    text = raw.strip()
    compact = _digits_and_plus(text)
    if not compact.strip("+"):
        return ParsedPhone(text, None, None, PhoneKind.UNKNOWN, None, key("phone.empty"))
    region = default_region
    if not compact.startswith("+") and len(compact) == 10:
        region = OVERSEAS_NATIONAL_PREFIXES.get(compact[:4], default_region)
    try:
        number = phonenumbers.parse(compact, region)
    except NumberParseException:
        return ParsedPhone(text, None, None, PhoneKind.UNKNOWN, None, key("phone.unparseable"))
    if not phonenumbers.is_valid_number(number):
        return ParsedPhone(text, None, None, PhoneKind.UNKNOWN, None, key("phone.invalid"))
    number_region = phonenumbers.region_code_for_number(number)
    kind = _KIND_BY_TYPE.get(phonenumbers.number_type(number), PhoneKind.OTHER)
    return ParsedPhone(
        raw=text,
        e164=phonenumbers.format_number(number, PhoneNumberFormat.E164),
        region=number_region,
        kind=kind,
        time_zone=time_zone_for(number_region, number),
        error=None,
    )


def time_zone_for(region: str | None, number: phonenumbers.PhoneNumber | None = None) -> str | None:
    if region in REGION_TIME_ZONES:
        return REGION_TIME_ZONES[region]
    if number is None:
        return None
    from phonenumbers import timezone as phone_timezones  # large metadata: only when needed

    zones = phone_timezones.time_zones_for_number(number)
    return zones[0] if zones and zones[0] != "Etc/Unknown" else None


@lru_cache(maxsize=8192)
def format_national(e164: str | None, raw: str = "") -> str:
    """Show a stored number the way a French agent dials it; fall back to what was typed.

    Memoised: a case file shows the same few numbers on many lines, and phonenumbers' parse and
    format cost ~90 µs a call."""
    if not e164:
        return raw
    try:
        number = phonenumbers.parse(e164, None)
    except NumberParseException:
        return raw or e164
    if phonenumbers.region_code_for_number(number) in OVERSEAS_NATIONAL_PREFIXES.values() or (
        number.country_code == 33
    ):
        return phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)


def search_key(text: str) -> str | None:
    """E.164 form of a phone typed in a search box, or None when the text is not a phone."""
    compact = _digits_and_plus(text)
    if len(compact.lstrip("+")) < 6:
        return None
    parsed = parse_phone(text)
    return parsed.e164
