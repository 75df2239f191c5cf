"""The call's half of the case screen: starting a call, its draft saved at every step, the draft
offered back, the notes check, the call recorded.

`CaseScreen` (screens/case.py) builds on `CaseCall`; the checklist itself is a widget
(widgets/call_checklist.py) that never touches the database.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING

from textual import on
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.worker import Worker, WorkerCancelled, WorkerFailed

from relance_tui.config import Settings
from relance_tui.domain.calls import CALL_STEP_KEYS, CallDraft, resume_call, start_call
from relance_tui.formatting import moment
from relance_tui.i18n import t
from relance_tui.services.calls import (
    RecordedCall,
    SavedCallDraft,
    check_call_texts,
    discard_call_draft,
    save_call_draft,
)
from relance_tui.services.casefile import CaseFile
from relance_tui.storage.agents import AgentRow
from relance_tui.storage.claims import ClaimHolder
from relance_tui.tui.database import database_work
from relance_tui.tui.dialogs.choice import ChoiceDialog
from relance_tui.tui.widgets.call_checklist import CallChecklist

if TYPE_CHECKING:
    from relance_tui.tui.app import RelanceApp


class CaseCall(Screen[None]):
    case_id: int
    case_file: CaseFile | None
    agent: AgentRow | None
    holder: ClaimHolder | None  # someone else holds the case: read-only
    in_call: bool
    saving: bool
    _active_since_claim: bool
    _pending_draft: CallDraft | None

    class CallRecorded(Message):
        def __init__(self, draft: CallDraft, result: RecordedCall) -> None:
            super().__init__()
            self.draft = draft
            self.result = result

    def __init__(self) -> None:
        super().__init__()
        self._draft_lock = threading.Lock()

    @property
    def relance(self) -> RelanceApp:
        return self.app  # type: ignore[return-value]

    @property
    def read_only(self) -> bool:
        return self.holder is not None or self.case_file is None

    def now(self) -> datetime:
        return self.relance.now()

    def _release(self) -> None:
        """Free the case (in an app worker: it outlives this screen)."""
        if self.agent is None or self.holder is not None:
            return
        self.relance.release_case(self.case_id, self.agent.id)

    # --- Starting and ending -----------------------------------------------------------------

    def action_call(self) -> None:
        if self.read_only or self.in_call or self.case_file is None:
            return
        self._start_call(start_call(self.case_file.preparation, now=self.now()))

    def _start_call(self, draft: CallDraft) -> None:
        assert self.case_file is not None and self.agent is not None
        self.relance.hold_keys()  # until the checklist shows its first step (`_call_ready`)
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

    def _offer_draft(self, saved: SavedCallDraft) -> None:
        draft = saved.draft
        started = moment(draft.started_at)
        body = t("casefile.draft.body", started=started, step=t(CALL_STEP_KEYS[draft.step]))

        def answer(choice: str | None) -> None:
            if choice == "resume":
                self._start_call(resume_call(draft, last_saved_at=saved.saved_at, now=self.now()))
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

    # --- The draft ---------------------------------------------------------------------------

    @on(CallChecklist.Ready)
    def _call_ready(self, event: CallChecklist.Ready) -> None:
        event.stop()
        self.relance.replay_held_keys()

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

    def _draft_heartbeat(self) -> None:
        """Save the call as it stands once a minute while it is open, typed text included: a
        session killed outright loses at most a minute of typing, and the draft's last save
        tells when the call died (the pause left out of its times when it is resumed)."""
        for checklist in self.query(CallChecklist):
            self._save_draft(checklist.typed_draft())

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

    def _ask_discard(self, then: Callable[[], object] | None = None) -> None:
        """Discard the call? `then`: what to do once discarded (leave the case)."""

        async def answer(choice: str | None) -> None:
            if choice == "discard":
                self._end_call()
                dropping = self._discard_draft(self.case_id)
                if then is not None:  # leaving (quitting stops the workers): dropped first
                    with contextlib.suppress(WorkerFailed, WorkerCancelled):  # reported already
                        await dropping.wait()
                    then()

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

    def _discard_draft(self, case_id: int) -> Worker[Message | None]:
        return self._drop_draft(case_id, self.relance.agent_login)

    @database_work(group="case-draft", exclusive=False, interruptible=False)
    def _drop_draft(self, conn: sqlite3.Connection, case_id: int, login: str) -> None:
        with self._draft_lock:
            self._pending_draft = None
            discard_call_draft(conn, case_id, agent_login=login)

    # --- Saving ------------------------------------------------------------------------------

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
