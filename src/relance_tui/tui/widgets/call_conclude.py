"""The call checklist's last step, Conclude: what the agent checks and types before saving.

Reached the right person: the recap (pre-written, editable), the contact's corrected e-mail or new
number, the follow-up date. Reached nobody: notes, "message laissé" when a message could be
left, the proposed callback time. The step fills itself from the draft and reads the typed values
back into it; the checklist decides when (Enter on the last field, the save button).
"""

from __future__ import annotations

from datetime import date

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Button, Input, Static, TextArea

from relance_tui.domain import calls
from relance_tui.domain.calling_hours import zone
from relance_tui.domain.calls import CallDraft, CallPreparation
from relance_tui.domain.text import inert
from relance_tui.i18n import key, t
from relance_tui.tui.widgets import call_texts as texts
from relance_tui.tui.widgets.check_list import CheckList
from relance_tui.tui.widgets.field_row import FieldRow
from relance_tui.tui.widgets.fields import day_text, moment_text, parse_day
from relance_tui.tui.widgets.solve_forms import FormError, callback_moment


class ConcludeStep(Vertical):
    def __init__(self, prep: CallPreparation) -> None:
        super().__init__(id="step-conclude", classes="call-step")
        self.prep = prep

    def compose(self) -> ComposeResult:
        yield Static(id="conclude-info")
        yield CheckList(
            [(1, t("call.message_left_box"))],
            id="message-left",
            compact=True,
            enter_label=t("key.save_call"),
        )
        yield FieldRow(t("call.field.notes"), "conclude-notes", max_length=4000)
        yield TextArea(id="conclude-recap", soft_wrap=True, compact=True)
        yield FieldRow(t("call.field.callback_at"), "conclude-callback")
        yield FieldRow(t("call.field.email"), "contact-email")
        yield FieldRow(t("call.field.new_phone"), "contact-phone")
        yield FieldRow(t("call.field.follow_up"), "follow-up")
        yield Button(t("call.save"), id="call-save", variant="primary", compact=True)

    def _row(self, field_id: str) -> Input:
        return self.query_one(f"#{field_id}", Input)

    def _show_row(self, field_id: str, shown: bool) -> None:
        self._row(field_id).parent.display = shown  # type: ignore[union-attr]

    def fill(self, draft: CallDraft) -> None:
        """Show the draft's values and focus where the agent goes next."""
        self.query_one("#conclude-info", Static).update(texts.conclude_text(self.prep, draft))
        recap = self.query_one("#conclude-recap", TextArea)
        recap.display = draft.reached
        if draft.reached:
            recap.load_text(draft.recap)
        self._show_row("conclude-callback", not draft.reached)
        if draft.callback is not None and not draft.reached:
            due_at = draft.callback.due_at.astimezone(zone(None))
            self._row("conclude-callback").value = moment_text(due_at)
        self._show_row("contact-email", draft.reached)
        self._show_row("contact-phone", draft.reached)
        contact = self.prep.contact(draft.contact_id)
        update = draft.contact_update
        email = update.email if update and update.email is not None else None
        # An Input shows its value as it is: stored text goes in inert.
        self._row("contact-email").value = email or (inert(contact.email) if contact else "")
        self._row("contact-phone").value = update.new_phone if update and update.new_phone else ""
        self._row("follow-up").value = day_text(draft.follow_up_on)
        # Reached nobody: whether a message was left, and notes; Enter on either saves.
        message = self.query_one("#message-left", CheckList)
        message.display = draft.outcome in calls.MESSAGE_OUTCOMES
        message.set_ticked(1, draft.message_left)
        notes = self._row("conclude-notes")
        self._show_row("conclude-notes", not draft.reached)
        if draft.reached:
            self._row("follow-up").focus()
        else:
            notes.value = draft.notes
            (message if message.display else notes).focus()

    def read(self, draft: CallDraft, today: date) -> CallDraft:
        """The draft with the typed values (recap, contact, notes, callback, follow-up).

        Raises FormError for a date that does not read as one."""
        if draft.reached:
            recap = self.query_one("#conclude-recap", TextArea).text
            if recap != draft.recap:
                draft = calls.set_recap(draft, recap)
            if draft.contact_id is not None:
                contact = self.prep.contact(draft.contact_id)
                email = self._row("contact-email").value.strip()
                new_phone = self._row("contact-phone").value.strip()
                changed_email = email if contact is None or email != inert(contact.email) else None
                draft = calls.update_contact(
                    draft, contact_id=draft.contact_id, email=changed_email,
                    new_phone=new_phone or None,
                )  # fmt: skip
        else:
            notes = self._row("conclude-notes").value
            if notes != draft.notes:
                draft = calls.set_notes(draft, notes)
            left = bool(self.query_one("#message-left", CheckList).selected)
            if left != draft.message_left:
                draft = calls.set_message_left(draft, left)
        if not draft.reached and draft.callback is not None:
            due_at = callback_moment(self._row("conclude-callback").value, today)
            if due_at != draft.callback.due_at:
                callback = draft.callback.model_copy(update={"due_at": due_at})
                draft = draft.model_copy(update={"callback": callback,
                                                 "follow_up_on": due_at.date()})  # fmt: skip
        follow_text = self._row("follow-up").value
        follow_up = parse_day(follow_text, today) if follow_text.strip() else None
        if follow_text.strip() and follow_up is None:
            raise FormError(key("call.error.date"))
        if follow_up != draft.follow_up_on:
            draft = calls.set_follow_up(draft, follow_up)
        return draft

    def show_recap(self, recap: str) -> None:
        self.query_one("#conclude-recap", TextArea).load_text(recap)

    def show_notes(self, notes: str) -> None:
        self._row("conclude-notes").value = notes
