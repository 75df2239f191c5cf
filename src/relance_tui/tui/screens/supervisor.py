"""`v`: the supervisor's screen (supervisors and admins; an agent is refused by the service).

Four tabs: the day (or a period) per agent, from the same tables as `relance report daily`
(Enter drills down into an agent's actions, tui/screens/supervisor_agent.py); who is on what
now; portfolio health (aged balance as bars, Textual's `Sparkline` for the 30-day trends, the
figures and how each is computed, the top debtors); the workload, with reassignment (`t`: an
agent's cases, to move one or a selection, tui/screens/supervisor_workload.py; `b`: balance a
portfolio's load, tui/dialogs/balance.py). Only the tab in view is read: the day's
table for the first paint, the others in their own database job when first opened (again after
`r` or a change of day).
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

from relance_tui.formatting import day
from relance_tui.i18n import t, tn
from relance_tui.services.permissions import NotAllowedError
from relance_tui.services.reports import activity, live, portfolio, tables
from relance_tui.services.reports.access import supervisor_named
from relance_tui.tui.bindings import TranslatedBindings
from relance_tui.tui.database import DatabaseFailed, database_work
from relance_tui.tui.screens.supervisor_tabs import fill_live, fill_workload
from relance_tui.tui.widgets.bindings_footer import BindingsFooter
from relance_tui.tui.widgets.portfolio_health import PortfolioHealth
from relance_tui.tui.widgets.report_table import fill_table

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


@dataclass(frozen=True, slots=True)
class Board:
    first: date
    last: date
    lines: list[activity.AgentFigures]
    day_table: tables.Table


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
        Binding("t", "agent_cases", "key.supervisor_reassign", id="supervisor.reassign"),
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

    class NowLoaded(Message):
        def __init__(self, lines: list[live.AgentNow]) -> None:
            super().__init__()
            self.lines = lines

    class HealthLoaded(Message):
        def __init__(self, health: portfolio.PortfolioFigures) -> None:
            super().__init__()
            self.health = health

    class Refused(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def __init__(self) -> None:
        super().__init__()
        self.on_day: date | None = None
        self.period = "day"
        self.board: Board | None = None
        self.now_lines: list[live.AgentNow] | None = None
        self.read: set[str] = set()  # the tabs read (or being read) since the last reload

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
    def _table(table_id: str, *, fixed: int = 0) -> DataTable[Text]:
        return DataTable(id=table_id, cursor_type="row", fixed_columns=fixed, zebra_stripes=True)

    def on_mount(self) -> None:
        self.on_day = self.relance.today()
        self.action_reload()

    def on_screen_resume(self) -> None:
        if self.board is not None:
            self.action_reload()

    # --- Reading: the day first, each other tab when it is opened ------------------------

    @property
    def active_tab(self) -> str:
        return self.query_one(TabbedContent).active.removeprefix("tab-")

    def action_reload(self) -> None:
        assert self.on_day is not None
        self.read = {"day"}
        first, last = period_of(self.period, self.on_day)
        self._read(self.relance.agent_login, first, last, self.relance.now())
        self._read_tab(self.active_tab)

    def _read_tab(self, name: str) -> None:
        """Start reading the tab's figures unless they are read already."""
        assert self.on_day is not None
        if name in self.read:
            return
        if name in ("live", "workload"):
            self.read |= {"live", "workload"}
            self._read_now(self.relance.agent_login, self.relance.now())
        elif name == "health":
            self.read.add(name)
            self._read_health(self.relance.agent_login, period_of(self.period, self.on_day)[1])

    @on(TabbedContent.TabActivated)
    def _tab_opened(self, event: TabbedContent.TabActivated) -> None:
        self.refresh_bindings()
        if self.on_day is not None:
            self._read_tab(self.active_tab)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Each tab's own keys in the footer (the workload's reassignment keys fit at 80
        columns): days and periods for the day and portfolio tabs only."""
        if action in ("agent_cases", "balance"):
            return self.is_mounted and self.active_tab == "workload"
        if action in ("day", "period"):
            return not self.is_mounted or self.active_tab in ("day", "health")
        return True

    @database_work(group="supervisor")
    def _read(
        self, conn: sqlite3.Connection, login: str, first: date, last: date, now: datetime
    ) -> Message:
        try:
            viewer = supervisor_named(conn, login)
            lines = activity.agent_figures(conn, viewer, first=first, last=last, now=now)
        except NotAllowedError as error:
            return self.Refused(str(error))
        table = tables.daily_table(lines, activity.total(lines))
        return self.Loaded(Board(first=first, last=last, lines=lines, day_table=table))

    @database_work(group="supervisor-now")
    def _read_now(self, conn: sqlite3.Connection, login: str, now: datetime) -> Message | None:
        try:
            viewer = supervisor_named(conn, login)
        except NotAllowedError:
            return None
        return self.NowLoaded(live.agents_now(conn, viewer, now=now))

    @database_work(group="supervisor-health")
    def _read_health(self, conn: sqlite3.Connection, login: str, on: date) -> Message | None:
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

    @on(NowLoaded)
    def _now_loaded(self, event: NowLoaded) -> None:
        self.now_lines = event.lines
        fill_live(self.query_one("#live-table", DataTable), event.lines)
        fill_workload(self.query_one("#workload-table", DataTable), event.lines)

    @on(HealthLoaded)
    def _health_loaded(self, event: HealthLoaded) -> None:
        self.query_one(PortfolioHealth).show(event.health)

    # --- Moving around -------------------------------------------------------------------

    def _current_table(self) -> DataTable[Text] | None:
        if self.active_tab == "health":
            return None
        return self.query_one(f"#{self.active_tab}-table", DataTable)

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

    def _person(self) -> live.AgentNow | None:
        """The agent under the cursor of the live or workload tab."""
        table = self._current_table()
        if self.now_lines is None or table is None or table.cursor_row >= len(self.now_lines):
            return None
        return self.now_lines[table.cursor_row]

    def action_open(self) -> None:
        """Enter: an agent's actions (day, live, workload), or a top debtor's case."""
        board = self.board
        active = self.active_tab
        if active == "health":
            case_id = self.query_one(PortfolioHealth).selected_case()
            if case_id is not None:
                self.relance.open_case(case_id)
            return
        table = self._current_table()
        if board is None or table is None or not table.row_count:
            return
        if active == "day":
            if table.cursor_row >= len(board.lines):
                return  # the team's total
            line = board.lines[table.cursor_row]
            agent_id, login, name = line.agent_id, line.login, line.name
        else:
            person = self._person()
            if person is None:
                return
            agent_id, login, name = person.agent_id, person.login, person.name
            if active == "live" and person.case_id is not None:
                self.relance.open_case(person.case_id)
                return
        # Deferred: not loaded until first used (start-up time).
        from relance_tui.tui.screens.supervisor_agent import AgentDayScreen

        self.app.push_screen(AgentDayScreen(agent_id, login, name, board.first, board.last))

    # --- Reassigning (workload tab) --------------------------------------------------------

    def action_agent_cases(self) -> None:
        """`t`: the agent's open cases, to give one or a selection to another agent."""
        person = self._person() if self.active_tab == "workload" else None
        if person is None or self.now_lines is None:
            return
        # Deferred: not loaded until first used (start-up time).
        from relance_tui.tui.screens.supervisor_workload import AgentCasesScreen

        self.app.push_screen(AgentCasesScreen(person, self.now_lines))

    def action_balance(self) -> None:
        """`b`: even out a portfolio's open cases; a preview of the moves, then confirm."""
        if self.active_tab != "workload":
            return
        # Deferred: not loaded until first used (start-up time).
        from relance_tui.tui.dialogs.balance import BalanceDialog

        def done(moved: int | None) -> None:
            if moved is not None:
                self.notify(tn("supervisor.moved", moved), title=t("supervisor.title"))
                self.action_reload()

        self.app.push_screen(BalanceDialog(), done)
