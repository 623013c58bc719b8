"""Campaign rules: the working-day calendar overrides, due windows, calling hours and attempt
policy, read once from a TOML or JSON file (``campaigns.rules_file``) over built-in defaults.

These are a compliance officer's decisions, so they live in one readable file rather than in
code; see ``voicebot/campaigns/rules.example.toml``. Everything is validated here so that the
rest of the campaign code never meets a bad value.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from voicebot.campaigns.errors import RulesError

Span = tuple[time, time]  # [start, end): a call may start at start, not at end
DAY_KINDS = ("workday", "weekend", "holiday")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT_PRIORITIES = {
    "new_policy": 50,  # cooling-off deadline is short and mandated
    "grace_before": 40,
    "grace_after": 45,  # the policy is about to lapse
    "lapse": 35,
    "surrender": 30,
    "claim": 30,
}


@dataclass(frozen=True)
class CalendarRules:
    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()
    complete_years: frozenset[int] = frozenset()  # years described by these lists alone


@dataclass(frozen=True)
class WindowRules:
    cooling_off_days: int = 15  # 犹豫期 when the record gives no end date
    new_policy_start_offset_days: int = 1  # the customer needs the documents in hand
    grace_notice_workdays: int = 15  # call at least this many working days before grace ends
    grace_before_lead_workdays: int = 10  # window length before that deadline
    grace_after_workdays: int = 15
    lapse_workdays: int = 15
    event_followup_workdays: int = 10  # surrender/claim: "soon after"
    surrender_claim_min_yuan: Decimal = Decimal(1000)
    elderly_age: int = 60
    priorities: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_PRIORITIES))


@dataclass(frozen=True)
class DayHours:
    workday: tuple[Span, ...]
    weekend: tuple[Span, ...]
    holiday: tuple[Span, ...]

    def of(self, kind: str) -> tuple[Span, ...]:
        return tuple(getattr(self, kind))


@dataclass(frozen=True)
class Season:
    months: frozenset[int]
    hours: DayHours


@dataclass(frozen=True)
class RegionHours:
    timezone: str
    hours: DayHours
    weekdays: dict[int, tuple[Span, ...]] = field(default_factory=dict)  # 0=Mon, ordinary days
    seasons: tuple[Season, ...] = ()

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


LEGAL: Span = (time(9, 0), time(21, 0))  # 《人身保险电话销售业务管理办法》: none 21:00–09:00


@dataclass(frozen=True)
class HoursRules:
    legal: Span = LEGAL
    default: RegionHours = field(
        default_factory=lambda: RegionHours("Asia/Shanghai", DayHours((LEGAL,), (LEGAL,), (LEGAL,)))
    )
    regions: dict[str, RegionHours] = field(default_factory=dict)

    def region(self, name: str | None) -> RegionHours:
        return self.regions.get((name or "").strip().lower(), self.default)


@dataclass(frozen=True)
class AttemptRules:
    max_attempts: int = 5
    min_gap_minutes: int = 120
    interrupted_gap_minutes: int = 15  # the line dropped: the customer likely expects us back
    day_parts: tuple[Span, ...] = (
        (time(9, 0), time(12, 0)), (time(12, 0), time(17, 0)), (time(17, 0), time(21, 0)))
    per_number_daily_limit: int = 2


@dataclass(frozen=True)
class CampaignRules:
    calendar: CalendarRules = field(default_factory=CalendarRules)
    windows: WindowRules = field(default_factory=WindowRules)
    hours: HoursRules = field(default_factory=HoursRules)
    attempts: AttemptRules = field(default_factory=AttemptRules)

    @classmethod
    def load(cls, path: str | Path | None) -> CampaignRules:
        if not path:
            return cls()
        p = Path(path)
        try:
            text = p.read_text(encoding="utf-8")
        except OSError as exc:
            raise RulesError(f"cannot read campaign rules {p}: {exc}",
                             hint="check campaigns.rules_file") from exc
        try:
            data = json.loads(text) if p.suffix.lower() == ".json" else tomllib.loads(text)
        except (ValueError, tomllib.TOMLDecodeError) as exc:
            raise RulesError(f"campaign rules {p} do not parse: {exc}", hint="fix the line named") from exc
        return cls.from_dict(data, where=str(p))

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, where: str = "rules") -> CampaignRules:
        _known(data, {"calendar", "windows", "hours", "attempts"}, where)
        hours = _hours(data.get("hours", {}), f"{where}: hours")
        return cls(
            calendar=_calendar(data.get("calendar", {}), f"{where}: calendar"),
            windows=_windows(data.get("windows", {}), f"{where}: windows"),
            hours=hours,
            attempts=_attempts(data.get("attempts", {}), hours.legal, f"{where}: attempts"),
        )


def _known(data: Any, keys: set[str], where: str) -> None:
    if not isinstance(data, dict):
        raise RulesError(f"{where} must be a table", hint="see rules.example.toml")
    unknown = set(data) - keys
    if unknown:
        raise RulesError(f"{where}: unknown keys {sorted(unknown)}", hint=f"known: {sorted(keys)}")


def _day(value: Any, where: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise RulesError(f"{where}: {value!r} is not a date", hint="write YYYY-MM-DD") from exc


def _clock(value: Any, where: str) -> time:
    if isinstance(value, time):
        return value
    try:
        return time.fromisoformat(str(value))
    except ValueError as exc:
        raise RulesError(f"{where}: {value!r} is not a time of day", hint="write HH:MM") from exc


def _int(value: Any, where: str, low: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise RulesError(f"{where}: {value!r} must be a whole number ≥ {low}", hint="fix the value")
    return value


def _calendar(data: dict[str, Any], where: str) -> CalendarRules:
    _known(data, {"holidays", "workdays", "complete_years"}, where)
    holidays = frozenset(_day(v, f"{where}.holidays") for v in data.get("holidays", []))
    workdays = frozenset(_day(v, f"{where}.workdays") for v in data.get("workdays", []))
    both = holidays & workdays
    if both:
        raise RulesError(f"{where}: {sorted(both)[0]} is both a holiday and a workday",
                         hint="list each date once")
    years = frozenset(_int(v, f"{where}.complete_years", 1900) for v in data.get("complete_years", []))
    return CalendarRules(holidays, workdays, years)


def _windows(data: dict[str, Any], where: str) -> WindowRules:
    base = WindowRules()
    names = {k for k in base.__dataclass_fields__ if k not in ("priorities", "surrender_claim_min_yuan")}
    _known(data, names | {"priorities", "surrender_claim_min_yuan"}, where)
    values: dict[str, Any] = {k: _int(v, f"{where}.{k}") for k, v in data.items() if k in names}
    if "surrender_claim_min_yuan" in data:
        try:
            values["surrender_claim_min_yuan"] = Decimal(str(data["surrender_claim_min_yuan"]))
        except InvalidOperation as exc:
            raise RulesError(f"{where}.surrender_claim_min_yuan is not a number", hint="e.g. 1000") from exc
    prios = dict(DEFAULT_PRIORITIES)
    pri = data.get("priorities", {})
    _known(pri, set(DEFAULT_PRIORITIES), f"{where}.priorities")
    prios.update({k: _int(v, f"{where}.priorities.{k}") for k, v in pri.items()})
    return WindowRules(**values, priorities=prios)


def _spans(value: Any, legal: Span, where: str) -> tuple[Span, ...]:
    if not isinstance(value, list):
        raise RulesError(f"{where} must be a list of [start, end] pairs", hint='e.g. [["09:00", "21:00"]]')
    spans: list[Span] = []
    for pair in value:
        if not isinstance(pair, list) or len(pair) != 2:
            raise RulesError(f"{where}: {pair!r} is not a [start, end] pair", hint='e.g. ["09:00", "12:00"]')
        start, end = _clock(pair[0], where), _clock(pair[1], where)
        if start >= end:
            raise RulesError(f"{where}: {pair!r} ends before it starts", hint="windows cannot cross midnight")
        if start < legal[0] or end > legal[1]:
            raise RulesError(
                f"{where}: {pair!r} lies outside legal calling hours "
                f"{legal[0]:%H:%M}–{legal[1]:%H:%M}", hint="no outbound calls 21:00–09:00")
        spans.append((start, end))
    return tuple(sorted(spans))


def _day_hours(data: dict[str, Any], base: DayHours, legal: Span, where: str) -> DayHours:
    return DayHours(*(
        _spans(data[k], legal, f"{where}.{k}") if k in data else base.of(k) for k in DAY_KINDS))


def _region(data: dict[str, Any], base: RegionHours, legal: Span, where: str) -> RegionHours:
    _known(data, {"timezone", "weekdays", "seasons", *DAY_KINDS}, where)
    tz = str(data.get("timezone", base.timezone))
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise RulesError(f"{where}.timezone {tz!r} is unknown", hint="use an IANA name like Asia/Shanghai") from exc
    hours = _day_hours(data, base.hours, legal, where)
    wd = data.get("weekdays", {})
    _known(wd, set(WEEKDAYS), f"{where}.weekdays")
    weekdays = dict(base.weekdays)
    weekdays.update({WEEKDAYS.index(k): _spans(v, legal, f"{where}.weekdays.{k}") for k, v in wd.items()})
    seasons = list(base.seasons) if "seasons" not in data else []
    for i, s in enumerate(data.get("seasons", [])):
        _known(s, {"months", *DAY_KINDS}, f"{where}.seasons[{i}]")
        months = frozenset(_int(m, f"{where}.seasons[{i}].months", 1) for m in s.get("months", []))
        if not months or max(months) > 12:
            raise RulesError(f"{where}.seasons[{i}].months must list months 1–12", hint="e.g. [6, 7, 8]")
        seasons.append(Season(months, _day_hours(s, hours, legal, f"{where}.seasons[{i}]")))
    return RegionHours(tz, hours, weekdays, tuple(seasons))


def _hours(data: dict[str, Any], where: str) -> HoursRules:
    regions = data.get("regions", {})
    own = {k: v for k, v in data.items() if k not in ("legal", "regions")}
    legal = LEGAL
    if "legal" in data:
        spans = _spans([data["legal"]], LEGAL, f"{where}.legal")  # may only narrow 09–21
        legal = spans[0]
    base = HoursRules().default
    base = RegionHours(base.timezone, DayHours((legal,), (legal,), (legal,)))
    default = _region(own, base, legal, where)
    if not isinstance(regions, dict):
        raise RulesError(f"{where}.regions must be a table", hint="[hours.regions.NAME]")
    parsed = {k.strip().lower(): _region(v, default, legal, f"{where}.regions.{k}") for k, v in regions.items()}
    return HoursRules(legal, default, parsed)


def _attempts(data: dict[str, Any], legal: Span, where: str) -> AttemptRules:
    base = AttemptRules()
    _known(data, set(base.__dataclass_fields__), where)
    values: dict[str, Any] = {
        k: _int(v, f"{where}.{k}", 1 if k in ("max_attempts", "per_number_daily_limit") else 0)
        for k, v in data.items() if k != "day_parts"
    }
    if "day_parts" in data:
        values["day_parts"] = _spans(data["day_parts"], legal, f"{where}.day_parts")
    return AttemptRules(**values)
