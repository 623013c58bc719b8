"""Chinese working days: statutory holidays and make-up workdays (调休) from the maintained
``chinese-calendar`` package, plus configured overrides for years it does not know yet.

A date neither source covers raises :class:`CalendarError` instead of guessing: a wrong
guess would move a regulatory deadline.
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum

import chinese_calendar

from voicebot.campaigns.errors import CalendarError
from voicebot.campaigns.rules import CalendarRules


class DayKind(StrEnum):
    WORKDAY = "workday"
    WEEKEND = "weekend"  # an ordinary rest day
    HOLIDAY = "holiday"  # a statutory holiday (or a rest day inside a holiday block)


class WorkCalendar:
    """``is_workday``, ``kind`` and working-day arithmetic for one set of overrides."""

    def __init__(self, rules: CalendarRules | None = None) -> None:
        self.rules = rules or CalendarRules()
        known = [d.year for d in chinese_calendar.holidays]
        self.package_years = range(min(known), max(known) + 1)

    def knows(self, day: date) -> bool:
        return day.year in self.package_years or day.year in self.rules.complete_years

    def kind(self, day: date) -> DayKind:
        if day in self.rules.holidays:
            return DayKind.HOLIDAY
        if day in self.rules.workdays:
            return DayKind.WORKDAY
        if day.year in self.rules.complete_years:
            return DayKind.WORKDAY if day.weekday() < 5 else DayKind.WEEKEND
        if day.year not in self.package_years:
            raise CalendarError(
                f"the working-day calendar does not know {day.isoformat()}: chinese-calendar "
                f"covers {self.package_years.start}–{self.package_years.stop - 1}",
                hint=f"upgrade chinese-calendar, or list {day.year}'s holidays and make-up workdays "
                     f"in the rules file ([calendar] holidays, workdays, complete_years = [{day.year}])",
            )
        if chinese_calendar.is_workday(day):
            return DayKind.WORKDAY
        if day in chinese_calendar.holidays:
            return DayKind.HOLIDAY
        return DayKind.WEEKEND

    def is_workday(self, day: date) -> bool:
        return self.kind(day) is DayKind.WORKDAY

    def add_workdays(self, day: date, n: int) -> date:
        """The ``n``-th working day after ``day`` (before it when ``n`` < 0); ``day`` itself is
        not counted, so ``add_workdays(d, 0) == d`` whatever ``d`` is."""
        step = timedelta(days=1 if n > 0 else -1)
        left = abs(n)
        while left:
            day += step
            if self.is_workday(day):
                left -= 1
        return day

    def next_workday(self, day: date, *, include: bool = True) -> date:
        """``day`` if it is a working day and ``include``, else the next working day."""
        if include and self.is_workday(day):
            return day
        return self.add_workdays(day, 1)

    def workdays_between(self, start: date, end: date) -> int:
        """How many ``add_workdays`` steps lead from start to end: working days in (start, end],
        or minus those in [end, start) when end is earlier."""
        if end < start:
            return -sum(1 for i in range((start - end).days) if self.is_workday(end + timedelta(days=i)))
        return sum(1 for i in range(1, (end - start).days + 1)
                   if self.is_workday(start + timedelta(days=i)))
