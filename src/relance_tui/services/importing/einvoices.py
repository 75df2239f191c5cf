"""`relance import einvoices PATH…`: Factur-X PDFs, CII and UBL XML files (einvoice_read.py).

What it makes:
- each invoice is an invoice of its buyer, for its total (BT-112) with what is left to pay
  (BT-115, after what was prepaid, BT-113) outstanding, due on its due date (BT-9), with its
  payment terms (BT-20) kept as written;
- the buyer is found among the debtors by its code at the seller (BT-46 = the debtor reference),
  else by SIRET, else by SIREN (one debtor only); an unknown buyer becomes a new debtor with its
  SIREN, SIRET and address;
- a credit note lowers what the debtor owes: on the invoice it names (BT-25) when we have it,
  else on the debtor's oldest open invoices; what finds nothing open stays a credit on the debtor.
  An invoice credited whole is cancelled.

The seller must be us: with the creditor's SIREN configured (`[dunning.creditor] siren`), an
e-invoice from another seller is refused. These are the invoices a company receives since
e-invoicing became mandatory: importing a supplier's invoice as a receivable would chase money
nobody owes us. Without it configured, all files of one import must come from one seller.

An invoice number already imported is left alone when the file says the same (re-importing adds
nothing), takes the due date the file states (a FEC's is a guess), and is refused for another
amount or debtor: an issued invoice is corrected by a credit note, not re-issued under its number.
Every file is read before anything is written; any problem in any file and nothing is written.
Admins only (Permission.IMPORT), checked again in the transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from relance_tui.domain.clock import business_day
from relance_tui.domain.permissions import Permission
from relance_tui.domain.text import inert
from relance_tui.formatting import money
from relance_tui.i18n import t, tn
from relance_tui.services.behaviour import relearn
from relance_tui.services.importing.einvoice_read import (
    EInvoice,
    EInvoiceFileError,
    Party,
    read_einvoice,
)
from relance_tui.services.importing.opening import ImportFileError
from relance_tui.services.permissions import require_login
from relance_tui.storage import einvoices as credit_store
from relance_tui.storage import imports as store
from relance_tui.storage.cases import sync_cases
from relance_tui.storage.db import append_audit, transaction

SUFFIXES = (".xml", ".pdf")
MAX_LISTED = 200


class EInvoicesRefused(ImportFileError):
    """The import refused: every problem of every file, nothing written."""

    def __init__(self, problems: list[str]) -> None:
        shown = problems[:MAX_LISTED]
        more = [tn("einvoices.more", len(problems) - MAX_LISTED)] if problems[MAX_LISTED:] else []
        super().__init__(
            "\n".join([tn("einvoices.refused", len(problems)), *(f"  {p}" for p in shown), *more])
        )
        self.problems = problems


@dataclass
class EInvoiceReport:
    files: int = 0
    invoices: int = 0  # new invoices
    credit_notes: int = 0  # new credit notes
    known: int = 0  # documents already imported, left as they were
    debtors: int = 0  # new debtors
    owed_cents: int = 0  # left to pay on the new invoices
    credited_cents: int = 0  # taken off invoices by the new credit notes
    credit_left_cents: int = 0  # of the new credit notes, found nothing open: debtors' credit
    sellers: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    import_id: int | None = None


def einvoice_files(paths: Sequence[Path]) -> list[Path]:
    """The files named, and the .xml/.pdf files under the folders named (sorted, recursive)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            inside = sorted(
                p for p in path.rglob("*") if p.suffix.lower() in SUFFIXES and p.is_file()
            )
            if not inside:
                raise ImportFileError(t("einvoices.empty_folder", path=path))
            found.extend(inside)
        elif path.exists():
            found.append(path)
        else:
            raise ImportFileError(t("error.file_not_found", path=path))
    return list(dict.fromkeys(found))


