"""Errors of the bot's voice: synthesis unavailable, a bad prompt pack, a bad cache entry."""

from __future__ import annotations

from voicebot.errors import AudioError


class TtsUnavailableError(AudioError):
    """espeak-ng (the synthesiser pyttsx3 drives on Linux) or the configured voice is missing."""

    code = "VB350"


class PromptPackError(AudioError):
    """A prompt pack folder, its manifest or one of its recordings cannot be used."""

    code = "VB351"


class PromptTextError(AudioError):
    """A prompt cannot be rendered from its text (empty, or placeholders left unfilled)."""

    code = "VB352"
