"""The Solve step's short forms: promise, payment plan, dispute, payment claimed, refusal, callback.

Each form reads its fields and applies the matching pure step of `domain.calls` to the draft;
the checklist then moves to Conclude. Errors come back as translation keys (`FormError`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Button, Input, Label, Static

from relance_tui.config import CallingHours
from relance_tui.domain import calls
from relance_tui.domain.calling_hours import zone
from relance_tui.domain.calls import CallDraft, CallPreparation, PhoneOption, Resolution
from relance_tui.domain.followup import next_stage
from relance_tui.domain.labels import FREQUENCY_KEYS, STAGE_KEYS
from relance_tui.domain.models import Frequency
from relance_tui.formatting import money
from relance_tui.i18n import KeyedError, key, t
from relance_tui.tui.widgets.call_texts import local_time_note
from relance_tui.tui.widgets.check_list import CheckList
from relance_tui.tui.widgets.choice_list import ChoiceList
from relance_tui.tui.widgets.field_row import FieldRow
from relance_tui.tui.widgets.fields import (
    amount_text,
    day_text,
    moment_text,
    parse_amount,
    parse_day,
    parse_moment,
)

PROMISE_DEFAULT_DAYS = 7
PLAN_DEFAULT_COUNT = 3

# The checklist's Solve step: the form of each resolution, and where Enter goes in it.
FORM_OF = {
    Resolution.PROMISE: "form-promise",
    Resolution.PLAN: "form-plan",
    Resolution.DISPUTE: "form-dispute",
    Resolution.PAYMENT_CLAIMED: "form-claim",
    Resolution.REFUSAL: "form-refusal",
    Resolution.CALLBACK: "form-callback",
}
# Inputs whose Enter moves to the next field of the same form (the last one completes the form).
NEXT_FIELD = {
    "promise-amount": "promise-date",
    "plan-total": "plan-count",
    "plan-count": "plan-first",
    "plan-first": "plan-frequency",
    "dispute-reason": "dispute-owner",
    "claim-amount": "claim-date",
    "claim-date": "claim-ref",
    "callback-at": "callback-reason",
    "contact-email": "contact-phone",
    "contact-phone": "follow-up",
}
COMPLETES_FORM = {"promise-date", "promise-proof", "dispute-owner", "claim-ref", "callback-reason"}


class FormError(KeyedError):
    """A field the agent must correct; `message` says which and how."""

    @property
    def message(self) -> str:
        return self.text()


def amount_chased(prep: calls.CallPreparation) -> Decimal:
    """What a promise or an announced payment is proposed for: what is overdue (the reminder is
    about it), the whole balance when nothing is overdue yet."""
    return prep.overdue if prep.overdue > 0 else prep.balance


def _cents(value: Decimal) -> int:
    return int(value * 100)


def _amount(form: Vertical, field_id: str) -> Decimal:
    value = parse_amount(form.query_one(f"#{field_id}", Input).value)
    if value is None:
        raise FormError(key("call.error.amount"))
    return value


def _day(form: Vertical, field_id: str, today: date) -> date:
    value = parse_day(form.query_one(f"#{field_id}", Input).value, today)
    if value is None:
        raise FormError(key("call.error.date"))
    return value


class PromiseForm(Vertical):
    def __init__(self, prep: CallPreparation, today: date) -> None:
        super().__init__(id="form-promise", classes="solve-form")
        self.prep = prep
        self.today = today

    def compose(self) -> ComposeResult:
        yield FieldRow(
            t("call.field.amount"), "promise-amount", value=amount_text(amount_chased(self.prep))
        )
        yield FieldRow(
            t("call.field.pay_on"),
            "promise-date",
            value=day_text(self.today + timedelta(days=PROMISE_DEFAULT_DAYS)),
            placeholder="jj/mm/aaaa, +7",
        )
        yield FieldRow(t("call.field.proof"), "promise-proof", value=t("call.yes"))
        yield Static(Text(t("call.hint.promise")), classes="hint")

    def load(self, draft: CallDraft) -> None:
        if draft.promise is not None:
            self.query_one("#promise-amount", Input).value = amount_text(draft.promise.amount)
            self.query_one("#promise-date", Input).value = day_text(draft.promise.due_date)

    def apply(self, draft: CallDraft) -> CallDraft:
        amount = _amount(self, "promise-amount")
        due = _day(self, "promise-date", self.today)
        proof = self.query_one("#promise-proof", Input).value.strip().lower()
        wants_proof = not proof or proof[0] in "oy1"
        return calls.solve_promise(draft, amount=amount, due_date=due, proof_requested=wants_proof)

    @property
    def field_ids(self) -> tuple[str, ...]:
        return ("promise-amount", "promise-date", "promise-proof")


class PlanForm(Vertical):
    """Count, first date, frequency → the installments, each editable (date and amount)."""

    def __init__(self, prep: CallPreparation, today: date) -> None:
        super().__init__(id="form-plan", classes="solve-form")
        self.prep = prep
        self.today = today
        self.frequency = Frequency.MONTHLY
        self.installments: tuple[tuple[date, Decimal], ...] = ()

    def compose(self) -> ComposeResult:
        yield FieldRow(
            t("call.field.plan_total"), "plan-total", value=amount_text(self.prep.balance)
        )
        yield FieldRow(t("call.field.plan_count"), "plan-count", value=str(PLAN_DEFAULT_COUNT))
        yield FieldRow(
            t("call.field.plan_first"),
            "plan-first",
            value=day_text(self.today + timedelta(days=PROMISE_DEFAULT_DAYS)),
        )
        yield Label(t("call.field.plan_frequency"), classes="step-label")
        yield ChoiceList(
            [
                (str(n), freq.value, t(FREQUENCY_KEYS[freq]))
                for n, freq in enumerate(calls.FREQUENCY_CHOICES, start=1)
            ],
            id="plan-frequency",
            classes="compact-choices",
        )
        yield Vertical(id="plan-installments")
        yield Static(Text(t("case.reminder.plan_whole_balance")), classes="reminder")
        yield Button(t("call.continue"), id="plan-continue", compact=True)

    def schedule(self, draft: CallDraft) -> CallDraft:
        """Compute the installments from total, count, first date and frequency."""
        total = _amount(self, "plan-total")
        try:
            count = int(self.query_one("#plan-count", Input).value.strip())
        except ValueError as error:
            raise FormError(key("call.error.count")) from error
        first = _day(self, "plan-first", self.today)
        try:
            return calls.solve_plan(
                draft, total=total, count=count, first_date=first, frequency=self.frequency
            )
        except calls.CallError as error:
            raise FormError(error.key) from error

    async def show_installments(self, draft: CallDraft) -> None:
        box = self.query_one("#plan-installments", Vertical)
        await box.remove_children()
        if draft.plan is None:
            return
        rows = [
            FieldRow(
                t("call.field.installment", n=item.sequence),
                f"inst-{item.sequence}",
                value=f"{day_text(item.due_date)}  {amount_text(item.amount)}",
            )
            for item in draft.plan.installments
        ]
        await box.mount_all(rows)

    def apply(self, draft: CallDraft) -> CallDraft:
        """Installments as edited (each line: `date  amount`)."""
        if draft.plan is None:
            draft = self.schedule(draft)
        assert draft.plan is not None
        for item in draft.plan.installments:
            try:
                field = self.query_one(f"#inst-{item.sequence}", Input)
            except Exception:
                continue
            parts = field.value.split()
            if not parts:
                raise FormError(key("call.error.installment"), n=item.sequence)
            due = parse_day(parts[0], self.today)
            amount = parse_amount("".join(parts[1:])) if len(parts) > 1 else item.amount
            if due is None or amount is None:
                raise FormError(key("call.error.installment"), n=item.sequence)
            if due != item.due_date or amount != item.amount:
                draft = calls.edit_installment(draft, item.sequence, amount=amount, due_date=due)
        assert draft.plan is not None
        if draft.plan.scheduled != draft.plan.total:
            raise FormError(
                key("call.error.plan_total"),
                scheduled=money(_cents(draft.plan.scheduled)),
                total=money(_cents(draft.plan.total)),
            )
        return draft

    @property
    def field_ids(self) -> tuple[str, ...]:
        return ("plan-total", "plan-count", "plan-first")


def ticked_first(invoices: list[calls.InvoiceOption], today: date) -> list[int]:
    """The invoice a dispute is surely about, ticked already: the only one that may be
    disputed, or else the only one overdue (the one the debtor is chased for)."""
    if len(invoices) == 1:
        return [invoices[0].invoice_id]
    overdue = [i.invoice_id for i in invoices if i.due_date < today]
    return overdue if len(overdue) == 1 else []


def invoice_label(invoice: calls.InvoiceOption) -> str:
    return f"{invoice.number}  {day_text(invoice.due_date)}  {money(_cents(invoice.outstanding))}"


class DisputeForm(Vertical):
    def __init__(self, prep: CallPreparation, today: date, owner: str) -> None:
        super().__init__(id="form-dispute", classes="solve-form")
        self.prep = prep
        self.today = today
        self.owner = owner

    def compose(self) -> ComposeResult:
        yield Label(t("call.field.dispute_invoices"), classes="step-label")
        invoices = [i for i in self.prep.invoices if not i.in_dispute][:200]
        yield CheckList(
            [(i.invoice_id, invoice_label(i)) for i in invoices],
            ticked=ticked_first(invoices, self.today),
            id="dispute-invoices",
            compact=True,
        )
        yield FieldRow(t("call.field.dispute_reason"), "dispute-reason")
        yield FieldRow(t("call.field.dispute_owner"), "dispute-owner", value=self.owner)
        yield Static(Text(t("call.hint.dispute")), classes="hint")

    def apply(self, draft: CallDraft) -> CallDraft:
        chosen = self.query_one("#dispute-invoices", CheckList).selected
        if not chosen:
            raise FormError(key("call.error.dispute_invoices"))
        reason = self.query_one("#dispute-reason", Input).value.strip()
        owner = self.query_one("#dispute-owner", Input).value.strip()
        if not reason:
            raise FormError(key("call.error.dispute_reason"))
        if not owner:
            raise FormError(key("call.error.dispute_owner"))
        return calls.solve_dispute(draft, invoice_ids=chosen, reason=reason, owner=owner)

    @property
    def first_field(self) -> str:
        """The reason when the one invoice is ticked already, else the invoices."""
        one = len(self.query_one("#dispute-invoices", CheckList).selected) == 1
        return "#dispute-reason" if one else "#dispute-invoices"

    @property
    def field_ids(self) -> tuple[str, ...]:
        return ("dispute-reason", "dispute-owner")


class ClaimForm(Vertical):
    def __init__(self, prep: CallPreparation, today: date) -> None:
        super().__init__(id="form-claim", classes="solve-form")
        self.prep = prep
        self.today = today

    def compose(self) -> ComposeResult:
        claimed = amount_chased(self.prep)
        yield FieldRow(t("call.field.amount"), "claim-amount", value=amount_text(claimed))
        yield FieldRow(t("call.field.paid_on"), "claim-date", value=day_text(self.today))
        yield FieldRow(t("call.field.reference"), "claim-ref")
        yield Static(Text(t("case.reminder.payment_to_verify")), classes="reminder")

    def apply(self, draft: CallDraft) -> CallDraft:
        amount = _amount(self, "claim-amount")
        paid_on = _day(self, "claim-date", self.today)
        reference = self.query_one("#claim-ref", Input).value
        return calls.solve_payment_claimed(
            draft, amount=amount, paid_on=paid_on, reference=reference
        )

    @property
    def field_ids(self) -> tuple[str, ...]:
        return ("claim-amount", "claim-date", "claim-ref")


class RefusalForm(Vertical):
    def __init__(self, prep: CallPreparation) -> None:
        super().__init__(id="form-refusal", classes="solve-form")
        self.prep = prep

    def compose(self) -> ComposeResult:
        stage = next_stage(self.prep.stage)
        label = t(STAGE_KEYS[stage]) if stage else t("call.refusal.no_next")
        yield Static(Text(t("call.refusal.next", stage=label)), classes="reminder")
        yield Button(t("call.continue"), id="refusal-continue", compact=True)

    def apply(self, draft: CallDraft) -> CallDraft:
        return calls.solve_refusal(draft, self.prep)

    @property
    def field_ids(self) -> tuple[str, ...]:
        return ()


class CallbackForm(Vertical):
    def __init__(
        self, prep: CallPreparation, today: date, now: datetime, hours: CallingHours
    ) -> None:
        super().__init__(id="form-callback", classes="solve-form")
        self.prep = prep
        self.today = today
        self.now = now
        self.hours = hours
        self.phone: PhoneOption | None = None  # the number to call back

    def compose(self) -> ComposeResult:
        yield FieldRow(t("call.field.callback_at"), "callback-at", placeholder="+1 10:00")
        yield Static(id="callback-local", classes="hint")
        yield FieldRow(t("call.field.callback_reason"), "callback-reason")
        yield Static(Text(t("call.hint.callback")), classes="hint")

    def propose(self, draft: CallDraft) -> None:
        proposed = calls.propose_callback(draft, self.prep, now=self.now, hours=self.hours)
        found = self.prep.phone(proposed.phone_id)
        self.phone = found[1] if found else None
        field = self.query_one("#callback-at", Input)
        if not field.value:
            field.value = moment_text(proposed.due_at.astimezone(zone(None)))
        self._show_local(field.value)

    @on(Input.Changed, "#callback-at")
    def _typed(self, event: Input.Changed) -> None:
        self._show_local(event.value)

    def _show_local(self, typed: str) -> None:
        local = local_note(typed, self.today, self.phone)
        note = self.query_one("#callback-local", Static)
        note.update(Text(local))
        note.display = bool(local)  # a line only for an overseas number

    def apply(self, draft: CallDraft) -> CallDraft:
        due_at = callback_moment(self.query_one("#callback-at", Input).value, self.today)
        reason = self.query_one("#callback-reason", Input).value
        return calls.solve_callback(
            draft, self.prep, due_at=due_at, reason=reason, now=self.now, hours=self.hours
        )

    @property
    def field_ids(self) -> tuple[str, ...]:
        return ("callback-at", "callback-reason")


def local_note(typed: str, today: date, phone: PhoneOption | None) -> str:
    """Under a callback field: the debtor's local time at the time typed (overseas numbers)."""
    try:
        due_at = callback_moment(typed, today)
    except FormError:
        return ""
    note = local_time_note(due_at, phone)
    return f"{t('call.paris_time')} · {note}" if note else ""


def callback_moment(text: str, today: date) -> datetime:
    """A callback time typed in Paris time (`12/03/2026 10:00`, `+1 14h`), as aware UTC."""
    parsed = parse_moment(text, today)
    if parsed is None:
        raise FormError(key("call.error.moment"))
    day, clock = parsed
    local = datetime.combine(day, clock or time(10), zone(None))
    return local.astimezone(UTC)
