"""Working-day arithmetic across Chinese statutory holidays and make-up workdays (调休).

The 2026 facts come from the State Council's 2026 holiday notice (国办发明电〔2025〕): National
Day 10-01..10-07 off with 09-20 (Sun) and 10-10 (Sat) worked; Mid-Autumn 09-25..09-27 off;
Spring Festival 02-15..02-23 off with 02-14 (Sat) and 02-28 (Sat) worked.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from voicebot.campaigns.calendar import DayKind, WorkCalendar
from voicebot.campaigns.errors import CalendarError
from voicebot.campaigns.rules import CalendarRules, CampaignRules

CAL = WorkCalendar()


def test_day_kinds_around_national_day_2026() -> None:
    assert CAL.kind(date(2026, 10, 1)) is DayKind.HOLIDAY
    assert CAL.kind(date(2026, 10, 4)) is DayKind.HOLIDAY  # a Sunday inside the block
    assert CAL.kind(date(2026, 10, 10)) is DayKind.WORKDAY  # Saturday make-up day
    assert CAL.kind(date(2026, 9, 20)) is DayKind.WORKDAY  # Sunday make-up day
    assert CAL.kind(date(2026, 10, 11)) is DayKind.WEEKEND
    assert CAL.kind(date(2026, 10, 8)) is DayKind.WORKDAY


def test_add_workdays_crosses_national_day_and_lands_on_make_up_saturday() -> None:
    assert CAL.add_workdays(date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert CAL.add_workdays(date(2026, 10, 9), 1) == date(2026, 10, 10)
    assert CAL.add_workdays(date(2026, 10, 12), -2) == date(2026, 10, 9)
    assert CAL.add_workdays(date(2026, 10, 8), -1) == date(2026, 9, 30)
    # 15 working days before Fri 2026-10-16: Oct 15,14,13,12,10(Sat),9,8 | Sep 30,29,28 |
    # (25–27 Mid-Autumn) 24,23,22,21 | 20 (Sun, worked) — a weekday count would say Sep 25.
    assert CAL.add_workdays(date(2026, 10, 16), -15) == date(2026, 9, 20)


def test_spring_festival_2026() -> None:
    assert CAL.add_workdays(date(2026, 2, 13), 1) == date(2026, 2, 14)
    assert CAL.add_workdays(date(2026, 2, 14), 1) == date(2026, 2, 24)
    assert CAL.next_workday(date(2026, 2, 20)) == date(2026, 2, 24)
    assert CAL.is_workday(date(2026, 2, 28))  # Saturday make-up day
    assert CAL.workdays_between(date(2026, 2, 13), date(2026, 2, 24)) == 2


def test_workdays_between_inverts_add_workdays() -> None:
    start = date(2026, 1, 1)
    for offset in range(0, 330, 7):
        day = start + timedelta(days=offset)
        for n in (0, 1, 5, 15, -1, -15):
            assert CAL.workdays_between(day, CAL.add_workdays(day, n)) == n


def test_unknown_year_is_a_clear_error() -> None:
    with pytest.raises(CalendarError) as info:
        CAL.add_workdays(date(2026, 12, 28), 10)  # runs into 2027
    assert info.value.code == "VB110"
    assert "2027" in info.value.message and "complete_years" in info.value.hint


def test_overrides_cover_a_year_the_package_lacks() -> None:
    rules = CampaignRules.from_dict({"calendar": {
        "holidays": ["2027-01-01"], "workdays": ["2027-01-09"], "complete_years": [2027]}})
    cal = WorkCalendar(rules.calendar)
    assert cal.kind(date(2027, 1, 1)) is DayKind.HOLIDAY  # a Friday
    assert cal.is_workday(date(2027, 1, 9))  # a Saturday made a workday
    assert not cal.is_workday(date(2027, 1, 10))
    assert cal.add_workdays(date(2026, 12, 31), 1) == date(2027, 1, 4)
    assert cal.add_workdays(date(2027, 1, 8), 1) == date(2027, 1, 9)


def test_override_changes_a_known_year() -> None:
    cal = WorkCalendar(CalendarRules(holidays=frozenset({date(2026, 11, 23)})))
    assert CAL.is_workday(date(2026, 11, 23))
    assert not cal.is_workday(date(2026, 11, 23))
    assert cal.add_workdays(date(2026, 11, 20), 1) == date(2026, 11, 24)
