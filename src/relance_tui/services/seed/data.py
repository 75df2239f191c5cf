"""Building blocks of the synthetic portfolio: French names, companies, addresses, phones, SIRENs.

Everything takes a `random.Random` so the same seed gives the same data. Word lists live in
`relance_tui/data/*.txt`. Phone numbers are built from national prefixes whose every completion is
a valid number of the expected region (checked by a test that runs `parse_phone` on them), so
the seed does not pay for a `phonenumbers` parse per row.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TypeVar

from relance_tui.domain.phones import REGION_TIME_ZONES, parse_phone

_T = TypeVar("_T")

DATA_DIR = Path(__file__).resolve().parents[2] / "data"  # relance_tui/data


def _lines(name: str) -> list[str]:
    text = (DATA_DIR / name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and line[0] != "#"]


@dataclass(frozen=True, slots=True)
class City:
    postal_code: str
    name: str
    region: str  # phone region: FR, RE, YT, GP, MQ, GF

    @property
    def overseas(self) -> bool:
        return self.region != "FR"


@dataclass(frozen=True, slots=True)
class Words:
    female_first: tuple[str, ...]
    male_first: tuple[str, ...]
    last: tuple[str, ...]
    activities: tuple[str, ...]
    places: tuple[str, ...]
    suffixes: tuple[str, ...]
    large_prefixes: tuple[str, ...]
    streets: tuple[tuple[str, str], ...]
    cities: tuple[City, ...]
    city_weights: tuple[int, ...]


@cache
def words() -> Words:
    first = [line.split(";", 1) for line in _lines("first_names.txt")]
    company = [line.split(";", 1) for line in _lines("company_words.txt")]
    streets = tuple(
        (kind, name) for kind, name in (line.split(";", 1) for line in _lines("streets.txt"))
    )
    cities: list[City] = []
    weights: list[int] = []
    for line in _lines("cities.txt"):
        postal_code, name, region, weight = line.split(";")
        cities.append(City(postal_code, name, region))
        weights.append(int(weight))
    return Words(
        female_first=tuple(name for sex, name in first if sex == "F"),
        male_first=tuple(name for sex, name in first if sex == "M"),
        last=tuple(dict.fromkeys(_lines("last_names.txt"))),
        activities=tuple(word for kind, word in company if kind == "activity"),
        places=tuple(word for kind, word in company if kind == "place"),
        suffixes=tuple(word for kind, word in company if kind == "suffix"),
        large_prefixes=tuple(word for kind, word in company if kind == "large"),
        streets=streets,
        cities=tuple(cities),
        city_weights=tuple(weights),
    )


def pick(rng: random.Random, items: tuple[_T, ...] | list[_T]) -> _T:
    return items[int(rng.random() * len(items))]


# --- people -------------------------------------------------------------------------------------


def person_name(rng: random.Random) -> tuple[str, str, str]:
    """(civility, first name, last name)."""
    w = words()
    if rng.random() < 0.5:
        return "Mme", pick(rng, w.female_first), pick(rng, w.last)
    return "M.", pick(rng, w.male_first), pick(rng, w.last)


_ASCII = str.maketrans(
    "àâäçéèêëîïôöùûüÿœæÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸ' ",
    "aaaceeeeiioouuuyoaAAACEEEEIIOOUUUY--",
)


def slug(text: str) -> str:
    cleaned = text.translate(_ASCII).lower()
    return "".join(ch for ch in cleaned if ch.isalnum() or ch in ".-").strip("-.") or "contact"


# --- companies ----------------------------------------------------------------------------------

LEGAL_FORMS = ("SAS", "SARL", "SA", "EURL", "SASU", "SNC", "SCI")
_LEGAL_FORM_WEIGHTS = (30, 30, 8, 8, 14, 3, 4)

PUBLIC_BODY_PATTERNS = (
    "Commune de {city}",
    "Centre hospitalier de {city}",
    "Communauté d'agglomération de {city}",
    "Lycée {last} de {city}",
    "Collège {first} {last}",
    "CCAS de {city}",
    "Syndicat des eaux de {city}",
    "Office public de l'habitat de {city}",
    "Université de {city}",
    "Chambre de commerce de {city}",
)


def company_name(rng: random.Random, segment: str, city: City) -> str:
    w = words()
    if segment == "public_body":
        return pick(rng, PUBLIC_BODY_PATTERNS).format(
            city=city.name, last=pick(rng, w.last), first=pick(rng, w.male_first)
        )
    form = rng.choices(LEGAL_FORMS, _LEGAL_FORM_WEIGHTS)[0]
    roll = rng.random()
    if segment == "large_account":
        if roll < 0.5:
            base = f"{pick(rng, w.large_prefixes)} {pick(rng, w.last)}"
        else:
            base = f"{pick(rng, w.places)} {pick(rng, w.suffixes)}"
        form = "SA" if rng.random() < 0.6 else "SAS"
    elif segment == "multi_site":
        base = f"{pick(rng, w.activities)} {pick(rng, w.places)} {pick(rng, w.suffixes)}"
    elif form == "SCI":
        base = f"Les {pick(rng, w.places)}" if rng.random() < 0.5 else pick(rng, w.last)
        return f"SCI {base}"
    elif roll < 0.45:
        base = f"{pick(rng, w.activities)} {pick(rng, w.last)}"
    elif roll < 0.75:
        base = f"{pick(rng, w.activities)} {pick(rng, w.places)}"
    elif roll < 0.9:
        base = f"{pick(rng, w.last)} {pick(rng, w.suffixes)}"
    else:
        base = f"{pick(rng, w.last)}-{pick(rng, w.last)}"
    return f"{base} {form}"


# --- identifiers --------------------------------------------------------------------------------


def luhn_digit(prefix: str) -> str:
    """The check digit that makes `prefix` + digit Luhn-valid (fast path of luhn_complete)."""
    total = 0
    double = True  # the digit to append sits at position 0 from the right
    for char in reversed(prefix):
        value = ord(char) - 48
        if double:
            value *= 2
            if value > 9:
                value -= 9
        total += value
        double = not double
    return str((10 - total % 10) % 10)


def siren(rng: random.Random, *, public: bool = False) -> str:
    """A valid 9-digit SIREN; public bodies' SIRENs start with 2 as real ones do."""
    first = "2" if public else str(3 + int(rng.random() * 7))
    prefix = first + f"{int(rng.random() * 10_000_000):07d}"
    return prefix + luhn_digit(prefix)


