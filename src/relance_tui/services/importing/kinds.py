"""What each import kind checks and writes once its columns are validated (pipeline.py).

`check_rows` needs only the file (duplicates, the models' cross-field rules); `check_database`
runs inside the import's transaction (unknown debtors, contracts of another debtor, …); `write`
runs only if no row is bad or the user asked to skip bad rows, and returns
(inserted, updated, unchanged).

Decisions, documented for users in README/--help:
- invoices: keyed on the number. An unknown contract reference creates the contract (title = the
  reference, start = its first invoice's date); a contract of another debtor is an error.
  A re-import sets what the file says, outstanding included (the ERP export is the reference);
  columns the file lacks keep their stored values.
- payments: keyed on their reference. Without a reference, a payment is the same as one already
  stored when debtor, date, amount, method and bank label all match (counted, so two identical
  transfers on one day in the file stay two). A payment naming an invoice pays that invoice; one
  naming none pays the debtor's oldest open, undisputed invoices first. What is left over stays
  unallocated (`matched = 0`), with a warning.
"""

from __future__ import annotations

import operator
import sqlite3
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, ClassVar, cast

from relance_tui.domain.phones import parse_phone
from relance_tui.formatting import money
from relance_tui.i18n import t, t_key
from relance_tui.services.behaviour import relearn
from relance_tui.services.importing.batch import Batch, StartOver
from relance_tui.services.importing.fields import ImportKind
from relance_tui.storage import imports as store
from relance_tui.storage.cases import sync_cases

Written = tuple[int, int, int]


def _any_pair(compare: Callable[[Any, Any], bool], left: list[Any], right: list[Any]) -> bool:
    """Whether compare(l, r) holds for some pair: C-level when the columns are clean."""
    try:
        return any(map(compare, left, right))
    except TypeError:  # a missing or unreadable value somewhere: let the careful loop decide
        return True


def _is_value(value: Any) -> bool:
    return value is not None and value.__class__ in (str, int, bool)


@dataclass
class Snapshot:
    """What the halves of a file look up, read before they are made (halves.py)."""

    version: int  # storage.imports.data_version when it was read
    debtor_ids: dict[str, int]

    @classmethod
    def read(cls, conn: sqlite3.Connection) -> Snapshot:
        return cls(store.data_version(conn), store.all_debtor_ids(conn))


class Handler:
    kind: ClassVar[ImportKind]
    # Set when check_rows may run on each half of a file apart (halves.py): the
    # key it keeps unique, to check again across the halves. None: one process only.
    key_across_halves: ClassVar[tuple[str, ...] | None] = None

    def __init__(
        self, batch: Batch, snapshot: Snapshot | None = None, before: Handler | None = None
    ) -> None:
        self.batch = batch
        self.snapshot = snapshot  # the look-ups a half of the file used
        self.before = before  # the handler of the file's first half, written already

    def resolve_in_half(self, snapshot: Snapshot) -> bool:
        """Look up what a half can from the snapshot; False when something is not found."""
        return True

    def check_rows(self) -> None:
        """Checks that need the whole file but not the database."""

    def check_database(self, conn: sqlite3.Connection) -> None:
        """Checks against the database, inside the import's transaction."""

    def write(
        self, conn: sqlite3.Connection, keep: list[int] | None, *, now: str, today: date, agent: str
    ) -> Written:
        raise NotImplementedError

    # for kinds whose files may be cut in halves: `write` in parts

    table: ClassVar[str]

    def write_rows(self, conn: sqlite3.Connection, keep: list[int] | None) -> set[int]:
        """Write the rows (indexes may be down); return the debtors they touch."""
        raise NotImplementedError

    def settle(self, conn: sqlite3.Connection, today: date, touched: set[int]) -> None:
        """After every part is written: what follows from the rows (the cases)."""
        raise NotImplementedError

    # helpers

    def flag_duplicates(self, names: tuple[str, ...]) -> None:
        """A key seen twice in the file: every later row is an error naming the first line."""
        batch = self.batch
        if len(names) == 1:
            keys: list[Any] = batch.values[names[0]]
            if len(set(keys)) == len(keys):
                return
            keys = [(key,) for key in keys]
        else:
            keys = list(zip(*(batch.values[name] for name in names), strict=True))
            if len(set(keys)) == len(keys):
                return
        first: dict[tuple[Any, ...], int] = {}
        unusable = set().union(*(batch.bad_fields.get(name, set()) for name in names))
        for row, key in enumerate(keys):
            if row in unusable or not all(_is_value(part) for part in key):
                continue
            if key in first:
                batch.fail(
                    row, names[-1], t("import.reason.duplicate", line=batch.table.line(first[key]))
                )
            else:
                first[key] = row

    def resolve_debtors(
        self, conn: sqlite3.Connection, name: str = "debtor_reference"
    ) -> list[int | None]:
        batch = self.batch
        if self.snapshot is not None:  # looked up in the halves: valid while nothing changed
            if store.data_version(conn) != self.snapshot.version:
                raise StartOver
            ids: list[int | None] = batch.values["debtor_id"]
            return ids
        references = batch.values[name]
        wanted = set(references)
        wanted.discard(None)
        known = store.debtor_ids(conn, {ref for ref in wanted if ref.__class__ is str})
        ids = list(map(known.get, references))
        if None in ids:
            for row, (ident, ref) in enumerate(zip(ids, references, strict=True)):
                if ident is None and ref.__class__ is str and row not in batch.errors:
                    batch.fail(row, name, t("import.reason.unknown_debtor", reference=ref))
        return ids


