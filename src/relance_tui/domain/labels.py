"""The translation key of each value of domain/enums.py's vocabularies, written out in full.

`t(STAGE_KEYS[stage])` rather than `t(f"stage.{stage}")`: every key stays a literal that
tests/test_i18n_catalogue.py finds in the code. The mappings are keyed by the enum members, which
are strings, so a value read back from the database finds its label too. The vocabularies of
heavier modules keep theirs beside them (`PHONE_KIND_KEYS` in domain/phones.py, …): this module
stays cheap to import.
"""

from __future__ import annotations

from relance_tui.domain.enums import (
    AgentRole,
    CallbackStatus,
    CallOutcome,
    Cause,
    ContactRole,
    DisputeStatus,
    Frequency,
    InstallmentStatus,
    InteractionChannel,
    NextAction,
    PayerType,
    PlanStatus,
    PromiseStatus,
    Segment,
    Stage,
)
from relance_tui.i18n import t

SEGMENT_KEYS: dict[str, str] = {
    Segment.LARGE_ACCOUNT: "segment.large_account",
    Segment.MULTI_SITE: "segment.multi_site",
    Segment.SME: "segment.sme",
    Segment.PUBLIC_BODY: "segment.public_body",
    Segment.CONSUMER: "segment.consumer",
}

PAYER_TYPE_KEYS: dict[str, str] = {
    PayerType.GOOD: "payer_type.good",
    PayerType.SMART: "payer_type.smart",
    PayerType.BAD: "payer_type.bad",
    PayerType.VERY_BAD: "payer_type.very_bad",
    PayerType.UNKNOWN: "payer_type.unknown",
}

CONTACT_ROLE_KEYS: dict[str, str] = {
    ContactRole.ACCOUNTS_PAYABLE: "role.accounts_payable",
    ContactRole.BUYER: "role.buyer",
    ContactRole.DECISION_MAKER: "role.decision_maker",
    ContactRole.FINANCE_DIRECTOR: "role.finance_director",
    ContactRole.PUBLIC_ACCOUNTANT: "role.public_accountant",
    ContactRole.OTHER: "role.other",
}

AGENT_ROLE_KEYS: dict[str, str] = {
    AgentRole.AGENT: "agent_role.agent",
    AgentRole.SUPERVISOR: "agent_role.supervisor",
    AgentRole.ADMIN: "agent_role.admin",
}

STAGE_KEYS: dict[str, str] = {
    Stage.PRE_REMINDER: "stage.pre_reminder",
    Stage.FRIENDLY_REMINDER: "stage.friendly_reminder",
    Stage.PHONE_REMINDER: "stage.phone_reminder",
    Stage.SECOND_REMINDER: "stage.second_reminder",
    Stage.REGISTERED_LETTER: "stage.registered_letter",
    Stage.FORMAL_NOTICE: "stage.formal_notice",
    Stage.LEGAL_ACTION: "stage.legal_action",
    Stage.CLOSED: "stage.closed",
}

# `cases.next_action` holds a ladder stage or one of these casework codes.
NEXT_ACTION_KEYS: dict[str, str] = {
    NextAction.CALLBACK: "case.next_action.callback",
    NextAction.CHECK_PROMISE: "case.next_action.check_promise",
    NextAction.CHECK_PLAN: "case.next_action.check_plan",
    NextAction.FOLLOW_DISPUTE: "case.next_action.follow_dispute",
    NextAction.VERIFY_PAYMENT: "case.next_action.verify_payment",
    NextAction.CLAIM_REMAINDER: "case.next_action.claim_remainder",
}

NOTE_CHANNEL_KEYS: dict[str, str] = {
    InteractionChannel.EMAIL: "dialog.channel.email",
    InteractionChannel.SMS: "dialog.channel.sms",
    InteractionChannel.LETTER: "dialog.channel.letter",
    InteractionChannel.NOTE: "dialog.channel.note",
}

OUTCOME_KEYS: dict[str, str] = {
    CallOutcome.RIGHT_PARTY: "case.outcome.right_party",
    CallOutcome.WRONG_PERSON: "case.outcome.wrong_person",
    CallOutcome.WRONG_NUMBER: "case.outcome.wrong_number",
    CallOutcome.VOICEMAIL: "case.outcome.voicemail",
    CallOutcome.NO_ANSWER: "case.outcome.no_answer",
    CallOutcome.REFUSED: "case.outcome.refused",
}

CAUSE_KEYS: dict[str, str] = {
    Cause.INVOICE_NOT_RECEIVED: "case.cause.invoice_not_received",
    Cause.CASH_FLOW: "case.cause.cash_flow",
    Cause.OVERSIGHT: "case.cause.oversight",
    Cause.DISPUTE: "case.cause.dispute",
    Cause.AWAITING_APPROVAL: "case.cause.awaiting_approval",
    Cause.OTHER: "case.cause.other",
}

FREQUENCY_KEYS: dict[str, str] = {
    Frequency.WEEKLY: "case.frequency.weekly",
    Frequency.FORTNIGHTLY: "case.frequency.fortnightly",
    Frequency.MONTHLY: "case.frequency.monthly",
}

PROMISE_STATUS_KEYS: dict[str, str] = {
    PromiseStatus.PENDING: "case.promise_status.pending",
    PromiseStatus.KEPT: "case.promise_status.kept",
    PromiseStatus.BROKEN: "case.promise_status.broken",
    PromiseStatus.CANCELLED: "case.promise_status.cancelled",
    PromiseStatus.PARTLY_KEPT: "case.promise_status.partly_kept",
}

PLAN_STATUS_KEYS: dict[str, str] = {
    PlanStatus.ACTIVE: "case.plan_status.active",
    PlanStatus.COMPLETED: "case.plan_status.completed",
    PlanStatus.BROKEN: "case.plan_status.broken",
    PlanStatus.CANCELLED: "case.plan_status.cancelled",
}

INSTALLMENT_STATUS_KEYS: dict[str, str] = {
    InstallmentStatus.PENDING: "case.installment_status.pending",
    InstallmentStatus.PAID: "case.installment_status.paid",
    InstallmentStatus.MISSED: "case.installment_status.missed",
}

DISPUTE_STATUS_KEYS: dict[str, str] = {
    DisputeStatus.OPEN: "case.dispute_status.open",
    DisputeStatus.RESOLVED: "case.dispute_status.resolved",
}

CALLBACK_STATUS_KEYS: dict[str, str] = {
    CallbackStatus.PENDING: "case.callback_status.pending",
    CallbackStatus.DONE: "case.callback_status.done",
    CallbackStatus.CANCELLED: "case.callback_status.cancelled",
}


def next_action_label(code: str) -> str:
    """What `cases.next_action` means, in words: a ladder stage, a casework code, or free text."""
    if code in STAGE_KEYS:
        return t(STAGE_KEYS[code])
    if code in NEXT_ACTION_KEYS:
        return t(NEXT_ACTION_KEYS[code])
    return code
