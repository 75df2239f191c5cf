"""`a`: my callbacks and promise checks due today and overdue; Enter opens the case."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Static

from relance_tui.domain.labels import PROMISE_STATUS_KEYS
from relance_tui.formatting import PARIS, day, money
from relance_tui.i18n import t
from relance_tui.services.agenda import AGENDA_KIND_KEYS, AgendaItem, AgendaKind, agenda
from relance_tui.tui.bindings import TranslatedBindings
from relance_tui.tui.database import database_work
from relance_tui.tui.plain import plain
from relance_tui.tui.widgets.bindings_footer import BindingsFooter
from relance_tui.tui.widgets.case_views import cents

if TYPE_CHECKING:
    from relance_tui.tui.app import RelanceApp

COLUMN_KEYS: dict[str, str] = {
    "when": "agenda.col.when",
    "what": "agenda.col.what",
    "debtor": "agenda.col.debtor",
    "contact": "agenda.col.contact",
    "amount": "agenda.col.amount",
    "detail": "agenda.col.detail",
}


def agenda_row(item: AgendaItem) -> list[str | Text]:
    when = (
        item.due_at.astimezone(PARIS).strftime("%d/%m %H:%M")
        if item.due_at is not None
        else day(item.due_on)
    )
    when_text = Text(when)
    if item.overdue:
        when_text.append(" " + t("case.agenda.overdue"), style="bold red")
    contact = " ".join(part for part in (item.contact_name, item.phone_display) if part)
    detail = item.detail
    if item.kind is AgendaKind.INSTALLMENT_CHECK:
        detail = t("agenda.installment", n=item.detail)
    elif item.kind in (AgendaKind.PROMISE_CHECK, AgendaKind.PAYMENT_CHECK):
        detail = t(PROMISE_STATUS_KEYS[item.detail])
    return [
        when_text,
        t(AGENDA_KIND_KEYS[item.kind]),
        plain(item.debtor_name),
        plain(contact),
        Text(money(cents(item.amount)), justify="right") if item.amount is not None else "",
        plain(detail),
    ]


class AgendaScreen(TranslatedBindings, Screen[None]):
    CSS_PATH = "agenda.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "key.back", id="agenda.back"),
        Binding("enter", "open", "key.open_case", id="agenda.open"),
        Binding("r", "refresh", "key.refresh", id="agenda.refresh"),
        Binding("j", "cursor_down", id="agenda.down", show=False),
        Binding("k", "cursor_up", id="agenda.up", show=False),
    ]

    class Loaded(Message):
        def __init__(self, items: list[AgendaItem]) -> None:
            super().__init__()
            self.items = items

    def __init__(self) -> None:
        super().__init__()
        self.items: list[AgendaItem] = []

    @property
    def relance(self) -> RelanceApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Static(Text(t("agenda.title")), id="agenda-title")
        table: DataTable[str | Text] = DataTable(id="agenda-table", cursor_type="row")
        table.add_columns(*[t(COLUMN_KEYS[c]) for c in COLUMN_KEYS])
        yield table
        yield Static(id="agenda-empty")
        yield BindingsFooter()

    def on_mount(self) -> None:
        self.query_one("#agenda-empty").display = False
        self._load()

    def on_screen_resume(self) -> None:
        self._load()

    def _load(self) -> None:
        self._read(self.relance.agent_login, self.relance.now())

    @database_work(group="agenda")
    def _read(self, conn: sqlite3.Connection, login: str, now: datetime) -> Loaded:
        return self.Loaded(agenda(conn, login, now))

    @on(Loaded)
    def _loaded(self, event: Loaded) -> None:
        self.items = event.items[:1000]
        table: DataTable[str | Text] = self.query_one(DataTable)
        table.clear()
        for item in self.items:
            table.add_row(*agenda_row(item))
        overdue = sum(1 for item in self.items if item.overdue)
        self.query_one("#agenda-title", Static).update(
            Text(t("agenda.title_counts", count=len(self.items), overdue=overdue))
        )
        empty = self.query_one("#agenda-empty", Static)
        empty.update(Text(t("agenda.empty")))
        empty.display = not self.items
        table.focus()

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        table: DataTable[str | Text] = self.query_one(DataTable)
        if not self.items or table.cursor_row >= len(self.items):
            return
        self.relance.open_case(self.items[table.cursor_row].case_id)

    def action_refresh(self) -> None:
        self._load()

    def action_back(self) -> None:
        self.dismiss()

    def action_cursor_down(self) -> None:
        self.query_one(DataTable).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one(DataTable).action_cursor_up()
