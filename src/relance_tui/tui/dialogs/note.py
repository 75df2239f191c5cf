"""`e`: record an e-mail, SMS or letter exchanged with the debtor, or an internal note."""

from __future__ import annotations

from datetime import datetime
from sqlite3 import Connection

from textual import on
from textual.app import ComposeResult
from textual.widgets import Input, Label, OptionList

from relance_tui.config import Settings
from relance_tui.domain.labels import NOTE_CHANNEL_KEYS
from relance_tui.domain.models import InteractionChannel
from relance_tui.i18n import key, t
from relance_tui.services.casework import NOTE_CHANNELS, Recorded, record_note
from relance_tui.tui.dialogs.record import RecordDialog, Write
from relance_tui.tui.widgets.choice_list import ChoiceList
from relance_tui.tui.widgets.field_row import FieldRow
from relance_tui.tui.widgets.solve_forms import FormError


class NoteDialog(RecordDialog):
    TITLE_KEY = key("dialog.note.title")

    channel = InteractionChannel.EMAIL

    def fields(self) -> ComposeResult:
        yield Label(t("dialog.note.channel"))
        yield ChoiceList(
            [
                (str(n), channel.value, t(NOTE_CHANNEL_KEYS[channel]))
                for n, channel in enumerate(
                    (
                        InteractionChannel.EMAIL,
                        *[c for c in NOTE_CHANNELS if c is not InteractionChannel.EMAIL],
                    ),
                    start=1,
                )
            ],
            id="note-channel",
        )
        yield FieldRow(t("dialog.note.text"), "note-text", max_length=4000)

    @on(OptionList.OptionSelected, "#note-channel")
    def _channel(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.channel = InteractionChannel(str(event.option.id))
        self.query_one("#note-text", Input).focus()

    def build(self) -> tuple[dict[str, str], Write]:
        text = self.query_one("#note-text", Input).value
        if not text.strip():
            raise FormError(key("dialog.note.empty"))
        case_id = self.case_file.summary.case_id
        channel = self.channel

        def write(conn: Connection, settings: Settings, agent: str, now: datetime) -> Recorded:
            return record_note(
                conn, settings, case_id, text=text, agent_login=agent, now=now, channel=channel
            )

        return {"notes": text}, write
