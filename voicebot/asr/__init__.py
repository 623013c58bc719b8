"""Speech recognition: one streaming interface (``base``), vosk and Whisper backends, models.

``create_engine(settings)`` loads the configured backend's model once; every call then gets a
recogniser from ``engine.new_stream(sample_rate)`` (wrap it in ``RecognizerStream`` in asyncio).
"""

from __future__ import annotations

from voicebot.asr.base import AsrEngine, AsrResult, Recognizer, Word
from voicebot.asr.factory import create_engine, endpoint_config
from voicebot.asr.stream import RecognizerStream

__all__ = [
    "AsrEngine",
    "AsrResult",
    "Recognizer",
    "RecognizerStream",
    "Word",
    "create_engine",
    "endpoint_config",
]
