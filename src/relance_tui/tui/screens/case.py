"""The case file: everything about one debtor on one screen, and the call checklist beside it.

Opening claims the case for this agent (read-only when someone else holds it); the claim is
extended while the agent works and released on leaving. A call in progress is saved as a draft
at every step, so a dropped session loses nothing; the draft is offered back next time.

The screen is composed once and reused (`show_case`): composing and styling its ~95 widgets
cost ~400 ms a case. Everything that belongs to one case is reset by `show_case`, and a load
is tagged with the generation it was started for, so a late answer for the previous case is
dropped instead of painted over the new one. Reads and writes are database work
(tui/database.py); a load that fails shows its error in place of the case.

The call's half is `CaseCall` (screens/case_call.py), the tabs are `CaseTabs`
(widgets/case_tabs.py), the small forms opened by `p`, `d`, `s`, `e` are in tui/dialogs/.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import ClassVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Static

from relance_tui.config import Settings
from relance_tui.domain.calls import CallDraft
from relance_tui.i18n import key, t
from relance_tui.services import casefile
from relance_tui.services.calls import SavedCallDraft, load_call_draft
from relance_tui.services.casefile import CaseFile
from relance_tui.storage.agents import AgentRow, get_agent
from relance_tui.storage.claims import ClaimHolder
from relance_tui.tui.bindings import TranslatedBindings
from relance_tui.tui.database import DatabaseFailed, database_work
from relance_tui.tui.screens.case_call import CaseCall
from relance_tui.tui.widgets import case_views as views
from relance_tui.tui.widgets.bindings_footer import BindingsFooter
from relance_tui.tui.widgets.call_checklist import CallChecklist
from relance_tui.tui.widgets.case_tabs import TAB_KEYS, TABS, CaseTabs
from relance_tui.tui.widgets.laid_out_once import OnceHorizontal, OnceStatic

__all__ = ["TABS", "CaseOpened", "CaseScreen"]

CLAIM_CHECK_SECONDS = 60.0
PRESENT_AFTER = 0.2  # seconds: a case slower to load than that is shown loading


@dataclass(frozen=True, slots=True)
class CaseOpened:
    case_file: CaseFile
    agent: AgentRow
    holder: ClaimHolder | None  # someone else holds it: read-only
    draft: SavedCallDraft | None  # this agent's unfinished call on the case


class CaseScreen(TranslatedBindings, CaseCall):
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
        Binding("w", "waiver", "key.waiver", id="case.waiver", show=False),
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

    def __init__(self, case_id: int, *, queue_key: tuple[int, float, int] | None = None) -> None:
        super().__init__()
        self._claim_timer: Timer | None = None
        self._composed = False
        self._resumed = False
        self._present: Callable[[], object] | None = None  # puts this screen on, once filled
        self._generation = 0
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
        tabs = self.query_one(CaseTabs)
        tabs.forget()
        tabs.active = "tab-summary"
        first = tabs.bar  # what AUTO_FOCUS picks: the first widget that takes focus
        if self.focused is not first:
            self.set_focus(first)
        self.refresh_bindings()

    def _show_loading(self) -> None:
        self.query_one("#case-banner", Static).update(Text(t("casefile.loading")))
        for selector in ("#case-claim", "#case-warnings"):
            banner = self.query_one(selector, Static)
            banner.update("")
            banner.display = False
        self.query_one(CaseTabs).show_loading()

    # --- Layout ------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(Text(t("casefile.loading")), id="case-banner")
        yield OnceStatic(id="case-claim")
        yield OnceStatic(id="case-warnings")
        with OnceHorizontal(id="case-body"):
            yield CaseTabs(id="case-tabs")
        yield BindingsFooter()

    def on_mount(self) -> None:
        self._composed = True
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
            self.relance.drop_held_keys()  # typed for the case, which is not there
            self._present_now(self._generation)
            error = str(event.error) or type(event.error).__name__
            banner = self.query_one("#case-banner", Static)
            banner.update(Text(t("casefile.load_failed", error=error)))

    @on(Failed)
    def _failed(self, event: Failed) -> None:
        if event.generation is not None and event.generation != self._generation:
            return  # about a case this screen no longer shows
        self.notify(event.text, severity="error", markup=False)
        self.relance.drop_held_keys()
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
            self.relance.drop_held_keys()  # typed for a new call, not for this choice
            self._offer_draft(result.draft)
        else:
            self.call_after_refresh(self.relance.replay_held_keys)  # once on screen

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
        self.query_one(CaseTabs).show(case, views.summary_text(case, self.now()))

    # --- Claim -------------------------------------------------------------------------------

    def on_key(self) -> None:
        self._active_since_claim = True

    def _keep_claim(self) -> None:
        if self not in self.app.screen_stack:  # left (the claim was released): keep nothing
            return
        if self.in_call:
            self._draft_heartbeat()
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

    # --- Actions -----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        writes = ("call", "promise", "dispute", "callback", "note")
        if action in writes:
            if self.in_call:
                return False
            return None if self.read_only else True
        if action == "tab":
            return not self.in_call or self.has_class("-wide")
        return True

    def action_tab(self, name: str) -> None:
        self.query_one(CaseTabs).show_tab(name, focus=not self.in_call)  # the call keeps it

    def action_next_tab(self) -> None:
        self.query_one(CaseTabs).step(1, focus=not self.in_call)

    def action_previous_tab(self) -> None:
        self.query_one(CaseTabs).step(-1, focus=not self.in_call)

    # Every way out of the case asks first during a call (`leave`), as Esc does.

    def leave(self, then: Callable[[], object]) -> None:
        """Do `then`, which leaves this case; during a call, once the agent agreed to discard it."""
        if self.in_call:
            self._ask_discard(then)
        else:
            then()

    def open_other(self, case_id: int, queue_key: tuple[int, float, int] | None = None) -> None:
        """Show another case here (`n`, the palette): this one released first."""

        def switch() -> None:
            self._release()
            self.show_case(case_id, queue_key=queue_key)

        self.leave(switch)

    def action_back(self) -> None:
        def back() -> None:
            self._release()
            self.dismiss()

        self.leave(back)

    def action_next_case(self) -> None:
        # This case is released when the next one is shown (`open_other`), kept if none is left.
        self.leave(partial(self.relance.open_next_case, self.case_id, self.queue_key))

    async def action_quit_case(self) -> None:
        await self.relance.action_quit()  # (it asks during a call)

    def action_agenda(self) -> None:
        self.leave(self.relance.open_agenda)

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

    def action_waiver(self) -> None:
        self._open_dialog("waiver")

    def action_letter(self) -> None:
        if self.case_file is not None and not self.in_call:
            open_letter(self, self.case_file)

    def _open_dialog(self, kind: str) -> None:
        if self.read_only or self.in_call or self.case_file is None:
            return

        def done(saved: bool | None) -> None:
            if saved:
                self._reload()

        # Deferred: not loaded until first used (start-up time).
        from relance_tui.tui.dialogs.forms import dialog_for

        self.app.push_screen(dialog_for(kind, self.case_file, self.now()), done)


def open_letter(screen: CaseScreen, case_file: CaseFile) -> None:
    # Deferred: not loaded until first used (start-up time).
    from relance_tui.tui.screens.letter import LetterScreen

    summary = case_file.summary
    screen.app.push_screen(LetterScreen(summary.case_id, summary.debtor_name))
