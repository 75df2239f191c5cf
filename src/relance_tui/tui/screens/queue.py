"""The work queue, the app's home screen: the agent's cases, urgent first, then by score.

Every read and write is database work (tui/database.py): it runs on the app's database threads
and its result comes back as a message. The table is virtual (widgets/queue_table.py): only the
rows on screen are read, page by page. Scores are brought up to date in the background on start
and every minute (services.queue.refresh_queue), and the view is re-read when they moved.
"""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.events import Key
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Input, Static

from relance_tui.config import Settings
from relance_tui.domain.labels import SEGMENT_KEYS, STAGE_KEYS
from relance_tui.domain.text import inert
from relance_tui.formatting import money_short
from relance_tui.i18n import t, tn
from relance_tui.services import queue
from relance_tui.services.queue import (
    QueueCounts,
    QueueFilters,
    QueueQuery,
    QueueRow,
)
from relance_tui.storage.agents import list_agents
from relance_tui.tui.bindings import TranslatedBindings
from relance_tui.tui.database import DatabaseFailed, database_work
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


class QueueRead(Message):
    """The queue as read for `filters`, with the agent when this read resolved it."""

    def __init__(
        self,
        read: tuple[QueueFilters, QueueQuery, QueueCounts],
        *,
        keep_cursor: bool,
        refresh_after: bool,
        agent: tuple[AgentRow, list[AgentChoice]] | None = None,
    ) -> None:
        super().__init__()
        self.filters, self.query, self.counts = read
        self.keep_cursor = keep_cursor
        self.refresh_after = refresh_after
        self.agent = agent


