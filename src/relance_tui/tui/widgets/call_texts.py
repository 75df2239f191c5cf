"""What the call checklist says at each step: the step bar, who is called, what is owed, what the
call concluded. Pure functions of the preparation and the draft (names shown `inert`)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from rich.text import Text

from relance_tui.domain import calls
from relance_tui.domain.calling_hours import zone
from relance_tui.domain.calls import (
    CALL_STEP_KEYS,
    RESOLUTION_KEYS,
    CallDraft,
    CallPreparation,
    CallStep,
    PhoneOption,
)
from relance_tui.domain.labels import CAUSE_KEYS, CONTACT_ROLE_KEYS, OUTCOME_KEYS
from relance_tui.domain.models import CallOutcome
from relance_tui.domain.phones import PHONE_KIND_KEYS
from relance_tui.domain.text import inert
from relance_tui.formatting import money
from relance_tui.i18n import t, t_key, tn
from relance_tui.services.casefile import WarningKind
from relance_tui.tui.widgets.fields import moment_text

STEPS = tuple(CallStep)
# The case's warnings repeated at the Prepare step (the others show there in their own words).
PREPARE_WARNING_KEYS: dict[str, str] = {
    WarningKind.CONTACT_OPPOSED: "call.warning.contact_opposed",
    WarningKind.TOO_MANY_ATTEMPTS: "call.warning.too_many_attempts",
    WarningKind.PRESCRIPTION_CLOSE: "call.warning.prescription_close",
    WarningKind.PRESCRIPTION_PASSED: "call.warning.prescription_passed",
    WarningKind.NO_USABLE_PHONE: "call.warning.no_usable_phone",
    WarningKind.INSOLVENCY: "call.warning.insolvency",
}


def cents(value: Decimal) -> int:
    return int(value * 100)


def phone_choices(prep: CallPreparation) -> list[tuple[str, str, str]]:
    """The numbers to dial, best first: (hotkey, "contact:phone", label)."""
    out: list[tuple[str, str, str]] = []
    for n, (contact, phone) in enumerate(calls.contact_choices(prep)[:9], start=1):
        label = inert(f"{contact.name} · {t(CONTACT_ROLE_KEYS[contact.role])} · {phone.display}")
        if phone.call_time is not None:
            label += f" · {phone.call_time.local_time:%H:%M}"
            if not phone.call_time.allowed:
                label += " ⚠"
        out.append((str(n), f"{contact.contact_id}:{phone.phone_id}", label))
    return out


def local_time_note(due_at: datetime, phone: PhoneOption | None) -> str:
    """`09:00 heure locale (Martinique)` when the number's time differs from Paris time at that
    moment (an overseas number), else ''. Callback times are typed and stored in Paris time."""
    if phone is None or not phone.time_zone:
        return ""
    paris = due_at.astimezone(zone(None))
    local = due_at.astimezone(zone(phone.time_zone))
    if local.utcoffset() == paris.utcoffset():
        return ""
    shown = f"{local:%H:%M}" if local.date() == paris.date() else f"{local:%d/%m %H:%M}"
    place = phone.time_zone.rsplit("/", 1)[-1].replace("_", " ")
    return t("call.local_callback", time=shown, place=place)


def callback_when(due_at: datetime, phone: PhoneOption | None) -> str:
    """A callback time in Paris time, with the debtor's local time beside it when it differs."""
    paris = moment_text(due_at.astimezone(zone(None)))
    note = local_time_note(due_at, phone)
    return f"{paris} ({t('call.paris_time')} · {note})" if note else paris


def step_bar(draft: CallDraft) -> Text:
    text = Text()
    current = STEPS.index(draft.step)
    for index, step in enumerate(STEPS):
        if index:
            text.append(" › ", style="dim")
        label = f"{index + 1} {t(CALL_STEP_KEYS[step])}"
        if index == current:
            text.append(label, style="bold reverse")
        elif index < current:
            text.append(label, style="green")
        else:
            text.append(label, style="dim")
    return text


def who(prep: CallPreparation, draft: CallDraft, now: datetime) -> Text:
    """The contact and number dialled, with the debtor's local time when it differs."""
    found = prep.phone(draft.phone_id)
    if found is None:
        return Text(t("call.prepare.no_phone"), style="bold red")
    contact, phone = found
    text = Text.assemble(
        (inert(contact.name), "bold"),
        f" · {t(CONTACT_ROLE_KEYS[contact.role])} · ",
        (inert(phone.display), "bold"),
        f" ({t(PHONE_KIND_KEYS[phone.kind])})",
    )
    if phone.call_time is not None:
        local = now.astimezone(phone.call_time.local_time.tzinfo)
        text.append(" · " + t("call.local_time", time=f"{local:%H:%M}"))
        if not phone.call_time.allowed:
            text.append("  ⚠ " + t("call.outside_hours"), style="bold red")
    return text


def prepare_text(prep: CallPreparation, draft: CallDraft, now: datetime) -> Text:
    text = Text()
    text.append(t("call.prepare.call") + " ")
    text.append_text(who(prep, draft, now))
    text.append("\n" + t("call.prepare.owed", overdue=money(cents(prep.overdue))))
    if prep.disputed:
        text.append(" " + t("call.prepare.disputed", disputed=money(cents(prep.disputed))))
    if prep.open_disputes:
        text.append("\n" + tn("call.prepare.open_disputes", prep.open_disputes), style="yellow")
    for warning in prep.warnings:
        if warning in PREPARE_WARNING_KEYS:
            text.append("\n⚠ " + t(PREPARE_WARNING_KEYS[warning]), style="bold red")
    if prep.last_contacts:
        text.append("\n" + t("call.prepare.last_contacts"), style="bold")
        for line in prep.last_contacts[:3]:
            text.append("\n  " + inert(line))
    return text


def conclude_text(prep: CallPreparation, draft: CallDraft) -> Text:
    """What the call concluded: outcome, cause, resolution, callback and reminders."""
    text = Text()
    outcome = draft.outcome
    if outcome is not None:
        text.append(t("call.conclude.outcome", outcome=t(OUTCOME_KEYS[outcome])), style="bold")
    if draft.cause is not None:
        text.append(" · " + t(CAUSE_KEYS[draft.cause]))
    if draft.resolution is not None:
        text.append(" · " + t(RESOLUTION_KEYS[draft.resolution]))
    if outcome is CallOutcome.WRONG_NUMBER:
        found = prep.phone(draft.phone_id)
        shown = found[1].display if found else ""
        shown = inert(t("call.conclude.phone_invalid", phone=shown))
        text.append("\n⚠ " + shown, style="bold red")
    if draft.callback is not None:
        found = prep.phone(draft.callback.phone_id)
        number = found[1].display if found else t("call.conclude.no_other_number")
        when = callback_when(draft.callback.due_at, found[1] if found else None)
        callback = t("call.conclude.callback", when=when, phone=number)
        text.append("\n" + inert(callback))
    for reminder in calls.reminders(draft):
        text.append("\n• " + t_key(reminder), style="yellow")
    return text
