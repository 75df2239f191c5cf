"""`p`: a promise to pay received outside a call (e-mail, letter, a word at the counter)."""

from __future__ import annotations

from datetime import datetime, timedelta
from sqlite3 import Connection

from textual.app import ComposeResult
from textual.widgets import Input

from relance_tui.config import Settings
from relance_tui.i18n import key, t
from relance_tui.services.casework import Recorded, record_promise
from relance_tui.tui.dialogs.record import RecordDialog, Write
from relance_tui.tui.widgets.field_row import FieldRow
from relance_tui.tui.widgets.fields import amount_text, day_text, parse_amount, parse_day
from relance_tui.tui.widgets.solve_forms import PROMISE_DEFAULT_DAYS, FormError, amount_chased


class PromiseDialog(RecordDialog):
    TITLE_KEY = key("dialog.promise.title")

    def fields(self) -> ComposeResult:
        amount = amount_chased(self.case_file.preparation)
        yield FieldRow(t("call.field.amount"), "promise-amount", value=amount_text(amount))
        yield FieldRow(
            t("call.field.pay_on"),
            "promise-date",
            value=day_text(self.today + timedelta(days=PROMISE_DEFAULT_DAYS)),
        )
        yield FieldRow(t("call.field.proof"), "promise-proof", value=t("call.yes"))
        # In writing (an e-mail, a signed letter): it restarts the prescription; said, it does not.
        yield FieldRow(t("dialog.promise.written"), "promise-written", value=t("dialog.promise.no"))
        yield FieldRow(t("call.field.notes"), "promise-notes", max_length=4000)

    def first_field(self) -> str:
        return "#promise-amount"

    def build(self) -> tuple[dict[str, str], Write]:
        amount = parse_amount(self.query_one("#promise-amount", Input).value)
        if amount is None:
            raise FormError(key("call.error.amount"))
        due = parse_day(self.query_one("#promise-date", Input).value, self.today)
        if due is None:
            raise FormError(key("call.error.date"))
        proof = self.query_one("#promise-proof", Input).value.strip().lower()
        written = self.query_one("#promise-written", Input).value.strip().lower()
        notes = self.query_one("#promise-notes", Input).value
        case_id = self.case_file.summary.case_id

        def write(conn: Connection, settings: Settings, agent: str, now: datetime) -> Recorded:
            return record_promise(
                conn, settings, case_id, amount=amount, due_date=due, agent_login=agent,
                now=now, proof_requested=not proof or proof[0] in "oy1", notes=notes,
                written=bool(written) and written[0] in "oy1",
            )  # fmt: skip

        return {"notes": notes}, write
