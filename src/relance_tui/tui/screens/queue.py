"""The work queue, the app's home screen: the agent's cases, urgent first, then by score.

Every database read runs in a thread worker with that thread's own connection; results come back
with `call_from_thread`. The table is virtual (widgets/queue_table.py): only the rows on screen
are read, page by page. Scores are brought up to date in the background on start and every
minute (services.queue.refresh_queue), and the view is re-read when they moved.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Input, Static

from relance_tui.domain.labels import SEGMENT_KEYS, STAGE_KEYS
from relance_tui.i18n import t, tn
from relance_tui.services.queue import QueueCounts, QueueFilters, QueueQuery, QueueRow
from relance_tui.tui.bindings import TranslatedBindings
from relance_tui.tui.connections import ThreadConnections
from relance_tui.tui.widgets.bindings_footer import BindingsFooter
from relance_tui.tui.widgets.queue_pager import FetchPlan, run_plan
from relance_tui.tui.widgets.queue_table import QueueTable
from relance_tui.tui.widgets.row_scrollbar import RowScrollBar
from relance_tui.tui.widgets.score_panel import ScorePanel

if TYPE_CHECKING:
    from relance_tui.storage.agents import AgentRow
    from relance_tui.tui.app import RelanceApp
    from relance_tui.tui.dialogs.queue_filters import AgentChoice
    from relance_tui.tui.dialogs.reassign import AgentOption, ReassignChoice

REFRESH_SECONDS = 60.0


class QueueScreen(TranslatedBindings, Screen[None]):
    CSS_PATH = "queue.tcss"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide")]  # noqa: RUF012 (Textual's API)
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "search", "key.search", id="queue.search"),
        Binding("f", "filters", "key.filters", id="queue.filters"),
        Binding("x", "clear", "key.clear", id="queue.clear"),
        Binding("r", "reload", "key.refresh", id="queue.refresh"),
        Binding("t", "reassign", "key.reassign", id="queue.reassign"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.agent: AgentRow | None = None
        self.agents: list[AgentChoice] = []
        self.filters = QueueFilters()
        self.query_: QueueQuery | None = None
        self.counts = QueueCounts(0, 0)
        self.problem: str | None = None
        self._conns: ThreadConnections | None = None

    @property
    def relance(self) -> RelanceApp:
        return self.app  # type: ignore[return-value]

    @property
    def conns(self) -> ThreadConnections:
        if self._conns is None:
            self._conns = ThreadConnections(self.relance.db_path)
        return self._conns

    def compose(self) -> ComposeResult:
        yield Static(t("queue.title"), id="queue-title", markup=False)
        with Horizontal(id="queue-body"):
            scrollbar = RowScrollBar(id="queue-scrollbar")
            yield QueueTable(
                today=self.relance.today(),
                me=self.relance.agent_login,
                clock=self.relance.now,
                scrollbar=scrollbar,
                id="queue-table",
            )
            yield scrollbar
            yield ScorePanel(id="queue-panel")
        yield BindingsFooter(compact=True)

    def on_mount(self) -> None:
        table = self.query_one(QueueTable)
        table.highlight_listener = self._highlighted
        table.focus()
        self._load()
        self.set_interval(REFRESH_SECONDS, self._refresh_scores)

    def on_screen_resume(self) -> None:
        """Back from a case (a call saved, a promise, a reassignment…): read the queue again."""
        if self.query_ is not None:
            self._load(keep_cursor=True, refresh_after=False)

    def on_unmount(self) -> None:
        if self._conns is not None:
            self._conns.close_all()

    def on_resize(self) -> None:
        self.query_one(ScorePanel).set_compact(self.size.width < 120)

    # --- reading --------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="queue-load", exit_on_error=False)
    def _load(self, keep_cursor: bool = False, refresh_after: bool = True) -> None:
        from relance_tui.services import queue
        from relance_tui.storage.agents import list_agents

        conn = self.conns.get()
        if self.agent is None:
            try:
                agent = queue.resolve_agent(conn, self.relance.agent_login)
            except queue.UnknownAgentError:
                login = self.relance.agent_login
                self.app.call_from_thread(self._set_problem, t("queue.unknown_agent", login=login))
                return
            choices = [(a.id, a.login) for a in list_agents(conn)] if agent.sees_everyone else []
            self.app.call_from_thread(self._set_agent, agent, choices)
        filters = self.filters
        query = queue.build_query(conn, filters)
        counts = queue.count_queue(conn, query)
        self.app.call_from_thread(self._show, filters, query, counts, keep_cursor)
        if refresh_after:
            self.app.call_from_thread(self._refresh_scores)

    def _set_problem(self, message: str) -> None:
        self.problem = message
        self.query_one("#queue-title", Static).update(message)
        table = self.query_one(QueueTable)
        table.empty_text = message
        table.show(0, lambda plan: [])

    def _set_agent(self, agent: AgentRow, choices: list[AgentChoice]) -> None:
        self.agent = agent
        self.agents = choices
        table = self.query_one(QueueTable)
        table.set_show_agent(agent.sees_everyone)
        if not agent.sees_everyone:
            self.filters = QueueFilters(agent_id=agent.id)
        self.refresh_bindings()  # `t` (reassign) shows for supervisors only

    def _show(
        self, filters: QueueFilters, query: QueueQuery, counts: QueueCounts, keep_cursor: bool
    ) -> None:
        if filters != self.filters:
            return  # the user changed the filters meanwhile: another load is on its way
        self.query_ = query
        self.counts = counts
        conns = self.conns
        table = self.query_one(QueueTable)
        table.empty_text = t("queue.empty_filtered" if filters.narrowed else "queue.empty")

        def fetch(plan: FetchPlan) -> list[QueueRow]:
            return run_plan(conns.get(), query, plan)

        table.show(counts.total, fetch, keep_cursor=keep_cursor)
        if counts.total == 0:
            self.query_one(ScorePanel).show(None)
        self._update_title()

    def _update_title(self) -> None:
        if self.problem:
            return
        who = t("queue.everyone") if self.filters.agent_id is None else self._agent_name()
        parts = [
            f"{t('queue.title')} — {who}",
            t(
                "queue.count",
                total=tn("queue.cases", self.counts.total),
                urgent=tn("queue.urgent", self.counts.urgent),
            ),
        ]
        summary = self._filters_summary()
        if summary:
            parts.append(t("queue.filter.active", summary=summary))
        if self.filters.search.strip():
            parts.append(t("queue.search.active", text=self.filters.search.strip()))
        self.query_one("#queue-title", Static).update(" · ".join(parts))

    def _agent_name(self) -> str:
        if self.agent is not None and self.filters.agent_id == self.agent.id:
            return self.agent.login
        return dict(self.agents).get(self.filters.agent_id or -1, "?")

    def _filters_summary(self) -> str:
        filters = self.filters
        items = []
        if filters.stage:
            items.append(t(STAGE_KEYS[filters.stage]))
        if filters.segment:
            items.append(t(SEGMENT_KEYS[filters.segment]))
        if filters.min_overdue_cents is not None:
            from relance_tui.formatting import money_short

            items.append("≥ " + money_short(filters.min_overdue_cents))
        if self.agent is not None and self.agent.sees_everyone and filters.agent_id is not None:
            items.append(self._agent_name())
        return ", ".join(items)

    @work(thread=True, exclusive=True, group="queue-refresh", exit_on_error=False)
    def _refresh_scores(self) -> None:
        from relance_tui.services.queue import refresh_queue

        conn = self.conns.get()
        outcome = refresh_queue(conn, self.relance.settings, self.relance.now())
        if outcome.rescored:
            self.app.call_from_thread(self._scores_moved, outcome.full, outcome.rescored)

    def _scores_moved(self, full: bool, count: int) -> None:
        table = self.query_one(QueueTable)
        table.today = self.relance.today()
        if full:
            self.notify(tn("queue.refreshed", count))
        self._load(keep_cursor=True, refresh_after=False)

    # --- events ---------------------------------------------------------------------------

    @on(QueueTable.Highlighted)
    def _highlighted(self, message: QueueTable.Highlighted) -> None:
        # Same frame as the table's two cursor lines: the panel redraws only the lines that
        # changed (widgets/score_panel.py), so one repaint per key covers both.
        self.query_one(ScorePanel).show(message.row)

    @on(QueueTable.Opened)
    def _opened(self, message: QueueTable.Opened) -> None:
        self.relance.open_case(message.row.id, message.row.key)

    def _search_box(self) -> Input | None:
        """The search box, there only while a search is typed or shown: a mounted widget, even
        hidden, costs on every frame (a page down cost ~10 % more with it)."""
        return next(iter(self.query("#queue-search").results(Input)), None)

    async def action_search(self) -> None:
        search = self._search_box()
        if search is None:
            search = Input(placeholder=t("queue.search.placeholder"), id="queue-search")
            await self.mount(search, before=self.query_one("#queue-body"))
        search.value = self.filters.search
        search.focus()

    def _hide_search(self) -> None:
        search = self._search_box()
        if search is not None:
            search.remove()
        self.query_one(QueueTable).focus()

    @on(Input.Submitted, "#queue-search")
    def _search(self, message: Input.Submitted) -> None:
        self._apply(self._with(search=message.value.strip()))
        if message.value.strip():
            self.query_one(QueueTable).focus()
        else:
            self._hide_search()

    def on_key(self, event: object) -> None:
        from textual.events import Key

        if isinstance(event, Key) and event.key == "escape" and self._search_box() is not None:
            event.stop()
            self._hide_search()
            if self.filters.search:
                self._apply(self._with(search=""))

    def action_filters(self) -> None:
        from relance_tui.tui.dialogs.queue_filters import QueueFilterScreen

        supervisor = self.agent is not None and self.agent.sees_everyone
        self.app.push_screen(
            QueueFilterScreen(self.filters, agents=self.agents if supervisor else None),
            self._filters_chosen,
        )

    def _filters_chosen(self, filters: QueueFilters | None) -> None:
        if filters is not None:
            self._apply(filters)

    def action_clear(self) -> None:
        self._hide_search()
        agent_id = None
        if self.agent is not None and not self.agent.sees_everyone:
            agent_id = self.agent.id
        self._apply(QueueFilters(agent_id=agent_id))

    def action_reload(self) -> None:
        self._load(keep_cursor=True)

    def _with(self, **changes: object) -> QueueFilters:
        from dataclasses import replace

        return replace(self.filters, **changes)  # type: ignore[arg-type]

    def _apply(self, filters: QueueFilters) -> None:
        if self.agent is not None and not self.agent.sees_everyone:
            filters = self._with_agent(filters, self.agent.id)
        if filters != self.filters:
            self.filters = filters
            self._load(refresh_after=False)

    @staticmethod
    def _with_agent(filters: QueueFilters, agent_id: int) -> QueueFilters:
        from dataclasses import replace

        return replace(filters, agent_id=agent_id)

    # --- reassigning (supervisors and admins) ----------------------------------------------

    @property
    def supervising(self) -> bool:
        return self.agent is not None and self.agent.sees_everyone

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "reassign":
            return self.supervising  # hidden from agents, and refused
        return True

    def action_reassign(self) -> None:
        if not self.supervising:
            self.notify(t("reassign.refused"), severity="warning")
            return
        row = self.query_one(QueueTable).current_row
        if row is None or self.query_ is None:
            self.notify(t("reassign.no_case"), severity="warning")
            return
        self._open_reassign(row, self.query_, self.counts.total)

    @work(thread=True, exclusive=True, group="queue-reassign", exit_on_error=False)
    def _open_reassign(self, row: QueueRow, query: QueueQuery, view_count: int) -> None:
        from relance_tui.services.reassignment import assignable_agents
        from relance_tui.tui.dialogs.reassign import AgentOption

        agents = [
            AgentOption(agent.login, agent.display_name)
            for agent in assignable_agents(self.conns.get())
        ]
        self.app.call_from_thread(self._ask_reassign, row, query, view_count, agents)

    def _ask_reassign(
        self, row: QueueRow, query: QueueQuery, view_count: int, agents: list[AgentOption]
    ) -> None:
        from relance_tui.services.reassignment import BULK_CAP
        from relance_tui.tui.dialogs.reassign import ReassignDialog

        if not agents:
            self.notify(t("reassign.no_agent"), severity="warning")
            return
        dialog = ReassignDialog(
            case_name=row.debtor_name,
            case_reference=row.debtor_reference,
            current_login=row.agent_login,
            agents=agents,
            view_count=view_count,
            cap=BULK_CAP,
        )

        def chosen(choice: ReassignChoice | None) -> None:
            if choice is not None:
                self._reassign(choice, row.id, query)

        self.app.push_screen(dialog, chosen)

    @work(thread=True, exclusive=True, group="queue-reassign", exit_on_error=False)
    def _reassign(self, choice: ReassignChoice, case_id: int, query: QueueQuery) -> None:
        import sqlite3

        from relance_tui.services import reassignment

        assert self.agent is not None
        conn = self.conns.get()
        try:
            if choice.whole_view:
                moved = reassignment.reassign_view(
                    conn, query=query, to_login=choice.to_login, by_login=self.agent.login
                )
            else:
                moved = reassignment.reassign_cases(
                    conn, case_ids=[case_id], to_login=choice.to_login, by_login=self.agent.login
                )
        except reassignment.ReassignmentError as error:
            self.app.call_from_thread(self._reassign_failed, str(error))
            return
        except sqlite3.Error as error:
            self.app.call_from_thread(self._reassign_failed, t("reassign.failed", error=str(error)))
            return
        self.app.call_from_thread(self._reassigned, moved, choice.to_login)

    def _reassign_failed(self, message: str) -> None:
        self.notify(message, severity="error", markup=False)

    def _reassigned(self, moved: int, login: str) -> None:
        if moved == 0:
            message = t("reassign.done_none", login=login)
        else:
            message = tn("reassign.done", moved, login=login)
        self.notify(message, markup=False)
        self._load(keep_cursor=True, refresh_after=False)

    def now(self) -> datetime:
        return self.relance.now()
