"""Calling hours: when a customer in a region may be called, and when to try again.

Windows come from the rules per region (own time zone), per kind of day (working day, rest
day, statutory holiday), per weekday and per season; none may leave the legal 09:00–21:00.
A time the customer asked for is honoured anywhere inside the legal hours, even outside the
region's narrower windows or on a holiday.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from voicebot.campaigns.calendar import DayKind, WorkCalendar
from voicebot.campaigns.errors import RulesError
from voicebot.campaigns.rules import AttemptRules, HoursRules, RegionHours, Span

HORIZON_DAYS = 60  # a region with no window this long is a configuration error


class CallingHours:
    def __init__(self, rules: HoursRules | None = None, calendar: WorkCalendar | None = None) -> None:
        self.rules = rules or HoursRules()
        self.calendar = calendar or WorkCalendar()

    def local(self, at: datetime, region: str | None = None) -> datetime:
        if at.tzinfo is None:
            raise ValueError("calling-hours arithmetic needs aware datetimes")
        return at.astimezone(self.rules.region(region).zone)

    def local_day(self, at: datetime, region: str | None = None) -> date:
        return self.local(at, region).date()

    def spans(self, day: date, region: str | None = None) -> tuple[Span, ...]:
        r = self.rules.region(region)
        kind = self.calendar.kind(day)
        hours = next((s.hours for s in r.seasons if day.month in s.months), r.hours)
        ordinary = (kind is DayKind.WORKDAY) == (day.weekday() < 5)  # not a holiday or 调休 day
        if ordinary and kind is not DayKind.HOLIDAY and day.weekday() in r.weekdays:
            return r.weekdays[day.weekday()]
        return hours.of(str(kind))

    def _at(self, day: date, clock: time, r: RegionHours) -> datetime:
        return datetime.combine(day, clock, tzinfo=r.zone)

    def is_allowed(self, at: datetime, region: str | None = None) -> bool:
        loc = self.local(at, region)
        return any(s <= loc.time() < e for s, e in self.spans(loc.date(), region))

    def next_allowed(self, at: datetime, region: str | None = None) -> datetime:
        """``at`` if a call may start then, else the next moment one may (in the region's zone)."""
        r = self.rules.region(region)
        loc = self.local(at, region)
        for i in range(HORIZON_DAYS):
            day = loc.date() + timedelta(days=i)
            for start, end in self.spans(day, region):
                if loc < self._at(day, end, r):
                    return max(loc, self._at(day, start, r))
        raise RulesError(f"no calling hours in the {HORIZON_DAYS} days after {loc:%Y-%m-%d} "
                         f"for region {region or 'default'}", hint="check [hours] in the rules file")

    def requested(self, wanted: datetime, region: str | None = None) -> datetime:
        """The customer's own callback time, moved only when it falls outside legal hours (then
        to the next legal opening: no calls 21:00–09:00 even on request)."""
        r = self.rules.region(region)
        loc = self.local(wanted, region)
        start, end = self.rules.legal
        if start <= loc.time() < end:
            return loc
        day = loc.date() if loc.time() < start else loc.date() + timedelta(days=1)
        return self._at(day, start, r)

    def next_attempt(self, last: datetime, region: str | None, attempts: AttemptRules,
                     *, interrupted: bool = False) -> datetime:
        """When to try again after an unanswered call at ``last``: at least the configured gap
        later and in another part of the day (morning → afternoon → evening → next morning),
        so a customer who is always busy at one hour is still reached."""
        gap = attempts.interrupted_gap_minutes if interrupted else attempts.min_gap_minutes
        earliest = last + timedelta(minutes=gap)
        if interrupted or not attempts.day_parts:
            return self.next_allowed(earliest, region)
        r = self.rules.region(region)
        loc = self.local(last, region)
        for i in range(HORIZON_DAYS):
            day = loc.date() + timedelta(days=i)
            for start, end in attempts.day_parts:
                if i == 0 and start <= loc.time() < end:
                    continue  # not the part of the day that just failed
                part_start, part_end = self._at(day, start, r), self._at(day, end, r)
                if part_end <= earliest:
                    continue
                t = self.next_allowed(max(earliest, part_start), region)
                if t < part_end:
                    return t
        return self.next_allowed(earliest, region)