class InvoicesHandler(Handler):
    kind = ImportKind.INVOICES
    key_across_halves = ("number",)
    table = "invoices"

    def check_rows(self) -> None:
        batch = self.batch
        values = batch.values
        self.flag_duplicates(("number",))
        if not batch.has("outstanding"):
            values["outstanding"] = values["amount"]
        elif None in values["outstanding"]:
            values["outstanding"] = [
                amount if outstanding is None else outstanding
                for outstanding, amount in zip(values["outstanding"], values["amount"], strict=True)
            ]
        issue, due = values["issue_date"], values["due_date"]
        amount, outstanding = values["amount"], values["outstanding"]
        # The model's cross-field rules, vectorised; each suspect row is then run through the
        # model itself (other fields set to valid stand-ins) so the reason is the model's own.
        bad_dates = batch.bad_fields.get("issue_date", set()) | batch.bad_fields.get(
            "due_date", set()
        )
        if _any_pair(operator.lt, due, issue):
            for row, (a, b) in enumerate(zip(issue, due, strict=True)):
                if a.__class__ is str and b.__class__ is str and b < a and row not in bad_dates:
                    self._model_rule(row, issue_date=a, due_date=b)
        bad_amounts = batch.bad_fields.get("amount", set()) | batch.bad_fields.get(
            "outstanding", set()
        )
        if _any_pair(operator.gt, outstanding, amount):
            for row, (c, d) in enumerate(zip(amount, outstanding, strict=True)):
                if c.__class__ is int and d.__class__ is int and d > c and row not in bad_amounts:
                    self._model_rule(row, amount=Decimal(c) / 100, outstanding=Decimal(d) / 100)

    def resolve_in_half(self, snapshot: Snapshot) -> bool:
        values = self.batch.values
        ids = list(map(snapshot.debtor_ids.get, values.pop("debtor_reference")))
        values["debtor_id"] = ids
        return None not in ids

    def _model_rule(self, row: int, **fields: Any) -> None:
        data = {
            "number": "x", "debtor_reference": "x", "issue_date": "2000-01-01",
            "due_date": "2000-01-01", "amount": 1, "outstanding": 1, **fields,
        }  # fmt: skip
        self.batch.model_errors(
            row,
            data,
            {
                "invoice.due_before_issue": "due_date",
                "invoice.outstanding_above_amount": "outstanding",
            },
        )

    def check_database(self, conn: sqlite3.Connection) -> None:
        batch = self.batch
        self.debtor_ids = self.resolve_debtors(conn)
        self.contract_ids: list[int | None] | None = None
        self.new_contracts: dict[str, tuple[int, str]] = {}
        self.created: dict[str, int] = {}  # new contract reference → id, once written
        # contracts the first half of this file created, started earlier by this half
        self.earlier_starts: dict[int, str] = {}
        created_before = self.before.created if isinstance(self.before, InvoicesHandler) else {}
        self.contracts_empty = False  # the file has the column, empty on every row
        if not batch.has("contract_reference"):
            return
        references = batch.values["contract_reference"]
        if set(references) <= {None}:
            self.contracts_empty = True
            return
        known = store.contracts_by_reference(conn, {r for r in references if r.__class__ is str})
        ids: list[int | None] = []
        for row, reference in enumerate(references):
            debtor = self.debtor_ids[row]
            if reference.__class__ is not str or debtor is None:
                ids.append(None)
                continue
            if reference in known:
                contract_id, owner = known[reference]
                if owner != debtor:
                    batch.fail(row, "contract_reference", t("import.reason.contract_other_debtor"))
                elif reference in created_before:
                    issued = batch.values["issue_date"][row]
                    start = self.earlier_starts.get(contract_id, issued)
                    self.earlier_starts[contract_id] = min(start, issued)
                ids.append(contract_id)
                continue
            ids.append(None)
            issued = batch.values["issue_date"][row]
            if issued.__class__ is not str:  # unreadable: the row is already refused
                continue
            first = self.new_contracts.get(reference)
            if first is None:
                self.new_contracts[reference] = (debtor, issued)
            elif first[0] != debtor:
                batch.fail(row, "contract_reference", t("import.reason.contract_other_debtor"))
            elif issued < first[1]:
                self.new_contracts[reference] = (debtor, issued)
        self.contract_ids = ids

    def write(
        self, conn: sqlite3.Connection, keep: list[int] | None, *, now: str, today: date, agent: str
    ) -> Written:
        count = self.batch.size if keep is None else len(keep)
        before = store.count_rows(conn, "invoices")
        with store.bulk_indexes(conn, "invoices", count):
            touched = self.write_rows(conn, keep)
        inserted = store.count_rows(conn, "invoices") - before
        self.settle(conn, today, touched)
        return inserted, count - inserted, 0

    def write_rows(self, conn: sqlite3.Connection, keep: list[int] | None) -> set[int]:
        batch = self.batch
        debtors = self.debtor_ids if keep is None else [self.debtor_ids[i] for i in keep]
        columns: list[str] = []
        extra: list[Any] = []
        nulls = ("contract_id",) if self.contracts_empty else ()
        if self.contract_ids is not None:
            self.created = store.create_contracts(
                conn,
                ((ref, debtor, start) for ref, (debtor, start) in self.new_contracts.items()),
            )
            store.move_contract_starts(conn, self.earlier_starts)
            references = batch.column("contract_reference", keep)
            contract_ids = (
                self.contract_ids if keep is None else [self.contract_ids[i] for i in keep]
            )
            columns.append("contract_id")
            extra.append(
                [
                    cid if cid is not None else self.created.get(ref)
                    for cid, ref in zip(contract_ids, references, strict=True)
                ]
            )
        for name, column in (
            ("po_reference", "po_reference"),
            ("outstanding", "outstanding_cents"),
            ("currency", "currency"),
        ):
            if batch.has(name):
                columns.append(column)
                extra.append(batch.column(name, keep))
        values = [
            batch.column("number", keep),
            debtors,
            batch.column("issue_date", keep),
            batch.column("due_date", keep),
            batch.column("amount", keep),
            *extra,
        ]
        store.upsert_invoices(conn, columns, values, nulls)
        touched = set(debtors)
        touched.discard(None)
        return cast(set[int], touched)

    def settle(self, conn: sqlite3.Connection, today: date, touched: set[int]) -> None:
        if len(touched) > store.BULK_ROWS and 2 * len(touched) > store.count_rows(conn, "debtors"):
            sync_cases(conn, today)  # most debtors: one pass over all is cheaper than a filter
        else:
            sync_cases(conn, today, sorted(touched))


