from datetime import date, timedelta

import pytest

from relance_tui.domain.scoring import (
    PARTS,
    CaseFacts,
    ScoringParams,
    Urgency,
    part_values,
    score_case,
    top_parts,
    unpaid_chance,
    urgency_of,
)

TODAY = date(2026, 11, 24)
WEIGHTS = {
    "amount": 30,
    "age": 25,
    "payer_type": 12,
    "history": 8,
    "segment": 7,
    "risk": 8,
    "prescription": 5,
    "stage": 5,
}
PARAMS = ScoringParams(weights=WEIGHTS)


def facts(**changes: object) -> CaseFacts:
    base: dict[str, object] = {
        "overdue_cents": 100_000,
        "oldest_due_date": TODAY - timedelta(days=45),
    }
    base.update(changes)
    return CaseFacts(**base)  # type: ignore[arg-type]


def test_bigger_amount_ranks_higher_with_diminishing_returns() -> None:
    big = score_case(facts(overdue_cents=1_000_000), PARAMS, TODAY)
    small = score_case(facts(overdue_cents=50_000), PARAMS, TODAY)
    assert big.priority > small.priority
    assert big.priority < 2 * small.priority  # 20x the money is not 20x the priority
    amount_big, amount_small = (
        part_values(facts(overdue_cents=c), PARAMS, TODAY)[0] for c in (1_000_000, 50_000)
    )
    assert 1 < amount_big / amount_small < 20
    assert part_values(facts(overdue_cents=500_000), PARAMS, TODAY)[0] == pytest.approx(0.5)


def test_older_debt_ranks_higher() -> None:
    old = score_case(facts(oldest_due_date=TODAY - timedelta(days=200)), PARAMS, TODAY)
    new = score_case(facts(oldest_due_date=TODAY - timedelta(days=5)), PARAMS, TODAY)
    assert old.priority > new.priority


def test_disputed_only_case_has_no_amount_part() -> None:
    score = score_case(facts(overdue_cents=0), PARAMS, TODAY)
    assert score.parts["amount"] == 0
    assert score.priority > 0


@pytest.mark.parametrize(
    ("field", "worse", "better"),
    [
        ("payer_type", "very_bad", "good"),
        ("risk_score", 90, 10),
        ("promises_broken", 3, 0),
        ("avg_days_late", 60.0, 0.0),
        ("strategic", True, False),
        ("segment", "large_account", "consumer"),
        ("stage", "formal_notice", "friendly_reminder"),
        ("prescription_on", TODAY + timedelta(days=20), TODAY + timedelta(days=900)),
    ],
)
def test_each_fact_moves_the_priority(field: str, worse: object, better: object) -> None:
    assert (
        score_case(facts(**{field: worse}), PARAMS, TODAY).priority
        > score_case(facts(**{field: better}), PARAMS, TODAY).priority
    )


def test_time_barred_claim_has_no_prescription_part() -> None:
    values = part_values(facts(prescription_on=TODAY - timedelta(days=1)), PARAMS, TODAY)
    assert values[PARTS.index("prescription")] == 0


def test_parts_are_shares_that_add_up_to_one() -> None:
    score = score_case(facts(payer_type="bad", risk_score=70), PARAMS, TODAY)
    assert set(score.parts) == set(PARTS)
    assert sum(score.parts.values()) == pytest.approx(1.0)
    assert all(0 <= share <= 1 for share in score.parts.values())
    assert 0 < score.priority <= 100


def test_weights_change_the_ranking() -> None:
    rich_recent = facts(overdue_cents=5_000_000, oldest_due_date=TODAY - timedelta(days=3))
    poor_old = facts(overdue_cents=20_000, oldest_due_date=TODAY - timedelta(days=400))
    amount_first = ScoringParams(weights={**WEIGHTS, "amount": 90, "age": 1})
    age_first = ScoringParams(weights={**WEIGHTS, "amount": 1, "age": 90})
    assert (
        score_case(rich_recent, amount_first, TODAY).priority
        > score_case(poor_old, amount_first, TODAY).priority
    )
    assert (
        score_case(rich_recent, age_first, TODAY).priority
        < score_case(poor_old, age_first, TODAY).priority
    )
    assert amount_first.fingerprint() != age_first.fingerprint()
    assert PARAMS.fingerprint() == ScoringParams(weights=dict(WEIGHTS)).fingerprint()


def test_all_weights_zero_gives_zero() -> None:
    score = score_case(facts(), ScoringParams(weights=dict.fromkeys(PARTS, 0)), TODAY)
    assert score.priority == 0
    assert sum(score.parts.values()) == 0


def test_urgency_order() -> None:
    yesterday = TODAY - timedelta(days=1)
    assert (
        urgency_of(
            callback_due=True, promise_due_today=True, last_broken_on=TODAY, last_visit_on=None
        )
        is Urgency.CALLBACK_DUE
    )
    assert (
        urgency_of(
            callback_due=False, promise_due_today=True, last_broken_on=TODAY, last_visit_on=None
        )
        is Urgency.PROMISE_DUE
    )
    assert (
        urgency_of(
            callback_due=False,
            promise_due_today=False,
            last_broken_on=TODAY,
            last_visit_on=yesterday,
        )
        is Urgency.BROKEN_PROMISE
    )
    # Seen since it broke: no longer urgent.
    assert (
        urgency_of(
            callback_due=False,
            promise_due_today=False,
            last_broken_on=yesterday,
            last_visit_on=TODAY,
        )
        is Urgency.NONE
    )
    assert Urgency.CALLBACK_DUE > Urgency.PROMISE_DUE > Urgency.BROKEN_PROMISE > Urgency.NONE


def test_top_parts_are_sorted() -> None:
    ranked = top_parts({"amount": 0.2, "age": 0.5, "risk": 0.3, "stage": 0.0}, 3)
    assert ranked == [("age", 0.5), ("risk", 0.3), ("amount", 0.2)]


def test_unpaid_chance_from_the_debtors_own_record_by_hand() -> None:
    # Paid 20 days late each time, 10 days late now: the 4 invoices were all still unpaid at 10
    # days, none took 30 days more: (0 + 2 × 0.5) / (4 + 2).
    assert unpaid_chance("20 20 20 20", 10) == pytest.approx(1 / 6)
    # A public body paying 50-60 days late, 10 days late now: all 4 took 30 days more.
    assert unpaid_chance("55 60 50 58", 10) == pytest.approx(5 / 6)
    # Always on time, 40 days late now: later than ever, the prior alone (0.6).
    assert unpaid_chance("0 0 0", 40) == pytest.approx(0.6)
    # No record: all of it counts.
    assert unpaid_chance("", 40) == 1.0


def test_the_amount_part_weighs_the_money_likely_to_stay_unpaid() -> None:
    ten_days = TODAY - timedelta(days=10)
    steady = facts(overdue_cents=500_000, oldest_due_date=ten_days, recent_days_late="20 20 20 20")
    slow = facts(overdue_cents=500_000, oldest_due_date=ten_days, recent_days_late="55 60 50 58")
    unknown = facts(overdue_cents=500_000, oldest_due_date=ten_days)
    amount = {name: part_values(f, PARAMS, TODAY)[0] for name, f in
              (("steady", steady), ("slow", slow), ("unknown", unknown))}  # fmt: skip
    assert amount["unknown"] == pytest.approx(0.5)  # the reference amount, as before
    assert amount["steady"] < amount["slow"] < amount["unknown"]
    assert score_case(slow, PARAMS, TODAY).priority > score_case(steady, PARAMS, TODAY).priority
