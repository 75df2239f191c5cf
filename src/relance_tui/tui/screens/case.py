"""The case file: everything about one debtor on one screen, and the call checklist beside it.

Opening claims the case for this agent (read-only when someone else holds it); the claim is
extended while the agent works and released on leaving. A call in progress is saved as a draft
at every step, so a dropped session loses nothing; the draft is offered back next time.

The screen is composed once and reused (`show_case`): composing and styling its ~95 widgets
cost ~400 ms a case. Everything that belongs to one case is reset by `show_case`, and a load
is tagged with the generation it was started for, so a late answer for the previous case is
dropped instead of painted over the new one. Reads and writes are database work
(tui/database.py); a load that fails shows its error in place of the case.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.timer import Timer
from textual.widgets import DataTable, Static, TabbedContent, TabPane
from textual.worker import Worker, WorkerCancelled, WorkerFailed

from relance_tui.config import Settings
from relance_tui.domain.calls import CALL_STEP_KEYS, CallDraft, start_call
from relance_tui.formatting import moment
from relance_tui.i18n import key, t
from relance_tui.services import casefile
from relance_tui.services.calls import (
    RecordedCall,
    check_call_texts,
    discard_call_draft,
    load_call_draft,
    save_call_draft,
)
from relance_tui.services.casefile import CaseFile
from relance_tui.services.casework import mark_visited
from relance_tui.storage.agents import AgentRow, get_agent
from relance_tui.storage.claims import ClaimHolder
from relance_tui.tui.bindings import TranslatedBindings
from relance_tui.tui.database import DatabaseFailed, database_work
from relance_tui.tui.dialogs.choice import ChoiceDialog
from relance_tui.tui.widgets import case_views as views
from relance_tui.tui.widgets.bindings_footer import BindingsFooter
from relance_tui.tui.widgets.call_checklist import CallChecklist
from relance_tui.tui.widgets.paged_table import PagedTable

if TYPE_CHECKING:
    from relance_tui.tui.app import RelanceApp

TABS = ("summary", "invoices", "contacts", "contracts", "history", "disputes", "commitments")
TABLE_TABS = TABS[1:]  # one table each, filled when the tab is shown
COUNTED_TABS = ("invoices", "history", "disputes", "commitments")  # labels show a count
TAB_KEYS: dict[str, str] = {
    "summary": "casefile.tab.summary",
    "invoices": "casefile.tab.invoices",
    "contacts": "casefile.tab.contacts",
    "contracts": "casefile.tab.contracts",
    "history": "casefile.tab.history",
    "disputes": "casefile.tab.disputes",
    "commitments": "casefile.tab.commitments",
}
PAGE_SIZE = 50
CLAIM_CHECK_SECONDS = 60.0
PRESENT_AFTER = 0.2  # seconds: a case slower to load than that is shown loading


@dataclass(frozen=True, slots=True)
class CaseOpened:
    case_file: CaseFile
    agent: AgentRow
    holder: ClaimHolder | None  # someone else holds it: read-only
    draft: CallDraft | None  # this agent's unfinished call on the case


class CaseScreen(TranslatedBindings, Screen[None]):
    CSS_PATH = "case.tcss"
    HORIZONTAL_BREAKPOINTS = [  # noqa: RUF012 (Textual reads it from the class)
        (0, "-narrow"),
        (100, "-wide"),
    ]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "key.back", id="case.back"),
        Binding("c", "call", "key.call", id="case.call"),
        Binding("p", "promise", "key.promise", id="case.promise"),
        Binding("d", "dispute", "key.dispute", id="case.dispute"),
        Binding("s", "callback", "key.callback", id="case.callback"),
        Binding("e", "note", "key.note", id="case.note"),
        Binding("h", "hold", "key.hold", id="case.hold", show=False),
        Binding("l", "letter", "key.letter", id="case.letter", show=False),
        # The app's keys, done the case screen's way: one id, so that a remap moves both.
        Binding("n", "next_case", "key.next_case", id="app.next_case"),
        Binding("a", "agenda", "key.agenda", id="app.agenda"),
        Binding("q", "quit_case", "key.quit", id="app.quit", show=False),
        Binding("right_square_bracket", "next_tab", "key.next_tab", id="case.next_tab", show=False),
        Binding(
            "left_square_bracket",
            "previous_tab",
            "key.previous_tab",
            id="case.previous_tab",
            show=False,
        ),
        *[
            Binding(str(n), f"tab('{name}')", TAB_KEYS[name], id=f"case.tab.{name}", show=False)
            for n, name in enumerate(TABS, start=1)
        ],
    ]

    class Opened(Message):
        def __init__(self, result: CaseOpened, case_id: int, generation: int) -> None:
            super().__init__()
            self.result = result
            self.case_id = case_id
            self.generation = generation  # the `show_case` it answers (older ones are dropped)

    class Failed(Message):
        def __init__(self, text: str, generation: int | None = None) -> None:
            super().__init__()
            self.text = text
            self.generation = generation  # None: not tied to one case's load

    class CallRecorded(Message):
        def __init__(self, draft: CallDraft, result: RecordedCall) -> None:
            super().__init__()
            self.draft = draft
            self.result = result

    def __init__(self, case_id: int, *, queue_key: tuple[int, float, int] | None = None) -> None:
        super().__init__()
        self._draft_lock = threading.Lock()
        self._claim_timer: Timer | None = None
        self._composed = False
        self._resumed = False
        self._present: Callable[[], object] | None = None  # puts this screen on, once filled
        self._generation = 0
        # The case file each tab's table shows (None: empty). A table is filled when its tab is
        # shown, so opening a case fills the summary and one table, not seven.
        self._table_case: dict[str, CaseFile | None] = dict.fromkeys(TABLE_TABS)
        self._set_case(case_id, queue_key)

    def _set_case(self, case_id: int, queue_key: tuple[int, float, int] | None) -> None:
        """The per-case state, as a new screen would have it."""
        self._generation += 1
        self.case_id = case_id
        self.queue_key = queue_key
        self.case_file: CaseFile | None = None
        self.agent: AgentRow | None = None
        self.holder: ClaimHolder | None = None
        self.in_call = False
        self.saving = False
        self._active_since_claim = False
        with self._draft_lock:
            self._pending_draft: CallDraft | None = None

    def show_case(
        self,
        case_id: int,
        *,
        queue_key: tuple[int, float, int] | None = None,
        present: Callable[[], object] | None = None,
    ) -> None:
        """Show another case on this (already composed) screen: reset it, then load and claim.

        `present` (for a screen off the stack) puts it on: once the case is filled, so it is laid
        out and painted once rather than empty then full (or after `PRESENT_AFTER` seconds
        showing "loading", on a slow load; never when the case may not be opened).
        The caller has released the previous case's claim (`_release`) before leaving it.
        """
        for group in ("case-load", "case-claim", "case-save"):
            self.workers.cancel_group(self, group)
        self._set_case(case_id, queue_key)
        self._present = present
        if not self._composed:  # first push: on_mount resets and loads
            return
        self._reset_view()
        if self._claim_timer is not None:
            self._claim_timer.reset()  # the first extension a full period after opening
        generation = self._generation
        if present is not None:
            self.set_timer(PRESENT_AFTER, partial(self._present_now, generation))
        self._open(generation)

    def _present_now(self, generation: int) -> None:
        present = self._present
        if present is not None and generation == self._generation:
            self._present = None
            if self.case_file is None:  # slower than PRESENT_AFTER: shown loading
                self._show_loading()
            present()

    def _reset_view(self) -> None:
        """Widgets back to how `compose` + `on_mount` leave them.

        Off the stack, the previous case's banner, summary and tab counts are left for `_fill`
        to overwrite: nobody sees them, unless the load is slow (`_present_now`).
        """
        self.remove_class("-in-call")
        body = self.query_one("#case-body", Horizontal)  # not a query of all ~95 widgets
        for checklist in body.query_children(CallChecklist):
            checklist.remove()
        if self._present is None:
            self._show_loading()
        self.query_one("#summary-scroll", VerticalScroll).scroll_home(animate=False)
        tabs = self.query_one(TabbedContent)
        tabs.active = "tab-summary"
        first = next((w for w in self.query("*") if w.focusable), None)  # what AUTO_FOCUS picks
        if self.focused is not first:
            self.set_focus(first)
        self.refresh_bindings()

    def _show_loading(self) -> None:
        self.query_one("#case-banner", Static).update(Text(t("casefile.loading")))
        for selector in ("#case-claim", "#case-warnings"):
            banner = self.query_one(selector, Static)
            banner.update("")
            banner.display = False
        self.query_one("#case-summary", Static).update("")
        tabs = self.query_one(TabbedContent)
        for name in COUNTED_TABS:
            tabs.get_tab(f"tab-{name}").label = t(TAB_KEYS[name])

    @property
    def relance(self) -> RelanceApp:
        return self.app  # type: ignore[return-value]

    @property
    def read_only(self) -> bool:
        return self.holder is not None or self.case_file is None

    def now(self) -> datetime:
        return self.relance.now()

    # --- Layout ------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(Text(t("casefile.loading")), id="case-banner")
        yield Static(id="case-claim")
        yield Static(id="case-warnings")
        with Horizontal(id="case-body"), TabbedContent(id="case-tabs"):
            with TabPane(t("casefile.tab.summary"), id="tab-summary"):
                yield VerticalScroll(Static(id="case-summary"), id="summary-scroll")
            with TabPane(t("casefile.tab.invoices"), id="tab-invoices"):
                yield PagedTable(
                    [t(views.CASE_COLUMN_KEYS[c]) for c in views.INVOICE_COLUMNS],
                    page_size=PAGE_SIZE,
                    id="case-invoices",
                )
            with TabPane(t("casefile.tab.contacts"), id="tab-contacts"):
                yield self._table("case-contacts", views.CONTACT_COLUMNS)
            with TabPane(t("casefile.tab.contracts"), id="tab-contracts"):
                yield self._table("case-contracts", views.CONTRACT_COLUMNS)
            with TabPane(t("casefile.tab.history"), id="tab-history"):
                yield PagedTable(
                    [t(views.CASE_COLUMN_KEYS[c]) for c in views.HISTORY_COLUMNS],
                    page_size=PAGE_SIZE,
                    id="case-history",
                )
            with TabPane(t("casefile.tab.disputes"), id="tab-disputes"):
                yield self._table("case-disputes", views.DISPUTE_COLUMNS)
            with TabPane(t("casefile.tab.commitments"), id="tab-commitments"):
                yield self._table("case-commitments", views.COMMITMENT_COLUMNS)
        yield BindingsFooter()

    @staticmethod
    def _table(table_id: str, columns: tuple[str, ...]) -> DataTable[str | Text]:
        table: DataTable[str | Text] = DataTable(id=table_id, cursor_type="row", zebra_stripes=True)
        table.add_columns(*[t(views.CASE_COLUMN_KEYS[c]) for c in columns])
        return table

    def on_mount(self) -> None:
        self._composed = True
        self.watch(self.query_one(TabbedContent), "active", self._tab_shown, init=False)
        self.query_one("#case-claim").display = False
        self.query_one("#case-warnings").display = False
        self._open(self._generation)
        self._claim_timer = self.set_interval(CLAIM_CHECK_SECONDS, self._keep_claim)

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        # Runs before Screen's own handler. Pushed again, the screen would restyle its ~95
        # widgets (~15 ms) though nothing changed: a class or focus change restyles what it
        # touches, and a theme or CSS change reaches this screen off the stack too
        # (App.refresh_css walks every registered screen). Its first push is left alone.
        if self._resumed:
            event.refresh_styles = False
        self._resumed = True

    # --- Loading -----------------------------------------------------------------------------

    def _open(self, generation: int) -> None:
        app = self.relance
        self._open_case(generation, self.case_id, app.agent_login, app.settings, self.now())

    # It claims the case: never interrupted, so that a claim taken is always answered (and
    # released by `_opened` when the answer comes too late).
    @database_work(group="case-load", interruptible=False)
    def _open_case(
        self,
        conn: sqlite3.Connection,
        generation: int,
        case_id: int,
        login: str,
        settings: Settings,
        now: datetime,
    ) -> Opened | Failed:
        # Deferred: not loaded until first used (start-up time).
        from relance_tui.services.claims import claim_case
        from relance_tui.services.identity import may_open_case

        agent = get_agent(conn, login)
        if agent is None:
            return self.Failed(t("queue.unknown_agent", login=login), generation)
        if not may_open_case(conn, agent, case_id):
            return self.Failed(t("casefile.outside_portfolio"), generation)
        claim = claim_case(conn, settings, case_id, agent.id, now)
        if claim.won:
            mark_visited(conn, settings, case_id, now=now)
        try:
            case_file = casefile.load_case_file(conn, case_id, now=now, settings=settings)
            draft = load_call_draft(conn, case_id, agent_login=agent.login) if claim.won else None
        except Exception:
            if claim.won:  # not shown: not kept either
                from relance_tui.services.claims import release_case

                release_case(conn, case_id, agent.id)
            raise
        opened = CaseOpened(case_file, agent, claim.holder, draft)
        return self.Opened(opened, case_id, generation)

    def _reload(self) -> None:
        if self.agent is not None:
            self._reload_case(self._generation, self.case_id, self.agent, self.holder, self.now())

    @database_work(group="case-load")
    def _reload_case(
        self,
        conn: sqlite3.Connection,
        generation: int,
        case_id: int,
        agent: AgentRow,
        holder: ClaimHolder | None,
        now: datetime,
    ) -> Opened:
        case_file = casefile.load_case_file(conn, case_id, now=now, settings=self.relance.settings)
        return self.Opened(CaseOpened(case_file, agent, holder, None), case_id, generation)

    def on_database_failed(self, event: DatabaseFailed) -> None:
        """The agent was told (by the app); here the screen recovers."""
        if event.job == "_record_call":
            self.saving = False
            for checklist in self.query(CallChecklist):
                checklist.show_problems((key("call.error.save_failed"),))
        elif (
            event.job in ("_open_case", "_reload_case")
            and event.args[0] == self._generation
            and self.case_file is None
        ):  # the error in place of "loading", on the screen
            self._present_now(self._generation)
            error = str(event.error) or type(event.error).__name__
            banner = self.query_one("#case-banner", Static)
            banner.update(Text(t("casefile.load_failed", error=error)))

    @on(Failed)
    def _failed(self, event: Failed) -> None:
        if event.generation is not None and event.generation != self._generation:
            return  # about a case this screen no longer shows
        self.notify(event.text, severity="error", markup=False)
        if self.case_file is None:  # nothing to show (not found, not in my portfolio): go back
            if self._present is not None:
                self._present = None  # or rather, never come
            elif self.is_current:
                self.dismiss()

    @on(Opened)
    def _opened(self, event: Opened) -> None:
        result = event.result
        left = self not in self.app.screen_stack and self._present is None
        if left or event.generation != self._generation:  # too late: that case was left
            if result.holder is None and (left or event.case_id != self.case_id):
                self.relance.release_case(event.case_id, result.agent.id)  # claimed on the way
            return
        self.case_file = result.case_file
        self.agent = result.agent
        self.holder = result.holder
        self._fill(result.case_file)
        claim = self.query_one("#case-claim", Static)
        if result.holder is not None:
            claim.update(views.claimed_text(result.holder.login, self._minutes(result.holder)))
            claim.display = True
        else:
            claim.display = False
        self.refresh_bindings()
        if result.draft is not None and not self.in_call and self._present is not None:
            self._present_now(event.generation)  # before the dialog that goes above it
        else:  # once the tables have measured their new rows: the screen is laid out once
            self.call_after_refresh(self._present_now, event.generation)
        if result.draft is not None and not self.in_call:
            self._offer_draft(result.draft)

    def _minutes(self, holder: ClaimHolder) -> int:
        try:
            since = datetime.fromisoformat(holder.claimed_at)
        except ValueError:
            return 0
        if since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        return max(0, int((self.now() - since).total_seconds() // 60))

    def _fill(self, case: CaseFile) -> None:
        self.query_one("#case-banner", Static).update(views.banner(case))
        warnings = self.query_one("#case-warnings", Static)
        warnings.update(views.warnings_text(case.warnings))
        warnings.display = bool(case.warnings)
        self.query_one("#case-summary", Static).update(views.summary_text(case, self.now()))
        tabs = self.query_one(TabbedContent)
        counts = (
            len(case.invoices),
            len(case.history),
            len(case.disputes),
            len(case.promises) + len(case.plans) + len(case.callbacks),
        )
        for name, count in zip(COUNTED_TABS, counts, strict=True):
            tab = tabs.get_tab(f"tab-{name}")
            label = f"{t(TAB_KEYS[name])} ({count})"
            if tab.label.plain != label:  # a relabel re-lays out the tab bar
                tab.label = label
        self._tab_shown(tabs.active)

    def _tab_shown(self, pane_id: str) -> None:
        """Bring the shown tab's table to this case (called as the tab switches, before the
        next paint: never shows another case's rows)."""
        name = pane_id.removeprefix("tab-")
        if name not in self._table_case or self._table_case[name] is self.case_file:
            return
        case = self._table_case[name] = self.case_file
        if name == "invoices":
            self._show_invoices(0)
        elif name == "history":
            self._show_history(0)
        elif case is None:  # a tab shown while the next case loads
            self._rows(f"#case-{name}", [])
        elif name == "contacts":
            self._rows("#case-contacts", views.contact_rows(case.contacts))
        elif name == "contracts":
            self._rows("#case-contracts", views.contract_rows(case))
        elif name == "disputes":
            self._rows("#case-disputes", views.dispute_rows(case))
        else:
            self._rows("#case-commitments", views.commitment_rows(case))

    def _rows(self, selector: str, rows: list[views.Row]) -> None:
        table: DataTable[str | Text] = self.query_one(selector, DataTable)
        table.clear()  # rows, cursor and scroll
        for row in rows[:500]:
            table.add_row(*row)

    def _show_invoices(self, offset: int) -> None:
        table = self.query_one("#case-invoices", PagedTable)
        if self.case_file is None:
            table.show_nothing()
            return
        invoices = self.case_file.invoices
        page = [views.invoice_row(i) for i in invoices[offset : offset + PAGE_SIZE]]
        table.show_page(page, offset, len(invoices))

    def _show_history(self, offset: int) -> None:
        table = self.query_one("#case-history", PagedTable)
        if self.case_file is None:
            table.show_nothing()
            return
        history = self.case_file.history
        page = [views.history_row(h) for h in history[offset : offset + PAGE_SIZE]]
        table.show_page(page, offset, len(history))

    @on(PagedTable.PageRequested)
    def _page(self, event: PagedTable.PageRequested) -> None:
        if self.case_file is None:
            return
        if event.table.id == "case-invoices":
            self._show_invoices(event.offset)
        else:
            self._show_history(event.offset)

    # --- Claim -------------------------------------------------------------------------------

    def on_key(self) -> None:
        self._active_since_claim = True

    def _keep_claim(self) -> None:
        if self not in self.app.screen_stack:  # left (the claim was released): keep nothing
            return
        if self.holder is None and self.agent is not None and self._active_since_claim:
            self._active_since_claim = False
            self._extend_claim()

    def _extend_claim(self) -> None:
        if self.agent is not None:
            self._claim_again(self._generation, self.case_id, self.agent.id, self.now())

    @database_work(group="case-claim")
    def _claim_again(
        self, conn: sqlite3.Connection, generation: int, case_id: int, agent_id: int, now: datetime
    ) -> Failed | None:
        # Deferred: not loaded until first used (start-up time).
        from relance_tui.services.claims import claim_case

        result = claim_case(conn, self.relance.settings, case_id, agent_id, now)
        return None if result.won else self.Failed(t("casefile.claim_lost"), generation)

    def _release(self) -> None:
        """Free the case (in an app worker: it outlives this screen)."""
        if self.agent is None or self.holder is not None:
            return
        self.relance.release_case(self.case_id, self.agent.id)

    # --- Actions -----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        writes = ("call", "promise", "dispute", "callback", "note")
        if action in writes:
            if self.in_call:
                return False
            return None if self.read_only else True
        if action == "tab":
            return not self.in_call or self.has_class("-wide")
        if action in ("next_case", "agenda"):
            return not self.in_call
        return True

    def action_tab(self, name: str) -> None:
        self.query_one(TabbedContent).active = f"tab-{name}"

    def _step_tab(self, delta: int) -> None:
        tabs = self.query_one(TabbedContent)
        current = (tabs.active or "tab-summary").removeprefix("tab-")
        index = (TABS.index(current) + delta) % len(TABS)
        tabs.active = f"tab-{TABS[index]}"

    def action_next_tab(self) -> None:
        self._step_tab(1)

    def action_previous_tab(self) -> None:
        self._step_tab(-1)

    def action_back(self) -> None:
        if self.in_call:
            self._ask_discard()
            return
        self._release()
        self.dismiss()

    def action_next_case(self) -> None:
        if self.in_call:
            self.notify(t("casefile.finish_call_first"), severity="warning")
            return
        self._release()
        self.relance.open_next_case(self.case_id, self.queue_key)

    async def action_quit_case(self) -> None:
        if self.in_call:
            self.notify(t("casefile.finish_call_first"), severity="warning")
            return
        await self.relance.action_quit()

    def action_agenda(self) -> None:
        self.relance.open_agenda()

    # --- The call ----------------------------------------------------------------------------

    def action_call(self) -> None:
        if self.read_only or self.in_call or self.case_file is None:
            return
        self._start_call(start_call(self.case_file.preparation, now=self.now()))

    def _start_call(self, draft: CallDraft) -> None:
        assert self.case_file is not None and self.agent is not None
        self.in_call = True
        self.add_class("-in-call")
        checklist = CallChecklist(
            self.case_file.preparation,
            draft,
            hours=self.relance.settings.contact.calling_hours,
            clock=self.now,
            agent_name=self.agent.display_name,
            dispute_owner=t("call.dispute.owner_default"),
            id="call",
        )
        self.query_one("#case-body", Horizontal).mount(checklist)
        self.refresh_bindings()
        self._save_draft(draft)

    def _end_call(self) -> None:
        self.in_call = False
        self.remove_class("-in-call")
        for checklist in self.query(CallChecklist):
            checklist.remove()
        self.refresh_bindings()

    def _offer_draft(self, draft: CallDraft) -> None:
        started = moment(draft.started_at)
        body = t("casefile.draft.body", started=started, step=t(CALL_STEP_KEYS[draft.step]))

        def answer(choice: str | None) -> None:
            if choice == "resume":
                self._start_call(draft)
            elif choice == "discard":
                self._discard_draft(self.case_id)

        self.app.push_screen(
            ChoiceDialog(
                t("casefile.draft.title"),
                body,
                [
                    ("r", "resume", t("casefile.draft.resume")),
                    ("a", "discard", t("casefile.draft.discard")),
                ],
                default="resume",
                dialog_id="draft-offer",
            ),
            answer,
        )

    @on(CallChecklist.DraftChanged)
    def _draft_changed(self, event: CallChecklist.DraftChanged) -> None:
        self._active_since_claim = True
        self._save_draft(event.draft)

    def _save_draft(self, draft: CallDraft) -> None:
        with self._draft_lock:
            self._pending_draft = draft
        self._write_draft()

    def _write_draft(self) -> Worker[Message | None]:
        return self._write_latest_draft(self.relance.agent_login, self.now())

    async def keep_draft(self) -> None:
        """Save the call's draft as it stands, typed text included (the app has to leave)."""
        for checklist in self.query(CallChecklist):
            with self._draft_lock:
                self._pending_draft = checklist.typed_draft()
            with contextlib.suppress(WorkerFailed, WorkerCancelled):  # reported already
                await self._write_draft().wait()

    @database_work(group="case-draft", exclusive=False, interruptible=False)
    def _write_latest_draft(self, conn: sqlite3.Connection, login: str, now: datetime) -> None:
        """Write the latest draft; writers take turns so the newest always lands last."""

        with self._draft_lock:
            draft = self._pending_draft
            self._pending_draft = None
            if draft is not None:
                save_call_draft(conn, draft, agent_login=login, now=now)

    @on(CallChecklist.DiscardRequested)
    def _discard_requested(self, event: CallChecklist.DiscardRequested) -> None:
        event.stop()
        self._ask_discard()

    def _ask_discard(self) -> None:
        def answer(choice: str | None) -> None:
            if choice == "discard":
                self._end_call()
                self._discard_draft(self.case_id)

        self.app.push_screen(
            ChoiceDialog(
                t("call.discard.title"),
                t("call.discard.body"),
                [("o", "discard", t("call.discard.yes")), ("n", "keep", t("call.discard.no"))],
                default="keep",
                dialog_id="discard-call",
            ),
            answer,
        )

    def _discard_draft(self, case_id: int) -> None:
        self._drop_draft(case_id, self.relance.agent_login)

    @database_work(group="case-draft", exclusive=False, interruptible=False)
    def _drop_draft(self, conn: sqlite3.Connection, case_id: int, login: str) -> None:
        with self._draft_lock:
            self._pending_draft = None
            discard_call_draft(conn, case_id, agent_login=login)

    @on(CallChecklist.SaveRequested)
    def _save_requested(self, event: CallChecklist.SaveRequested) -> None:
        event.stop()
        draft = event.draft
        findings = check_call_texts(draft)
        if findings:
            self._reword(draft, findings)
            return
        if not self.saving:
            self.saving = True
            self._save_call(draft)

    def _reword(self, draft: CallDraft, findings: Mapping[str, tuple[object, ...]]) -> None:
        # Deferred: not loaded until first used (start-up time).
        from relance_tui.tui.dialogs.notes_check import NotesCheckDialog

        texts = {
            "notes": draft.notes,
            "recap": draft.recap,
            "dispute_reason": draft.dispute.reason if draft.dispute else "",
            "callback_reason": draft.callback.reason if draft.callback else "",
        }

        def reworded(result: dict[str, str] | None) -> None:
            if result is None:
                return
            checklist = self.query_one(CallChecklist)
            updated = checklist.draft
            if "notes" in result:
                updated = updated.model_copy(update={"notes": result["notes"]})
            if "recap" in result:
                updated = updated.model_copy(update={"recap": result["recap"]})
            if "dispute_reason" in result and updated.dispute is not None:
                dispute = updated.dispute.model_copy(update={"reason": result["dispute_reason"]})
                updated = updated.model_copy(update={"dispute": dispute})
            if "callback_reason" in result and updated.callback is not None:
                callback = updated.callback.model_copy(update={"reason": result["callback_reason"]})
                updated = updated.model_copy(update={"callback": callback})
            checklist.replace_draft(updated)
            self.post_message(CallChecklist.SaveRequested(updated))

        fields = {name: texts[name] for name in findings}
        self.app.push_screen(NotesCheckDialog(fields), reworded)

    def _save_call(self, draft: CallDraft) -> None:
        app = self.relance
        self._record_call(draft, app.settings, app.agent_login, self.now())

    @database_work(group="case-save", interruptible=False)
    def _record_call(
        self, conn: sqlite3.Connection, draft: CallDraft, settings: Settings, login: str,
        now: datetime,
    ) -> CallRecorded:  # fmt: skip
        from relance_tui.services.calls import record_call

        with self._draft_lock:
            self._pending_draft = None
            result = record_call(conn, settings, draft, agent_login=login, now=now)
        return self.CallRecorded(draft, result)

    @on(CallRecorded)
    def _call_recorded(self, event: CallRecorded) -> None:
        self.saving = False
        result = event.result
        if result.saved:
            self._end_call()
            self.notify(t("call.saved"), title=t("call.title"))
            self._release()
            self.dismiss()
            return
        if result.findings:
            self._reword(event.draft, dict(result.findings))
            return
        for checklist in self.query(CallChecklist):
            checklist.show_problems(result.problems)

    # --- Outside a call: promise, dispute, callback, note --------------------------------------

    def action_promise(self) -> None:
        self._open_dialog("promise")

    def action_dispute(self) -> None:
        self._open_dialog("dispute")

    def action_callback(self) -> None:
        self._open_dialog("callback")

    def action_note(self) -> None:
        self._open_dialog("note")

    def action_hold(self) -> None:
        self._open_dialog("hold")

    def action_letter(self) -> None:
        if self.case_file is not None and not self.in_call:
            open_letter(self, self.case_file)

    def _open_dialog(self, kind: str) -> None:
        if self.read_only or self.in_call or self.case_file is None:
            return

        def done(saved: bool | None) -> None:
            if saved:
                self._reload()

        self.app.push_screen(dialog_for(kind, self.case_file, self.now()), done)


def dialog_for(kind: str, case_file: CaseFile, now: datetime) -> ModalScreen[bool]:
    # Deferred: not loaded until first used (start-up time).
    from relance_tui.tui.dialogs.callback import CallbackDialog
    from relance_tui.tui.dialogs.dispute import DisputeDialog
    from relance_tui.tui.dialogs.hold import HoldDialog
    from relance_tui.tui.dialogs.note import NoteDialog
    from relance_tui.tui.dialogs.promise import PromiseDialog
    from relance_tui.tui.dialogs.record import RecordDialog

    dialogs: dict[str, type[RecordDialog]] = {
        "promise": PromiseDialog,
        "dispute": DisputeDialog,
        "callback": CallbackDialog,
        "note": NoteDialog,
        "hold": HoldDialog,
    }
    return dialogs[kind](case_file, now)


def open_letter(screen: CaseScreen, case_file: CaseFile) -> None:
    # Deferred: not loaded until first used (start-up time).
    from relance_tui.tui.screens.letter import LetterScreen

    summary = case_file.summary
    screen.app.push_screen(LetterScreen(summary.case_id, summary.debtor_name))
