"""camt.053 (ISO 20022 bank-to-customer statement), read with the standard XML parser behind
defusedxml (no entity expansion, no external resources). The few elements we need are read by
their local names, so versions 001.02 to 001.13 all read the same.

A file whose root is not a camt.053 `Document` is refused. Entries that are not booked (`Sts`
other than BOOK) are left out, as banks leave them out of the balances.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from xml.etree.ElementTree import Element

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from relance_tui.domain.text import inert
from relance_tui.i18n import t
from relance_tui.services.statements.model import Movement, Statement, StatementError

NAMESPACE = "urn:iso:std:iso:20022:tech:xsd:camt.053."
_SPACES = re.compile(r"\s+")


def looks_like_camt(text: str) -> bool:
    head = text[:4096]
    return head.lstrip("\ufeff \r\n\t").startswith("<") and "camt.053" in head


def _local(element: Element) -> str:
    return element.tag.rsplit("}", 1)[-1]


def _child(element: Element | None, *path: str) -> Element | None:
    for name in path:
        if element is None:
            return None
        element = next((c for c in element if _local(c) == name), None)
    return element


def _children(element: Element, name: str) -> list[Element]:
    return [child for child in element if _local(child) == name]


def _text(element: Element | None) -> str:
    if element is None or element.text is None:
        return ""
    return inert(_SPACES.sub(" ", element.text).strip())


class _Reader:
    def __init__(self, file_name: str) -> None:
        self.file_name = file_name

    def fail(self, where: str, detail: str) -> StatementError:
        return StatementError(t("statement.camt.bad", file=self.file_name, where=where,
                                detail=detail))  # fmt: skip

    def amount(self, holder: Element, where: str) -> int:
        amount = _child(holder, "Amt")
        sign = _text(_child(holder, "CdtDbtInd"))
        try:
            value = Decimal(_text(amount))
        except InvalidOperation as error:
            raise self.fail(where, "Amt") from error
        if sign not in ("CRDT", "DBIT"):
            raise self.fail(where, "CdtDbtInd")
        cents = int((value * 100).to_integral_value())
        return cents if sign == "CRDT" else -cents

    def day(self, holder: Element | None, where: str, name: str) -> date | None:
        if holder is None:
            return None
        text = _text(_child(holder, "Dt")) or _text(_child(holder, "DtTm"))[:10]
        if not text:
            return None
        try:
            return date.fromisoformat(text[:10])
        except ValueError as error:
            raise self.fail(where, name) from error

    def statement(self, element: Element, number: int) -> Statement:
        where = t("statement.camt.statement", number=number)
        account_id = _child(element, "Acct", "Id")
        account = _text(_child(account_id, "IBAN")) or _text(_child(account_id, "Othr", "Id"))
        currency = _text(_child(element, "Acct", "Ccy")) or "EUR"
        opening: tuple[int, date | None] | None = None
        closing: tuple[int, date | None] | None = None
        for balance in _children(element, "Bal"):
            code = _text(_child(balance, "Tp", "CdOrPrtry", "Cd"))
            value = (self.amount(balance, where), self.day(_child(balance, "Dt"), where, "Dt"))
            if code in ("OPBD", "PRCD") and opening is None:
                opening = value
            elif code == "CLBD":
                closing = value
        if opening is None or closing is None:
            raise self.fail(where, "Bal OPBD/CLBD")
        statement = Statement(
            format="camt053", account=account, currency=currency, opening_on=opening[1],
            opening_cents=opening[0], closing_on=closing[1], closing_cents=closing[0],
            line=number,
        )  # fmt: skip
        for index, entry in enumerate(_children(element, "Ntry"), start=1):
            movement = self.entry(entry, index)
            if movement is not None:
                statement.movements.append(movement)
        statement.check_balances(self.file_name)
        return statement

    def entry(self, entry: Element, index: int) -> Movement | None:
        where = t("statement.camt.entry", number=index)
        status = _child(entry, "Sts")
        status_code = (
            _text(_child(status, "Cd")) if status is not None and len(status) else (_text(status))
        )
        if status_code and status_code != "BOOK":
            return None
        booked = self.day(_child(entry, "BookgDt"), where, "BookgDt")
        if booked is None:
            raise self.fail(where, "BookgDt")
        remittance: list[str] = []
        names: list[str] = []
        ibans: list[str] = []
        references: list[str] = []
        for details in _children(entry, "NtryDtls"):
            for tx in _children(details, "TxDtls"):
                references.append(_text(_child(tx, "Refs", "EndToEndId")))
                parties = _child(tx, "RltdPties")
                debtor = _child(parties, "Dbtr")
                names.append(_text(_child(debtor, "Nm")) or _text(_child(debtor, "Pty", "Nm")))
                ibans.append(_text(_child(parties, "DbtrAcct", "Id", "IBAN")))
                info = _child(tx, "RmtInf")
                if info is not None:
                    remittance += [_text(u) for u in _children(info, "Ustrd")]
                    for structured in _children(info, "Strd"):
                        remittance.append(_text(_child(structured, "CdtrRefInf", "Ref")))
                        remittance.append(_text(_child(structured, "RfrdDocInf", "Nb")))
        references.insert(0, _text(_child(entry, "AcctSvcrRef")))
        reference = next((r for r in references if r and r != "NOTPROVIDED"), "")
        return Movement(
            booked_on=booked,
            value_on=self.day(_child(entry, "ValDt"), where, "ValDt"),
            cents=self.amount(entry, where),
            label=_text(_child(entry, "AddtlNtryInf")),
            line=index,
            bank_reference=reference,
            remittance=" ".join(part for part in remittance if part),
            payer_name=next((name for name in names if name), ""),
            payer_iban=next((iban for iban in ibans if iban), ""),
        )


def read_camt(data: bytes, file_name: str) -> list[Statement]:
    reader = _Reader(file_name)
    try:
        root = ElementTree.fromstring(data, forbid_dtd=True)
    except DefusedXmlException as error:
        raise reader.fail("XML", type(error).__name__) from error
    except ElementTree.ParseError as error:
        line, column = error.position
        raise StatementError(t("statement.camt.not_xml", file=file_name, line=line,
                               column=column)) from error  # fmt: skip
    if _local(root) != "Document" or not root.tag.startswith("{" + NAMESPACE):
        raise StatementError(t("statement.camt.not_camt", file=file_name, root=root.tag))
    body = _child(root, "BkToCstmrStmt")
    statements = _children(body, "Stmt") if body is not None else []
    if not statements:
        raise StatementError(t("statement.camt.not_camt", file=file_name, root=root.tag))
    return [reader.statement(element, n) for n, element in enumerate(statements, start=1)]
