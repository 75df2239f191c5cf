"""`h`: hold the case's dunning ladder until a date, with a reason (services.ladder)."""

from __future__ import annotations

from datetime import datetime, timedelta
from sqlite3 import Connection

from textual.app import ComposeResult
from textual.widgets import Input

from relance_tui.config import Settings
from relance_tui.i18n import key, t
from relance_tui.services.casework import Recorded
from relance_tui.services.ladder import HoldError, place_hold
from relance_tui.tui.dialogs.record import RecordDialog, Write
from relance_tui.tui.widgets.field_row import FieldRow
from relance_tui.tui.widgets.fields import day_text, parse_day
from relance_tui.tui.widgets.solve_forms import FormError


class HoldDialog(RecordDialog):
    TITLE_KEY = key("dialog.hold.title")

    def fields(self) -> ComposeResult:
        # The date first, proposed: the dialog opens on the reason (as the callback's does).
        yield FieldRow(
            t("dialog.hold.until"), "hold-until", value=day_text(self.today + timedelta(days=14))
        )
        yield FieldRow(t("dialog.hold.reason"), "hold-reason")

    def first_field(self) -> str:
        return "#hold-reason"

    def build(self) -> tuple[dict[str, str], Write]:
        reason = self.query_one("#hold-reason", Input).value
        if not reason.strip():
            raise FormError(key("dialog.hold.no_reason"))
        until = parse_day(self.query_one("#hold-until", Input).value, self.today)
        if until is None or until < self.today:
            raise FormError(key("dialog.hold.bad_until"))
        case_id = self.case_file.summary.case_id
        today = self.today

        def write(conn: Connection, settings: Settings, agent: str, now: datetime) -> Recorded:
            try:
                hold_id = place_hold(
                    conn, case_id, reason=reason, until=until, login=agent, today=today
                )
            except HoldError:
                return Recorded(False, problems=(key("dialog.hold.bad_until"),))
            return Recorded(True, hold_id)

        return {"hold_reason": reason}, write
