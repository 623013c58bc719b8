"""Structured call logs: the call id on every line, personal data masked.

The call id lives in a context variable set by the server for each connection; every task the
call starts inherits it, so plain ``logging.getLogger(...)`` calls carry it without threading
it through arguments.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import time
from typing import Any

call_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("call_id", default="-")

_PHONE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")  # mainland mobile numbers
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{8}(\d{3}[\dXx])(?![0-9A-Za-z])")  # 18-char ID
_LONG_DIGITS = re.compile(r"(?<!\d)(\d{3})\d{6,}(\d{2})(?!\d)")  # bank cards and other long numbers


def mask(text: str) -> str:
    """Personal numbers reduced to a recognisable stub (first and last digits)."""
    text = _ID_NUMBER.sub(lambda m: f"{m.group(1)}********{m.group(2)}", text)
    text = _PHONE.sub(lambda m: f"{m.group(1)}****{m.group(2)}", text)
    return _LONG_DIGITS.sub(lambda m: f"{m.group(1)}****{m.group(2)}", text)


def mask_number(number: str) -> str:
    """A caller number for logs: only the last four digits."""
    digits = "".join(ch for ch in number if ch.isdigit())
    return f"***{digits[-4:]}" if len(digits) >= 4 else "***"


class CallContextFilter(logging.Filter):
    """Adds ``record.call_id`` and masks personal numbers in the rendered message."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.call_id = call_id_var.get()
        if record.args:
            record.msg = record.getMessage()
            record.args = None
        if isinstance(record.msg, str):
            record.msg = mask(record.msg)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line (for log shippers)."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(record.created))
            + f".{int(record.msecs):03d}",
            "level": record.levelname,
            "logger": record.name,
            "call_id": getattr(record, "call_id", "-"),
            "msg": record.getMessage(),
        }
        if record.exc_info:
            data["exc"] = mask(self.formatException(record.exc_info))
        return json.dumps(data, ensure_ascii=False)


TEXT_FORMAT = "%(asctime)s %(levelname)s [call %(call_id)s] %(name)s: %(message)s"


def install(level: int = logging.INFO, *, json_lines: bool = False) -> None:
    """Route the root logger's handlers through the call filter (idempotent)."""
    root = logging.getLogger()
    if not root.handlers:
        root.addHandler(logging.StreamHandler())
    root.setLevel(level)
    for handler in root.handlers:
        if not any(isinstance(f, CallContextFilter) for f in handler.filters):
            handler.addFilter(CallContextFilter())
        handler.setFormatter(JsonFormatter() if json_lines else logging.Formatter(TEXT_FORMAT))
