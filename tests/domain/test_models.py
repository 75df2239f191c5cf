from datetime import date
from decimal import Decimal

import pytest
from pydantic import ValidationError

from relance_tui.domain.models import (
    Debtor,
    Frequency,
    Installment,
    Invoice,
    PaymentPlan,
    Segment,
    from_cents,
    to_cents,
)


def invoice(**changes: object) -> Invoice:
    values: dict[str, object] = {
        "number": "F-2026-001",
        "debtor_reference": "C001",
        "issue_date": date(2026, 3, 1),
        "due_date": date(2026, 3, 31),
        "amount": Decimal("1234.56"),
        "outstanding": Decimal("1234.56"),
    }
    values.update(changes)
    return Invoice.model_validate(values)


def test_money_round_trips_through_cents() -> None:
    assert to_cents(Decimal("1234.56")) == 123456
    assert from_cents(123456) == Decimal("1234.56")
    assert to_cents(Decimal("0.005")) == 1  # half up, never banker's rounding


def test_debtor_siren_is_normalised_and_checked() -> None:
    debtor = Debtor(reference="C1", legal_name="ACME SAS", siren="732 829 320")
    assert debtor.siren == "732829320"
    assert debtor.segment is Segment.SME
    with pytest.raises(ValidationError, match=r"siren\.checksum"):
        Debtor(reference="C1", legal_name="ACME SAS", siren="732829321")


def test_siret_must_belong_to_siren() -> None:
    with pytest.raises(ValidationError, match=r"siret\.not_of_siren"):
        Debtor(reference="C1", legal_name="X", siren="732829320", siret="55210055400013")


def test_invoice_rules() -> None:
    assert invoice().amount == Decimal("1234.56")
    with pytest.raises(ValidationError, match=r"invoice\.due_before_issue"):
        invoice(due_date=date(2026, 2, 1))
    with pytest.raises(ValidationError, match="greater than 0"):
        invoice(amount=Decimal("-5"))
    with pytest.raises(ValidationError, match=r"invoice\.outstanding_above_amount"):
        invoice(outstanding=Decimal("2000"))
    with pytest.raises(ValidationError):
        invoice(amount=Decimal("1.234"))  # no fractions of a cent


def test_payment_plan_dates_must_increase() -> None:
    items = (
        Installment(sequence=1, due_date=date(2026, 12, 1), amount=Decimal("100")),
        Installment(sequence=2, due_date=date(2026, 11, 1), amount=Decimal("100")),
    )
    with pytest.raises(ValidationError, match=r"plan\.dates_not_increasing"):
        PaymentPlan(case_id=1, frequency=Frequency.MONTHLY, installments=items)
    plan = PaymentPlan(case_id=1, frequency=Frequency.MONTHLY, installments=items[::-1])
    assert plan.total == Decimal("200")
