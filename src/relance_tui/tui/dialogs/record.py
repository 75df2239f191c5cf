"""Base of the small modal forms of the case file (promise, dispute, callback, note).

Keyboard only: Enter moves to the next field, Enter on the last one records through the matching
`services.casework` function, as database work (tui/database.py). Free text is checked first
(notes check): findings are shown in place for the agent to reword. Dismisses True when something
was recorded.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from relance_tui.config import Settings
from relance_tui.formatting import PARIS
from relance_tui.i18n import Key, t, t_key
from relance_tui.services.casefile import CaseFile
from relance_tui.services.casework import Recorded, check_texts
from relance_tui.tui.bindings import TranslatedBindings
from relance_tui.tui.database import DatabaseFailed, database_work
from relance_tui.tui.dialogs.notes_check import highlighted
from relance_tui.tui.plain import plain
from relance_tui.tui.widgets.bindings_footer import BindingsFooter
from relance_tui.tui.widgets.solve_forms import FormError

if TYPE_CHECKING:
    from relance_tui.tui.app import RelanceApp

Write = Callable[[sqlite3.Connection, Settings, str, datetime], Recorded]


class RecordDialog(TranslatedBindings, ModalScreen[bool]):
    CSS_PATH = "dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "key.cancel", id="dialog.cancel"),
    ]
    TITLE_KEY: ClassVar[Key]

    class Done(Message):
        def __init__(self, result: Recorded) -> None:
            super().__init__()
            self.result = result

    def __init__(self, case_file: CaseFile, now: datetime) -> None:
        super().__init__()
        self.case_file = case_file
        self.now = now
        self.today: date = now.astimezone(PARIS).date()
        self.busy = False

    @property
    def relance(self) -> RelanceApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(t_key(self.TITLE_KEY)), classes="dialog-title")
            yield Static(plain(self.case_file.summary.debtor_name), classes="dialog-body")
            yield from self.fields()
            yield Static(id="dialog-error", classes="error")
            yield Static(Text(t("dialog.hint")), classes="hint")
        yield BindingsFooter()

    def fields(self) -> ComposeResult:
        raise NotImplementedError

    def build(self) -> tuple[dict[str, str], Write]:
        """(free texts to check, the write to run). Raises FormError for a bad field."""
        raise NotImplementedError

    def first_field(self) -> str | None:
        """The selector of where the agent types first (None: the first field)."""
        return None

    def on_mount(self) -> None:
        first = self.first_field()
        if first is not None:
            self.query_one(first).focus()
        else:
            next(w for w in self.query("*") if w.focusable).focus()

    def _error(self, text: str | Text) -> None:
        self.query_one("#dialog-error", Static).update(
            text if isinstance(text, Text) else plain(text)
        )

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        inputs = [i for i in self.query(Input) if i.display]
        index = inputs.index(event.input)
        if index + 1 < len(inputs):
            inputs[index + 1].focus()
        else:
            self.submit()

    def submit(self) -> None:
        if self.busy:
            return
        try:
            texts, write = self.build()
        except FormError as error:
            self._error(error.message)
            return
        findings = check_texts(**texts)
        if findings:
            message = Text(t("notes.explain") + "\n")
            for name, found in findings.items():
                message.append_text(highlighted(texts[name], found))
                message.append("\n")
            self._error(message)
            return
        self.busy = True
        self._write(write)

    def _write(self, write: Write) -> None:
        app = self.relance
        self._record(write, app.settings, app.agent_login, app.now())

    @database_work(group="dialog-write", interruptible=False)
    def _record(
        self, conn: sqlite3.Connection, write: Write, settings: Settings, login: str, now: datetime
    ) -> Done:
        return self.Done(write(conn, settings, login, now))

    def on_database_failed(self, event: DatabaseFailed) -> None:
        self.busy = False  # nothing was written: the agent may try again
        self._error(t("dialog.save_failed", error=str(event.error)))

    @on(Done)
    def _done(self, event: Done) -> None:
        self.busy = False
        result = event.result
        if result.saved:
            self.notify(t("dialog.saved"), title=t_key(self.TITLE_KEY))
            self.dismiss(True)
            return
        if result.findings:
            self._error(Text(t("notes.explain")))
            return
        self._error(" · ".join(t_key(problem) for problem in result.problems))

    def action_cancel(self) -> None:
        self.dismiss(False)