def import_einvoices(
    conn: sqlite3.Connection,
    paths: Sequence[Path],
    *,
    agent: str,
    now: datetime,
    creditor_siren: str = "",
) -> EInvoiceReport:
    """Raises NotAllowedError unless `agent` may import, EInvoicesRefused/ImportFileError."""
    require_login(conn, agent, Permission.IMPORT)
    files = einvoice_files(paths)
    documents: list[EInvoice] = []
    problems: list[str] = []
    for path in files:
        try:
            documents.append(read_einvoice(path))
        except EInvoiceFileError as error:
            problems.extend(error.problems)
        except ImportFileError as error:
            problems.append(str(error))
    report = EInvoiceReport(files=len(files))
    problems.extend(_check_sellers(documents, creditor_siren, report))
    documents = _unique(documents, problems)
    if problems:
        raise EInvoicesRefused(problems)
    at = now.astimezone(UTC).isoformat(timespec="seconds")
    with transaction(conn), store.changes_noted(conn):
        require_login(conn, agent, Permission.IMPORT)
        debtors = _Debtors(conn, report)
        for document in documents:
            debtors.resolve(document)
        invoices = [d for d in documents if not d.credit_note]
        credit_notes = [d for d in documents if d.credit_note]
        known = store.invoices_by_number(conn, [d.number for d in invoices])
        fresh = _check_known(invoices, known, debtors, problems, report)
        known_notes = credit_store.existing_credit_notes(conn, [d.number for d in credit_notes])
        report.known += len(known_notes)
        fresh_notes = [d for d in credit_notes if d.number not in known_notes]
        problems.extend(debtors.problems)
        if problems:
            raise EInvoicesRefused(problems)  # rolls the transaction back
        debtors.create(at)
        credit_store.move_due_dates(conn, debtors.due_dates)
        _insert_invoices(conn, fresh, debtors)
        report.invoices = len(fresh)
        report.owed_cents = sum(d.due_cents for d in fresh)
        changed = _apply_credit_notes(conn, fresh_notes, debtors, at, agent, report, problems)
        if problems:
            raise EInvoicesRefused(problems)
        touched = sorted({debtors.id_of(d) for d in (*fresh, *fresh_notes)})
        sync_cases(conn, business_day(now), touched)
        relearn(conn, touched)
        report.credit_notes = len(fresh_notes)
        report.import_id = store.record_import(
            conn, kind="einvoices", file_name=_name(paths), inserted=len(fresh) + len(fresh_notes),
            updated=changed, rejected=0, at=at, by=agent,
        )  # fmt: skip
        credit_store.tie_credit_notes(conn, report.import_id, (d.number for d in fresh_notes))
        append_audit(
            conn, agent=agent, action="import.einvoices", entity="import",
            entity_id=report.import_id,
            after={"files": [str(p) for p in files[:100]], "count": len(files),
                   "invoices": report.invoices, "credit_notes": report.credit_notes,
                   "known": report.known, "debtors": report.debtors,
                   "changes": store.audit_changes(conn, agent=agent, at=at,
                                                  import_id=report.import_id)},
            at=at,
        )  # fmt: skip
    return report


def _name(paths: Sequence[Path]) -> str:
    names = ", ".join(path.name for path in paths[:3])
    return names + (", …" if len(paths) > 3 else "")


def _check_sellers(documents: list[EInvoice], creditor: str, report: EInvoiceReport) -> list[str]:
    """Our own invoices only (see the module's docstring)."""
    problems: list[str] = []
    sellers = {d.seller.siren or "" for d in documents}
    report.sellers = sorted({f"{d.seller.name} ({d.seller.siren or '?'})" for d in documents})
    if creditor:
        for document in documents:
            if document.seller.siren != creditor:
                problems.append(t("einvoices.other_seller", file=document.path.name,
                                  seller=document.seller.name, siren=document.seller.siren or "?",
                                  ours=creditor))  # fmt: skip
    elif len(sellers) > 1:
        problems.append(t("einvoices.several_sellers", sellers=", ".join(report.sellers)))
    elif documents:
        report.notes.append(t("einvoices.seller_unchecked", seller=report.sellers[0]))
    return problems


def _same(a: EInvoice, b: EInvoice) -> bool:
    return (a.credit_note, a.total_cents, a.due_cents, a.issue_date, a.due_date, a.buyer) == (
        b.credit_note, b.total_cents, b.due_cents, b.issue_date, b.due_date, b.buyer
    )  # fmt: skip


