"""Phone number normalisation for the do-not-call list, and the keys it is stored under."""

from __future__ import annotations

import hashlib
import re

from voicebot.errors import DncError

_STRIP = re.compile(r"[\s\-().]")


def normalize_number(raw: str) -> str:
    """Digits only, without the +86 / 0086 country prefix: ``+86 138-0000-0001`` → ``13800000001``.

    Accepts mobiles (11 digits from 1), landlines (0 + area code + number, 10-12 digits) and
    short service numbers (5-8 digits, e.g. 95519)."""
    if len(raw) == 11 and raw[0] == "1" and raw.isdigit() and raw.isascii():
        return raw  # the common case, already normalised
    text = _STRIP.sub("", str(raw).strip())
    if text.startswith("+"):
        if not text.startswith("+86"):
            raise DncError(f"{raw!r} is not a Chinese number", hint="only +86 numbers are supported")
        text = text[3:]
    elif text.startswith("0086"):
        text = text[4:]
    elif text.startswith("86") and len(text) == 13 and text[2] == "1":
        text = text[2:]
    if not text.isdigit() or not text.isascii():
        raise DncError(f"{raw!r} is not a phone number", hint="use digits, e.g. 13800000001")
    ok = (
        (text[0] == "1" and len(text) == 11)
        or (text[0] == "0" and 10 <= len(text) <= 12)
        or (text[0] not in "01" and 5 <= len(text) <= 8)
    )
    if not ok:
        raise DncError(
            f"{raw!r} has the wrong length for a phone number",
            hint="mobiles have 11 digits; landlines 0 + area code + 7-8 digits",
        )
    return text


def number_key(number: str) -> int:
    """An int64 key for a normalised number (a leading 1 keeps leading zeros apart)."""
    return int("1" + number)


def salted_digest(number: str, salt: str) -> str:
    """SHA-256 hex of ``salt + number`` (normalised): what hashed exchange files carry."""
    return hashlib.sha256((salt + number).encode()).hexdigest()


def digest_key(digest: str) -> int:
    """A signed int64 from the first 8 bytes of a hex digest (for the in-memory cache)."""
    return int.from_bytes(bytes.fromhex(digest[:16]), "big", signed=True)
