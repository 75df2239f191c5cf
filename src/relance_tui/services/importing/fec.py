"""`relance import fec FILE`: the receivables of a FEC (fichier des écritures comptables).

The file: a header line, then one line per entry line, tab or `|` separated; 18 columns by name
(any case, padded, in any order; a trailing separator is ignored): JournalCode, EcritureNum,
EcritureDate, CompteNum, CompAuxNum, CompAuxLib, PieceRef, PieceDate, EcritureLib, Debit, Credit
(or Montant + Sens), EcritureLet, DateLet… Dates `AAAAMMJJ`, comma (or point) decimals. Cash-basis
files have a few more columns, ignored. Every entry (JournalCode + EcritureNum) must balance.

What it makes, for the lines on customer accounts (411*, 416* doubtful):
- each auxiliary account (CompAuxNum) is a debtor (its reference; CompAuxLib its name);
- each piece (PieceRef) debited to it is an invoice, issued on PieceDate, due `terms` days later
  (a FEC has no due date); lettered (EcritureLet set) it is paid, on DateLet;
- an unlettered credit (a payment or credit note not yet lettered) pays that debtor's oldest open
  invoices (what is left is a credit on the debtor); it is recorded once as a payment.

Nothing is written if any line is bad: each bad line is named with its fix.
"""

from __future__ import annotations

import sqlite3
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path

from relance_tui.domain.clock import business_day
from relance_tui.domain.permissions import Permission
from relance_tui.domain.text import inert
from relance_tui.formatting import money
from relance_tui.i18n import t
from relance_tui.services.behaviour import relearn
from relance_tui.services.importing.opening import ImportFileError, read_bounded, refuse_non_text
from relance_tui.services.permissions import require_login
from relance_tui.storage import imports as store
from relance_tui.storage.cases import sync_cases
from relance_tui.storage.db import append_audit, transaction

CUSTOMER_ACCOUNTS = ("411", "416")
MAX_ERRORS = 1000
_NEEDED = ("journalcode", "ecriturenum", "ecrituredate", "comptenum", "compauxnum", "compauxlib",
           "pieceref", "piecedate", "ecriturelib", "ecriturelet", "datelet")  # fmt: skip


class FecError(ImportFileError):
    """A FEC refused: the lines and their fixes."""


@dataclass
class FecReport:
    path: Path
    lines: int = 0
    debtors: int = 0
    invoices_open: int = 0
    invoices_paid: int = 0
    payments: int = 0
    owed_cents: int = 0
    import_id: int | None = None


@dataclass
class _Invoice:
    number: str
    debtor: str
    issued: date
    amount: int = 0
    lettered: bool = True
    paid_on: date | None = None
    outstanding: int = 0


@dataclass
class _Ledger:
    names: dict[str, str] = field(default_factory=dict)
    invoices: dict[str, _Invoice] = field(default_factory=dict)
    credits: list[tuple[str, date, int, str, str]] = field(default_factory=list)
    allocated: dict[str, int] = field(default_factory=dict)  # credit reference → cents used


def _name(header: str) -> str:
    plain = unicodedata.normalize("NFKD", header).encode("ascii", "ignore").decode()
    return plain.strip().lower()


def _decode(data: bytes) -> str:
    try:
        return data.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _cents(text: str) -> int:
    value = text.strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
    return int((Decimal(value or "0") * 100).to_integral_value())


def _date(text: str) -> date:
    text = text.strip()
    if len(text) == 8 and text.isdigit():
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    if len(text) == 10 and text[2] == "/" and text[5] == "/":
        return date(int(text[6:]), int(text[3:5]), int(text[:2]))
    return date.fromisoformat(text)


def read_fec(path: Path) -> _Ledger:
    """The receivables of the file; raises FecError naming every bad line (up to MAX_ERRORS)."""
    data = read_bounded(path)
    refuse_non_text(data, path)
    lines = _decode(data).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if not lines or not lines[0].strip():
        raise FecError(t("fec.empty", file=path.name))
    separator = "\t" if lines[0].count("\t") >= lines[0].count("|") else "|"
    headers = [_name(h) for h in lines[0].split(separator)]
    while headers and not headers[-1]:
        headers.pop()
    column = {name: index for index, name in enumerate(headers) if name}
    amounts = ("debit", "credit") if "debit" in column else ("montant", "sens")
    missing = [n for n in (*_NEEDED, *amounts) if n not in column]
    if missing:
        raise FecError(t("fec.missing_columns", file=path.name, columns=", ".join(missing),
                         found=", ".join(headers)))  # fmt: skip
    last_needed = max(column[n] for n in (*_NEEDED, *amounts))
    errors: list[str] = []
    entries: dict[tuple[str, str], list[int]] = defaultdict(list)
    balance: dict[tuple[str, str], int] = defaultdict(int)
    ledger = _Ledger()
    for number, raw in enumerate(lines[1:], start=2):
        if not raw.strip():
            continue
        cells = raw.split(separator)
        if len(cells) <= last_needed:  # empty trailing columns may be left out, no more
            errors.append(t("fec.short_line", line=number, count=len(cells), expected=len(headers)))
            continue

        def cell(name: str, cells: list[str] = cells) -> str:
            return inert(cells[column[name]].strip())

        try:
            if amounts[0] == "debit":
                debit, credit = _cents(cell("debit")), _cents(cell("credit"))
            else:
                value, sense = _cents(cell("montant")), cell("sens").upper()
                if sense not in ("D", "C", "+1", "-1", "1"):
                    raise ValueError(sense)
                debit, credit = (value, 0) if sense in ("D", "+1", "1") else (0, value)
        except (InvalidOperation, ValueError):
            errors.append(t("fec.bad_amount", line=number))
            continue
        entry = (cell("journalcode"), cell("ecriturenum"))
        entries[entry].append(number)
        balance[entry] += debit - credit
        if not cell("comptenum").startswith(CUSTOMER_ACCOUNTS):
            continue
        debtor = cell("compauxnum")
        if not debtor:
            errors.append(t("fec.no_auxiliary", line=number))
            continue
        ledger.names.setdefault(debtor, cell("compauxlib") or debtor)
        lettered = bool(cell("ecriturelet"))
        try:
            booked = _date(cell("ecrituredate"))
            piece_day = _date(cell("piecedate")) if cell("piecedate") else booked
            lettered_on = _date(cell("datelet")) if lettered and cell("datelet") else booked
        except ValueError:
            errors.append(t("fec.bad_date", line=number))
            continue
        piece = cell("pieceref")
        if debit > credit:
            if not piece:
                errors.append(t("fec.no_piece", line=number))
                continue
            invoice = ledger.invoices.setdefault(piece, _Invoice(piece, debtor, piece_day))
            if invoice.debtor != debtor:
                errors.append(t("fec.piece_other_debtor", line=number, piece=piece))
                continue
            invoice.amount += debit - credit
            invoice.lettered = invoice.lettered and lettered
            if lettered:
                invoice.paid_on = max(invoice.paid_on or lettered_on, lettered_on)
        elif credit > debit and not lettered:
            reference = f"FEC {entry[0]} {entry[1]} L{number}"
            ledger.credits.append((debtor, booked, credit - debit, reference, cell("ecriturelib")))
    for entry, total in balance.items():
        if total:
            errors.append(t("fec.unbalanced", journal=entry[0], entry=entry[1],
                            lines=", ".join(map(str, entries[entry][:10])),
                            gap=money(abs(total))))  # fmt: skip
    if errors:
        shown = "\n".join(f"  {error}" for error in errors[:MAX_ERRORS])
        raise FecError(t("fec.refused", file=path.name, count=len(errors)) + "\n" + shown)
    for invoice in ledger.invoices.values():
        invoice.outstanding = 0 if invoice.lettered else invoice.amount
    ledger.allocated = _apply_credits(ledger)
    return ledger


