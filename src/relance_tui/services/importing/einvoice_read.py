"""Reading one e-invoice into the few EN 16931 business terms a collection needs.

The formats: a Factur-X PDF (the CII XML embedded in it), a UN/CEFACT CII XML file, a UBL 2.1
Invoice or CreditNote XML file, told apart by content, not by extension.

- The XML comes from outside: it is first parsed by defusedxml with DTDs forbidden (no entity
  expansion, no external resource). Only then does the factur-x library (Akretion) map it to the
  EN 16931 business terms (BT-…) for either syntax; it also takes the XML out of the PDF.
- The XML schema is not checked (loading the UBL schema costs half a second a file); the terms
  used here are checked one by one instead, and each refusal names the file, the business term,
  the element where it sits in the file's syntax, and the fix.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from relance_tui.domain.identifiers import normalise_identifier, siren_error, siret_error
from relance_tui.domain.text import inert
from relance_tui.formatting import money
from relance_tui.i18n import Key, key, t, t_key
from relance_tui.services.importing.opening import read_bounded

# UNTDID 1001 document types that are credit notes (EN 16931 code list); 325 is a pro forma.
CREDIT_NOTE_CODES = frozenset(
    {"81", "83", "261", "262", "296", "308", "381", "396", "420", "458", "532"}
)
PRO_FORMA = "325"
_ROOTS = {
    "{urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100}CrossIndustryInvoice": "cii",
    "{urn:oasis:names:specification:ubl:schema:xsd:Invoice-2}Invoice": "ubl",
    "{urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2}CreditNote": "ubl",
}
# Where each business term sits, to name it in a refusal: (CII, UBL).
_SETTLEMENT = "ram:ApplicableHeaderTradeSettlement"
_TOTALS = f"{_SETTLEMENT}/ram:SpecifiedTradeSettlementHeaderMonetarySummation"
ELEMENTS: dict[str, tuple[str, str]] = {
    "BT-1": ("rsm:ExchangedDocument/ram:ID", "cbc:ID"),
    "BT-2": ("rsm:ExchangedDocument/ram:IssueDateTime", "cbc:IssueDate"),
    "BT-3": ("rsm:ExchangedDocument/ram:TypeCode", "cbc:InvoiceTypeCode"),
    "BT-5": (f"{_SETTLEMENT}/ram:InvoiceCurrencyCode", "cbc:DocumentCurrencyCode"),
    "BT-9": (f"{_SETTLEMENT}/ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime", "cbc:DueDate"),
    "BT-112": (f"{_TOTALS}/ram:GrandTotalAmount", "cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount"),
    "BT-113": (f"{_TOTALS}/ram:TotalPrepaidAmount", "cac:LegalMonetaryTotal/cbc:PrepaidAmount"),
    "BT-115": (f"{_TOTALS}/ram:DuePayableAmount", "cac:LegalMonetaryTotal/cbc:PayableAmount"),
    "BT-44": ("ram:BuyerTradeParty/ram:Name",
              "cac:AccountingCustomerParty/cac:Party/cac:PartyLegalEntity/cbc:RegistrationName"),
    "BT-46": ("ram:BuyerTradeParty/ram:ID",
              "cac:AccountingCustomerParty/cac:Party/cac:PartyIdentification/cbc:ID"),
    "BT-47": ("ram:BuyerTradeParty/ram:SpecifiedLegalOrganization/ram:ID",
              "cac:AccountingCustomerParty/cac:Party/cac:PartyLegalEntity/cbc:CompanyID"),
    "BT-30": ("ram:SellerTradeParty/ram:SpecifiedLegalOrganization/ram:ID",
              "cac:AccountingSupplierParty/cac:Party/cac:PartyLegalEntity/cbc:CompanyID"),
}  # fmt: skip


class EInvoiceFileError(Exception):
    """One file refused: its problems, each naming the element and the fix."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.path = path
        self.problems = problems


@dataclass(frozen=True)
class Party:
    name: str
    reference: str  # BT-46: the buyer's code at the seller (our debtor reference), or ""
    siren: str | None
    siret: str | None
    address: str = ""
    postal_code: str = ""
    city: str = ""
    country: str = "FR"


