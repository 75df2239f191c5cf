"""Matching rules for money received (pure: no SQL, no clock).

Invoice numbers are compared by their digit groups, leading zeros dropped: `F-2026-0012`,
`F2026 0012` and `FACT 2026/12` all have the key `2026-12`. A label is searched for every run of
digit groups (groups joined by at most three of ` /.-_`) and each window of one to three
consecutive groups in it; a key of a single group needs four significant digits, so a day or a
count in a label does not pass for an invoice.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from itertools import pairwise

_RUN = re.compile(r"\d+(?:[ /.\-_]{1,3}\d+)*")
_GROUP = re.compile(r"\d+")
_WORD = re.compile(r"[A-Z0-9]+")
MAX_SET_INVOICES = 24  # a debtor's open invoices searched for a set adding up to a payment
MAX_SET_STATES = 20_000


class MatchRule(StrEnum):
    INVOICE_NUMBER = "invoice_number"
    DEBTOR_REFERENCE = "debtor_reference"
    AMOUNT = "amount"
    INVOICE_SET = "invoice_set"
    KNOWN_PAYER = "known_payer"
    MANUAL = "manual"


MATCH_RULE_KEYS: dict[str, str] = {
    MatchRule.INVOICE_NUMBER: "matching.rule.invoice_number",
    MatchRule.DEBTOR_REFERENCE: "matching.rule.debtor_reference",
    MatchRule.AMOUNT: "matching.rule.amount",
    MatchRule.INVOICE_SET: "matching.rule.invoice_set",
    MatchRule.KNOWN_PAYER: "matching.rule.known_payer",
    MatchRule.MANUAL: "matching.rule.manual",
}


def number_key(number: str) -> str | None:
    """An invoice number's digit groups without leading zeros: `FA2026-0000012` → `2026-12`."""
    groups = [group.lstrip("0") or "0" for group in _GROUP.findall(number)]
    if not groups or (len(groups) == 1 and len(groups[0]) < 4):
        return None
    return "-".join(groups)


def label_keys(text: str) -> list[str]:
    """Every invoice-number key a label may hold, in the order they appear."""
    keys: list[str] = []
    for run in _RUN.findall(text):
        groups = [group.lstrip("0") or "0" for group in _GROUP.findall(run)]
        for size in (3, 2, 1):
            for start in range(len(groups) - size + 1):
                window = groups[start : start + size]
                if size == 1 and len(window[0]) < 4:
                    continue
                key = "-".join(window)
                if key not in keys:
                    keys.append(key)
    return keys


def plain(text: str) -> str:
    """Upper case without accents, every run of other characters one space (names, references)."""
    if not text.isascii():  # accents dropped, other scripts too (they match nothing here)
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return " ".join(_WORD.findall(text.upper()))


def reference_key(reference: str) -> str | None:
    """A debtor reference as it may be typed in a label: letters and digits only, upper case.
    Short or digit-free references (`12`, `ACME`) would match too much: None."""
    key = plain(reference).replace(" ", "")
    if len(key) < 4 or not any(c.isdigit() for c in key):
        return None
    return key


def label_words(text: str) -> list[str]:
    """Words of a label and each pair of neighbours joined (`C 000123` → `C000123`)."""
    words = plain(text).split()
    return words + [a + b for a, b in pairwise(words)]


@dataclass(frozen=True, slots=True)
class OpenItem:
    id: int
    cents: int  # what is still owed


def invoice_set(cents: int, items: Sequence[OpenItem]) -> tuple[int, ...] | None:
    """Invoices (oldest first, at most MAX_SET_INVOICES searched) whose balances add up exactly
    to `cents`: a single one first, then the oldest ones in a row, then any set. None if none."""
    items = list(items[:MAX_SET_INVOICES])
    for item in items:
        if item.cents == cents:
            return (item.id,)
    total = 0
    for count, item in enumerate(items, start=1):
        total += item.cents
        if total == cents and count > 1:
            return tuple(i.id for i in items[:count])
        if total > cents:
            break
    reach: dict[int, tuple[int, ...]] = {0: ()}
    for item in items:
        for reached, chosen in list(reach.items()):
            value = reached + item.cents
            if value > cents or value in reach:
                continue
            reach[value] = (*chosen, item.id)
            if value == cents:
                return reach[value]
        if len(reach) > MAX_SET_STATES:
            return None
    return None


def allocate(cents: int, balances: Sequence[tuple[int, int]]) -> tuple[list[tuple[int, int]], int]:
    """Spread `cents` over (invoice id, balance) in order: [(invoice id, share)], what is left."""
    shares: list[tuple[int, int]] = []
    left = cents
    for invoice_id, balance in balances:
        if left <= 0:
            break
        share = min(left, balance)
        if share > 0:
            shares.append((invoice_id, share))
            left -= share
    return shares, left