class DebtorsHandler(Handler):
    kind = ImportKind.DEBTORS

    def check_rows(self) -> None:
        batch = self.batch
        self.flag_duplicates(("reference",))
        if not (batch.has("siren") and batch.has("siret")):
            return
        for row, (siren, siret) in enumerate(
            zip(batch.values["siren"], batch.values["siret"], strict=True)
        ):
            if siren.__class__ is not str or siret.__class__ is not str:
                continue
            if not siret.startswith(siren):
                data = {"reference": "x", "legal_name": "x", "siren": siren, "siret": siret}
                batch.model_errors(row, data, {"siret.not_of_siren": "siret"})

    def write(
        self, conn: sqlite3.Connection, keep: list[int] | None, *, now: str, today: date, agent: str
    ) -> Written:
        batch = self.batch
        references = batch.column("reference", keep)
        columns = [name for name in store.DEBTOR_COLUMNS if batch.has(name)]
        existing = store.debtor_ids(conn, references)
        rows = zip(references, *(batch.column(name, keep) for name in columns), strict=True)
        with store.bulk_indexes(conn, "debtors", len(references)):
            store.upsert_debtors(conn, columns, rows, now)
        if existing:  # a new segment changes the case; new debtors have no invoices yet
            sync_cases(conn, today, sorted(existing.values()))
        return len(references) - len(existing), len(existing), 0


