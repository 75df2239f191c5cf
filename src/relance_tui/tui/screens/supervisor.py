"""`v`: the supervisor's screen (supervisors and admins; an agent is refused by the service).

Four tabs: the day (or a period) per agent, from the same tables as `relance report daily`
(Enter drills down into an agent's actions, tui/screens/supervisor_agent.py); who is on what
now; portfolio health (aged balance as bars, Textual's `Sparkline` for the 30-day trends, the
figures and how each is computed, the top debtors); the workload, with reassignment (`t` moves
an agent's cases to another, `b` evens out the load). Everything is read in one database job.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Static, TabbedContent, TabPane

from relance_tui.formatting import day, money_short, number
from relance_tui.i18n import t, tn
from relance_tui.services.permissions import NotAllowedError
from relance_tui.services.reports import activity, live, portfolio, tables
from relance_tui.services.reports.access import supervisor_named
from relance_tui.tui.bindings import TranslatedBindings
from relance_tui.tui.database import DatabaseFailed, database_work
from relance_tui.tui.widgets.bindings_footer import BindingsFooter
from relance_tui.tui.widgets.portfolio_health import PortfolioHealth
from relance_tui.tui.widgets.report_table import fill_plain, fill_table

if TYPE_CHECKING:
    from relance_tui.tui.app import RelanceApp

TABS = ("day", "live", "health", "workload")
PERIODS = ("day", "week", "month")
PERIOD_KEYS = {
    "day": "supervisor.period.day",
    "week": "supervisor.period.week",
    "month": "supervisor.period.month",
}
SUPERVISOR_TAB_KEYS = {
    "day": "supervisor.tab.day",
    "live": "supervisor.tab.live",
    "health": "supervisor.tab.health",
    "workload": "supervisor.tab.workload",
}

LIVE_COLUMN_KEYS = {
    "agent": "report.col.agent",
    "case": "supervisor.col.case",
    "held": "supervisor.col.held",
    "call": "supervisor.col.call",
    "last": "supervisor.col.last",
    "state": "supervisor.col.state",
}
WORKLOAD_COLUMN_KEYS = {
    "agent": "report.col.agent",
    "open": "supervisor.col.open",
    "urgent": "supervisor.col.urgent",
    "late": "supervisor.col.late_callbacks",
    "overdue": "report.col.overdue",
}


@dataclass(frozen=True, slots=True)
class Board:
    first: date
    last: date
    lines: list[activity.AgentFigures]
    day_table: tables.Table
    now: list[live.AgentNow]


def period_of(kind: str, on: date) -> tuple[date, date]:
    if kind == "week":
        return on - timedelta(days=6), on
    if kind == "month":
        return on.replace(day=1), on
    return on, on


class SupervisorScreen(TranslatedBindings, Screen[None]):
    CSS_PATH = "supervisor.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "key.back", id="supervisor.back"),
        Binding("enter", "open", "key.supervisor_open", id="supervisor.open"),
        Binding(
            "left_square_bracket",
            "day(-1)",
            "key.supervisor_previous_day",
            id="supervisor.previous_day",
        ),
        Binding(
            "right_square_bracket", "day(1)", "key.supervisor_next_day", id="supervisor.next_day"
        ),
        Binding("p", "period", "key.supervisor_period", id="supervisor.period"),
        Binding("r", "reload", "key.refresh", id="supervisor.reload"),
        Binding("t", "reassign", "key.supervisor_reassign", id="supervisor.reassign"),
        Binding("b", "balance", "key.supervisor_balance", id="supervisor.balance"),
        Binding("1", "tab('day')", "key.supervisor_tab_day", id="supervisor.tab.day", show=False),
        Binding(
            "2", "tab('live')", "key.supervisor_tab_live", id="supervisor.tab.live", show=False
        ),
        Binding(
            "3",
            "tab('health')",
            "key.supervisor_tab_health",
            id="supervisor.tab.health",
            show=False,
        ),
        Binding(
            "4",
            "tab('workload')",
            "key.supervisor_tab_workload",
            id="supervisor.tab.workload",
            show=False,
        ),
        Binding("j", "cursor(1)", id="supervisor.down", show=False),
        Binding("k", "cursor(-1)", id="supervisor.up", show=False),
    ]

    class Loaded(Message):
        def __init__(self, board: Board) -> None:
            super().__init__()
            self.board = board

    class HealthLoaded(Message):
        def __init__(self, health: portfolio.PortfolioFigures) -> None:
            super().__init__()
            self.health = health

    class Refused(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    class Moved(Message):
        def __init__(self, count: int) -> None:
            super().__init__()
            self.count = count

    def __init__(self) -> None:
        super().__init__()
        self.on_day: date | None = None
        self.period = "day"
        self.board: Board | None = None

    @property
    def relance(self) -> RelanceApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Static(t("supervisor.loading"), id="supervisor-title", markup=False)
        with TabbedContent(id="supervisor-tabs"):
            with TabPane(t(SUPERVISOR_TAB_KEYS["day"]), id="tab-day"):
                yield self._table("day-table", fixed=1)
            with TabPane(t(SUPERVISOR_TAB_KEYS["live"]), id="tab-live"):
                yield self._table("live-table", fixed=1)
            with TabPane(t(SUPERVISOR_TAB_KEYS["health"]), id="tab-health"):
                yield PortfolioHealth(id="health-body")
            with TabPane(t(SUPERVISOR_TAB_KEYS["workload"]), id="tab-workload"):
                yield self._table("workload-table", fixed=1)
        yield BindingsFooter()

    @staticmethod
    def _table(table_id: str, *, fixed: int = 0, cursor: bool = True) -> DataTable[Text]:
        table: DataTable[Text] = DataTable(
            id=table_id,
            cursor_type="row" if cursor else "none",
            fixed_columns=fixed,
            zebra_stripes=True,
        )
        return table

    def on_mount(self) -> None:
        self.on_day = self.relance.today()
        self.action_reload()

    def on_screen_resume(self) -> None:
        if self.board is not None:
            self.action_reload()

    # --- Reading -------------------------------------------------------------------------

    def action_reload(self) -> None:
        assert self.on_day is not None
        first, last = period_of(self.period, self.on_day)
        self._read(self.relance.agent_login, first, last, self.relance.now())

    @database_work(group="supervisor")
    def _read(
        self, conn: sqlite3.Connection, login: str, first: date, last: date, now: datetime
    ) -> Message:
        try:
            viewer = supervisor_named(conn, login)
            lines = activity.agent_figures(conn, viewer, first=first, last=last, now=now)
            board = Board(
                first=first,
                last=last,
                lines=lines,
                day_table=tables.daily_table(lines, activity.total(lines)),
                now=live.agents_now(conn, viewer, now=now),
            )
        except NotAllowedError as error:
            return self.Refused(str(error))
        return self.Loaded(board)

    @database_work(group="supervisor-health")
    def _read_health(self, conn: sqlite3.Connection, login: str, on: date) -> Message | None:
        """The portfolio's figures, after the day's: the first tab shows without waiting."""
        try:
            viewer = supervisor_named(conn, login)
        except NotAllowedError:
            return None
        return self.HealthLoaded(portfolio.portfolio_figures(conn, viewer, today=on))

    @on(Refused)
    def _refused(self, event: Refused) -> None:
        self.notify(event.text, title=t("supervisor.title"), severity="error", markup=False)
        self.dismiss()

    def on_database_failed(self, event: DatabaseFailed) -> None:
        self.query_one("#supervisor-title", Static).update(t("supervisor.failed"))

    @on(Loaded)
    def _loaded(self, event: Loaded) -> None:
        board = self.board = event.board
        span = day(board.first) + ("" if board.first == board.last else " – " + day(board.last))
        title = t("supervisor.heading", period=t(PERIOD_KEYS[self.period]), span=span)
        self.query_one("#supervisor-title", Static).update(title)
        fill_table(self.query_one("#day-table", DataTable), board.day_table)
        self._fill_live(board.now)
        self._fill_workload(board.now)
        self._read_health(self.relance.agent_login, board.last)

    @on(HealthLoaded)
    def _health_loaded(self, event: HealthLoaded) -> None:
        self.query_one(PortfolioHealth).show(event.health)

    def _fill_live(self, lines: list[live.AgentNow]) -> None:
        columns = tuple((name, t(LIVE_COLUMN_KEYS[name])) for name in LIVE_COLUMN_KEYS)
        rows = []
        for line in lines:
            case = f"{line.case_reference} {line.debtor_name}".strip()
            minutes = (
                t("supervisor.minutes", n=line.held_minutes)
                if line.held_minutes is not None
                else ""
            )
            call = (
                t("supervisor.minutes", n=line.call_minutes)
                if line.call_minutes is not None
                else ""
            )
            state = (
                t("supervisor.state.idle")
                if line.idle
                else (
                    t("supervisor.state.calling")
                    if line.call_minutes is not None
                    else t("supervisor.state.busy")
                )
            )
            last = tables.cell_text(line.last_activity, tables.Kind.MOMENT)
            rows.append((line.login, case, minutes, call, last, state))
        fill_plain(self.query_one("#live-table", DataTable), columns, rows, right={"held", "call"})

    def _fill_workload(self, lines: list[live.AgentNow]) -> None:
        columns = tuple((name, t(WORKLOAD_COLUMN_KEYS[name])) for name in WORKLOAD_COLUMN_KEYS)
        rows = [
            (
                line.login,
                number(line.open_cases),
                number(line.urgent),
                number(line.late_callbacks),
                money_short(line.overdue_cents),
            )
            for line in lines
        ]
        fill_plain(
            self.query_one("#workload-table", DataTable),
            columns,
            rows,
            right={"open", "urgent", "late", "overdue"},
        )

    # --- Moving around -------------------------------------------------------------------

    def _current_table(self) -> DataTable[Text] | None:
        active = self.query_one(TabbedContent).active
        table_id = {
            "tab-day": "day-table",
            "tab-live": "live-table",
            "tab-workload": "workload-table",
        }.get(active)
        return self.query_one(f"#{table_id}", DataTable) if table_id else None

    def action_tab(self, name: str) -> None:
        self.query_one(TabbedContent).active = f"tab-{name}"
        table = self._current_table()
        if table is not None:
            table.focus()

    def action_cursor(self, delta: int) -> None:
        table = self._current_table()
        if table is not None:
            table.move_cursor(row=table.cursor_row + delta)

    def action_day(self, delta: int) -> None:
        assert self.on_day is not None
        self.on_day = min(self.on_day + timedelta(days=delta), self.relance.today())
        self.action_reload()

    def action_period(self) -> None:
        self.period = PERIODS[(PERIODS.index(self.period) + 1) % len(PERIODS)]
        self.action_reload()

    def action_back(self) -> None:
        self.dismiss()

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        """Enter: an agent's actions (day, live, workload), or a top debtor's case."""
        board = self.board
        active = self.query_one(TabbedContent).active
        if active == "tab-health":
            case_id = self.query_one(PortfolioHealth).selected_case()
            if case_id is not None:
                self.relance.open_case(case_id)
            return
        table = self._current_table()
        if board is None or table is None or not table.row_count:
            return
        if active == "tab-day":
            if table.cursor_row >= len(board.lines):
                return  # the team's total
            line = board.lines[table.cursor_row]
            agent_id, login, name = line.agent_id, line.login, line.name
        else:
            person = board.now[table.cursor_row]
            agent_id, login, name = person.agent_id, person.login, person.name
            if active == "tab-live" and person.case_id is not None:
                self.relance.open_case(person.case_id)
                return
        # Deferred: not loaded until first used (start-up time).
        from relance_tui.tui.screens.supervisor_agent import AgentDayScreen

        self.app.push_screen(AgentDayScreen(agent_id, login, name, board.first, board.last))

    # --- Reassigning ---------------------------------------------------------------------

    def action_reassign(self) -> None:
        board = self.board
        if board is None or self.query_one(TabbedContent).active != "tab-workload":
            return
        table = self.query_one("#workload-table", DataTable)
        source = board.now[table.cursor_row]
        others = [p for p in board.now if p.agent_id != source.agent_id][:9]
        if not others:
            return
        # Deferred: not loaded until first used (start-up time).
        from relance_tui.tui.dialogs.choice import ChoiceDialog

        choices = [(str(n), p.login, f"{p.login} — {p.name}") for n, p in enumerate(others, 1)]

        def chosen(login: str | None) -> None:
            if login:
                self._move_all(self.relance.agent_login, source.login, login)

        self.app.push_screen(
            ChoiceDialog(
                t("supervisor.reassign_title", login=source.login),
                tn("supervisor.reassign_body", source.open_cases),
                choices,
                dialog_id="supervisor-reassign",
            ),
            chosen,
        )

    def action_balance(self) -> None:
        if self.query_one(TabbedContent).active != "tab-workload":
            return
        # Deferred: not loaded until first used (start-up time).
        from relance_tui.tui.dialogs.choice import ChoiceDialog

        def answer(choice: str | None) -> None:
            if choice == "yes":
                self._balance(self.relance.agent_login)

        self.app.push_screen(
            ChoiceDialog(
                t("supervisor.balance_title"),
                t("supervisor.balance_body"),
                [
                    ("o", "yes", t("supervisor.balance_yes")),
                    ("n", "no", t("supervisor.balance_no")),
                ],
                default="no",
                dialog_id="supervisor-balance",
            ),
            answer,
        )

    @database_work(group="supervisor-move", interruptible=False)
    def _move_all(self, conn: sqlite3.Connection, by: str, source: str, target: str) -> Moved:
        # Deferred: not loaded until first used (start-up time).
        from relance_tui.services.reassignment import reassign_portfolio

        return self.Moved(reassign_portfolio(conn, from_login=source, to_login=target, by_login=by))

    @database_work(group="supervisor-move", interruptible=False)
    def _balance(self, conn: sqlite3.Connection, by: str) -> Moved:
        # Deferred: not loaded until first used (start-up time).
        from relance_tui.services.reassignment import balance_load

        return self.Moved(balance_load(conn, by_login=by))

    @on(Moved)
    def _moved(self, event: Moved) -> None:
        self.notify(tn("supervisor.moved", event.count), title=t("supervisor.title"))
        self.action_reload()
