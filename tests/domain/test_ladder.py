"""The ladder's decision on a fixed calendar: an SME invoice due on D = 1 October 2026."""

from datetime import date, timedelta

from relance_tui.config import DunningSettings, LadderStep
from relance_tui.domain.enums import Stage
from relance_tui.domain.ladder import (
    HoldKind,
    LadderState,
    decide,
    pre_reminder_due,
    pre_reminder_step,
    sequence_for,
)

D = date(2026, 10, 1)
SETTINGS = DunningSettings()
SME = sequence_for(SETTINGS, "sme")


def day(n: int) -> date:
    return D + timedelta(days=n)


def state(**values: object) -> LadderState:
    base: dict[str, object] = {
        "case_id": 1,
        "segment": "sme",
        "oldest_due": D,
        "overdue_cents": 100_000,
    }
    base.update(values)
    return LadderState(**base)  # type: ignore[arg-type]


def test_a_new_case_climbs_the_sme_ladder_step_by_step() -> None:
    # Defaults: friendly reminder J+15 (e-mail), phone J+25, second reminder J+35, registered
    # letter J+45, formal notice J+60, legal action J+90; at least 7 days between two steps.
    first = decide(state(), SME, day(14))
    assert first.next is not None and first.next.step == "friendly_reminder"
    assert first.due_on == day(15) and not first.due(day(14)) and first.due(day(15))
    assert first.reached is None
    done: dict[Stage, date] = {}
    expected = [
        ("friendly_reminder", "email", 15),
        ("phone_reminder", "phone", 25),
        ("second_reminder", "email", 35),
        ("registered_letter", "registered_letter", 45),
        ("formal_notice", "registered_letter", 60),
        ("legal_action", "letter", 90),
    ]
    for step, channel, days in expected:
        decision = decide(state(done=dict(done)), SME, day(days))
        assert decision.next is not None
        assert (decision.next.step, decision.next.channel, decision.due_on) == (
            step,
            channel,
            day(days),
        )
        assert decision.due(day(days))
        done[Stage(step)] = day(days)
    over = decide(state(done=done), SME, day(200))
    assert over.reached is Stage.LEGAL_ACTION and over.next is None and not over.due(day(200))


def test_a_late_step_pushes_the_next_one_by_the_minimum_gap() -> None:
    # Friendly reminder performed only on J+30: the phone step (J+25) waits until J+37.
    decision = decide(state(done={Stage.FRIENDLY_REMINDER: day(30)}), SME, day(30))
    assert decision.next is not None and decision.next.step == "phone_reminder"
    assert decision.due_on == day(37) and not decision.due(day(36)) and decision.due(day(37))


def test_a_stage_set_before_our_records_resumes_after_it() -> None:
    decision = decide(state(stage=Stage.REGISTERED_LETTER), SME, day(60))
    assert decision.reached is Stage.REGISTERED_LETTER
    assert decision.next is not None and decision.next.step == "formal_notice"
    # The default stage of a new case is not a step performed.
    fresh = decide(state(stage=Stage.FRIENDLY_REMINDER), SME, day(15))
    assert fresh.next is not None and fresh.next.step == "friendly_reminder"


def test_insolvency_stops_the_ladder() -> None:
    decision = decide(state(insolvency_since=day(3)), SME, day(40))
    assert [h.kind for h in decision.holds] == [HoldKind.INSOLVENCY]
    assert not decision.due(day(40))


def test_a_manual_hold_holds_until_its_date_inclusive() -> None:
    held = state(manual_hold=("client au téléphone : virement lundi", day(20)))
    assert not decide(held, SME, day(20)).due(day(20))
    assert decide(held, SME, day(20)).holds[0].reason == "client au téléphone : virement lundi"
    assert decide(held, SME, day(21)).due(day(21))


