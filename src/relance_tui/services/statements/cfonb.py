"""CFONB 120, the French banks' fixed-width statement format. No maintained Python library reads
it, so this is our own small reader (tests/services/statements/test_cfonb.py covers each rule).

Records of 120 characters, Latin-1, with or without line breaks between them:
- 01 opening balance, 07 closing balance: bank (3-7), branch (12-16), currency (17-19), number of
  decimals (20), account (22-32), date DDMMYY (35-40), amount (91-104);
- 04 movement: also the booking date (35-40), value date (43-48), label (49-80), entry number
  (82-88), amount (91-104) and reference (105-120);
- 05 complement of the movement before it: a qualifier (46-48: NPY payer's name, IPY payer's
  identifier, RCN the payer's reference, LIB free label, REF…) and its text (49-118).
Amounts are digits whose last character also carries the sign (the "overpunch"): `{`, `A`-`I`
are +0 to +9, `}`, `J`-`R` are -0 to -9.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import cache

from relance_tui.domain.text import inert
from relance_tui.i18n import t
from relance_tui.services.statements.model import Movement, Statement, StatementError

RECORD = 120
_POSITIVE = {"{": 0, **{chr(ord("A") + n): n + 1 for n in range(9)}}
_NEGATIVE = {"}": 0, **{chr(ord("J") + n): n + 1 for n in range(9)}}
_SPACES = re.compile(r"\s+")
_FIRST = re.compile(r"[\r\n]*01[0-9]{5}")
_IBAN = re.compile(r"\b([A-Z]{2}[0-9]{2}[A-Z0-9]{11,30})\b")


def looks_like_cfonb(text: str) -> bool:
    """A first record 01 with a numeric bank code."""
    return _FIRST.match(text) is not None


def _records(text: str) -> list[tuple[int, str]]:
    """(line number, record): lines as they are, or 120-character slices of a file without
    line breaks."""
    if "\n" not in text and "\r" not in text:
        return [(n + 1, text[start : start + RECORD]) for n, start in
                enumerate(range(0, len(text), RECORD))]  # fmt: skip
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return [(n + 1, line) for n, line in enumerate(lines) if line.strip()]


def _amount(field: str, decimals: int, line: int, file_name: str) -> int:
    digits, last = field[:-1], field[-1:]
    if last in _POSITIVE:
        sign, unit = 1, _POSITIVE[last]
    elif last in _NEGATIVE:
        sign, unit = -1, _NEGATIVE[last]
    else:
        raise StatementError(t("statement.cfonb.bad_amount", file=file_name, line=line,
                               value=field))  # fmt: skip
    if not digits.isdigit():
        raise StatementError(t("statement.cfonb.bad_amount", file=file_name, line=line,
                               value=field))  # fmt: skip
    value = int(digits) * 10 + unit
    if decimals > 2:
        value //= 10 ** (decimals - 2)
    elif decimals < 2:
        value *= 10 ** (2 - decimals)
    return sign * value


@cache
def _day(field: str) -> date:
    return date(2000 + int(field[4:6]), int(field[2:4]), int(field[0:2]))


def _date(field: str, line: int, file_name: str, *, empty_ok: bool = False) -> date | None:
    if empty_ok and not field.strip(" 0"):
        return None
    try:
        return _day(field)
    except ValueError as error:
        raise StatementError(
            t("statement.cfonb.bad_date", file=file_name, line=line, value=field)
        ) from error


def _text(value: str) -> str:
    return inert(_SPACES.sub(" ", value).strip())


@dataclass
class _Draft:
    """A 04 record and the 05 records after it."""

    booked_on: date
    value_on: date | None
    label: str
    cents: int
    bank_reference: str
    line: int
    remittance: list[str] = field(default_factory=list)
    payer_name: str = ""
    payer_iban: str = ""

    def movement(self) -> Movement:
        return Movement(
            booked_on=self.booked_on, value_on=self.value_on, cents=self.cents, label=self.label,
            line=self.line, bank_reference=self.bank_reference,
            remittance=" ".join(self.remittance), payer_name=self.payer_name,
            payer_iban=self.payer_iban,
        )  # fmt: skip

    def complement(self, qualifier: str, detail: str) -> None:
        iban = _IBAN.search(detail.replace(" ", "")) if qualifier == "IPY" else None
        if qualifier == "NPY" and not self.payer_name:
            self.payer_name = detail
        elif iban is not None:
            self.payer_iban = iban.group(1)
        elif detail:
            self.remittance.append(detail)


def read_cfonb(text: str, file_name: str) -> list[Statement]:
    statements: list[Statement] = []
    current: Statement | None = None
    draft: _Draft | None = None
    for line, raw in _records(text):
        record = raw.rstrip("\r\n")
        if len(record) < 104 or len(record) > RECORD:
            raise StatementError(
                t("statement.cfonb.length", file=file_name, line=line, length=len(record))
            )
        record = record.ljust(RECORD)
        code = record[0:2]
        if code not in ("01", "04", "05", "07"):
            raise StatementError(t("statement.cfonb.code", file=file_name, line=line, code=code))
        if not record[19].isdigit():
            raise StatementError(
                t("statement.cfonb.bad_decimals", file=file_name, line=line, value=record[19])
            )
        decimals = int(record[19])
        account = f"{record[2:7]} {record[11:16]} {record[21:32]}"
        if code == "01":
            if current is not None:
                raise StatementError(
                    t("statement.cfonb.no_closing", file=file_name, line=current.line)
                )
            current = Statement(
                format="cfonb120", account=account, currency=record[16:19].strip() or "EUR",
                opening_on=_date(record[34:40], line, file_name),
                opening_cents=_amount(record[90:104], decimals, line, file_name),
                closing_on=None, closing_cents=0, line=line,
            )  # fmt: skip
            continue
        if current is None or account != current.account:
            raise StatementError(t("statement.cfonb.outside", file=file_name, line=line, code=code))
        if code == "04":
            if draft is not None:
                current.movements.append(draft.movement())
            draft = _Draft(
                booked_on=_booked(record[34:40], line, file_name),
                value_on=_date(record[42:48], line, file_name, empty_ok=True),
                label=_text(record[48:80]),
                cents=_amount(record[90:104], decimals, line, file_name),
                bank_reference=_text(record[104:120]),
                line=line,
            )
        elif code == "05":
            if draft is None:
                raise StatementError(t("statement.cfonb.orphan_05", file=file_name, line=line))
            draft.complement(record[45:48], _text(record[48:118]))
        else:  # 07
            if draft is not None:
                current.movements.append(draft.movement())
                draft = None
            current.closing_on = _date(record[34:40], line, file_name)
            current.closing_cents = _amount(record[90:104], decimals, line, file_name)
            current.check_balances(file_name)
            statements.append(current)
            current = None
    if current is not None:
        raise StatementError(t("statement.cfonb.no_closing", file=file_name, line=current.line))
    return statements


def _booked(field: str, line: int, file_name: str) -> date:
    found = _date(field, line, file_name)
    assert found is not None
    return found
