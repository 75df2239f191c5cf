"""Enter on a history row: the whole entry (what, when, who, outcome, amount, status, the full
notes and, for a call, the recap read to the debtor). Esc closes it."""

from __future__ import annotations

import sqlite3
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Static

from relance_tui.domain.labels import CAUSE_KEYS, OUTCOME_KEYS
from relance_tui.domain.text import inert
from relance_tui.formatting import PARIS, money
from relance_tui.i18n import t
from relance_tui.services.casefile import HistoryEntry, HistoryKind, entry_recap
from relance_tui.tui.bindings import TranslatedBindings
from relance_tui.tui.database import database_work
from relance_tui.tui.widgets.bindings_footer import BindingsFooter
from relance_tui.tui.widgets.case_views import cents

LABEL_WIDTH = 14


def entry_text(entry: HistoryEntry) -> Text:
    text = Text()

    def line(label: str, value: str) -> None:
        if value:
            text.append(f"{label:<{LABEL_WIDTH}}", style="bold")
            text.append(inert(value) + "\n")

    line(t("history.entry.when"), entry.at.astimezone(PARIS).strftime("%d/%m/%Y %H:%M"))
    line(t("history.entry.who"), entry.who)
    if entry.outcome is not None:
        line(t("history.entry.outcome"), t(OUTCOME_KEYS[entry.outcome]))
    if entry.cause is not None:
        line(t("history.entry.cause"), t(CAUSE_KEYS[entry.cause]))
    if entry.amount is not None:
        line(t("history.entry.amount"), money(cents(entry.amount)))
    line(t("history.entry.status"), entry.status)
    if entry.notes:
        text.append("\n" + t("history.entry.notes") + "\n", style="bold")
        text.append(inert(entry.notes, lines=True) + "\n")
    return text


class HistoryEntryDialog(TranslatedBindings, ModalScreen[None]):
    CSS_PATH = "dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "key.close", id="history_entry.close"),
    ]

    class Recap(Message):
        def __init__(self, recap: str) -> None:
            super().__init__()
            self.recap = recap

    def __init__(self, case_id: int, entry: HistoryEntry) -> None:
        super().__init__(id="history-entry")
        self.case_id = case_id
        self.entry = entry

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(inert(self.entry.title)), classes="dialog-title")
            with VerticalScroll(id="entry-scroll"):
                yield Static(entry_text(self.entry), id="entry-text")
                yield Static(id="entry-recap")
        yield BindingsFooter()

    def on_mount(self) -> None:
        self.query_one("#entry-scroll").focus()
        self.query_one("#entry-recap").display = False
        if self.entry.kind is HistoryKind.CALL:
            self._read_recap(self.case_id, self.entry)

    @database_work(group="history-entry")
    def _read_recap(self, conn: sqlite3.Connection, case_id: int, entry: HistoryEntry) -> Recap:
        return self.Recap(entry_recap(conn, case_id, entry))

    @on(Recap)
    def _recap(self, event: Recap) -> None:
        if not event.recap:
            return
        text = Text(t("history.entry.recap") + "\n", style="bold")
        text.append(inert(event.recap, lines=True))
        recap = self.query_one("#entry-recap", Static)
        recap.update(text)
        recap.display = True

    def action_close(self) -> None:
        self.dismiss(None)