@dataclass(frozen=True)
class EInvoice:
    path: Path
    syntax: str  # "factur-x" (a PDF), "cii" or "ubl"
    number: str
    credit_note: bool
    issue_date: date
    due_date: date | None  # required of invoices, optional on credit notes
    total_cents: int
    prepaid_cents: int
    due_cents: int  # what is left to pay (invoice) or to credit (credit note)
    currency: str
    buyer: Party
    seller: Party
    payment_terms: str
    credits: tuple[str, ...]  # BT-25: the invoices a credit note corrects


def read_einvoice(path: Path) -> EInvoice:
    """Raises EInvoiceFileError (or ImportFileError for a file that cannot be opened)."""
    data = read_bounded(path)
    syntax = "xml"
    if data.startswith(b"%PDF-"):
        data = _xml_of_pdf(path, data)
        syntax = "factur-x"
    root_syntax = _check_xml(path, data)
    if syntax == "xml":
        syntax = root_syntax
    # Deferred: factur-x loads lxml and pypdf, only for this command.
    from facturx import parse_ubl_cii_xml

    try:
        terms: dict[str, Any] = parse_ubl_cii_xml(data, check_xsd=False, date_as="string")
    except Exception as error:  # the library raises bare Exception/ValueError with its reason
        raise EInvoiceFileError(
            path, [t("einvoices.unreadable", file=path.name, error=inert(str(error))[:300])]
        ) from error
    return _Terms(path, syntax, terms).einvoice()


def _xml_of_pdf(path: Path, data: bytes) -> bytes:
    # Deferred: factur-x loads lxml and pypdf, only for this command.
    from facturx import get_xml_from_pdf

    logging.getLogger("factur-x").setLevel(logging.ERROR)  # its warnings would reach stderr
    try:
        _name, xml = get_xml_from_pdf(data, check_xsd=False)
    except Exception as error:  # pypdf's many errors on a damaged PDF
        raise EInvoiceFileError(
            path, [t("einvoices.bad_pdf", file=path.name, error=inert(str(error))[:200])]
        ) from error
    if not xml:
        raise EInvoiceFileError(path, [t("einvoices.pdf_without_xml", file=path.name)])
    return bytes(xml)


def _check_xml(path: Path, data: bytes) -> str:
    """Parse with defusedxml (no DTD): the syntax of a well-formed e-invoice, else the refusal."""
    # Deferred: only this command reads XML.
    from xml.etree.ElementTree import ParseError

    # Deferred with the rest of this command.
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    try:
        root = fromstring(data, forbid_dtd=True)
    except ParseError as error:
        line, column = error.position
        raise EInvoiceFileError(
            path, [t("einvoices.invalid_xml", file=path.name, line=line, column=column,
                     error=inert(str(error))[:200])]
        ) from error  # fmt: skip
    except DefusedXmlException as error:
        raise EInvoiceFileError(path, [t("einvoices.dtd", file=path.name)]) from error
    syntax = _ROOTS.get(root.tag)
    if syntax is None:
        raise EInvoiceFileError(
            path, [t("einvoices.not_invoice", file=path.name, root=inert(root.tag)[:120])]
        )
    return syntax


