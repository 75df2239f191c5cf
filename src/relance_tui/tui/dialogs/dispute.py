"""`d`: open a dispute on some of the case's invoices, outside a call."""

from __future__ import annotations

from datetime import datetime
from sqlite3 import Connection

from textual import on
from textual.app import ComposeResult
from textual.widgets import Input, Label

from relance_tui.config import Settings
from relance_tui.i18n import key, t
from relance_tui.services.casework import Recorded, record_dispute
from relance_tui.tui.dialogs.record import RecordDialog, Write
from relance_tui.tui.widgets.check_list import CheckList
from relance_tui.tui.widgets.field_row import FieldRow
from relance_tui.tui.widgets.solve_forms import FormError, invoice_label, ticked_first


class DisputeDialog(RecordDialog):
    TITLE_KEY = key("dialog.dispute.title")

    def fields(self) -> ComposeResult:
        yield Label(t("call.field.dispute_invoices"))
        invoices = [i for i in self.case_file.preparation.invoices if not i.in_dispute][:200]
        yield CheckList(
            [(i.invoice_id, invoice_label(i)) for i in invoices],
            ticked=ticked_first(invoices, self.today),
            id="dispute-invoices",
        )
        yield FieldRow(t("call.field.dispute_reason"), "dispute-reason")
        yield FieldRow(
            t("call.field.dispute_owner"), "dispute-owner", value=t("call.dispute.owner_default")
        )
        yield FieldRow(t("call.field.notes"), "dispute-notes", max_length=4000)

    def first_field(self) -> str:
        one = len(self.query_one("#dispute-invoices", CheckList).selected) == 1
        return "#dispute-reason" if one else "#dispute-invoices"

    @on(CheckList.Done)
    def _invoices_chosen(self, event: CheckList.Done) -> None:
        event.stop()
        self.query_one("#dispute-reason", Input).focus()

    def build(self) -> tuple[dict[str, str], Write]:
        chosen = self.query_one("#dispute-invoices", CheckList).selected
        if not chosen:
            raise FormError(key("call.error.dispute_invoices"))
        reason = self.query_one("#dispute-reason", Input).value.strip()
        owner = self.query_one("#dispute-owner", Input).value.strip()
        notes = self.query_one("#dispute-notes", Input).value
        if not reason:
            raise FormError(key("call.error.dispute_reason"))
        if not owner:
            raise FormError(key("call.error.dispute_owner"))
        case_id = self.case_file.summary.case_id

        def write(conn: Connection, settings: Settings, agent: str, now: datetime) -> Recorded:
            return record_dispute(
                conn, settings, case_id, invoice_ids=chosen, reason=reason, owner=owner,
                agent_login=agent, now=now, notes=notes,
            )  # fmt: skip

        return {"dispute_reason": reason, "notes": notes}, write
