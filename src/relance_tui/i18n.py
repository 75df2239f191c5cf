"""The one translation layer. Every UI string goes through `t(key, **values)`.

Catalogs are TOML tables in `locales/<lang>/*.toml` (one file per area of the app), French first.
A key missing from the active language falls back to French, then to the key itself (a test checks
that both languages have the same keys).
"""

from __future__ import annotations

import locale
import os
import tomllib
from functools import cache
from pathlib import Path

LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"
_LOCALES_DIR = Path(__file__).parent / "locales"

_active = DEFAULT_LANGUAGE


@cache
def catalog(language: str) -> dict[str, str]:
    merged: dict[str, str] = {}
    for path in sorted((_LOCALES_DIR / language).glob("*.toml")):
        with path.open("rb") as handle:
            merged.update(_flatten(tomllib.load(handle)))
    return merged


def _flatten(table: dict[str, object], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in table.items():
        full_key = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{full_key}."))
        else:
            flat[full_key] = str(value)
    return flat


def detect_language(explicit: str | None = None, configured: str | None = None) -> str:
    """`--lang`, else RELANCE_LANG, else the config file's `language`, else the POSIX locale
    when it is English, else French."""
    for candidate in (explicit, os.environ.get("RELANCE_LANG"), configured):
        if candidate:
            code = candidate.lower()[:2]
            if code in LANGUAGES:
                return code
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable)
        if value:
            return "en" if value.lower().startswith("en") else DEFAULT_LANGUAGE
    system = locale.getlocale()[0] or ""
    return "en" if system.lower().startswith("en") else DEFAULT_LANGUAGE


def set_language(language: str) -> None:
    global _active
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}; choose one of {', '.join(LANGUAGES)}")
    _active = language


def current_language() -> str:
    return _active


def t(key: str, /, **values: object) -> str:
    text = catalog(_active).get(key)
    if text is None:
        text = catalog(DEFAULT_LANGUAGE).get(key, key)
    return text.format(**values) if values else text


def has_key(key: str) -> bool:
    return key in catalog(DEFAULT_LANGUAGE)
