"""`t` on the supervisor screen's workload tab: one agent's open cases, most urgent first, to
give one or a selection to another agent.

`space` marks a case (again: unmarks), `a` marks them all (again: none), `t` gives the marked
cases, or the one under the cursor when none is marked, to the agent chosen in a dialog;
`Enter` opens the case. Each move is audited by the service; the agents' queues show it on
their next refresh.
"""

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

from relance_tui.domain.labels import SEGMENT_KEYS
from relance_tui.formatting import day, money_short, number
from relance_tui.i18n import t, tn
from relance_tui.services import reassignment
from relance_tui.services.reports import tables
from relance_tui.services.reports.live import AgentNow
from relance_tui.tui.bindings import TranslatedBindings
from relance_tui.tui.database import database_work
from relance_tui.tui.dialogs.reassign import AgentOption
from relance_tui.tui.plain import plain
from relance_tui.tui.widgets.bindings_footer import BindingsFooter

if TYPE_CHECKING:
    from relance_tui.tui.app import RelanceApp

WORKLOAD_CASE_COLUMN_KEYS = {
    "mark": "supervisor_reassign.col.mark",
    "case": "supervisor.col.case",
    "segment": "supervisor_reassign.col.segment",
    "overdue": "report.col.overdue",
    "oldest": "supervisor_reassign.col.oldest",
    "holder": "supervisor_reassign.col.holder",
    "callback": "supervisor_reassign.col.callback",
}
MARK = "✓"


