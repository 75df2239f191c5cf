"""Domain models (pydantic v2). Money is `Decimal` here and integer cents in storage.

Constrained field types are module-level aliases so the bulk importer validates with exactly the
same rules as the models (a `TypeAdapter` over rows instead of one model instance per row).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from relance_tui.domain.enums import (
    AgentRole,
    CallbackStatus,
    CallOutcome,
    Cause,
    Channel,
    ContactRole,
    DisputeResolution,
    DisputeStatus,
    Frequency,
    InstallmentStatus,
    InteractionChannel,
    InvoiceStatus,
    PayerType,
    PlanStatus,
    PromiseStatus,
    Segment,
    Stage,
)
from relance_tui.domain.identifiers import normalise_identifier, siren_error, siret_error
from relance_tui.domain.phones import PhoneKind
from relance_tui.i18n import KeyedError, key

__all__ = [
    "AgentRole",
    "CallOutcome",
    "CallbackStatus",
    "Cause",
    "Channel",
    "ContactRole",
    "DisputeResolution",
    "DisputeStatus",
    "Frequency",
    "InstallmentStatus",
    "InteractionChannel",
    "InvoiceStatus",
    "PayerType",
    "PlanStatus",
    "PromiseStatus",
    "Segment",
    "Stage",
]

CENT = Decimal("0.01")


def to_cents(amount: Decimal) -> int:
    return int((amount * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def from_cents(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(CENT)


def _check_siren(value: str) -> str:
    value = normalise_identifier(value)
    error = siren_error(value)
    if error:
        raise KeyedError(error)
    return value


def _check_siret(value: str) -> str:
    value = normalise_identifier(value)
    error = siret_error(value)
    if error:
        raise KeyedError(error)
    return value


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Reference = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
Notes = Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000)]
Siren = Annotated[str, AfterValidator(_check_siren)]
Siret = Annotated[str, AfterValidator(_check_siret)]
Money = Annotated[Decimal, Field(max_digits=14, decimal_places=2)]
PositiveMoney = Annotated[Decimal, Field(gt=0, max_digits=14, decimal_places=2)]
NonNegativeMoney = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)]
RiskScore = Annotated[int, Field(ge=0, le=100)]
CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", use_enum_values=False)


class Agent(Model):
    login: Annotated[str, StringConstraints(pattern=r"^[a-z_][a-z0-9_.-]{0,31}$")]
    display_name: Text
    role: AgentRole = AgentRole.AGENT
    active: bool = True


class Debtor(Model):
    reference: Reference
    legal_name: Text
    siren: Siren | None = None
    siret: Siret | None = None
    segment: Segment = Segment.SME
    payer_type: PayerType = PayerType.UNKNOWN
    strategic: bool = False
    risk_score: RiskScore = 50
    country: CountryCode = "FR"
    address: Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)] = ""
    postal_code: Annotated[str, StringConstraints(strip_whitespace=True, max_length=10)] = ""
    city: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] = ""

    @model_validator(mode="after")
    def _siret_belongs_to_siren(self) -> Debtor:
        if self.siren and self.siret and not self.siret.startswith(self.siren):
            raise KeyedError(key("siret.not_of_siren"))
        return self


class Phone(Model):
    raw: str
    e164: str | None
    kind: PhoneKind
    region: str | None
    time_zone: str | None
    valid: bool
    marked_invalid: bool = False


class Contact(Model):
    debtor_reference: Reference
    name: Text
    role: ContactRole = ContactRole.OTHER
    email: Annotated[str, StringConstraints(strip_whitespace=True, max_length=254)] = ""
    phones: tuple[Phone, ...] = ()
    preferred_channel: Channel = Channel.PHONE
    opposed_to_contact: bool = False


class Contract(Model):
    reference: Reference
    debtor_reference: Reference
    title: Text
    start_date: date
    end_date: date | None = None
    payment_terms_days: Annotated[int, Field(ge=0, le=120)] = 30
    end_of_month: bool = False

    @model_validator(mode="after")
    def _ends_after_start(self) -> Contract:
        if self.end_date and self.end_date < self.start_date:
            raise KeyedError(key("contract.end_before_start"))
        return self


class Invoice(Model):
    number: Reference
    debtor_reference: Reference
    contract_reference: Reference | None = None
    po_reference: Annotated[str, StringConstraints(strip_whitespace=True, max_length=64)] = ""
    issue_date: date
    due_date: date
    amount: PositiveMoney
    outstanding: NonNegativeMoney
    currency: Currency = "EUR"
    status: InvoiceStatus = InvoiceStatus.OPEN

    @model_validator(mode="after")
    def _consistent(self) -> Invoice:
        if self.due_date < self.issue_date:
            raise KeyedError(key("invoice.due_before_issue"))
        if self.outstanding > self.amount:
            raise KeyedError(key("invoice.outstanding_above_amount"))
        return self


class Payment(Model):
    debtor_reference: Reference
    received_on: date
    amount: PositiveMoney
    invoice_number: Reference | None = None
    reference: Annotated[str, StringConstraints(strip_whitespace=True, max_length=64)] = ""
    method: Annotated[str, StringConstraints(strip_whitespace=True, max_length=32)] = ""
    bank_label: Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)] = ""


class Case(Model):
    debtor_reference: Reference
    stage: Stage = Stage.FRIENDLY_REMINDER
    assigned_agent: str | None = None
    next_action: str = ""
    next_action_on: date | None = None
    priority: float = 0.0


class Interaction(Model):
    case_id: int
    agent: str
    channel: InteractionChannel
    occurred_at: datetime
    contact_id: int | None = None
    phone_id: int | None = None
    outcome: CallOutcome | None = None
    cause: Cause | None = None
    notes: Notes = ""


class Dispute(Model):
    case_id: int
    invoice_numbers: tuple[Reference, ...] = Field(min_length=1)
    reason: Text
    owner: Text
    opened_on: date
    status: DisputeStatus = DisputeStatus.OPEN
    resolution: DisputeResolution | None = None
    resolved_on: date | None = None


class PromiseToPay(Model):
    case_id: int
    amount: PositiveMoney
    due_date: date
    proof_requested: bool = True
    status: PromiseStatus = PromiseStatus.PENDING


class Installment(Model):
    sequence: Annotated[int, Field(ge=1)]
    due_date: date
    amount: PositiveMoney
    status: InstallmentStatus = InstallmentStatus.PENDING


class PaymentPlan(Model):
    case_id: int
    frequency: Frequency
    installments: tuple[Installment, ...] = Field(min_length=2, max_length=60)
    status: PlanStatus = PlanStatus.ACTIVE

    @property
    def total(self) -> Decimal:
        return sum((item.amount for item in self.installments), Decimal(0))

    @model_validator(mode="after")
    def _dates_increase(self) -> PaymentPlan:
        dates = [item.due_date for item in self.installments]
        if dates != sorted(dates) or len(set(dates)) != len(dates):
            raise KeyedError(key("plan.dates_not_increasing"))
        return self


class Callback(Model):
    case_id: int
    due_at: datetime
    contact_id: int | None = None
    phone_id: int | None = None
    reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""
    status: CallbackStatus = CallbackStatus.PENDING


class AuditEvent(Model):
    at: datetime
    agent: str
    action: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    entity: Annotated[str, StringConstraints(min_length=1, max_length=32)]
    entity_id: str
    before: str | None = None  # JSON
    after: str | None = None  # JSON