class QueueProblem(Message):
    """The queue cannot be shown (an unknown login)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class ScoresMoved(Message):
    def __init__(self, full: bool, count: int) -> None:
        super().__init__()
        self.full = full
        self.count = count


class ReassignAsked(Message):
    """The agents a case (or the view) may go to, read for the reassign dialog."""

    def __init__(
        self, row: QueueRow, query: QueueQuery, view_count: int, agents: list[AgentOption]
    ) -> None:
        super().__init__()
        self.row = row
        self.query = query
        self.view_count = view_count
        self.agents = agents


class Reassigned(Message):
    def __init__(self, moved: int, login: str, refusal: str | None = None) -> None:
        super().__init__()
        self.moved = moved
        self.login = login
        self.refusal = refusal  # a ReassignmentError's text: nothing moved


class QueueScreen(TranslatedBindings, Screen[None]):
    CSS_PATH = "queue.tcss"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide")]  # noqa: RUF012 (Textual's API)
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "search", "key.search", id="queue.search"),
        Binding("f", "filters", "key.filters", id="queue.filters"),
        Binding("x", "clear", "key.clear", id="queue.clear"),
        Binding("r", "reload", "key.refresh", id="queue.refresh"),
        Binding("t", "reassign", "key.reassign", id="queue.reassign"),
        Binding("d", "dunning_review", "key.dunning_review", id="queue.dunning_review"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.agent: AgentRow | None = None
        self.agents: list[AgentChoice] = []
        self.filters = QueueFilters()
        self.query_: QueueQuery | None = None
        self.counts = QueueCounts(0, 0)
        self.problem: str | None = None

    @property
    def relance(self) -> RelanceApp:
        return self.app  # type: ignore[return-value]

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
        yield Static(t("queue.legend.line"), id="queue-legend", markup=False)
        yield BindingsFooter(compact=True)

    def help_notes(self) -> list[str]:
        """What `?` explains besides the keys: the markers at the start of a row."""
        return [t("queue.legend.note", title=t("queue.legend.title"), line=t("queue.legend.line"))]

    def on_mount(self) -> None:
        table = self.query_one(QueueTable)
        table.highlight_listener = self._highlighted
        table.focus()
        self._load()
        self.set_interval(REFRESH_SECONDS, self._refresh)

    def on_screen_resume(self) -> None:
        """Back from a case (a call saved, a promise, a reassignment…): read the queue again."""
        if self.query_ is not None:
            self._load(keep_cursor=True, refresh_after=False)

    def on_resize(self) -> None:
        self.query_one(ScorePanel).set_compact(self.size.width < 120)

    # --- reading --------------------------------------------------------------------------

    def _load(self, keep_cursor: bool = False, refresh_after: bool = True) -> None:
        """Read the queue (the agent too, the first time), then bring scores up to date."""
        self._read(self.agent, self.filters, keep_cursor, refresh_after)

    @database_work(group="queue-load")
    def _read(
        self,
        conn: sqlite3.Connection,
        agent: AgentRow | None,
        filters: QueueFilters,
        keep_cursor: bool,
        refresh_after: bool,
    ) -> QueueRead | QueueProblem:
        resolved = None
        if agent is None:
            login = self.relance.agent_login
            try:
                agent = queue.resolve_agent(conn, login)
            except queue.UnknownAgentError:
                return QueueProblem(t("queue.unknown_agent", login=login))
            choices = [(a.id, a.login) for a in list_agents(conn)] if agent.sees_everyone else []
            resolved = (agent, choices)
            if not agent.sees_everyone:
                filters = QueueFilters(agent_id=agent.id)  # as _set_agent will have it
        query = queue.build_query(conn, filters)
        counts = queue.count_queue(conn, query)
        return QueueRead(
            (filters, query, counts),
            keep_cursor=keep_cursor,
            refresh_after=refresh_after,
            agent=resolved,
        )

    def on_queue_read(self, message: QueueRead) -> None:
        if message.agent is not None and self.agent is None:
            self._set_agent(*message.agent)
        self._show(message.filters, message.query, message.counts, message.keep_cursor)
        if message.refresh_after:
            self._refresh()

    def on_queue_problem(self, message: QueueProblem) -> None:
        self._set_problem(message.text)

    def on_database_failed(self, message: DatabaseFailed) -> None:
        if message.job == "_read" and self.query_ is None:  # nothing shown yet: say why
            self.query_one(QueueTable).empty_text = t("queue.failed")
            self.query_one(QueueTable).refresh()

    def _set_problem(self, message: str) -> None:
        self.problem = message = inert(message)
        self.query_one("#queue-title", Static).update(message)
        table = self.query_one(QueueTable)
        table.empty_text = message
        table.show(0, lambda conn, plan: [])

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
        self.relance.walk_view(filters)
        table = self.query_one(QueueTable)
        table.empty_text = t("queue.empty_filtered" if filters.narrowed else "queue.empty")

        def fetch(conn: sqlite3.Connection, plan: FetchPlan) -> list[QueueRow]:
            return run_plan(conn, query, plan)

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
        self.query_one("#queue-title", Static).update(inert(" · ".join(parts)))

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
            items.append("≥ " + money_short(filters.min_overdue_cents))
        if self.agent is not None and self.agent.sees_everyone and filters.agent_id is not None:
            items.append(self._agent_name())
        return ", ".join(items)

    def _refresh(self) -> None:
        self._refresh_scores(self.relance.settings, self.relance.now())

    @database_work(group="queue-refresh")
    def _refresh_scores(
        self, conn: sqlite3.Connection, settings: Settings, now: datetime
    ) -> ScoresMoved | None:
        outcome = queue.refresh_queue(conn, settings, now)
        return ScoresMoved(outcome.full, outcome.rescored) if outcome.rescored else None

    def on_scores_moved(self, message: ScoresMoved) -> None:
        table = self.query_one(QueueTable)
        table.today = self.relance.today()
        if message.full:
            self.notify(tn("queue.refreshed", message.count))
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
        if isinstance(event, Key) and event.key == "escape" and self._search_box() is not None:
            event.stop()
            self._hide_search()
            if self.filters.search:
                self._apply(self._with(search=""))

    def action_filters(self) -> None:
        # Deferred: not loaded until first used (start-up time).
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
        return replace(self.filters, **changes)  # type: ignore[arg-type]

    def _apply(self, filters: QueueFilters) -> None:
        if self.agent is not None and not self.agent.sees_everyone:
            filters = self._with_agent(filters, self.agent.id)
        if filters != self.filters:
            self.filters = filters
            self._load(refresh_after=False)

    @staticmethod
    def _with_agent(filters: QueueFilters, agent_id: int) -> QueueFilters:
        return replace(filters, agent_id=agent_id)

    # --- reassigning (supervisors and admins) ----------------------------------------------

    @property
    def supervising(self) -> bool:
        return self.agent is not None and self.agent.sees_everyone

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("reassign", "dunning_review"):
            return self.supervising  # hidden from agents, and refused
        return True

    def action_dunning_review(self) -> None:
        self.relance.action_dunning_review()

    def action_reassign(self) -> None:
        if not self.supervising:
            self.notify(t("reassign.refused"), severity="warning")
            return
        row = self.query_one(QueueTable).current_row
        if row is None or self.query_ is None:
            self.notify(t("reassign.no_case"), severity="warning")
            return
        self._open_reassign(row, self.query_, self.counts.total)

    @database_work(group="queue-reassign")
    def _open_reassign(
        self, conn: sqlite3.Connection, row: QueueRow, query: QueueQuery, view_count: int
    ) -> ReassignAsked:
        # Deferred: not loaded until first used (start-up time).
        from relance_tui.services.reassignment import assignable_agents
        from relance_tui.tui.dialogs.reassign import AgentOption

        agents = [AgentOption(a.login, a.display_name) for a in assignable_agents(conn)]
        return ReassignAsked(row, query, view_count, agents)

    def on_reassign_asked(self, message: ReassignAsked) -> None:
        # Deferred: not loaded until first used (start-up time).
        from relance_tui.services.reassignment import BULK_CAP
        from relance_tui.tui.dialogs.reassign import ReassignDialog

        if not message.agents:
            self.notify(t("reassign.no_agent"), severity="warning")
            return
        row, query = message.row, message.query
        dialog = ReassignDialog(
            case_name=row.debtor_name,
            case_reference=row.debtor_reference,
            current_login=row.agent_login,
            agents=message.agents,
            view_count=message.view_count,
            cap=BULK_CAP,
        )

        def chosen(choice: ReassignChoice | None) -> None:
            if choice is not None and self.agent is not None:
                self._reassign(choice, row.id, query, self.agent.login)

        self.app.push_screen(dialog, chosen)

    @database_work(group="queue-reassign", interruptible=False)
    def _reassign(
        self,
        conn: sqlite3.Connection,
        choice: ReassignChoice,
        case_id: int,
        query: QueueQuery,
        by_login: str,
    ) -> Reassigned:
        # Deferred: not loaded until first used (start-up time).
        from relance_tui.services import reassignment

        login = choice.to_login
        try:
            if choice.whole_view:
                moved = reassignment.reassign_view(
                    conn, query=query, to_login=login, by_login=by_login
                )
            else:
                moved = reassignment.reassign_cases(
                    conn, case_ids=[case_id], to_login=login, by_login=by_login
                )
        except reassignment.ReassignmentError as error:
            return Reassigned(0, login, refusal=str(error))
        return Reassigned(moved, login)

    def on_reassigned(self, message: Reassigned) -> None:
        if message.refusal is not None:
            self.notify(message.refusal, severity="error", markup=False)
            return
        moved, login = message.moved, message.login
        if moved == 0:
            text = t("reassign.done_none", login=login)
        else:
            text = tn("reassign.done", moved, login=login)
        self.notify(text, markup=False)
        self._load(keep_cursor=True, refresh_after=False)

    def now(self) -> datetime:
        return self.relance.now()
