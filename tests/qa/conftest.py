from __future__ import annotations

from pathlib import Path

import pytest
from shared_fixtures import ZH_CALLERS

from voicebot.config import Settings

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "audio_fixtures"
SHARED = ZH_CALLERS


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data")


@pytest.fixture(scope="session")
def whisper_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings whose models folder holds Whisper-base (assembled once per session)."""
    data = tmp_path_factory.mktemp("qa-data")
    settings = Settings(data_dir=data)
    from voicebot.asr.models import resolve_model

    resolve_model(settings.asr.whisper_model, settings.models_dir)
    return settings


def changed_script(folder: Path, after: str = 'next = "q5_surrender"',
                   rule: str = 'on.not_understood = ["problem", "next"]') -> Path:
    """A copy of new_policy with one rule added to a question (found by its ``next`` line).
    Default: a caller who does not understand Q4 is recorded as a problem at once, without
    the explanation — a changed rule that alters outcomes."""
    source = ROOT / "voicebot" / "dialogs" / "scripts" / "new_policy.toml"
    text = source.read_text(encoding="utf-8")
    assert text.count(after) == 1
    out = folder / "new_policy.toml"
    out.write_text(text.replace(after, f"{after}\n{rule}"), encoding="utf-8")
    return out
