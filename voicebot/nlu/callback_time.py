"""A light parser for when a busy caller wants to be called back.

"明天下午三点" -> "2026-03-03T15:00" (relative to ``now``), "下周一" -> "2026-03-09",
"过半个小时" -> now + 30 min; vague words ("晚点", "回头") come back as the words themselves.
With a timezone-aware ``now`` a date-time carries its UTC offset ("2026-03-03T15:00+08:00", in
``now``'s zone) so a scheduler elsewhere reads it right; a naive ``now`` gives naive local times.
A date alone ("2026-03-09") is a calendar day in the caller's zone either way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

from voicebot.nlu.lexicon import default_lexicon
from voicebot.nlu.normalize import CN_DIGITS, normalize_text, spoken_int

_N = f"[{CN_DIGITS}两十]"
_RELATIVE = re.compile(rf"(?P<n>{_N}{{1,3}}|半|几)个?(?P<half>半)?(?P<u>小时|钟头|分钟)")
_WEEK = re.compile(r"(?P<next>下个?|这个?|本)?(?:周|星期|礼拜)(?P<w>[一二三四五六日天])")
# 慢一点 / 早一点 / 大声一点 are "a little", not one o'clock.
_CLOCK = re.compile(rf"(?<![慢快大小早晚多少好清高低声])(?P<h>{_N}{{1,3}})点(?:钟)?(?P<half>半)?(?:(?P<m>{_N}{{1,3}})分?)?")
_DAY_OF_MONTH = re.compile(rf"(?P<d>{_N}{{1,3}})(?:号|日)")
_WEEKDAYS = "一二三四五六日"


@dataclass(frozen=True)
class CallbackTime:
    value: str  # ISO date or date-time when resolvable, else the words
    words: str  # the time words as said (normalized)
    resolved: bool


@lru_cache(maxsize=1)
def _words() -> tuple[dict[str, int], dict[str, time], tuple[str, ...]]:
    lex = default_lexicon()
    parts = {k: time.fromisoformat(v) for k, v in lex.get("time", "time.parts", {}).items()}
    days = dict(lex.get("time", "time.days", {}))
    return days, parts, tuple(sorted(lex.strs("time", "time.vague"), key=len, reverse=True))


def _first(table: dict[str, object], text: str, *, last: bool = False) -> tuple[str, int] | None:
    """The earliest (or last: "今天没空，明天打") table word in ``text``, longest first."""
    hits = [(text.rfind(k) if last else text.find(k), len(k), k) for k in table if k in text]
    if not hits:
        return None
    pos, _, key = max(hits) if last else min(hits, key=lambda h: (h[0], -h[1]))
    return key, pos


def _relative(text: str, now: datetime) -> tuple[datetime, str] | None:
    m = _RELATIVE.search(text)
    if not m or m["n"] == "几":
        return None
    amount = 0.5 if m["n"] == "半" else spoken_int(m["n"])
    if amount is None:
        return None
    amount += 0.5 if m["half"] else 0
    unit = timedelta(minutes=1) if m["u"] == "分钟" else timedelta(hours=1)
    if now.tzinfo is None:
        return now + unit * amount, m.group(0)
    # Elapsed time, not wall-clock arithmetic (which is wrong across a DST change).
    return (now.astimezone(UTC) + unit * amount).astimezone(now.tzinfo), m.group(0)


def _day(text: str, today: date) -> tuple[date, str] | None:
    days, _, _ = _words()
    if (week := _WEEK.search(text)) is not None:
        target = _WEEKDAYS.index(week["w"]) if week["w"] != "天" else 6
        if (week["next"] or "").startswith("下"):
            monday = today - timedelta(days=today.weekday()) + timedelta(days=7)
            return monday + timedelta(days=target), week.group(0)
        return today + timedelta(days=(target - today.weekday()) % 7), week.group(0)
    if (hit := _first(dict(days), text, last=True)) is not None:
        return today + timedelta(days=days[hit[0]]), hit[0]
    if (dm := _DAY_OF_MONTH.search(text)) is not None and (d := spoken_int(dm["d"])) and d <= 31:
        month_start = today.replace(day=1)
        if d < today.day:
            month_start = (month_start + timedelta(days=32)).replace(day=1)
        try:
            return month_start.replace(day=d), dm.group(0)
        except ValueError:
            return None
    return None


def _clock(text: str, part: time | None) -> tuple[time, str] | None:
    m = _CLOCK.search(text)
    if not m or (hour := spoken_int(m["h"])) is None or hour > 24:
        return None
    if m.group(0) == "一点" and part is None:  # alone it means "a little" far more often
        return None
    minute = 30 if m["half"] else (spoken_int(m["m"]) or 0) if m["m"] else 0
    if minute > 59:
        return None
    pm = part.hour >= 12 if part is not None else hour < 8  # 三点 on its own means 15:00
    if pm and hour < 12:
        hour += 12
    return time(hour % 24, minute), m.group(0)


def find_callback_time(text: str, now: datetime | None = None) -> CallbackTime | None:
    """The callback time said in ``text``, or None when it names no time at all."""
    norm = normalize_text(text)
    ref = now or datetime.now()
    rel = _relative(norm, ref)
    if rel is not None:
        return CallbackTime(_iso(rel[0]), rel[1], True)
    _, parts, vague = _words()
    day = _day(norm, ref.date())
    part_hit = _first(dict(parts), norm)
    part = parts[part_hit[0]] if part_hit else None
    clock = _clock(norm, part)
    said = [w for w in (day and day[1], part_hit and part_hit[0], clock and clock[1]) if w]
    if clock is None and part is None:
        if day is not None:
            return CallbackTime(day[0].isoformat(), "".join(dict.fromkeys(said)), True)
        words = [v for v in vague if v in norm]
        return CallbackTime(words[0], words[0], False) if words else None
    at = clock[0] if clock is not None else part
    if at is None:  # unreachable: one of them is set here; keeps the type checker honest
        return None
    when = datetime.combine(day[0] if day else ref.date(), at, tzinfo=ref.tzinfo)
    if day is None and part is None and at.hour < 12 and when <= ref < when + timedelta(hours=12):
        when += timedelta(hours=12)  # 八点 said at 10:00 means tonight
    elif day is None and when <= ref:
        when += timedelta(days=1)
    return CallbackTime(_iso(when), "".join(dict.fromkeys(said)), True)


def _iso(when: datetime) -> str:
    """Minutes precision; the UTC offset only when ``when`` is aware ("...T15:00+08:00")."""
    return when.isoformat(timespec="minutes")


def parse_callback_time(text: str, now: datetime | None = None) -> str | None:
    """ISO date/date-time when resolvable relative to ``now``, else the time words, else None."""
    found = find_callback_time(text, now)
    return found.value if found else None
