from datetime import UTC, date, datetime

import pytest

from relance_tui import i18n
from relance_tui.formatting import day, moment, money, money_short


def test_french_by_default_english_on_request(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LANG", raising=False)
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    monkeypatch.setattr(i18n.locale, "getlocale", lambda: (None, None))
    assert i18n.detect_language(None) == "fr"
    assert i18n.detect_language("en") == "en"
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    assert i18n.detect_language(None) == "en"
    monkeypatch.setenv("RELANCE_LANG", "fr")
    assert i18n.detect_language(None) == "fr"


def test_translation_with_values_and_fallback() -> None:
    assert i18n.t("segment.sme") == "PME"
    i18n.set_language("en")
    assert i18n.t("segment.sme") == "SME"
    assert i18n.t("error.file_not_found", path="x.csv") == "File not found: x.csv"
    assert i18n.t("no.such.key") == "no.such.key"


def test_money_the_french_way() -> None:
    assert money(342000) == "3\u202f420,00\u00a0€"
    assert money(5) == "0,05\u00a0€"
    assert money(-123456789) == "-1\u202f234\u202f567,89\u00a0€"
    assert money_short(342049) == "3\u202f420\u00a0€"
    i18n.set_language("en")
    assert money(342000) == "€3,420.00"


def test_dates_the_french_way() -> None:
    assert day(date(2026, 8, 27)) == "27/08/2026"
    assert day("2026-08-27") == "27/08/2026"
    assert day(None) == ""
    assert moment(datetime(2026, 8, 27, 12, 5, tzinfo=UTC)) == "27/08/2026 14:05"  # Paris, summer


def test_configured_language_comes_after_lang_and_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert i18n.detect_language(None, "en") == "en"
    assert i18n.detect_language("fr", "en") == "fr"
    monkeypatch.setenv("RELANCE_LANG", "fr")
    assert i18n.detect_language(None, "en") == "fr"
