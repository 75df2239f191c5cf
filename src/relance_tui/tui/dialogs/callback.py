"""`s`: schedule a callback (tomorrow's first calling window by default)."""

from __future__ import annotations

from datetime import datetime
from sqlite3 import Connection

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.widgets import Input, Static

from relance_tui.config import Settings
from relance_tui.domain import calls
from relance_tui.domain.calling_hours import zone
from relance_tui.i18n import key, t
from relance_tui.services.casework import Recorded, schedule_callback
from relance_tui.tui.dialogs.record import RecordDialog, Write
from relance_tui.tui.widgets.field_row import FieldRow
from relance_tui.tui.widgets.fields import moment_text
from relance_tui.tui.widgets.solve_forms import callback_moment, local_note


class CallbackDialog(RecordDialog):
    TITLE_KEY = key("dialog.callback.title")

    def fields(self) -> ComposeResult:
        proposed = self._proposed()
        yield FieldRow(t("call.field.callback_at"), "callback-at", value=proposed)
        local = self._local(proposed)
        note = Static(Text(local), id="callback-local", classes="hint")
        note.display = bool(local)  # a line only for an overseas number
        yield note
        yield FieldRow(t("call.field.callback_reason"), "callback-reason")

    def _local(self, typed: str) -> str:
        target = getattr(self, "_target", (None, None))
        found = self.case_file.preparation.phone(target[1])
        return local_note(typed, self.today, found[1] if found else None)

    @on(Input.Changed, "#callback-at")
    def _typed(self, event: Input.Changed) -> None:
        local = self._local(event.value)
        note = self.query_one("#callback-local", Static)
        note.update(Text(local))
        note.display = bool(local)

    def first_field(self) -> str:
        return "#callback-at"

    def _proposed(self) -> str:
        hours = self.relance.settings.contact.calling_hours
        prep = self.case_file.preparation
        draft = calls.start_call(prep, now=self.now)
        if hours is None or draft.phone_id is None:
            return ""
        draft = draft.model_copy(update={"outcome": None})
        proposed = calls.propose_callback(draft, prep, now=self.now, hours=hours)
        self._target = (proposed.contact_id, proposed.phone_id)
        return moment_text(proposed.due_at.astimezone(zone(None)))

    def build(self) -> tuple[dict[str, str], Write]:
        due_at = callback_moment(self.query_one("#callback-at", Input).value, self.today)
        reason = self.query_one("#callback-reason", Input).value
        case_id = self.case_file.summary.case_id
        contact_id, phone_id = getattr(self, "_target", (None, None))

        def write(conn: Connection, settings: Settings, agent: str, now: datetime) -> Recorded:
            return schedule_callback(
                conn, settings, case_id, due_at=due_at, agent_login=agent, now=now,
                contact_id=contact_id, phone_id=phone_id, reason=reason,
            )  # fmt: skip

        return {"callback_reason": reason}, write
