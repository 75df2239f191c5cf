"""One agent's actions of the day (or period), from the supervisor screen: time, case, what
happened, amounts, note. Enter opens the case."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Static

from relance_tui.domain.labels import NOTE_CHANNEL_KEYS, OUTCOME_KEYS
from relance_tui.formatting import PARIS, day, money
from relance_tui.i18n import t
from relance_tui.services.permissions import NotAllowedError
from relance_tui.services.reports.access import supervisor_named
from relance_tui.services.reports.activity import Action, agent_actions
from relance_tui.services.reports.tables import duration
from relance_tui.tui.bindings import TranslatedBindings
from relance_tui.tui.database import database_work
from relance_tui.tui.plain import plain
from relance_tui.tui.widgets.bindings_footer import BindingsFooter

if TYPE_CHECKING:
    from relance_tui.tui.app import RelanceApp

ACTION_COLUMN_KEYS = {
    "at": "supervisor.col.at",
    "case": "supervisor.col.case",
    "what": "supervisor.col.what",
    "amount": "supervisor.col.amount",
    "talk": "report.col.talk",
    "note": "supervisor.col.note",
}
NOTE_CHARS = 60


def action_cells(action: Action, *, dated: bool) -> list[Text]:
    local = datetime.fromisoformat(action.at).astimezone(PARIS)
    when = local.strftime("%d/%m %H:%M" if dated else "%H:%M")
    if action.channel == "call":
        what = (
            t("supervisor.call")
            + " · "
            + (t(OUTCOME_KEYS[action.outcome]) if action.outcome in OUTCOME_KEYS else "—")
        )
    else:
        what = (
            t(NOTE_CHANNEL_KEYS[action.channel])
            if action.channel in NOTE_CHANNEL_KEYS
            else action.channel
        )
    amounts = []
    if action.promised_cents:
        amounts.append(t("supervisor.promised", amount=money(action.promised_cents)))
    if action.planned_cents:
        amounts.append(t("supervisor.planned", amount=money(action.planned_cents)))
    if action.disputes:
        amounts.append(t("supervisor.dispute"))
    note = action.notes.strip().split("\n", 1)[0]
    if len(note) > NOTE_CHARS:
        note = note[: NOTE_CHARS - 1] + "…"
    return [
        Text(when),
        plain(f"{action.debtor_reference} {action.debtor_name}"),
        Text(what),
        Text(", ".join(amounts), justify="right"),
        Text(
            duration(action.talk_seconds) if action.talk_seconds is not None else "",
            justify="right",
        ),
        plain(note),
    ]


class AgentDayScreen(TranslatedBindings, Screen[None]):
    CSS_PATH = "supervisor.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "key.back", id="supervisor_agent.back"),
        Binding("enter", "open", "key.open_case", id="supervisor_agent.open"),
        Binding("j", "cursor_down", id="supervisor_agent.down", show=False),
        Binding("k", "cursor_up", id="supervisor_agent.up", show=False),
    ]

    class Loaded(Message):
        def __init__(self, actions: list[Action]) -> None:
            super().__init__()
            self.actions = actions

    def __init__(self, agent_id: int, login: str, name: str, first: date, last: date) -> None:
        super().__init__()
        self.agent_id = agent_id
        self.login = login
        self.agent_name = name
        self.first = first
        self.last = last
        self.actions: list[Action] = []

    @property
    def relance(self) -> RelanceApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        span = day(self.first) + ("" if self.first == self.last else " – " + day(self.last))
        title = t("supervisor.agent_title", login=self.login, name=self.agent_name, span=span)
        yield Static(plain(title), id="supervisor-title")
        table: DataTable[Text] = DataTable(
            id="actions-table", cursor_type="row", zebra_stripes=True
        )
        for name in ACTION_COLUMN_KEYS:
            table.add_column(t(ACTION_COLUMN_KEYS[name]), key=name)
        yield table
        yield Static(id="actions-empty")
        yield BindingsFooter()

    def on_mount(self) -> None:
        self.query_one("#actions-empty").display = False
        self._read(self.relance.agent_login)

    @database_work(group="supervisor-agent")
    def _read(self, conn: sqlite3.Connection, login: str) -> Loaded | None:
        try:
            viewer = supervisor_named(conn, login)
        except NotAllowedError:
            return None
        return self.Loaded(
            agent_actions(conn, viewer, self.agent_id, first=self.first, last=self.last)
        )

    @on(Loaded)
    def _loaded(self, event: Loaded) -> None:
        self.actions = event.actions
        table: DataTable[Text] = self.query_one(DataTable)
        table.clear()
        for action in self.actions:
            table.add_row(*action_cells(action, dated=self.first != self.last))
        empty = self.query_one("#actions-empty", Static)
        empty.update(t("supervisor.no_actions"))
        empty.display = not self.actions
        table.focus()

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        table: DataTable[Text] = self.query_one(DataTable)
        if self.actions and table.cursor_row < len(self.actions):
            self.relance.open_case(self.actions[table.cursor_row].case_id)

    def action_back(self) -> None:
        self.dismiss()

    def action_cursor_down(self) -> None:
        self.query_one(DataTable).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one(DataTable).action_cursor_up()