def test_a_pending_promise_holds_until_its_date_and_a_broken_one_resumes() -> None:
    done = {Stage.FRIENDLY_REMINDER: day(15)}
    promised = decide(state(done=done, promise_until=day(40)), SME, day(30))
    assert [h.kind for h in promised.holds] == [HoldKind.PROMISE] and not promised.due(day(30))
    # The promise is broken (no longer pending): the ladder resumes at the step it reached.
    broken = decide(state(done=done), SME, day(41))
    assert broken.reached is Stage.FRIENDLY_REMINDER
    assert broken.next is not None and broken.next.step == "phone_reminder" and broken.due(day(41))
    # A promise date passed but not yet marked broken does not hold either.
    assert decide(state(done=done, promise_until=day(40)), SME, day(41)).due(day(41))


def test_an_active_plan_holds_and_a_broken_plan_resumes() -> None:
    done = {Stage.SECOND_REMINDER: day(35)}
    plan = decide(state(done=done, plan_until=day(60)), SME, day(50))
    assert plan.holds[0].kind is HoldKind.PLAN and plan.holds[0].until == day(60)
    assert not plan.due(day(50))
    resumed = decide(state(done=done), SME, day(50))
    assert resumed.next is not None and resumed.next.step == "registered_letter"
    assert resumed.due(day(50))


def test_disputes_hold_a_case_only_when_all_its_overdue_money_is_disputed() -> None:
    disputed = decide(state(overdue_cents=0, disputed_cents=50_000), SME, day(20))
    assert [h.kind for h in disputed.holds] == [HoldKind.DISPUTE] and disputed.next is None
    partly = decide(state(overdue_cents=10_000, disputed_cents=50_000), SME, day(20))
    assert partly.due(day(20)) and not partly.holds


def test_a_supervisor_hold_holds_the_step() -> None:
    decision = decide(state(supervisor_hold="adresse à vérifier"), SME, day(20))
    assert decision.holds[0].kind is HoldKind.SUPERVISOR and not decision.due(day(20))


def test_near_prescription_goes_to_legal_action_at_once() -> None:
    # Prescription in 100 days (< 183): straight to the injonction step, today.
    near = decide(state(prescription_on=day(120)), SME, day(20))
    assert near.prescription_close
    assert near.next is not None and near.next.step == "legal_action" and near.due_on == day(20)
    far = decide(state(prescription_on=day(400)), SME, day(20))
    assert far.next is not None and far.next.step == "friendly_reminder"


def test_legal_action_waits_for_the_formal_notice_deadline() -> None:
    done = {Stage.FORMAL_NOTICE: day(60)}
    decision = decide(state(done=done, notice_deadline=day(95)), SME, day(90))
    assert decision.next is not None and decision.next.step == "legal_action"
    assert decision.due_on == day(96) and not decision.due(day(95))


def test_sequences_per_segment_and_strategic_clients_phone_first() -> None:
    large = sequence_for(SETTINGS, "large_account")
    assert large[0].step == "phone_reminder"
    public = sequence_for(SETTINGS, "public_body")
    assert public[0].step == "pre_reminder" and public[1].channel == "phone"
    consumer = sequence_for(SETTINGS, "consumer")
    assert all(s.channel != "email" for s in consumer)
    strategic = sequence_for(SETTINGS, "sme", strategic=True)
    assert (strategic[0].step, strategic[0].days) == ("phone_reminder", 15)
    custom = DunningSettings(sequences={"sme": (LadderStep("second_reminder", "letter", 3),)})
    assert [s.step for s in sequence_for(custom, "sme")] == ["second_reminder"]
    assert sequence_for(custom, "consumer") == consumer  # segments not configured: defaults


def test_pre_reminder_window_before_the_due_date() -> None:
    step = pre_reminder_step(sequence_for(SETTINGS, "public_body"))
    assert step is not None and step.days == -7
    assert not pre_reminder_due(step, D, day(-8))
    assert pre_reminder_due(step, D, day(-7)) and pre_reminder_due(step, D, D)
    assert not pre_reminder_due(step, D, day(1))
