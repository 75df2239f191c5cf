"""The domain's closed vocabularies, without pydantic: storage and the TUI start-up import them."""

from __future__ import annotations

from enum import StrEnum


class Segment(StrEnum):
    LARGE_ACCOUNT = "large_account"
    MULTI_SITE = "multi_site"
    SME = "sme"
    PUBLIC_BODY = "public_body"
    CONSUMER = "consumer"


class PayerType(StrEnum):
    GOOD = "good"
    SMART = "smart"
    BAD = "bad"
    VERY_BAD = "very_bad"
    UNKNOWN = "unknown"


class ContactRole(StrEnum):
    ACCOUNTS_PAYABLE = "accounts_payable"
    BUYER = "buyer"
    DECISION_MAKER = "decision_maker"
    FINANCE_DIRECTOR = "finance_director"
    PUBLIC_ACCOUNTANT = "public_accountant"
    OTHER = "other"


class Channel(StrEnum):
    PHONE = "phone"
    EMAIL = "email"
    SMS = "sms"
    LETTER = "letter"


class InvoiceStatus(StrEnum):
    OPEN = "open"
    PARTIALLY_PAID = "partially_paid"
    PAID = "paid"
    CANCELLED = "cancelled"
    WRITTEN_OFF = "written_off"


class Stage(StrEnum):
    """The dunning ladder, in order (docs/french-collection-rules.md, "The escalation ladder")."""

    PRE_REMINDER = "pre_reminder"
    FRIENDLY_REMINDER = "friendly_reminder"
    PHONE_REMINDER = "phone_reminder"
    SECOND_REMINDER = "second_reminder"
    REGISTERED_LETTER = "registered_letter"
    FORMAL_NOTICE = "formal_notice"
    LEGAL_ACTION = "legal_action"
    CLOSED = "closed"


class NextAction(StrEnum):
    """Codes stored in `cases.next_action` besides the ladder's stages (`Stage` values)."""

    CALLBACK = "callback"
    CHECK_PROMISE = "check_promise"
    CHECK_PLAN = "check_plan"
    FOLLOW_DISPUTE = "follow_dispute"
    VERIFY_PAYMENT = "verify_payment"
    CLAIM_REMAINDER = "claim_remainder"  # a promise was partly kept: ask for the rest


class InteractionChannel(StrEnum):
    CALL = "call"
    EMAIL = "email"
    SMS = "sms"
    LETTER = "letter"
    REGISTERED_LETTER = "registered_letter"
    NOTE = "note"


class CallOutcome(StrEnum):
    RIGHT_PARTY = "right_party"
    WRONG_PERSON = "wrong_person"
    WRONG_NUMBER = "wrong_number"
    VOICEMAIL = "voicemail"
    NO_ANSWER = "no_answer"
    REFUSED = "refused"


class Cause(StrEnum):
    INVOICE_NOT_RECEIVED = "invoice_not_received"
    CASH_FLOW = "cash_flow"
    OVERSIGHT = "oversight"
    DISPUTE = "dispute"
    AWAITING_APPROVAL = "awaiting_approval"
    OTHER = "other"


class PromiseStatus(StrEnum):
    PENDING = "pending"
    KEPT = "kept"
    BROKEN = "broken"
    CANCELLED = "cancelled"
    PARTLY_KEPT = "partly_kept"  # its date passed with part of the amount paid


class PlanStatus(StrEnum):
    ACTIVE = "active"
    COMPLETED = "completed"
    BROKEN = "broken"
    CANCELLED = "cancelled"


class Frequency(StrEnum):
    WEEKLY = "weekly"
    FORTNIGHTLY = "fortnightly"
    MONTHLY = "monthly"


class InstallmentStatus(StrEnum):
    PENDING = "pending"
    PAID = "paid"
    MISSED = "missed"


class DisputeStatus(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"


class DisputeResolution(StrEnum):
    CREDIT_NOTE = "credit_note"
    REJECTED = "rejected"
    CORRECTED_INVOICE = "corrected_invoice"
    OTHER = "other"


class CallbackStatus(StrEnum):
    PENDING = "pending"
    DONE = "done"
    CANCELLED = "cancelled"


class AgentRole(StrEnum):
    AGENT = "agent"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"
