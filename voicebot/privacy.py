"""Masking of personal numbers: ID numbers and phone numbers are sensitive (PIPL); logs and
anything shown to a user without the right role get masked values, full values stay in the
database only.

    mask_id("110105199001011234")  -> "110105********1234"
    mask_phone("13800000001")       -> "138****0001"
    mask_text("call 138-0000-0001") -> "call 138****0001"
"""

from __future__ import annotations

import logging
import re

# Roles that may see full values (voicebot.store.models.Role values).
FULL_VALUE_ROLES = frozenset({"admin"})

_ID_RE = re.compile(r"(?<![0-9A-Za-z])(\d{6})(\d{8})(\d{3}[\dXx])(?![0-9A-Za-z])|(?<!\d)(\d{6})(\d{5})(\d{4})(?!\d)")
# Mobile numbers, optionally +86/0086, with optional space or dash groups (3-4-4).
_PHONE_RE = re.compile(
    r"(?<![0-9A-Za-z+])(?:(?:\+|00)86[\s-]?)?(1[3-9]\d)[\s-]?(\d{4})[\s-]?(\d{4})(?![0-9A-Za-z])"
)
# Landlines: area code 0xx(x), a dash or space, 7-8 digits.
_LANDLINE_RE = re.compile(r"(?<![0-9A-Za-z*])(0\d{2,3})[\s-]?(\d{3,4})(\d{4})(?![0-9A-Za-z])")


def mask_id(value: str) -> str:
    """Keep the region code (6) and the last 4; works on 18- and 15-character IDs."""
    v = value.strip()
    if len(v) <= 10:
        return "*" * len(v)
    return v[:6] + "*" * (len(v) - 10) + v[-4:]


def mask_phone(value: str) -> str:
    """Keep the first 3 and last 4 digits of a phone number (others become ``*``)."""
    digits = re.sub(r"\D", "", value)
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if len(digits) <= 7:
        return digits[:1] + "*" * max(len(digits) - 3, 0) + digits[-2:] if digits else ""
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def _id_sub(m: re.Match[str]) -> str:
    if m.group(1):
        return m.group(1) + "*" * 8 + m.group(3)
    return m.group(4) + "*" * 5 + m.group(6)


def mask_text(text: str) -> str:
    """Mask every ID number and phone number found in free text (log lines, transcripts)."""
    text = _ID_RE.sub(_id_sub, text)
    text = _PHONE_RE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)
    return _LANDLINE_RE.sub(lambda m: m.group(1) + "*" * len(m.group(2)) + m.group(3), text)


def can_see_full(role: str | None) -> bool:
    return role in FULL_VALUE_ROLES


def show_phone(value: str, role: str | None) -> str:
    return value if can_see_full(role) else mask_phone(value)


def show_id(value: str, role: str | None) -> str:
    return value if can_see_full(role) else mask_id(value)


def show_text(value: str, role: str | None) -> str:
    return value if can_see_full(role) else mask_text(value)


class MaskingFilter(logging.Filter):
    """A logging filter that masks ID and phone numbers in the formatted message and traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: leave the record for logging to report
            return True
        record.msg = mask_text(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = mask_text(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = mask_text(record.exc_text)
        return True


def install_log_masking(logger: logging.Logger | None = None) -> MaskingFilter:
    """Add a :class:`MaskingFilter` to every handler of ``logger`` (default: root). Handler
    filters see records propagated from child loggers; logger filters would not."""
    target = logger or logging.getLogger()
    filt = MaskingFilter()
    for handler in target.handlers:
        if not any(isinstance(f, MaskingFilter) for f in handler.filters):
            handler.addFilter(filt)
    return filt
