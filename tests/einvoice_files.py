"""E-invoices for the tests: the fixtures under fixtures/einvoices/ (UBL and CII files written
after the EN 16931 examples), variants of them, and Factur-X PDFs made from them by the factur-x
library (a blank PDF page with the CII XML embedded, as a real Factur-X invoice carries it)."""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "einvoices"
CII_INVOICE = "facture-cii-F2026-0101.xml"
UBL_INVOICE = "facture-ubl-F2026-0102.xml"
UBL_CREDIT_NOTE = "avoir-ubl-A2026-0007.xml"
CII_CREDIT_NOTE = "avoir-cii-A2026-0008.xml"


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def variant(name: str, *changes: tuple[str, str]) -> str:
    """A fixture with each (old, new) replaced; each old text must be there."""
    text = fixture(name)
    for old, new in changes:
        assert old in text, old
        text = text.replace(old, new)
    return text


@cache  # the XSD check costs half a second
def facturx_pdf(xml: str) -> bytes:
    """A Factur-X PDF: one blank A4 page, the XML embedded (checked against the XSD)."""
    from facturx import generate_from_binary
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    plain = io.BytesIO()
    writer.write(plain)
    return bytes(generate_from_binary(plain.getvalue(), xml.encode("utf-8"), check_xsd=True))


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path
