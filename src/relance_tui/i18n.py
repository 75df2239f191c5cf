"""The one translation layer. Every UI string goes through `t(key, **values)`.

Catalogs are TOML tables in `locales/<lang>/*.toml` (one file per area of the app), French first.
A key missing from the active language falls back to French, then to the key itself.

Every key is written out in full where it is used, so that tests/test_i18n_catalogue.py can check
that each one is in both catalogues and that none is dead:
- `t("queue.title")`, `tn("queue.cases", n)`, `t_in(language, "case.recap.subject")`: a literal;
- `t(STAGE_KEYS[stage])`: a module-level `*_KEYS` mapping whose values are literals;
- `t_key(problem)`: a `Key` carried as data (a problem found, an error), made by `key("…")` with a
  literal; mypy keeps plain strings out of `t_key`.
"""

from __future__ import annotations

import locale
import os
import tomllib
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import NewType

LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"
BABEL_LOCALES = {"fr": "fr_FR", "en": "en_GB"}
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


Key = NewType("Key", str)


def key(name: str, /) -> Key:
    """A translation key to carry as data and translate later with `t_key`. Takes a literal."""
    return Key(name)


class KeyedError(ValueError):
    """An error whose reason is a translation key: `str(error)` is the key, `error.text()` the
    reason in the user's language. Pydantic keeps a validator's exception in its error's ctx."""

    def __init__(self, key: Key, /, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values

    def text(self) -> str:
        return t_key(self.key, **self.values)


def t(key: str, /, **values: object) -> str:
    return t_in(_active, key, **values)


def t_key(key: Key, /, **values: object) -> str:
    return t_in(_active, key, **values)


def t_in(language: str, key: str, /, **values: object) -> str:
    """`t` in a given language (the recap is written in French whatever the agent reads)."""
    text = catalog(language).get(key)
    if text is None:
        text = catalog(DEFAULT_LANGUAGE).get(key, key)
    return text.format(**values) if values else text


def tn(key: str, count: int, /, **values: object) -> str:
    """The form of `key` for `count` by the language's plural rules (CLDR: French puts 0 and 1 in
    the singular, English only 1): `key.one` or `key.other`, with `{count}` as a local number."""
    form = plural_form(count)
    texts = catalog(_active)
    chosen = f"{key}.{form}" if f"{key}.{form}" in texts else f"{key}.other"
    return t_in(_active, chosen, count=number(count), **values)


def plural_form(count: int, language: str | None = None) -> str:
    """CLDR's plural category of `count` in the language: "one", "many", "other"…"""
    return _plural_rule(language or _active)(abs(count))


def number(value: int, language: str | None = None) -> str:
    """`12 345` in French (narrow no-break space), `12,345` in English."""
    # Deferred: not loaded until first used (start-up time).
    from babel.numbers import format_decimal

    return str(format_decimal(value, locale=BABEL_LOCALES[language or _active]))


@cache
def _plural_rule(language: str) -> Callable[[int], str]:
    # Deferred: not loaded until first used (start-up time).
    from babel import Locale

    rule: Callable[[int], str] = Locale.parse(BABEL_LOCALES[language]).plural_form
    return rule
