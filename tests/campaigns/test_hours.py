"""Calling-hours edges, regions, holidays, requested times and retry spacing."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from voicebot.campaigns.calendar import WorkCalendar
from voicebot.campaigns.errors import RulesError
from voicebot.campaigns.hours import CallingHours
from voicebot.campaigns.rules import AttemptRules, CampaignRules

SH = ZoneInfo("Asia/Shanghai")
HOURS = CallingHours()


def at(y: int, mo: int, d: int, h: int, mi: int = 0, tz: ZoneInfo = SH) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=tz)


@pytest.mark.parametrize(("h", "m", "allowed", "nxt"), [
    (8, 59, False, at(2026, 11, 20, 9)),
    (9, 0, True, at(2026, 11, 20, 9)),
    (20, 59, True, at(2026, 11, 20, 20, 59)),
    (21, 0, False, at(2026, 11, 21, 9)),
    (23, 30, False, at(2026, 11, 21, 9)),
    (0, 5, False, at(2026, 11, 20, 9)),
])
def test_legal_edges(h: int, m: int, allowed: bool, nxt: datetime) -> None:
    t = at(2026, 11, 20, h, m)
    assert HOURS.is_allowed(t) is allowed
    assert HOURS.next_allowed(t) == nxt


def test_utc_input_is_judged_in_the_customers_zone() -> None:
    utc = datetime(2026, 11, 20, 0, 59, tzinfo=ZoneInfo("UTC"))  # 08:59 in Shanghai
    assert not HOURS.is_allowed(utc)
    assert HOURS.next_allowed(utc) == at(2026, 11, 20, 9)


RULES = CampaignRules.load("voicebot/campaigns/rules.example.toml")
REGIONAL = CallingHours(RULES.hours, WorkCalendar(RULES.calendar))
UR = ZoneInfo("Asia/Urumqi")


def test_region_zone_windows_and_holidays() -> None:
    # 09:30 in Shanghai is 07:30 in Urumqi: too early there
    assert HOURS.is_allowed(at(2026, 11, 20, 9, 30))
    assert not REGIONAL.is_allowed(at(2026, 11, 20, 9, 30), "xinjiang")
    assert REGIONAL.next_allowed(at(2026, 11, 20, 13, tz=UR), "Xinjiang") == at(2026, 11, 20, 14, 30, UR)
    # no calls on statutory holidays there: after Sep 30 evening comes Oct 8, 10:00
    assert REGIONAL.next_allowed(at(2026, 9, 30, 21, 30, UR), "xinjiang") == at(2026, 10, 8, 10, tz=UR)
    # the Saturday make-up day (Oct 10) has working-day hours; Sunday Oct 11 the short Sunday
    assert REGIONAL.spans(at(2026, 10, 10, 12).date(), "xinjiang") == RULES.hours.regions["xinjiang"].hours.workday
    assert REGIONAL.next_allowed(at(2026, 10, 11, 18, tz=UR), "xinjiang") == at(2026, 10, 12, 10, tz=UR)
    # winter season: working days end at 20:00
    assert not REGIONAL.is_allowed(at(2026, 12, 1, 20, 30, UR), "xinjiang")
    # an unknown region gets the default hours
    assert REGIONAL.is_allowed(at(2026, 11, 20, 9, 30), "nowhere")


def test_requested_time_overrides_windows_but_not_the_law() -> None:
    # 20:30 is outside the winter window but legal: the customer asked, so it stands
    wanted = at(2026, 12, 1, 20, 30, UR)
    assert REGIONAL.requested(wanted, "xinjiang") == wanted
    # on a holiday with no calling hours, a requested time still stands
    assert REGIONAL.requested(at(2026, 10, 2, 15, tz=UR), "xinjiang") == at(2026, 10, 2, 15, tz=UR)
    # 21:30 or 07:00 are moved to the next legal opening
    assert HOURS.requested(at(2026, 11, 20, 21, 30)) == at(2026, 11, 21, 9)
    assert HOURS.requested(at(2026, 11, 20, 7)) == at(2026, 11, 20, 9)
    assert HOURS.requested(at(2026, 11, 20, 21)) == at(2026, 11, 21, 9)


def test_retries_move_through_the_day_and_overnight() -> None:
    rules = AttemptRules()
    t = at(2026, 11, 20, 10, 15)  # Friday morning
    seen = []
    for _ in range(4):
        t = HOURS.next_attempt(t, None, rules)
        seen.append(t)
    assert seen == [at(2026, 11, 20, 12, 15), at(2026, 11, 20, 17), at(2026, 11, 21, 9), at(2026, 11, 21, 12)]
    for a, b in zip(seen, seen[1:], strict=False):
        assert b - a >= timedelta(minutes=rules.min_gap_minutes)
    # an evening failure at 20:50 goes to the next morning, never into the night
    assert HOURS.next_attempt(at(2026, 11, 20, 20, 50), None, rules) == at(2026, 11, 21, 9)
    # a dropped line is retried soon, inside legal hours
    assert HOURS.next_attempt(at(2026, 11, 20, 10), None, rules, interrupted=True) == at(2026, 11, 20, 10, 15)
    assert HOURS.next_attempt(at(2026, 11, 20, 20, 50), None, rules, interrupted=True) == at(2026, 11, 21, 9)


def test_rules_refuse_hours_outside_the_law() -> None:
    with pytest.raises(RulesError, match="outside legal"):
        CampaignRules.from_dict({"hours": {"workday": [["08:00", "12:00"]]}})
    with pytest.raises(RulesError, match="outside legal"):
        CampaignRules.from_dict({"hours": {"legal": ["08:00", "22:00"]}})
    with pytest.raises(RulesError, match="unknown keys"):
        CampaignRules.from_dict({"hours": {"regions": {"x": {"workdays": []}}}})
    with pytest.raises(RulesError, match="ends before"):
        CampaignRules.from_dict({"attempts": {"day_parts": [["12:00", "10:00"]]}})
