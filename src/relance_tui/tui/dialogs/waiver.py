"""`w` on the case: waive the late penalties of every invoice of the case, with a reason
(supervisors and admins; services.penalty_waivers refuses the others, and public bodies). One
invoice alone: `relance penalties waive REF --invoice N`."""

from __future__ import annotations

from datetime import datetime
from sqlite3 import Connection

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Input, Static

from relance_tui.config import Settings
from relance_tui.domain.models import to_cents
from relance_tui.formatting import money
from relance_tui.i18n import key, t
from relance_tui.services.casework import Recorded
from relance_tui.services.penalty_waivers import WaiverError, waive_penalties
from relance_tui.services.permissions import NotAllowedError
from relance_tui.tui.dialogs.record import RecordDialog, Write
from relance_tui.tui.widgets.field_row import FieldRow
from relance_tui.tui.widgets.solve_forms import FormError


class WaiverDialog(RecordDialog):
    TITLE_KEY = key("waiver.dialog.title")

    def fields(self) -> ComposeResult:
        penalties = self.case_file.summary.penalties
        yield Static(
            Text(
                t("waiver.dialog.what", interest=money(to_cents(penalties.interest)),
                  indemnities=money(to_cents(penalties.indemnities)))
            ),
            classes="dialog-body",
        )  # fmt: skip
        yield FieldRow(t("waiver.dialog.reason"), "waiver-reason")

    def build(self) -> tuple[dict[str, str], Write]:
        reason = self.query_one("#waiver-reason", Input).value
        if not reason.strip():
            raise FormError(key("waiver.no_reason"))
        case_id = self.case_file.summary.case_id
        today = self.today

        def write(conn: Connection, settings: Settings, agent: str, now: datetime) -> Recorded:
            try:
                waive_penalties(conn, case_id, reason=reason, login=agent, today=today)
            except WaiverError as error:
                return Recorded(False, problems=(error.key,))
            except NotAllowedError:
                return Recorded(False, problems=(key("permission.denied.waive_penalties"),))
            return Recorded(True)

        return {"reason": reason}, write
