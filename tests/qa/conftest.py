from __future__ import annotations

from pathlib import Path

import pytest

from voicebot.config import Settings

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "audio_fixtures"
SHARED = Path("/work/shared/fixtures/zh-callers")


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


def changed_script(folder: Path) -> Path:
    """A copy of new_policy where a caller who does not understand Q4 is recorded as a
    problem at once (no explanation): a changed rule that alters outcomes."""
    source = ROOT / "voicebot" / "dialogs" / "scripts" / "new_policy.toml"
    text = source.read_text(encoding="utf-8")
    anchor = 'next = "q5_surrender"'
    assert text.count(anchor) == 1
    out = folder / "new_policy.toml"
    out.write_text(text.replace(anchor, anchor + '\non.not_understood = ["problem", "next"]'),
                   encoding="utf-8")
    return out