class AgentCasesScreen(TranslatedBindings, Screen[None]):
    CSS_PATH = "supervisor.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        # In the footer's order: at 80 columns the last ones give way first.
        Binding("t", "move", "key.supervisor_reassign", id="supervisor_cases.reassign"),
        Binding("space", "mark", "key.supervisor_cases_mark", id="supervisor_cases.mark"),
        Binding("a", "mark_all", "key.supervisor_cases_mark_all", id="supervisor_cases.mark_all"),
        Binding("escape", "back", "key.back", id="supervisor_cases.back"),
        # Priority: the focused table's own Enter would hide it from the footer and the help.
        Binding("enter", "open", "key.open_case", id="supervisor_cases.open", priority=True),
        Binding("j", "cursor(1)", id="supervisor_cases.down", show=False),
        Binding("k", "cursor(-1)", id="supervisor_cases.up", show=False),
    ]

    class Loaded(Message):
        def __init__(self, cases: list[reassignment.OpenCase]) -> None:
            super().__init__()
            self.cases = cases

    class Moved(Message):
        def __init__(self, count: int, error: str = "") -> None:
            super().__init__()
            self.count = count
            self.error = error

    class Refused(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def __init__(self, person: AgentNow, team: list[AgentNow]) -> None:
        super().__init__()
        self.person = person
        self.team = [AgentOption(p.login, p.name) for p in team]
        self.cases: list[reassignment.OpenCase] = []
        self.marked: set[int] = set()

    @property
    def relance(self) -> RelanceApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Static(id="supervisor-title")
        table: DataTable[Text] = DataTable(
            id="cases-table", cursor_type="row", zebra_stripes=True, fixed_columns=2
        )
        for name in WORKLOAD_CASE_COLUMN_KEYS:
            title = Text(
                t(WORKLOAD_CASE_COLUMN_KEYS[name]), justify="right" if name == "overdue" else "left"
            )
            table.add_column(title, key=name)
        yield table
        yield BindingsFooter()

    def on_mount(self) -> None:
        self._title()
        self.action_reload()

    def _title(self) -> None:
        count = len(self.cases)
        title = tn(
            "supervisor_reassign.cases_title", count, login=self.person.login,
            name=self.person.name, marked=number(len(self.marked)),
        )  # fmt: skip
        self.query_one("#supervisor-title", Static).update(plain(title))

    def action_reload(self) -> None:
        self._read(self.relance.agent_login, self.person.agent_id, self.relance.now())

    @database_work(group="supervisor-cases")
    def _read(self, conn: sqlite3.Connection, login: str, agent_id: int, now: datetime) -> Message:
        try:
            cases = reassignment.agent_cases(conn, agent_id=agent_id, by_login=login, now=now)
        except reassignment.ReassignmentError as error:
            return self.Refused(str(error))
        return self.Loaded(cases)

    @on(Loaded)
    def _loaded(self, event: Loaded) -> None:
        self.cases = event.cases
        self.marked &= {case.case_id for case in self.cases}
        table: DataTable[Text] = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        for case in self.cases:
            table.add_row(*self._cells(case), key=str(case.case_id))
        if table.row_count:
            table.move_cursor(row=min(row, table.row_count - 1))
        table.focus()
        self._title()

    def _cells(self, case: reassignment.OpenCase) -> list[Text]:
        callback = case.next_callback
        callback = tables.cell_text(callback, tables.Kind.MOMENT) if callback else ""
        return [
            Text(MARK if case.case_id in self.marked else " ", style="bold"),
            plain(f"{case.reference} {case.debtor_name}"),
            Text(t(SEGMENT_KEYS[case.segment]) if case.segment in SEGMENT_KEYS else case.segment),
            Text(money_short(case.overdue_cents), justify="right"),
            Text(day(case.oldest_due) if case.oldest_due else ""),
            plain(case.holder or ""),
            Text(callback),
        ]

    @on(Refused)
    def _refused(self, event: Refused) -> None:
        self.notify(event.text, title=t("supervisor.title"), severity="error", markup=False)
        self.dismiss()

    # --- Marking and moving --------------------------------------------------------------

    def _current(self) -> reassignment.OpenCase | None:
        table: DataTable[Text] = self.query_one(DataTable)
        if not self.cases or table.cursor_row >= len(self.cases):
            return None
        return self.cases[table.cursor_row]

    def _show_mark(self, case: reassignment.OpenCase) -> None:
        shown = Text(MARK if case.case_id in self.marked else " ", style="bold")
        self.query_one(DataTable).update_cell(str(case.case_id), "mark", shown)

    def action_mark(self) -> None:
        case = self._current()
        if case is None:
            return
        self.marked ^= {case.case_id}
        self._show_mark(case)
        self.action_cursor(1)
        self._title()

    def action_mark_all(self) -> None:
        every = {case.case_id for case in self.cases}
        self.marked = set() if self.marked >= every else every
        for case in self.cases:
            self._show_mark(case)
        self._title()

    def action_cursor(self, delta: int) -> None:
        table: DataTable[Text] = self.query_one(DataTable)
        table.move_cursor(row=table.cursor_row + delta)

    def action_move(self) -> None:
        """`t`: the marked cases, or the one under the cursor, to the agent chosen."""
        current = self._current()
        chosen = [case for case in self.cases if case.case_id in self.marked]
        if not chosen and current is not None:
            chosen = [current]
        if not chosen:
            return
        ids = [case.case_id for case in chosen]
        what = f"{chosen[0].reference} {chosen[0].debtor_name}"
        # Deferred: not loaded until first used (start-up time).
        from relance_tui.tui.dialogs.move_cases import MoveCasesDialog

        def answer(login: str | None) -> None:
            if login:
                self._move(self.relance.agent_login, ids, login)

        dialog = MoveCasesDialog(
            source=self.person.login, what=what, count=len(ids), agents=self.team
        )
        self.app.push_screen(dialog, answer)

    @database_work(group="supervisor-move", interruptible=False)
    def _move(self, conn: sqlite3.Connection, by: str, ids: list[int], to: str) -> Message:
        try:
            moved = reassignment.reassign_cases(conn, case_ids=ids, to_login=to, by_login=by)
        except reassignment.ReassignmentError as error:
            return self.Moved(0, str(error))
        return self.Moved(moved)

    @on(Moved)
    def _moved(self, event: Moved) -> None:
        if event.error:
            self.notify(event.error, title=t("supervisor.title"), severity="error", markup=False)
        else:
            self.marked.clear()
            self.notify(tn("supervisor.moved", event.count), title=t("supervisor.title"))
        self.action_reload()

    def action_open(self) -> None:
        case = self._current()
        if case is not None:
            self.relance.open_case(case.case_id)

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_back(self) -> None:
        self.dismiss()
