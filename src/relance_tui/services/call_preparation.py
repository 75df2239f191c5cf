"""What a write on a case is checked against, read light: `preparation_to_record`.

Recording a call, a promise, a dispute or a callback checks the draft against the case (the
phone belongs to one of its contacts, the amount is within the balance, the disputed invoices
are open) and keeps the case's stage: that needs four small reads, not the whole case file
(`services.casefile.load_case_file`: history, penalties, calling hours at each number, ~3 ms of
CPU). The `CallPreparation` returned holds the same case, invoices, contacts and phones as the
case file's, without what only the screen uses: the phones' display and calling-hours check, the
last contacts, the attempt count, the open disputes' count and the warnings stay empty.
"""

from __future__ import annotations

import sqlite3
from datetime import date

from relance_tui.domain.calls import CallPreparation, ContactOption, InvoiceOption, PhoneOption
from relance_tui.domain.models import ContactRole, Segment, Stage, from_cents
from relance_tui.domain.phones import PhoneKind
from relance_tui.services.casefile import CaseNotFoundError
from relance_tui.storage.call_preparation import preparation_rows


def preparation_to_record(conn: sqlite3.Connection, case_id: int) -> CallPreparation:
    """The case as a write checks it. Raises CaseNotFoundError for an unknown case."""
    rows = preparation_rows(conn, case_id)
    if rows is None:
        raise CaseNotFoundError(case_id)
    head = rows.head
    phones: dict[int, list[PhoneOption]] = {}
    for row in rows.phones:
        phones.setdefault(int(row["contact_id"]), []).append(
            PhoneOption(
                phone_id=int(row["id"]),
                display="",
                kind=PhoneKind(row["kind"]),
                region=row["region"],
                time_zone=row["time_zone"],
                usable=bool(row["valid"]) and row["marked_invalid_at"] is None,
            )
        )
    return CallPreparation(
        case_id=case_id,
        debtor_name=str(head["legal_name"]),
        segment=Segment(head["segment"]),
        stage=Stage(head["stage"]),
        postal_code=str(head["postal_code"] or ""),
        overdue=from_cents(int(head["overdue_cents"])),
        disputed=from_cents(int(head["disputed_cents"])),
        invoices=tuple(
            InvoiceOption(
                invoice_id=int(row["id"]),
                number=str(row["number"]),
                due_date=date.fromisoformat(row["due_date"]),
                outstanding=from_cents(int(row["outstanding_cents"])),
                in_dispute=bool(row["in_dispute"]),
            )
            for row in rows.invoices
        ),
        contacts=tuple(
            ContactOption(
                contact_id=int(row["id"]),
                name=str(row["name"]),
                role=ContactRole(row["role"]),
                email=str(row["email"] or ""),
                opposed=bool(row["opposed_to_contact"]),
                phones=tuple(phones.get(int(row["id"]), ())),
            )
            for row in rows.contacts
        ),
    )
