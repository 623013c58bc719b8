"""Fixtures for the bot's voice: real espeak-ng synthesis, settings in a temporary data folder,
and one real Whisper-base model per test session (loading it is the slow part)."""

from __future__ import annotations

from pathlib import Path

import pytest

from voicebot.config import Settings, load_settings
from voicebot.prompts.intelligibility import Transcribe
from voicebot.prompts.synth import Synthesizer


class SpySynthesizer(Synthesizer):
    """The real synthesiser, counting the texts it was asked to speak (for cache-hit tests)."""

    def __init__(self, voice: str, *, text_mode: str = "pinyin") -> None:
        super().__init__(voice, text_mode=text_mode)
        self.calls: list[tuple[str, int, int]] = []

    def synthesize(self, text: str, *, rate: int, sample_rate: int = 8000) -> bytes:
        self.calls.append((text, rate, sample_rate))
        return super().synthesize(text, rate=rate, sample_rate=sample_rate)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(env={"VOICEBOT_DATA_DIR": str(tmp_path / "data")})


@pytest.fixture
def spy(settings: Settings) -> SpySynthesizer:
    return SpySynthesizer(settings.tts.voice, text_mode=settings.tts.text_mode)


@pytest.fixture(scope="session")
def whisper(tmp_path_factory: pytest.TempPathFactory) -> Transcribe:
    """Real Whisper-base (faster-whisper, int8 on CPU), loaded once per session."""
    from voicebot.prompts.listen import load_transcriber

    data = tmp_path_factory.mktemp("whisper-data")
    return load_transcriber(load_settings(env={"VOICEBOT_DATA_DIR": str(data)}), "whisper")