def _apply_credits(ledger: _Ledger) -> dict[str, int]:
    """Unlettered credits pay their debtor's oldest open invoices; what each one used."""
    used: dict[str, int] = {}
    open_of: dict[str, list[_Invoice]] = defaultdict(list)
    for invoice in sorted(ledger.invoices.values(), key=lambda i: (i.issued, i.number)):
        if invoice.outstanding:
            open_of[invoice.debtor].append(invoice)
    for debtor, booked, cents, reference, _label in sorted(ledger.credits, key=lambda c: c[1]):
        left = cents
        for invoice in open_of[debtor]:
            share = min(left, invoice.outstanding)
            invoice.outstanding -= share
            left -= share
            if not invoice.outstanding:
                invoice.paid_on = booked
            if not left:
                break
        used[reference] = cents - left
    return used


def import_fec(
    conn: sqlite3.Connection, path: Path, *, agent: str, now: datetime, terms_days: int = 30
) -> FecReport:
    """Raises NotAllowedError unless `agent` may import, FecError/ImportFileError for the file."""
    require_login(conn, agent, Permission.IMPORT)
    ledger = read_fec(path)
    report = FecReport(path=path, debtors=len(ledger.names))
    at = now.astimezone(UTC).isoformat(timespec="seconds")
    invoices = sorted(ledger.invoices.values(), key=lambda i: i.number)
    with transaction(conn), store.changes_noted(conn):
        require_login(conn, agent, Permission.IMPORT)
        store.upsert_debtors(conn, ["legal_name"], sorted(ledger.names.items()), at)
        ids = store.debtor_ids(conn, ledger.names)
        store.upsert_invoices(
            conn,
            ["outstanding_cents"],
            [
                [i.number for i in invoices],
                [ids[i.debtor] for i in invoices],
                [i.issued.isoformat() for i in invoices],
                [(i.issued + timedelta(days=terms_days)).isoformat() for i in invoices],
                [i.amount for i in invoices],
                [i.outstanding for i in invoices],
            ],
        )
        conn.executemany(
            "UPDATE invoices SET paid_on = ? WHERE number = ? AND status = 'paid'",
            (
                (i.paid_on.isoformat(), i.number)
                for i in invoices
                if i.paid_on and not i.outstanding
            ),
        )
        known = store.existing_payment_references(conn, [c[3] for c in ledger.credits])
        fresh = [c for c in ledger.credits if c[3] not in known]
        store.insert_payments(conn, [
            (ids[debtor], None, reference, booked.isoformat(), cents, "", label[:200],
             int(ledger.allocated[reference] == cents), ledger.allocated[reference], at, agent)
            for debtor, booked, cents, reference, label in fresh
        ])  # fmt: skip
        touched = sorted(set(ids.values()))
        sync_cases(conn, business_day(now), touched)
        relearn(conn, touched)
        report.invoices_open = sum(1 for i in invoices if i.outstanding)
        report.invoices_paid = len(invoices) - report.invoices_open
        report.payments = len(fresh)
        report.owed_cents = sum(i.outstanding for i in invoices)
        report.import_id = store.record_import(
            conn, kind="fec", file_name=path.name, inserted=len(invoices), updated=0,
            rejected=0, at=at, by=agent,
        )  # fmt: skip
        append_audit(
            conn, agent=agent, action="import.fec", entity="import", entity_id=report.import_id,
            after={"file": str(path), "debtors": report.debtors, "invoices": len(invoices),
                   "open": report.invoices_open, "payments": report.payments,
                   "changes": store.audit_changes(conn, agent=agent, at=at,
                                                  import_id=report.import_id)},
            at=at,
        )  # fmt: skip
    return report