def siret(siren_value: str, establishment: int) -> str:
    prefix = f"{siren_value}{establishment:04d}"
    return prefix + luhn_digit(prefix)


# --- addresses ----------------------------------------------------------------------------------


def street_address(rng: random.Random) -> str:
    kind, name = pick(rng, words().streets)
    if kind in ("ZA", "ZI", "ZAC", "parc d'activités"):
        return f"{kind} {name}, lot {1 + int(rng.random() * 40)}"
    number = 1 + int(rng.random() * 180)
    suffix = " bis" if rng.random() < 0.04 else ""
    return f"{number}{suffix} {kind} {name}"


def city(rng: random.Random, *, overseas_share: float | None = None) -> City:
    w = words()
    if overseas_share is not None:
        overseas = rng.random() < overseas_share
        pool = [c for c in w.cities if c.overseas == overseas]
        return pick(rng, pool)
    return rng.choices(w.cities, w.city_weights)[0]


# --- phones -------------------------------------------------------------------------------------

_COUNTRY_CODES = {"FR": "33", "RE": "262", "YT": "262", "GP": "590", "MQ": "596", "GF": "594"}

# National prefixes every completion of which is valid in the region (tests check this).
PHONE_PREFIXES: dict[tuple[str, str], tuple[str, ...]] = {
    ("FR", "fixed"): (
        "01", "03", "020", "021", "022", "023", "024", "025", "027", "028",
        "041", "042", "043", "044", "045", "046", "047", "048", "049",
        "050", "051", "052", "053", "054", "055", "056", "057", "058",
    ),
    ("FR", "mobile"): (
        "060", "061", "062", "064", "065", "066", "067", "068",
        "073", "074", "075", "076", "077", "078", "079",
    ),
    ("FR", "voip"): ("09",),
    ("RE", "fixed"): ("0262",),
    ("RE", "mobile"): ("0692",),
    ("YT", "fixed"): ("02696",),
    ("YT", "mobile"): ("06392", "06396", "06397"),
    ("GP", "fixed"): ("05909", "059081", "059082", "059083"),
    ("GP", "mobile"): ("0690",),
    ("GF", "fixed"): ("05940", "05942", "05943", "05944"),
    ("GF", "mobile"): ("06940", "06941", "06942", "06944"),
    ("MQ", "fixed"): ("05963", "05964", "05965"),
    ("MQ", "mobile"): ("0696", "0697"),
}  # fmt: skip

