from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from relance_tui.domain.penalties import (
    FLAT_INDEMNITY,
    LateInvoice,
    RateTable,
    RateTableError,
    Regime,
    case_penalties,
    default_rate_table,
    invoice_penalty,
    load_rate_table,
    regime_for,
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
    consumer = case_penalties(
        invoices, today=date(2025, 9, 30), rates=RATES, regime=Regime.CONSUMER
    )
    assert not consumer.applicable and consumer.total == 0
    business = case_penalties(invoices, today=date(2025, 9, 30), rates=RATES)
    assert len(business.invoices) == 2 and business.indemnities == Decimal("80.00")
    assert business.total == business.interest + Decimal("80.00")
    insolvent = case_penalties(invoices, today=date(2025, 9, 30), rates=RATES, insolvency=True)
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


def test_b2b_interest_across_the_new_year() -> None:
    # 2 000 € due 15/12/2024, still due on 15/01/2025.
    # 16/12–31/12/2024: 16 days at 14.25 % (ECB 4.25 on 1 July 2024 + 10):
    #   2 000 × 0.1425 × 16 / 365 = 4 560 / 365 = 12.49315
    # 01/01–15/01/2025: 15 days at 13.15 % (ECB 3.15 on 1 January 2025 + 10):
    #   2 000 × 0.1315 × 15 / 365 = 3 945 / 365 = 10.80822
    # total 23.30137 → 23.30 €, plus 40 €.
    result = invoice_penalty(
        number="F-10",
        due_date=date(2024, 12, 15),
        outstanding=Decimal("2000.00"),
        today=date(2025, 1, 15),
        rates=RATES,
    )
    assert [(p.days, p.rate) for p in result.periods] == [
        (16, Decimal("14.25")),
        (15, Decimal("13.15")),
    ]
    assert result.interest == Decimal("23.30")
    assert result.total == Decimal("63.30")


def test_public_body_uses_the_rate_of_the_half_year_interest_started_plus_8() -> None:
    # 10 000 € due 20/05/2025, still due on 30/09/2025. Interest starts 21/05/2025, in 2025 H1:
    # ECB MRO on 1 January 2025 = 3.15 %, + 8 points = 11.15 % for the whole period, no split.
    # 21/05–30/09/2025 = 11 + 30 + 31 + 31 + 30 = 133 days.
    # 10 000 × 0.1115 × 133 / 365 = 148 295 / 365 = 406.2877 → 406.29 €, plus 40 €.
    # (The B2B rule would give 13.15 % × 41 days + 12.15 % × 92 days = 453.96 €.)
    result = invoice_penalty(
        number="F-11",
        due_date=date(2025, 5, 20),
        outstanding=Decimal("10000.00"),
        today=date(2025, 9, 30),
        rates=RATES,
        regime=Regime.PUBLIC_BODY,
    )
    assert [(p.start, p.end, p.days, p.rate) for p in result.periods] == [
        (date(2025, 5, 21), date(2025, 9, 30), 133, Decimal("11.15"))
    ]
    assert result.interest == Decimal("406.29")
    assert result.indemnity == FLAT_INDEMNITY
    summary = case_penalties(
        [LateInvoice("F-11", date(2025, 5, 20), Decimal("10000.00"))],
        today=date(2025, 9, 30),
        rates=RATES,
        regime=regime_for("public_body"),
    )
    assert summary.total == Decimal("446.29")


def test_public_body_partial_payment_changes_the_balance_not_the_rate() -> None:
    # 1 000 € due 30/06/2025 (interest from 01/07/2025, 2025 H2: ECB 2.15 + 8 = 10.15 %);
    # 600 € paid 10/07/2025; 400 € still due on 31/01/2026 (2026 H1 would be a new half-year
    # for B2B, not here).
    # 01/07–10/07: 10 days × 1 000 × 0.1015 / 365 = 1 015 / 365 = 2.78082
    # 11/07/2025–31/01/2026: 21 + 31 + 30 + 31 + 30 + 31 + 31 = 205 days
    #   × 400 × 0.1015 / 365 = 8 323 / 365 = 22.80274
    # total 25.58356 → 25.58 €.
    result = invoice_penalty(
        number="F-12",
        due_date=date(2025, 6, 30),
        outstanding=Decimal("400.00"),
        today=date(2026, 1, 31),
        rates=RATES,
        payments=[(date(2025, 7, 10), Decimal("600.00"))],
        regime=Regime.PUBLIC_BODY,
    )
    assert [(p.days, p.balance, p.rate) for p in result.periods] == [
        (10, Decimal("1000.00"), Decimal("10.15")),
        (205, Decimal("400.00"), Decimal("10.15")),
    ]
    assert result.interest == Decimal("25.58")


def test_consumer_interest_at_the_legal_rate_from_the_formal_notice_only() -> None:
    # 1 500 € due 10/03/2025; mise en demeure 15/06/2025; still due on 15/08/2025.
    # Legal rate "other cases" (the creditor is a business): 2025 H1 3.71 %, 2025 H2 2.76 %.
    # 16/06–30/06: 15 days × 1 500 × 0.0371 / 365 = 834.75 / 365 = 2.28699
    # 01/07–15/08: 46 days × 1 500 × 0.0276 / 365 = 1 904.4 / 365 = 5.21753
    # total 7.50452 → 7.50 €; no 40 €.
    invoices = [LateInvoice("F-13", date(2025, 3, 10), Decimal("1500.00"))]
    summary = case_penalties(
        invoices,
        today=date(2025, 8, 15),
        rates=RATES,
        regime=Regime.CONSUMER,
        formal_notice_on=date(2025, 6, 15),
    )
    assert summary.applicable
    [item] = summary.invoices
    assert [(p.start, p.days, p.rate) for p in item.periods] == [
        (date(2025, 6, 16), 15, Decimal("3.71")),
        (date(2025, 7, 1), 46, Decimal("2.76")),
    ]
    assert summary.interest == Decimal("7.50")
    assert summary.indemnities == 0
    without_notice = case_penalties(
        invoices, today=date(2025, 8, 15), rates=RATES, regime=Regime.CONSUMER
    )
    assert not without_notice.applicable and without_notice.total == 0


def test_contract_rate_below_three_times_the_legal_rate_is_flagged_not_claimed() -> None:
    # 3 000 € due 15/06/2025, still due on 31/07/2025; the contract says 10 %.
    # 2025 H1 floor: 3 × 3.71 = 11.13 % > 10 % → invalid: 16/06–30/06 flagged, nothing claimed.
    # 2025 H2 floor: 3 × 2.76 = 8.28 % ≤ 10 % → 01/07–31/07: 31 days × 3 000 × 0.10 / 365
    #   = 9 300 / 365 = 25.47945 → 25.48 €.
    low = invoice_penalty(
        number="F-14",
        due_date=date(2025, 6, 15),
        outstanding=Decimal("3000.00"),
        today=date(2025, 7, 31),
        rates=RATES,
        contract_rate=Decimal("10"),
    )
    assert next((p.days, p.rate, p.below_floor, p.interest) for p in low.periods) == (
        15,
        Decimal("10"),
        True,
        Decimal("0.00"),
    )
    assert low.contract_rate_below_floor
    assert low.interest == Decimal("25.48")
    # 12 % is above both floors: 3 000 × 0.12 × 15 / 365 = 14.79452 and
    # 3 000 × 0.12 × 31 / 365 = 30.57534 → 45.36986 → 45.37 €.
    fine = invoice_penalty(
        number="F-14",
        due_date=date(2025, 6, 15),
        outstanding=Decimal("3000.00"),
        today=date(2025, 7, 31),
        rates=RATES,
        contract_rate=Decimal("12"),
    )
    assert not fine.contract_rate_below_floor and fine.interest == Decimal("45.37")


def test_interest_stays_claimable_once_the_principal_is_paid() -> None:
    # 1 000 € due 31/01/2026, paid in full on 02/03/2026: 01/02–02/03 = 30 days at 12.15 %
    # = 1 000 × 0.1215 × 30 / 365 = 3 645 / 365 = 9.98630 → 9.99 €, plus 40 €; still owed on
    # 01/06/2026 although nothing of the invoice is outstanding.
    paid = LateInvoice(
        "F-15", date(2026, 1, 31), Decimal("0.00"), ((date(2026, 3, 2), Decimal("1000.00")),)
    )
    on_time = LateInvoice(
        "F-16", date(2026, 1, 31), Decimal("0.00"), ((date(2026, 1, 30), Decimal("500.00")),)
    )
    summary = case_penalties([paid, on_time], today=date(2026, 6, 1), rates=RATES)
    assert [item.invoice_number for item in summary.invoices] == ["F-15"]
    assert summary.interest == Decimal("9.99") and summary.indemnities == FLAT_INDEMNITY


def test_missing_and_unconfirmed_half_years_are_listed() -> None:
    # 2026 H2 is in the shipped table but not confirmed; 2027 H1 is not there at all.
    assert RATES.missing(date(2027, 2, 1)) == [date(2026, 7, 1), date(2027, 1, 1)]
    assert RATES.legal_other_on(date(2026, 8, 1)) == (Decimal("2.62"), False)
    assert RATES.ecb_on(date(2025, 3, 1)) == (Decimal("3.15"), True)
