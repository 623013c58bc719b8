"""What every gateway codec offers, plus the small JSON checks they share.

A codec is per connection (it remembers the stream id and the sample rate from the first
message) and is the only place that knows the wire format.
"""

from __future__ import annotations

import base64
import binascii
import json
from abc import ABC, abstractmethod
from typing import Any, ClassVar

from voicebot.errors import ProtocolError
from voicebot.events import CallStart, InboundEvent, OutboundEvent

WireMessage = str | bytes
DTMF_DIGITS = frozenset("0123456789*#ABCD")


class Codec(ABC):
    """Turns wire messages into inbound events and outbound events into wire messages."""

    name: ClassVar[str]
    subprotocol: ClassVar[str | None] = None
    echoes_marks: ClassVar[bool] = False  # gateway confirms marks; else the session confirms them
    can_transfer: ClassVar[bool] = False  # a transfer message exists on this socket

    def __init__(self, *, default_rate: int = 8000) -> None:
        self.default_rate = default_rate
        self.start: CallStart | None = None

    @property
    def sample_rate(self) -> int:
        """Hertz of the PCM16 this codec hands over and expects back."""
        return self.start.sample_rate if self.start else self.default_rate

    @abstractmethod
    def decode(self, message: WireMessage) -> list[InboundEvent]:
        """Events carried by one wire message (often none). Raises ProtocolError."""

    @abstractmethod
    def encode(self, event: OutboundEvent) -> list[WireMessage]:
        """Wire messages for one outbound event (none when the protocol has no such message)."""

    def _require_started(self, what: str) -> CallStart:
        if self.start is None:
            raise ProtocolError(
                f"{self.name}: {what} before the call started",
                hint="the gateway must send its start/metadata message first",
            )
        return self.start


def parse_object(text: str, protocol: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ProtocolError(
            f"{protocol}: text frame is not valid JSON ({exc.msg} at char {exc.pos}): {text[:80]!r}",
            hint="the gateway must send one JSON object per text frame",
        ) from exc
    if not isinstance(data, dict):
        raise ProtocolError(
            f"{protocol}: expected a JSON object, got {type(data).__name__}",
            hint="the gateway must send one JSON object per text frame",
        )
    return data


def field(data: dict[str, Any], key: str, kind: type, protocol: str, where: str = "") -> Any:
    """``data[key]`` checked for presence and type (int fields may come as digit strings)."""
    place = f"{where}.{key}" if where else key
    if key not in data:
        raise ProtocolError(f"{protocol}: message lacks {place!r}", hint="see protocols.md")
    value = data[key]
    if kind is int and isinstance(value, str) and value.strip().isdigit():
        return int(value)
    if kind is str and isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ProtocolError(
            f"{protocol}: {place!r} should be {kind.__name__}, got {type(value).__name__}",
            hint="see protocols.md",
        )
    return value


def b64decode(payload: str, protocol: str) -> bytes:
    try:
        return base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ProtocolError(f"{protocol}: audio payload is not valid base64", hint=str(exc)) from exc


def b64encode(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def check_digit(digit: str, protocol: str) -> str:
    digit = digit.strip().upper()
    if digit not in DTMF_DIGITS:
        raise ProtocolError(f"{protocol}: {digit!r} is not a DTMF digit", hint="0-9, *, #, A-D")
    return digit


def string_params(values: dict[str, Any]) -> dict[str, str]:
    """Scalar values as strings (what a deployment passes as call context)."""
    out: dict[str, str] = {}
    for key, value in values.items():
        if isinstance(value, str):
            out[str(key)] = value
        elif isinstance(value, bool | int | float):
            out[str(key)] = json.dumps(value)
    return out


def to_json(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))