def _unique(documents: list[EInvoice], problems: list[str]) -> list[EInvoice]:
    """One document per number: the same file twice (or a copy) counts once; two different
    documents under one number are refused."""
    kept: dict[tuple[bool, str], EInvoice] = {}
    for document in documents:
        key = (document.credit_note, document.number)
        first = kept.setdefault(key, document)
        if first is not document and not _same(first, document):
            problems.append(t("einvoices.duplicate", number=document.number,
                              first=first.path.name, second=document.path.name))  # fmt: skip
    return list(kept.values())


class _Debtors:
    """Each buyer's debtor: found by reference, SIRET or SIREN, or made new."""

    def __init__(self, conn: sqlite3.Connection, report: EInvoiceReport) -> None:
        self.conn = conn
        self.report = report
        self.problems: list[str] = []
        self.found: dict[Party, int] = {}
        self.new: dict[str, list[Party]] = {}  # reference → the buyer as each file names it
        self.key_of: dict[Party, str] = {}
        self.ids: dict[str, int] = {}
        self.due_dates: dict[int, str] = {}  # invoice id → the due date its e-invoice states

    def resolve(self, document: EInvoice) -> None:
        buyer = document.buyer
        if buyer in self.found or buyer in self.key_of:
            return
        if buyer.reference:
            hit = store.debtor_ids(self.conn, [buyer.reference]).get(buyer.reference)
            if hit is not None:
                self.found[buyer] = hit
                return
        for column, value in (("siret", buyer.siret), ("siren", buyer.siren)):
            if not value:
                continue
            debtors = credit_store.debtors_by_identifier(self.conn, column, [value]).get(value, [])
            if len(debtors) == 1:
                self.found[buyer] = debtors[0][0]
                return
            if len(debtors) > 1:
                self.problems.append(t(
                    "einvoices.ambiguous_buyer", file=document.path.name, column=column.upper(),
                    value=value, debtors=", ".join(inert(ref) for _, ref in debtors[:5]),
                ))  # fmt: skip
                return
        reference = buyer.reference or buyer.siret or buyer.siren
        if not reference:
            self.problems.append(t("einvoices.anonymous_buyer", file=document.path.name,
                                   name=buyer.name))  # fmt: skip
            return
        self.key_of[buyer] = reference
        self.new.setdefault(reference, []).append(buyer)

    def create(self, at: str) -> None:
        """The new debtors, each field from the first file that gives it (a credit note often
        leaves the street out)."""
        rows = []
        for reference, parties in sorted(self.new.items()):
            values = [next((v for v in column if v), None) for column in zip(*(
                (p.name, p.siren, p.siret, p.address, p.postal_code, p.city, p.country)
                for p in parties
            ), strict=True)]  # fmt: skip
            rows.append((reference, *(value or "" for value in values[:1]), values[1], values[2],
                         *(value or "" for value in values[3:])))  # fmt: skip
        columns = ["legal_name", "siren", "siret", "address", "postal_code", "city", "country"]
        store.upsert_debtors(self.conn, columns, rows, at)
        self.ids = store.debtor_ids(self.conn, self.new)
        self.report.debtors = len(rows)

    def id_of(self, document: EInvoice) -> int:
        buyer = document.buyer
        if buyer in self.found:
            return self.found[buyer]
        return self.ids[self.key_of[buyer]]

    def adopt(self, buyer: Party, debtor_id: int) -> None:
        """The buyer is this debtor after all (its invoice was imported for it before), in
        every file that names it."""
        reference = self.key_of.get(buyer)
        for party in self.new.pop(reference, []) if reference is not None else [buyer]:
            self.found[party] = debtor_id
            self.key_of.pop(party, None)

    def known_id(self, document: EInvoice) -> int | None:
        """The debtor's id before any is created (None: a new debtor)."""
        return self.found.get(document.buyer)