# Kept raw and flagged invalid, as agents find them in real exports.
INVALID_PHONES = (
    "06 12 34 56",
    "01 23 45 67 89 0",
    "00 00 00 00 00",
    "0692 12 34",
    "+33 6 12",
    "04 9",
    "n° à demander",
    "08 00 00 00 0",
    "+262 269 1",
    "123",
)


@dataclass(frozen=True, slots=True)
class PhoneRow:
    """The columns of `phones` (except ids)."""

    raw: str
    e164: str | None
    kind: str
    region: str | None
    time_zone: str | None
    valid: int


def _spaced(national: str) -> str:
    return " ".join(national[i : i + 2] for i in range(0, 10, 2))


def phone(rng: random.Random, region: str, kind: str) -> PhoneRow:
    """A synthetic valid number, written the various ways people type them."""
    prefixes = PHONE_PREFIXES.get((region, kind)) or PHONE_PREFIXES[(region, "fixed")]
    prefix = pick(rng, prefixes)
    missing = 10 - len(prefix)
    national = prefix + f"{int(rng.random() * 10**missing):0{missing}d}"
    code = _COUNTRY_CODES[region]
    e164 = f"+{code}{national[1:]}"
    roll = rng.random()
    if roll < 0.6:
        raw = _spaced(national)
    elif roll < 0.8:
        raw = national
    elif roll < 0.9:
        raw = ".".join(national[i : i + 2] for i in range(0, 10, 2))
    else:
        rest = national[1:]
        if code == "33":
            raw = f"+33 {rest[0]} " + " ".join(rest[i : i + 2] for i in range(1, 9, 2))
        else:
            raw = f"+{code} {rest[:3]} " + " ".join(rest[i : i + 2] for i in range(3, 9, 2))
    return PhoneRow(raw, e164, kind, region, REGION_TIME_ZONES[region], 1)


def invalid_phone(rng: random.Random) -> PhoneRow:
    parsed = parse_phone(pick(rng, INVALID_PHONES))  # few rows: parse them for real
    return PhoneRow(
        parsed.raw,
        parsed.e164,
        parsed.kind.value,
        parsed.region,
        parsed.time_zone,
        1 if parsed.valid else 0,
    )


def email(first: str, last: str, domain: str) -> str:
    return f"{slug(first)}.{slug(last)}@{domain}"


def domain_for(name: str) -> str:
    words_only = [
        part for part in slug(name).split("-") if len(part) > 2 and part not in _FORMS_SLUGS
    ]
    base = "-".join(words_only[:2]) or "entreprise"
    return f"{base}.fr"


_FORMS_SLUGS = {form.lower() for form in LEGAL_FORMS} | {"de", "des", "du", "la", "le", "les"}
