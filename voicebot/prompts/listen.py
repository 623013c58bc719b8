"""A recogniser that listens to the bot's prompts for `voicebot prompts check`.

Whisper-base (faster-whisper) with the deterministic settings of speech.md. The bot's 8 kHz
audio is upsampled to Whisper's 16 kHz with the project resampler, and the answer is put into
Simplified characters (Whisper sometimes answers in Traditional).
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
import zhconv

from voicebot.audio.resample import resample
from voicebot.config import Settings
from voicebot.errors import ModelError
from voicebot.prompts.intelligibility import Transcribe

WHISPER_RATE = 16000
_models: dict[str, Any] = {}  # one loaded model per folder, shared by every check in a process
_models_lock = threading.Lock()


def whisper_model(settings: Settings) -> Any:
    """Whisper-base from the ASR model registry (assembled from its PyPI parts on first use)."""
    from voicebot.asr.models import resolve_model

    folder = str(resolve_model("whisper-base", settings.models_dir)[1])
    with _models_lock:
        if folder not in _models:
            try:
                from faster_whisper import WhisperModel
            except ImportError as exc:
                raise ModelError("faster-whisper is not installed",
                                 hint="pip install 'voicebot[whisper]'") from exc
            _models[folder] = WhisperModel(folder, device="cpu", compute_type="int8")
        return _models[folder]


def whisper_transcriber(model: Any) -> Transcribe:
    def transcribe(pcm: bytes, sample_rate: int) -> str:
        audio = np.frombuffer(resample(pcm, sample_rate, WHISPER_RATE), dtype="<i2")
        segments, _info = model.transcribe(
            audio.astype(np.float32) / 32768.0, language="zh", temperature=0.0,
            condition_on_previous_text=False, beam_size=5,
        )
        return str(zhconv.convert("".join(s.text for s in segments).strip(), "zh-cn"))

    return transcribe


def load_transcriber(settings: Settings, backend: str = "whisper") -> Transcribe:
    if backend != "whisper":
        raise ModelError(f"unknown recogniser {backend!r} for prompt checks", hint="use --backend whisper")
    return whisper_transcriber(whisper_model(settings))
