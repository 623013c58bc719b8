"""Mainland China phone numbers: normalise to digits and say whether they can be dialled."""

from __future__ import annotations

import re

from voicebot.campaigns.records import PhoneStatus

_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"0[1-9]\d{8,10}")  # area code with its 0, then 7–8 digits
_SEPARATORS = re.compile(r"[\s\-().\u3000\uff0d]")
_FULLWIDTH = str.maketrans("０１２３４５６７８９＋", "0123456789+")


def normalise_phone(raw: str) -> tuple[str, PhoneStatus]:
    """``("13812345678", OK)``; country code and separators dropped. Anything that is not a
    mainland mobile or landline number comes back INVALID (kept for re-verification)."""
    text = _SEPARATORS.sub("", (raw or "").translate(_FULLWIDTH))
    if not text:
        return "", PhoneStatus.MISSING
    for prefix in ("+86", "0086"):
        if text.startswith(prefix):
            text = text[len(prefix):]
    if len(text) == 13 and text.startswith("86"):
        text = text[2:]
    if _MOBILE.fullmatch(text) or _LANDLINE.fullmatch(text):
        return text, PhoneStatus.OK
    return text, PhoneStatus.INVALID


def mask_phone(number: str) -> str:
    """138****5678 for people without the right to see the number."""
    if len(number) < 7:
        return "*" * len(number)
    return number[:3] + "*" * (len(number) - 7) + number[-4:]
