from datetime import date

from relance_tui.domain.penalties import Regime
from relance_tui.domain.prescription import Event, prescription_date


def test_b2b_five_years_restarted_by_an_acknowledgment_not_by_a_formal_notice() -> None:
    due = date(2021, 3, 15)
    assert prescription_date(due, Regime.B2B) == date(2026, 3, 15)
    # A mise en demeure on 10/01/2024 changes nothing (Code civil 2240 needs the debtor's act).
    assert prescription_date(due, Regime.B2B, [(date(2024, 1, 10), Event.FORMAL_NOTICE)]) == date(
        2026, 3, 15
    )
    # A partial payment on 01/06/2023 restarts the 5 years from that day: 01/06/2028.
    events = [
        (date(2023, 6, 1), Event.PARTIAL_PAYMENT),
        (date(2024, 1, 10), Event.FORMAL_NOTICE),
        (date(2022, 2, 1), Event.SIGNED_PLAN),
    ]
    assert prescription_date(due, Regime.B2B, events) == date(2028, 6, 1)


def test_consumers_two_years_restarted_by_a_written_promise() -> None:
    due = date(2025, 2, 28)
    assert prescription_date(due, Regime.CONSUMER) == date(2027, 2, 28)
    events = [(date(2025, 9, 1), Event.WRITTEN_PROMISE), (date(2025, 10, 1), Event.WRITTEN_CLAIM)]
    assert prescription_date(due, Regime.CONSUMER, events) == date(2027, 9, 1)


def test_public_bodies_four_years_from_the_next_first_of_january() -> None:
    # Loi 68-1250: due in 2025 → 4 years from 01/01/2026 → barred on 01/01/2030; a reminder
    # letter in 2026 restarts it from 01/01/2027 → 01/01/2031.
    due = date(2025, 5, 20)
    assert prescription_date(due, Regime.PUBLIC_BODY) == date(2030, 1, 1)
    events = [(date(2026, 2, 1), Event.WRITTEN_CLAIM)]
    assert prescription_date(due, Regime.PUBLIC_BODY, events) == date(2031, 1, 1)
