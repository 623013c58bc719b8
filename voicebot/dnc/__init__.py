"""The do-not-call list (number normalisation, checks, CSV exchange, a fast in-process cache)."""

from __future__ import annotations

from voicebot.dnc.numbers import normalize_number, salted_digest
from voicebot.dnc.service import DncCheck, DncList

__all__ = ["DncCheck", "DncList", "normalize_number", "salted_digest"]
