from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from relance_tui.domain.penalties import (
    FLAT_INDEMNITY,
    LateInvoice,
    RateTable,
    RateTableError,
    case_penalties,
    default_rate_table,
    invoice_penalty,
    load_rate_table,
)

RATES = default_rate_table()


def test_rate_table_has_the_domain_figures() -> None:
    assert RATES.rate_on(date(2025, 3, 1)) == (Decimal("13.15"), True)
    assert RATES.rate_on(date(2025, 7, 1)) == (Decimal("12.15"), True)
    assert RATES.rate_on(date(2026, 6, 30)) == (Decimal("12.15"), True)
    # 2026 H2 is not confirmed: the last known rate, flagged.
    assert RATES.rate_on(date(2026, 7, 1)) == (Decimal("12.15"), False)


def test_interest_split_at_the_half_year_with_a_partial_payment() -> None:
    # 1 000 € due 31 May 2025; 400 € paid on 15 August; 600 € still due on 30 September.
    result = invoice_penalty(
        number="F-1",
        due_date=date(2025, 5, 31),
        outstanding=Decimal("600.00"),
        today=date(2025, 9, 30),
        rates=RATES,
        payments=[(date(2025, 8, 15), Decimal("400.00")), (date(2025, 5, 1), Decimal("50.00"))],
    )
    spans = [(p.start, p.end, p.days, p.balance, p.rate) for p in result.periods]
    assert spans == [
        (date(2025, 6, 1), date(2025, 6, 30), 30, Decimal("1000.00"), Decimal("13.15")),
        (date(2025, 7, 1), date(2025, 8, 15), 46, Decimal("1000.00"), Decimal("12.15")),
        (date(2025, 8, 16), date(2025, 9, 30), 46, Decimal("600.00"), Decimal("12.15")),
    ]
    # 1000 × 13.15 % × 30/365 + 1000 × 12.15 % × 46/365 + 600 × 12.15 % × 46/365 = 35.3080 €
    assert result.interest == Decimal("35.31")
    assert result.days_late == 122
    assert result.indemnity == FLAT_INDEMNITY
    assert result.total == Decimal("75.31")
    assert not result.estimated


def test_nothing_before_the_day_after_the_due_date() -> None:
    on_due = invoice_penalty(
        number="F-2",
        due_date=date(2025, 5, 31),
        outstanding=Decimal(100),
        today=date(2025, 5, 31),
        rates=RATES,
    )
    assert on_due.interest == 0 and on_due.indemnity == 0 and on_due.periods == ()
    one_day = invoice_penalty(
        number="F-2",
        due_date=date(2025, 5, 31),
        outstanding=Decimal("365.00"),
        today=date(2025, 6, 1),
        rates=RATES,
    )
    assert one_day.interest == Decimal("0.13")  # 365 × 13.15 % / 365


def test_unknown_half_year_is_estimated() -> None:
    result = invoice_penalty(
        number="F-3",
        due_date=date(2026, 6, 15),
        outstanding=Decimal("1000.00"),
        today=date(2026, 8, 1),
        rates=RATES,
    )
    assert result.estimated
    assert [p.estimated for p in result.periods] == [False, True]


def test_consumers_owe_no_penalties_and_insolvency_drops_the_indemnity() -> None:
    invoices = [
        LateInvoice("F-1", date(2025, 5, 31), Decimal("100.00")),
        LateInvoice("F-2", date(2025, 6, 30), Decimal("200.00")),
        LateInvoice("F-3", date(2025, 12, 31), Decimal("300.00")),  # not late yet
    ]
    consumer = case_penalties(invoices, today=date(2025, 9, 30), rates=RATES, consumer=True)
    assert not consumer.applicable and consumer.total == 0
    business = case_penalties(invoices, today=date(2025, 9, 30), rates=RATES, consumer=False)
    assert len(business.invoices) == 2 and business.indemnities == Decimal("80.00")
    assert business.total == business.interest + Decimal("80.00")
    insolvent = case_penalties(
        invoices, today=date(2025, 9, 30), rates=RATES, consumer=False, insolvency=True
    )
    assert insolvent.indemnities == 0 and insolvent.interest == business.interest


def test_user_rate_table_overrides_and_is_checked(tmp_path: Path) -> None:
    path = tmp_path / "rates.toml"
    path.write_text('[[semester]]\nstart = 2026-07-01\necb_mro = "2.40"\n', "utf-8")
    table = load_rate_table(path)
    assert table.rate_on(date(2026, 9, 1)) == (Decimal("12.40"), True)
    assert load_rate_table(tmp_path / "missing.toml") is RATES
    path.write_text('[[semester]]\nstart = 2026-03-01\necb_mro = "2"\n', "utf-8")
    with pytest.raises(RateTableError, match="1 January or a 1 July"):
        load_rate_table(path)
    with pytest.raises(RateTableError):
        RateTable([])
