"""Short typed fields of the call checklist and the dialogs: French amounts and dates.

`parse_amount("1 234,56")`, `("1234,56 €")`, `("1234.56")` → Decimal("1234.56");
`amount_text(Decimal("1234.56"))` → `1 234,56 €`; `parse_day("+7", today)` → today + 7 days;
`parse_day("15/03")` → 15 March of this year (or next, when that is past).
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

from relance_tui.domain.models import CENT
from relance_tui.formatting import money

_SPACES = re.compile(r"[\s\u00a0\u202f€]")


def parse_amount(text: str) -> Decimal | None:
    """An amount as typed: spaces and `€` ignored; of `,` and `.`, the last one written is the
    decimal separator when both are (`1.234,56`, `1,234.56`), a lone one too, unless it comes
    back (`1 234 567` written `1.234.567`)."""
    compact = _SPACES.sub("", text)
    if not compact:
        return None
    marks = [c for c in compact if c in ",."]
    if len(set(marks)) == 2:
        decimal_mark = marks[-1]
        compact = compact.replace("." if decimal_mark == "," else ",", "")
    elif marks and len(marks) > 1:  # one mark, written more than once: thousands
        compact = compact.replace(marks[0], "")
    compact = compact.replace(",", ".")
    try:
        value = Decimal(compact)
    except InvalidOperation:
        return None
    if not value.is_finite() or value <= 0:
        return None
    return value.quantize(CENT)


def amount_text(value: Decimal) -> str:
    """What an amount field shows: `1 234,56 €` (as every amount on screen)."""
    return money(int(value.quantize(CENT) * 100))


def parse_day(text: str, today: date) -> date | None:
    """`31/12/2026`, `31/12/26`, `31/12`, `2026-12-31`, `+7` / `j+7` (days from today)."""
    value = text.strip().lower()
    if not value:
        return None
    relative = re.fullmatch(r"(?:j|d)?\s*\+\s*(\d{1,3})", value)
    if relative:
        return today + timedelta(days=int(relative.group(1)))
    if value in ("0", "auj", "today", "aujourd'hui"):
        return today
    try:
        return date.fromisoformat(value)
    except ValueError:
        pass
    parts = re.split(r"[/.\-]", value)
    if not 2 <= len(parts) <= 3 or not all(part.isdigit() for part in parts):
        return None
    try:
        if len(parts) == 2:
            found = date(today.year, int(parts[1]), int(parts[0]))
            return found if found >= today else date(today.year + 1, found.month, found.day)
        year = int(parts[2])
        year = year + 2000 if year < 100 else year
        return date(year, int(parts[1]), int(parts[0]))
    except ValueError:
        return None


def day_text(value: date | None) -> str:
    return "" if value is None else value.strftime("%d/%m/%Y")


def parse_moment(text: str, today: date) -> tuple[date, time | None] | None:
    """A day with an optional time: `12/03/2026 10:30`, `+1 14h`, `demain`…"""
    value = text.strip().lower().replace("demain", "+1").replace("tomorrow", "+1")
    match = re.fullmatch(r"(.*?)(?:\s+(\d{1,2})\s*[:h]\s*(\d{2})?)?", value)
    if match is None:
        return None
    day = parse_day(match.group(1), today)
    if day is None:
        return None
    if match.group(2) is None:
        return day, None
    try:
        return day, time(int(match.group(2)), int(match.group(3) or 0))
    except ValueError:
        return None


def moment_text(value: datetime) -> str:
    return value.strftime("%d/%m/%Y %H:%M")
