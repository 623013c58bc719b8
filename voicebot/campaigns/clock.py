"""The campaign clock: the real time, or a fixed one for tests and rehearsals.

Set ``VOICEBOT_TODAY`` to an ISO date (``2026-03-02``: noon China time that day) or an ISO
time (``2026-03-02T10:00+08:00``; without a zone it is China time) and every ``voicebot tasks``
command plans, lists and leases as if it were then. Tests use it so they never depend on the
real date (the working-day calendar only knows the years its package ships).
"""

from __future__ import annotations

import os
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from voicebot.errors import ConfigError
from voicebot.store.types import as_utc, utcnow

ENV = "VOICEBOT_TODAY"
CHINA = ZoneInfo("Asia/Shanghai")


def now() -> datetime:
    """The aware UTC time campaigns should treat as now."""
    fixed = os.environ.get(ENV, "").strip()
    return parse_fixed(fixed) if fixed else utcnow()


def parse_fixed(text: str) -> datetime:
    try:
        if len(text) == 10:
            return as_utc(datetime.combine(date.fromisoformat(text), time(12), tzinfo=CHINA))
        at = datetime.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"{ENV}={text!r} is not an ISO date or time",
                          hint=f"use e.g. {ENV}=2026-03-02, or unset it for the real clock") from None
    return as_utc(at if at.tzinfo else at.replace(tzinfo=CHINA))
