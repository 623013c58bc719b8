"""Due windows and script choice per callback kind."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from voicebot.campaigns.calendar import WorkCalendar
from voicebot.campaigns.records import CallbackEvent, CallbackKind, PhoneStatus
from voicebot.campaigns.rules import WindowRules
from voicebot.campaigns.windows import DuePlan, NotRequired, choose_script, plan
from voicebot.errors import PolicyError

CAL = WorkCalendar()
RULES = WindowRules()
TODAY = date(2026, 9, 1)


def ev(kind: CallbackKind, **kw: object) -> CallbackEvent:
    base = CallbackEvent(line=2, kind=kind, policy_no="P1", holder_name="张三", phone="13812345678",
                         phone_status=PhoneStatus.OK)
    return replace(base, **kw)  # type: ignore[arg-type]


def due(e: CallbackEvent) -> DuePlan:
    p = plan(e, RULES, CAL, TODAY)
    assert isinstance(p, DuePlan), p
    return p


def test_new_policy_inside_cooling_off() -> None:
    p = due(ev(CallbackKind.NEW_POLICY, receipt_date=date(2026, 11, 10), term_months=120))
    assert (p.earliest, p.latest, p.script) == (date(2026, 11, 11), date(2026, 11, 25), "new_policy")
    p = due(ev(CallbackKind.NEW_POLICY, contract_date=date(2026, 11, 1), cooling_off_end=date(2026, 11, 21)))
    assert p.latest == date(2026, 11, 21)
    assert p.priority == RULES.priorities["new_policy"]


def test_short_policy_needs_no_callback() -> None:
    assert isinstance(plan(ev(CallbackKind.NEW_POLICY, receipt_date=date(2026, 11, 10), term_months=12),
                           RULES, CAL, TODAY), NotRequired)


def test_grace_before_is_15_working_days_before_the_end() -> None:
    p = due(ev(CallbackKind.GRACE_BEFORE, grace_end=date(2026, 10, 16)))
    assert p.latest == date(2026, 9, 20)  # see test_calendar: holidays and a Sunday make-up day
    assert p.earliest == CAL.add_workdays(date(2026, 9, 20), -10)
    assert CAL.workdays_between(p.latest, date(2026, 10, 16)) == 15
    assert p.script == "grace_before"


def test_grace_after_within_15_working_days_after_the_end() -> None:
    p = due(ev(CallbackKind.GRACE_AFTER, grace_end=date(2026, 9, 30)))
    assert p.earliest == date(2026, 10, 8)  # first working day after National Day
    # Oct 8,9,10(Sat),12..16,19..23,26,27 → the 15th working day is Oct 27
    assert p.latest == date(2026, 10, 27)
    lapse = due(ev(CallbackKind.LAPSE, event_date=date(2026, 9, 30)))
    assert (lapse.earliest, lapse.latest, lapse.script) == (p.earliest, p.latest, "grace_after")


def test_surrender_and_claim_threshold() -> None:
    small = ev(CallbackKind.CLAIM, event_date=date(2026, 9, 30), amount=Decimal("999.99"))
    assert isinstance(plan(small, RULES, CAL, TODAY), NotRequired)
    p = due(replace(small, amount=Decimal(1000)))
    assert (p.earliest, p.script) == (date(2026, 10, 8), "surrender_claim")
    assert p.latest == CAL.add_workdays(date(2026, 9, 30), RULES.event_followup_workdays)


def test_missing_dates_are_policy_errors() -> None:
    with pytest.raises(PolicyError, match="grace_end"):
        plan(ev(CallbackKind.GRACE_BEFORE), RULES, CAL, TODAY)
    with pytest.raises(PolicyError, match="amount"):
        plan(ev(CallbackKind.SURRENDER, event_date=date(2026, 9, 1)), RULES, CAL, TODAY)
    with pytest.raises(PolicyError, match="before it starts"):
        plan(ev(CallbackKind.NEW_POLICY, receipt_date=date(2026, 9, 10), cooling_off_end=date(2026, 9, 1)),
             RULES, CAL, TODAY)


def test_script_gaps_are_named() -> None:
    p = due(ev(CallbackKind.NEW_POLICY, receipt_date=date(2026, 11, 10), product_kind="universal", holder_age=66))
    assert (p.script, p.gaps) == ("universal_participating", ("dual_recording",))
    assert due(ev(CallbackKind.NEW_POLICY, receipt_date=date(2026, 11, 10))).gaps == ()


@pytest.mark.parametrize(("fields", "script"), [
    ({}, "new_policy"),
    ({"product_kind": "investment_linked"}, "investment_linked"),
    ({"product_kind": "universal"}, "universal_participating"),
    ({"product_kind": "participating", "holder_age": 70}, "universal_participating"),
    ({"channel": "bank"}, "dual_recording"),  # bank over one year is a 双录 sale
    ({"channel": "bank", "term_months": 12}, "bank_channel"),
    ({"holder_age": 60}, "dual_recording"),
    ({"holder_age": 59}, "new_policy"),
    ({"holder_birth": date(1966, 3, 1), "contract_date": date(2026, 3, 1)}, "dual_recording"),
    ({"holder_birth": date(1966, 3, 2), "contract_date": date(2026, 3, 1)}, "new_policy"),
])
def test_script_choice(fields: dict[str, object], script: str) -> None:
    assert choose_script(ev(CallbackKind.NEW_POLICY, **fields), RULES, TODAY) == script
