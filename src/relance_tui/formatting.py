"""French presentation of money, dates and percentages, through Babel. One place for all of it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from zoneinfo import ZoneInfo

from relance_tui.domain.clock import PARIS
from relance_tui.i18n import BABEL_LOCALES, current_language, number

__all__ = [
    "PARIS",
    "day",
    "decimal",
    "moment",
    "money",
    "money_short",
    "money_short_in",
    "number",
    "percent",
    "rate",
]


@cache
def _money_formatter(language: str) -> tuple[str, str, str, bool]:
    """(group separator, decimal separator, currency symbol, symbol after) for the language."""
    # Deferred: not loaded until first used (start-up time).
    from babel.numbers import format_currency

    sample = format_currency(Decimal("1234.5"), "EUR", locale=BABEL_LOCALES[language])
    symbol_after = sample.rstrip().endswith("€")
    digits = sample.replace("€", "").strip().replace("\u00a0", "")
    group = digits[1]
    decimal = digits[-3]
    spacer = "\u00a0" if symbol_after else ""
    return group, decimal, spacer, symbol_after


def money(cents: int, *, symbol: bool = True) -> str:
    """`342000` → `3 420,00 €` in French (narrow no-break space between thousands)."""
    group, decimal, spacer, symbol_after = _money_formatter(current_language())
    sign = "-" if cents < 0 else ""
    units, rest = divmod(abs(cents), 100)
    grouped = f"{units:,}".replace(",", group)
    number = f"{sign}{grouped}{decimal}{rest:02d}"
    if not symbol:
        return number
    return f"{number}{spacer}€" if symbol_after else f"{sign}€{grouped}{decimal}{rest:02d}"


def money_short(cents: int) -> str:
    """Whole euros for tight columns: `3 420 €`."""
    return money_short_in(current_language())(cents)


@cache
def money_short_in(language: str) -> Callable[[int], str]:
    """money_short for one language (the queue table formats thousands of amounts with it)."""
    group, _decimal, spacer, symbol_after = _money_formatter(language)

    def short(cents: int) -> str:
        euros = round(cents / 100)
        grouped = f"{abs(euros):,}".replace(",", group)
        sign = "-" if euros < 0 else ""
        return f"{sign}{grouped}{spacer}€" if symbol_after else f"{sign}€{grouped}"

    return short


def day(value: date | str | None) -> str:
    """`27/08/2026` (the French way in both languages: agents read French paperwork)."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    # As strftime("%d/%m/%Y"), at a third of its cost (the batch prints 100 000 of them).
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"


def moment(value: datetime | str | None, zone: ZoneInfo = PARIS) -> str:
    """A stored UTC timestamp shown in Paris time: `27/08/2026 14:05`."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.astimezone(zone).strftime("%d/%m/%Y %H:%M")


def decimal(value: float, digits: int = 1, *, language: str | None = None) -> str:
    """`54,0` in French, `54.0` in English (the current language unless `language` is given)."""
    text = f"{value:.{digits}f}"
    return text.replace(".", ",") if (language or current_language()) == "fr" else text


def percent(fraction: float) -> str:
    return (
        f"{round(fraction * 100)}\u00a0%"
        if current_language() == "fr"
        else f"{round(fraction * 100)}%"
    )


def rate(value: Decimal) -> str:
    """An interest rate in percent: `12,15 %` in French, `12.15%` in English."""
    text = f"{value:.2f}"
    if current_language() == "fr":
        return text.replace(".", ",") + "\u00a0%"
    return text + "%"