class _Terms:
    """The business terms of one file, read into an EInvoice; every problem is kept."""

    def __init__(self, path: Path, syntax: str, terms: dict[str, Any]) -> None:
        self.path = path
        self.syntax = syntax
        self.terms = terms
        self.problems: list[str] = []

    def where(self, term: str) -> str:
        cii, ubl = ELEMENTS[term]
        return ubl if self.syntax == "ubl" else cii

    def problem(self, term: str, fix_key: Key, **values: object) -> None:
        fix = t_key(fix_key, **values)
        self.problems.append(t("einvoices.problem", file=self.path.name, term=term,
                               element=self.where(term), fix=fix))  # fmt: skip

    def text(self, term: str) -> str:
        value = self.terms.get(term)
        return inert(str(value).strip()) if value else ""

    def day(self, term: str, missing: Key | None) -> date | None:
        """The date of `term`; `missing`: the fix when it is required and absent."""
        value = self.text(term)
        if not value:
            if missing is not None:
                self.problem(term, missing)
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.problem(term, key("einvoices.fix.bad_date"), value=value)
            return None

    def cents(self, term: str, *, required: bool) -> int:
        value = self.text(term)
        if not value:
            if required:
                self.problem(term, key("einvoices.fix.missing_amount"))
            return 0
        try:
            amount = Decimal(value)
        except InvalidOperation:
            amount = Decimal("NaN")
        if not amount.is_finite() or amount.as_tuple().exponent < -2:  # type: ignore[operator]
            self.problem(term, key("einvoices.fix.bad_amount"), value=value)
            return 0
        if amount < 0:
            self.problem(term, key("einvoices.fix.negative_amount"), value=value)
            return 0
        return int(amount * 100)

    def einvoice(self) -> EInvoice:
        number = self.text("BT-1")
        if not number:
            self.problem("BT-1", key("einvoices.fix.missing_number"))
        code = self.text("BT-3")
        if code == PRO_FORMA:
            self.problem("BT-3", key("einvoices.fix.pro_forma"))
        credit_note = code in CREDIT_NOTE_CODES
        currency = self.text("BT-5").upper()
        if currency and currency != "EUR":
            self.problem("BT-5", key("einvoices.fix.currency"), currency=currency)
        issued = self.day("BT-2", key("einvoices.fix.missing_bt2"))
        due = self.day("BT-9", None if credit_note else key("einvoices.fix.missing_bt9"))
        if issued and due and due < issued:
            self.problem(
                "BT-9",
                key("einvoices.fix.due_before_issue"),
                due=due.isoformat(),
                issued=issued.isoformat(),
            )
        total = self.cents("BT-112", required=True)
        prepaid = self.cents("BT-113", required=False)
        left = self.cents("BT-115", required=True)
        if total == 0 and not credit_note and self.text("BT-112"):
            self.problem("BT-112", key("einvoices.fix.zero_total"))
        if prepaid > total or left > total:
            self.problem(
                "BT-115", key("einvoices.fix.more_than_total"), due=money(left), total=money(total)
            )
        buyer = self.party("BG-7", buyer=True)
        seller = self.party("BG-4", buyer=False)
        credits = tuple(
            inert(str(reference["BT-25"]).strip())
            for reference in self.terms.get("BG-3") or []
            if isinstance(reference, dict) and reference.get("BT-25")
        )
        if self.problems:
            raise EInvoiceFileError(self.path, self.problems)
        assert issued is not None
        return EInvoice(
            path=self.path, syntax=self.syntax, number=number, credit_note=credit_note,
            issue_date=issued, due_date=due, total_cents=total, prepaid_cents=prepaid,
            due_cents=left, currency=currency or "EUR", buyer=buyer, seller=seller,
            payment_terms=self.text("BT-20")[:500], credits=credits,
        )  # fmt: skip

    def party(self, group: str, *, buyer: bool) -> Party:
        """A party's name, identifiers (SIREN 0002, SIRET 0009, else read from the VAT number)
        and address; the buyer's SIREN/SIRET are checked (python-stdnum)."""
        values: dict[str, Any] = self.terms.get(group) or {}

        def field(name: str) -> str:
            return inert(str(values.get(name) or "").strip())

        identifiers = values.get("identifiers") or {}
        legal = normalise_identifier(field("legal_identifier"))
        scheme = field("legal_identifier_schemeid")
        siret = normalise_identifier(str(identifiers.get("0009") or "")) or None
        siren = None
        if scheme == "0009" or (not scheme and len(legal) == 14):
            siret = siret or legal
        elif legal and scheme in ("0002", ""):
            siren = legal
        vat = normalise_identifier(field("vat_identifier")).upper()
        if siren is None and siret:
            siren = siret[:9]
        if siren is None and vat.startswith("FR") and len(vat) == 13:
            siren = vat[4:]
        name = field("name") or field("biz_name")
        if buyer:
            term = "BT-47"
            if siren and (error := siren_error(siren)):
                self.problem(term, key("einvoices.fix.bad_siren"), value=siren, reason=t_key(error))
            if siret and (error := siret_error(siret)):
                self.problem(
                    "BT-46", key("einvoices.fix.bad_siret"), value=siret, reason=t_key(error)
                )
            if siren and siret and not siret.startswith(siren):
                self.problem(
                    term, key("einvoices.fix.siret_not_of_siren"), siret=siret, siren=siren
                )
            if not name:
                self.problem("BT-44", key("einvoices.fix.missing_buyer_name"))
        lines = [field(name) for name in ("addr_l1", "addr_l2", "addr_l3") if field(name)]
        return Party(
            name=name[:200],
            reference=inert(str(identifiers.get(None) or "").strip())[:64],
            siren=siren,
            siret=siret,
            address=", ".join(lines)[:300],
            postal_code=field("postcode")[:10],
            city=field("city")[:100],
            country=(field("country_code") or "FR").upper()[:2],
        )