class ContactsHandler(Handler):
    kind = ImportKind.CONTACTS
    PHONES = ("phone", "mobile")

    def check_rows(self) -> None:
        batch = self.batch
        self.flag_duplicates(("debtor_reference", "name"))
        self.parsed: dict[str, Any] = {}
        for name in self.PHONES:
            if not batch.has(name):
                continue
            for row, raw in enumerate(batch.values[name]):
                if not raw:
                    continue
                phone = self.parsed.get(raw)
                if phone is None:
                    phone = self.parsed[raw] = parse_phone(raw)
                if not phone.valid:
                    batch.warn(
                        row,
                        name,
                        t(
                            "import.warning.phone_kept",
                            reason=t_key(phone.error) if phone.error else t("phone.invalid"),
                        ),
                    )

    def check_database(self, conn: sqlite3.Connection) -> None:
        self.debtor_ids = self.resolve_debtors(conn)

    def write(
        self, conn: sqlite3.Connection, keep: list[int] | None, *, now: str, today: date, agent: str
    ) -> Written:
        batch = self.batch
        debtors = self.debtor_ids if keep is None else [self.debtor_ids[i] for i in keep]
        names = batch.column("name", keep)
        columns = [name for name in store.CONTACT_COLUMNS if batch.has(name)]
        rows = list(
            zip(debtors, names, *(batch.column(name, keep) for name in columns), strict=True)
        )
        existing = store.existing_contacts(conn, ((row[0], row[1]) for row in rows))
        contact_ids = store.upsert_contacts(conn, columns, rows, now)
        phones = []
        for name in self.PHONES:
            if batch.has(name):
                for contact_id, raw in zip(contact_ids, batch.column(name, keep), strict=True):
                    if raw:
                        parsed = self.parsed[raw]
                        phones.append(
                            (contact_id, parsed.raw, parsed.e164, parsed.kind.value,
                             parsed.region, parsed.time_zone, int(parsed.valid))
                        )  # fmt: skip
        store.upsert_phones(conn, phones)
        return len(rows) - len(existing), len(existing), 0


