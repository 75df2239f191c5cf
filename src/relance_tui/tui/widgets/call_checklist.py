"""The call checklist: Prepare → Identify → Listen → Solve → Conclude, from the keyboard.

The widget holds the `CallDraft` and applies the pure steps of `domain.calls` to it. It never
touches the database: it posts `DraftChanged` at each step change and field commit (the screen
saves the draft from a worker), `SaveRequested` when the agent concludes, and `DiscardRequested`
on Escape (the screen asks before discarding).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Button, ContentSwitcher, Input, Label, OptionList, Static, TextArea

from relance_tui.config import CallingHours
from relance_tui.domain import calls
from relance_tui.domain.calling_hours import zone
from relance_tui.domain.calls import (
    RESOLUTION_KEYS,
    CallDraft,
    CallPreparation,
    CallStep,
    Resolution,
)
from relance_tui.domain.labels import CAUSE_KEYS, OUTCOME_KEYS
from relance_tui.domain.models import CallOutcome, Cause, Frequency
from relance_tui.i18n import Key, t, t_key
from relance_tui.tui.bindings import TranslatedBindings
from relance_tui.tui.widgets import call_texts as texts
from relance_tui.tui.widgets.call_conclude import ConcludeStep
from relance_tui.tui.widgets.check_list import CheckList
from relance_tui.tui.widgets.choice_list import ChoiceList
from relance_tui.tui.widgets.field_row import FieldRow
from relance_tui.tui.widgets.solve_forms import (
    COMPLETES_FORM,
    FORM_OF,
    NEXT_FIELD,
    CallbackForm,
    ClaimForm,
    DisputeForm,
    FormError,
    PlanForm,
    PromiseForm,
    RefusalForm,
)


class CallChecklist(TranslatedBindings, VerticalScroll):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "discard", "key.call_discard", id="call.discard"),
        Binding("ctrl+z", "back", "key.call_back", id="call.back"),
    ]

    class DraftChanged(Message):
        def __init__(self, draft: CallDraft) -> None:
            super().__init__()
            self.draft = draft

    class SaveRequested(Message):
        def __init__(self, draft: CallDraft) -> None:
            super().__init__()
            self.draft = draft

    class DiscardRequested(Message):
        pass

    class Ready(Message):
        """The first step is on screen and focused: keys typed ahead may come."""

    def __init__(
        self,
        prep: CallPreparation,
        draft: CallDraft,
        *,
        hours: CallingHours,
        clock: Callable[[], datetime],
        agent_name: str,
        dispute_owner: str,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.prep = prep
        self.draft = draft
        self.hours = hours
        self.clock = clock
        self.agent_name = agent_name
        self.dispute_owner = dispute_owner
        self._cause: Cause | None = draft.cause

    @property
    def today(self) -> date:
        return self.clock().astimezone(zone(None)).date()

    # --- Layout ------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(id="call-steps")
        yield Static(id="call-error", classes="error")
        with ContentSwitcher(initial="step-prepare", id="call-switcher"):
            with Vertical(id="step-prepare", classes="call-step"):
                yield Static(id="prepare-info")
                yield Label(t("call.prepare.choose"), classes="step-label")
                yield ChoiceList(texts.phone_choices(self.prep), id="prepare-phones")
            with Vertical(id="step-identify", classes="call-step"):
                yield Static(id="identify-info")
                yield ChoiceList(
                    [
                        (str(n), outcome.value, t(OUTCOME_KEYS[outcome]))
                        for n, outcome in enumerate(calls.OUTCOME_CHOICES, start=1)
                    ],
                    id="identify-outcomes",
                )
            with Vertical(id="step-listen", classes="call-step"):
                yield Label(t("call.listen.cause"), classes="step-label")
                yield ChoiceList(
                    [
                        (str(n), cause.value, t(CAUSE_KEYS[cause]))
                        for n, cause in enumerate(calls.CAUSE_CHOICES, start=1)
                    ],
                    id="listen-causes",
                )
                yield FieldRow(t("call.field.notes"), "listen-notes", max_length=4000)
                yield Static(Text(t("call.hint.listen")), classes="hint")
            with Vertical(id="step-solve", classes="call-step"):
                yield ChoiceList(
                    [
                        (str(n), res.value, t(RESOLUTION_KEYS[res]))
                        for n, res in enumerate(calls.RESOLUTION_CHOICES, start=1)
                    ],
                    id="solve-choices",
                )
                with ContentSwitcher(id="solve-forms"):
                    yield PromiseForm(self.prep, self.today)
                    yield PlanForm(self.prep, self.today)
                    yield DisputeForm(self.prep, self.today, self.dispute_owner)
                    yield ClaimForm(self.prep, self.today)
                    yield RefusalForm(self.prep)
                    yield CallbackForm(self.prep, self.today, self.clock(), self.hours)
            yield ConcludeStep(self.prep)

    def on_mount(self) -> None:
        self.border_title = t("call.title")
        self.call_after_refresh(self._first_show)

    def _first_show(self) -> None:
        self._show()
        self.call_after_refresh(self.post_message, self.Ready())  # after the focus moved

    # --- Showing the draft -------------------------------------------------------------------

    def _error(self, message: str = "") -> None:
        self.query_one("#call-error", Static).update(Text(message))
        self.query_one("#call-error", Static).display = bool(message)

    def _show(self) -> None:
        """Switch to the draft's step, fill it, and focus where the agent types next."""
        self.query_one("#call-steps", Static).update(texts.step_bar(self.draft))
        step = self.draft.step
        self.query_one("#call-switcher", ContentSwitcher).current = f"step-{step.value}"
        if step is CallStep.PREPARE:
            self._fill_prepare()
            self.query_one("#prepare-phones", ChoiceList).focus()
        elif step is CallStep.IDENTIFY:
            self._fill_identify()
            self.query_one("#identify-outcomes", ChoiceList).focus()
        elif step is CallStep.LISTEN:
            causes = self.query_one("#listen-causes", ChoiceList)
            causes.select_value(self._cause.value if self._cause else None)
            self.query_one("#listen-notes", Input).value = self.draft.notes
            if self._cause is None:
                causes.focus()
            else:
                self.query_one("#listen-notes", Input).focus()
        elif step is CallStep.SOLVE:
            choices = self.query_one("#solve-choices", ChoiceList)
            resolution = self.draft.resolution
            choices.select_value(resolution.value if resolution else None)
            forms = self.query_one("#solve-forms", ContentSwitcher)
            forms.display = resolution is not None
            if resolution is not None:
                forms.current = FORM_OF[resolution]
            choices.focus()
        else:
            self.query_one(ConcludeStep).fill(self.draft)

    def _fill_prepare(self) -> None:
        text = texts.prepare_text(self.prep, self.draft, self.clock())
        self.query_one("#prepare-info", Static).update(text)
        phones = self.query_one("#prepare-phones", ChoiceList)
        phones.select_value(f"{self.draft.contact_id}:{self.draft.phone_id}")

    def _fill_identify(self) -> None:
        text = Text(t("call.identify.dialling") + " ")
        text.append_text(texts.who(self.prep, self.draft, self.clock()))
        self.query_one("#identify-info", Static).update(text)

    def typed_draft(self) -> CallDraft:
        """The draft with the free text typed in its step but not applied yet (the notes, the
        recap): what is kept when the app has to leave at once (tui/lost_terminal.py)."""
        update: dict[str, str] = {}
        if self.draft.step is CallStep.LISTEN:
            notes = self.query_one("#listen-notes", Input).value
            if notes != self.draft.notes:
                update["notes"] = notes
        elif self.draft.step is CallStep.CONCLUDE:
            recap = self.query_one("#conclude-recap", TextArea).text
            if recap != self.draft.recap:
                update["recap"] = recap
        return self.draft.model_copy(update=update) if update else self.draft

    # --- Changing the draft ------------------------------------------------------------------

    def _apply(self, draft: CallDraft, *, show: bool = True) -> None:
        self.draft = draft
        self._error()
        self.post_message(self.DraftChanged(draft))
        if show:
            self._show()

    def _try(self, step: Callable[[], CallDraft]) -> bool:
        try:
            draft = step()
        except calls.CallError as error:
            self._error(error.text())
            return False
        except FormError as error:
            self._error(error.message)
            return False
        except ValueError as error:  # pydantic validation of a typed value
            self._error(t("call.error.invalid", detail=str(error).splitlines()[0]))
            return False
        self._apply(draft)
        return True

    @on(OptionList.OptionSelected, "#prepare-phones")
    def _phone_chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        contact_id, phone_id = (int(part) for part in str(event.option.id).split(":"))

        def step() -> CallDraft:
            draft = calls.choose_contact(self.draft, self.prep, contact_id, phone_id)
            return calls.begin_identify(draft)

        self._try(step)

    @on(OptionList.OptionSelected, "#identify-outcomes")
    def _outcome_chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        outcome = CallOutcome(str(event.option.id))
        self._try(
            lambda: calls.identify(
                self.draft, self.prep, outcome, now=self.clock(), hours=self.hours
            )
        )

    @on(OptionList.OptionSelected, "#listen-causes")
    def _cause_chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._cause = Cause(str(event.option.id))
        self._error()
        self.draft = self.draft.model_copy(update={"cause": self._cause})
        self.post_message(self.DraftChanged(self.draft))
        self.query_one("#listen-notes", Input).focus()

    def _finish_listen(self) -> None:
        if self._cause is None:
            self._error(t("case.problem.no_cause"))
            self.query_one("#listen-causes", ChoiceList).focus()
            return
        notes = self.query_one("#listen-notes", Input).value
        cause = self._cause
        self._try(lambda: calls.listen(self.draft, cause, notes))

    @on(OptionList.OptionSelected, "#solve-choices")
    async def _resolution_chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        resolution = Resolution(str(event.option.id))
        forms = self.query_one("#solve-forms", ContentSwitcher)
        forms.display = True
        forms.current = FORM_OF[resolution]
        self._error()
        if resolution is Resolution.PROMISE:
            self.query_one("#promise-amount", Input).focus()
        elif resolution is Resolution.PLAN:
            self.query_one("#plan-total", Input).focus()
        elif resolution is Resolution.DISPUTE:
            self.query_one(self.query_one(DisputeForm).first_field).focus()
        elif resolution is Resolution.PAYMENT_CLAIMED:
            self.query_one("#claim-amount", Input).focus()
        elif resolution is Resolution.REFUSAL:
            self.query_one("#refusal-continue", Button).focus()
        else:
            self.query_one(CallbackForm).propose(self.draft)
            self.query_one("#callback-at", Input).focus()

    @on(CheckList.Done, "#message-left")
    def _message_left_done(self, event: CheckList.Done) -> None:
        event.stop()
        self._save()

    @on(CheckList.Done, "#dispute-invoices")
    def _invoices_chosen(self, event: CheckList.Done) -> None:
        event.stop()
        self.query_one("#dispute-reason", Input).focus()

    @on(OptionList.OptionSelected, "#plan-frequency")
    async def _frequency_chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        form = self.query_one(PlanForm)
        form.frequency = Frequency(str(event.option.id))
        try:
            draft = form.schedule(self.draft)
        except FormError as error:
            self._error(error.message)
            return
        self._apply(draft, show=False)
        await form.show_installments(draft)
        self.query_one("#plan-continue", Button).focus()

    def _complete_form(self, resolution: Resolution) -> None:
        """Apply the Solve form, then go to Conclude (default follow-up and recap)."""
        form_id = FORM_OF[resolution]
        form = self.query_one(f"#{form_id}")
        apply = getattr(form, "apply")  # noqa: B009 (each form has its own apply)

        def step() -> CallDraft:
            solved = apply(self.draft)
            return calls.conclude(
                solved, self.prep, today=self.today, agent_name=self.agent_name, now=self.clock()
            )

        self._try(step)

    @on(Button.Pressed)
    def _button(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "plan-continue":
            self._complete_form(Resolution.PLAN)
        elif event.button.id == "refusal-continue":
            self._complete_form(Resolution.REFUSAL)
        elif event.button.id == "call-save":
            self._save()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        field_id = event.input.id or ""
        if field_id == "listen-notes":
            self._finish_listen()
        elif field_id.startswith("inst-"):
            self._next_installment(int(field_id.removeprefix("inst-")))
        elif field_id in NEXT_FIELD:
            self.query_one(f"#{NEXT_FIELD[field_id]}").focus()
        elif field_id in COMPLETES_FORM:
            current = self.query_one("#solve-forms", ContentSwitcher).current
            resolution = next(r for r, f in FORM_OF.items() if f == current)
            self._complete_form(resolution)
        elif field_id in ("follow-up", "conclude-callback", "conclude-notes"):
            self._save()

    def _next_installment(self, sequence: int) -> None:
        try:
            self.query_one(f"#inst-{sequence + 1}", Input).focus()
        except Exception:
            self.query_one("#plan-continue", Button).focus()

    @on(Input.Blurred, "#listen-notes")
    def _notes_left(self, event: Input.Blurred) -> None:
        if event.input.value != self.draft.notes and self.draft.step is CallStep.LISTEN:
            self._apply(calls.set_notes(self.draft, event.input.value), show=False)

    def _save(self) -> None:
        if self.draft.step is not CallStep.CONCLUDE:
            return
        try:
            draft = self.query_one(ConcludeStep).read(self.draft, self.today)
        except FormError as error:
            self._error(error.message)
            return
        except ValueError as error:
            self._error(t("call.error.invalid", detail=str(error).splitlines()[0]))
            return
        found = calls.problems(draft, self.prep, today=self.today)
        self._apply(draft, show=False)
        if found:
            self._error(" · ".join(t_key(problem) for problem in found))
            return
        self.post_message(self.SaveRequested(draft))

    def show_problems(self, problems: tuple[Key, ...]) -> None:
        self._error(" · ".join(t_key(problem) for problem in problems))

    def replace_draft(self, draft: CallDraft) -> None:
        """The screen changed the draft (texts reworded after the notes check)."""
        self._apply(draft, show=False)
        if draft.step is CallStep.CONCLUDE and draft.reached:
            self.query_one(ConcludeStep).show_recap(draft.recap)
        elif draft.step is CallStep.CONCLUDE:
            self.query_one(ConcludeStep).show_notes(draft.notes)

    def set_notes(self, notes: str) -> None:
        """The agent reworded the notes after the notes check."""
        self._apply(calls.set_notes(self.draft, notes), show=False)

    def set_recap(self, recap: str) -> None:
        self._apply(calls.set_recap(self.draft, recap), show=False)
        if self.draft.step is CallStep.CONCLUDE:
            self.query_one(ConcludeStep).show_recap(recap)

    # --- Actions -----------------------------------------------------------------------------

    def action_discard(self) -> None:
        self.post_message(self.DiscardRequested())

    def action_back(self) -> None:
        if self.draft.step is CallStep.PREPARE:
            return
        if self.draft.step is CallStep.SOLVE and self.draft.resolution is None:
            draft = self.draft.model_copy(update={"step": CallStep.LISTEN})
            self._apply(draft)
            return
        self._try(lambda: calls.go_back(self.draft))
