"""The bot's voice: prompt packs (recordings), espeak-ng synthesis, a disk cache, rendering."""

from __future__ import annotations

from voicebot.prompts.cache import CacheKey, PromptCache
from voicebot.prompts.errors import PromptPackError, PromptTextError, TtsUnavailableError
from voicebot.prompts.pack import PromptPack
from voicebot.prompts.render import (
    CALL_RATE,
    PromptAudio,
    PromptRenderer,
    fill_template,
    is_elderly,
)
from voicebot.prompts.synth import Synthesizer, mandarin_voices

__all__ = [
    "CALL_RATE",
    "CacheKey",
    "PromptAudio",
    "PromptCache",
    "PromptPack",
    "PromptPackError",
    "PromptRenderer",
    "PromptTextError",
    "Synthesizer",
    "TtsUnavailableError",
    "fill_template",
    "is_elderly",
    "mandarin_voices",
]