class PaymentsHandler(Handler):
    kind = ImportKind.PAYMENTS

    def check_rows(self) -> None:
        batch = self.batch
        size = batch.size
        for name in ("debtor_reference", "invoice_number", "reference", "method", "bank_label"):
            if not batch.has(name):
                batch.values[name] = [
                    None if name in ("debtor_reference", "invoice_number") else ""
                ] * size
        if batch.has("reference"):
            references = batch.values["reference"]
            counts = Counter(ref for ref in references if ref.__class__ is str and ref)
            if any(n > 1 for n in counts.values()):
                self.flag_duplicates(("reference",))
        for row, (debtor, invoice) in enumerate(
            zip(batch.values["debtor_reference"], batch.values["invoice_number"], strict=True)
        ):
            if debtor is None and invoice is None and row not in batch.errors:
                batch.fail(
                    row, "debtor_reference", t("import.reason.payment_needs_debtor_or_invoice")
                )

    def check_database(self, conn: sqlite3.Connection) -> None:
        batch = self.batch
        self.debtor_ids = self.resolve_debtors(conn)
        numbers = batch.values["invoice_number"]
        self.invoices = store.invoices_by_number(conn, {n for n in numbers if n.__class__ is str})
        for row, number in enumerate(numbers):
            if number.__class__ is not str or row in batch.errors:
                continue
            invoice = self.invoices.get(number)
            debtor = self.debtor_ids[row]
            if invoice is None:
                if batch.values["debtor_reference"][row] is None:
                    batch.fail(
                        row, "invoice_number", t("import.reason.unknown_invoice", number=number)
                    )
                else:
                    batch.warn(
                        row,
                        "invoice_number",
                        t("import.warning.unknown_invoice_unmatched", number=number),
                    )
            elif debtor is None:
                self.debtor_ids[row] = invoice.debtor_id
            elif debtor != invoice.debtor_id:
                batch.fail(
                    row, "invoice_number", t("import.reason.invoice_other_debtor", number=number)
                )

    def write(
        self, conn: sqlite3.Connection, keep: list[int] | None, *, now: str, today: date, agent: str
    ) -> Written:
        batch = self.batch
        values = batch.values
        rows = list(range(batch.size)) if keep is None else keep
        rows.sort(key=lambda row: (values["received_on"][row], row))
        known_refs = store.existing_payment_references(
            conn, {values["reference"][r] for r in rows} - {""}
        )
        debtor_set = {self.debtor_ids[r] for r in rows}
        stored_counts = store.unreferenced_payment_counts(
            conn, (d for d in debtor_set if d is not None)
        )
        open_by_debtor = store.open_invoices(conn, (d for d in debtor_set if d is not None))
        touched: dict[int, store.OpenInvoice] = {}
        new_payments: list[tuple[Any, ...]] = []
        unchanged = 0
        for row in rows:
            debtor = self.debtor_ids[row]
            assert debtor is not None
            reference, cents = values["reference"][row], values["amount"][row]
            day, method, label = (
                values["received_on"][row],
                values["method"][row],
                values["bank_label"][row],
            )
            if reference:
                if reference in known_refs:
                    unchanged += 1
                    continue
            else:
                key = (debtor, day, cents, method, label)
                if stored_counts.get(key, 0) > 0:
                    stored_counts[key] -= 1
                    unchanged += 1
                    continue
            number = values["invoice_number"][row]
            warned = number is not None and number not in self.invoices
            if number is not None:
                invoice = self.invoices.get(number)
                if invoice is not None:
                    invoice = touched.setdefault(invoice.id, invoice)
                targets = [invoice] if invoice is not None else []
                if invoice is not None and (
                    invoice.status not in ("open", "partially_paid")
                    or invoice.outstanding_cents == 0
                ):
                    batch.warn(
                        row, "invoice_number", t("import.warning.invoice_closed", number=number)
                    )
                    targets, warned = [], True
            else:
                targets = open_by_debtor.get(debtor, [])
            allocated, first_invoice = self._allocate(cents, day, targets, touched)
            if allocated < cents and not warned:
                batch.warn(
                    row, "amount", t("import.warning.unallocated", amount=money(cents - allocated))
                )
            new_payments.append(
                (debtor, first_invoice, reference, day, cents, method, label,
                 int(allocated == cents), allocated, now, agent)
            )  # fmt: skip
        store.insert_payments(conn, new_payments)
        store.save_invoice_balances(conn, touched.values())
        sync_cases(conn, today, sorted(d for d in debtor_set if d is not None))
        relearn(conn, (d for d in debtor_set if d is not None))
        return len(new_payments), 0, unchanged

    @staticmethod
    def _allocate(
        cents: int,
        day: str,
        targets: list[store.OpenInvoice],
        touched: dict[int, store.OpenInvoice],
    ) -> tuple[int, int | None]:
        allocated = 0
        first: int | None = targets[0].id if len(targets) == 1 else None
        for invoice in targets:
            if allocated == cents:
                break
            invoice = touched.setdefault(invoice.id, invoice)
            share = min(cents - allocated, invoice.outstanding_cents)
            if share <= 0:
                continue
            first = invoice.id if first is None else first
            allocated += share
            invoice.outstanding_cents -= share
            invoice.changed = True
            if invoice.outstanding_cents == 0:
                invoice.status, invoice.paid_on = "paid", day
            else:
                invoice.status = "partially_paid"
        return allocated, first


HANDLERS: dict[ImportKind, type[Handler]] = {
    handler.kind: handler
    for handler in (InvoicesHandler, DebtorsHandler, ContactsHandler, PaymentsHandler)
}