def _check_known(
    invoices: list[EInvoice],
    known: dict[str, store.OpenInvoice],
    debtors: _Debtors,
    problems: list[str],
    report: EInvoiceReport,
) -> list[EInvoice]:
    """The invoices not imported yet. One imported already (from this import, a CSV export or a
    FEC) must have the same amount and debtor: a buyer not matched otherwise is taken to be its
    debtor, and a FEC's guessed due date gives way to the one the e-invoice states."""
    fresh: list[EInvoice] = []
    for document in invoices:
        existing = known.get(document.number)
        if existing is None:
            fresh.append(document)
            continue
        due = document.due_date.isoformat() if document.due_date else ""
        debtor = debtors.known_id(document)
        if existing.amount_cents == document.total_cents and debtor in (existing.debtor_id, None):
            if debtor is None:
                debtors.adopt(document.buyer, existing.debtor_id)
            if existing.due_date != due:
                debtors.due_dates[existing.id] = due
                report.notes.append(t("einvoices.due_date_updated", number=document.number,
                                      old=existing.due_date, new=due))  # fmt: skip
            report.known += 1
        else:
            problems.append(t(
                "einvoices.changed_invoice", file=document.path.name, number=document.number,
                amount=money(existing.amount_cents), new_amount=money(document.total_cents),
            ))  # fmt: skip
    return fresh


def _insert_invoices(conn: sqlite3.Connection, fresh: list[EInvoice], debtors: _Debtors) -> None:
    if not fresh:
        return
    ordered = sorted(fresh, key=lambda d: d.number)
    store.upsert_invoices(
        conn,
        ["outstanding_cents", "currency"],
        [
            [d.number for d in ordered],
            [debtors.id_of(d) for d in ordered],
            [d.issue_date.isoformat() for d in ordered],
            [d.due_date.isoformat() if d.due_date else "" for d in ordered],
            [d.total_cents for d in ordered],
            [d.due_cents for d in ordered],
            [d.currency for d in ordered],
        ],
    )
    credit_store.save_payment_terms(conn, ((d.number, d.payment_terms) for d in ordered))


def _apply_credit_notes(
    conn: sqlite3.Connection,
    notes: Iterable[EInvoice],
    debtors: _Debtors,
    at: str,
    agent: str,
    report: EInvoiceReport,
    problems: list[str],
) -> int:
    """Lower the invoices each credit note corrects; returns how many invoices changed."""
    changed: dict[int, store.OpenInvoice] = {}
    for note in sorted(notes, key=lambda d: (d.issue_date, d.number)):
        debtor = debtors.id_of(note)
        named = store.invoices_by_number(conn, note.credits)
        targets: list[store.OpenInvoice] = []
        for number in note.credits:
            invoice = named.get(number)
            if invoice is None:
                report.notes.append(t("einvoices.credited_unknown", file=note.path.name,
                                      number=number))  # fmt: skip
            elif invoice.debtor_id != debtor:
                problems.append(t("einvoices.credited_other_debtor", file=note.path.name,
                                  number=number))  # fmt: skip
            else:
                targets.append(changed.get(invoice.id, invoice))
        if not targets:  # names none we know: the debtor's oldest open invoices
            oldest = store.open_invoices(conn, [debtor]).get(debtor, [])
            targets = [changed.get(invoice.id, invoice) for invoice in oldest]
        left = note.due_cents
        allocations: list[tuple[int, int]] = []
        for invoice in targets:
            share = min(left, invoice.outstanding_cents)
            if share <= 0 or invoice.status in ("cancelled", "written_off"):
                continue
            whole = invoice.outstanding_cents == invoice.amount_cents == share
            invoice.outstanding_cents -= share
            if invoice.outstanding_cents == 0:
                invoice.status = "cancelled" if whole else "paid"
                invoice.paid_on = None if whole else note.issue_date.isoformat()
            else:
                invoice.status = "partially_paid"
            invoice.changed = True
            changed[invoice.id] = invoice
            allocations.append((invoice.id, share))
            left -= share
            if not left:
                break
        credit_store.insert_credit_note(
            conn, number=note.number, debtor_id=debtor, issue_date=note.issue_date.isoformat(),
            amount_cents=note.due_cents, credited_invoice=", ".join(note.credits)[:200],
            file_name=note.path.name, at=at, by=agent, allocations=allocations,
        )  # fmt: skip
        report.credited_cents += note.due_cents - left
        report.credit_left_cents += left
    store.save_invoice_balances(conn, changed.values())
    return len(changed)
