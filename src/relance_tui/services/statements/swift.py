"""MT940 (SWIFT customer statement), read with the maintained `mt-940` library; this module turns
its transactions into our movements and keeps the balances it reads (:60F:/:60M:, :62F:/:62M:).

Remittance information is the :86: text as the bank wrote it; the payer's name and IBAN are taken
from its usual sub-fields (/ORDP/ or /NAME/, /IBAN/; ?32/?33 and ?31 in the German layout)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import mt940

from relance_tui.domain.text import inert
from relance_tui.i18n import t
from relance_tui.services.statements.model import Movement, Statement, StatementError

_SPACES = re.compile(r"\s+")
_NAME = re.compile(r"/(?:ORDP|NAME)/([^/]+)|\?3[23]([^?]+)")
_IBAN = re.compile(r"\b([A-Z]{2}[0-9]{2}[A-Z0-9]{11,30})\b")


def looks_like_mt940(text: str) -> bool:
    head = text[:4096]
    return ":20:" in head and (":60F:" in head or ":60M:" in head or ":25:" in head)


def _text(value: object) -> str:
    return inert(_SPACES.sub(" ", str(value or "")).strip())


def _cents(amount: Any) -> int:
    return int((amount.amount * 100).to_integral_value())


def _day(value: Any) -> date | None:
    return None if value is None else date(value.year, value.month, value.day)


def read_mt940(text: str, file_name: str) -> list[Statement]:
    try:
        blocks = mt940.parse_statements(text)
    except Exception as error:  # the library raises what its regexes meet: any of them
        raise StatementError(
            t("statement.mt940.bad", file=file_name, detail=str(error)[:200])
        ) from error
    statements: list[Statement] = []
    lines = text.splitlines()
    starts = [n + 1 for n, line in enumerate(lines) if line.startswith(":20:")]
    for number, block in enumerate(blocks):
        data = block.data
        opening = data.get("final_opening_balance") or data.get("intermediate_opening_balance")
        closing = data.get("final_closing_balance") or data.get("intermediate_closing_balance")
        where = starts[number] if number < len(starts) else 1
        if opening is None or closing is None:
            raise StatementError(t("statement.mt940.no_balance", file=file_name, line=where))
        statement = Statement(
            format="mt940", account=_text(data.get("account_identification")),
            currency=str(opening.amount.currency or "EUR"), opening_on=_day(opening.date),
            opening_cents=_cents(opening.amount), closing_on=_day(closing.date),
            closing_cents=_cents(closing.amount), line=where,
        )  # fmt: skip
        for index, transaction in enumerate(block, start=1):
            details = transaction.data
            booked = _day(details.get("entry_date") or details.get("date"))
            if booked is None:
                raise StatementError(t("statement.mt940.no_balance", file=file_name, line=where))
            remittance = str(details.get("transaction_details") or "")
            name = _NAME.search(remittance)
            iban = _IBAN.search(remittance.replace(" ", "").replace("/IBAN/", " "))
            reference = str(details.get("bank_reference") or "")
            customer = str(details.get("customer_reference") or "")
            if customer and customer != "NONREF":
                reference = reference or customer
            statement.movements.append(
                Movement(
                    booked_on=booked,
                    value_on=_day(details.get("date")),
                    cents=_cents(details["amount"]),
                    label=_text(details.get("extra_details")),
                    line=index,
                    bank_reference=_text(reference),
                    remittance=_text(remittance),
                    payer_name=_text(next(g for g in name.groups() if g)) if name else "",
                    payer_iban=iban.group(1) if iban else "",
                )
            )
        statement.check_balances(file_name)
        statements.append(statement)
    if not statements:
        raise StatementError(t("statement.mt940.bad", file=file_name, detail=":20:"))
    return statements
