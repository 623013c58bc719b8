"""The few typed messages a call is made of.

Codecs turn wire messages into these (inbound) and these into wire messages (outbound); the
session, the recorder, storage and logs all see the same objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


# ---- gateway → bot --------------------------------------------------------------------------
@dataclass(frozen=True)
class CallStart:
    call_id: str  # the gateway's id (Twilio callSid / audio_fork uuid / jambonz callSid)
    stream_id: str  # the stream to address replies to (Twilio streamSid); may equal call_id
    sample_rate: int  # Hertz of the PCM16 the codec will hand over
    params: dict[str, str] = field(default_factory=dict)  # customParameters / metadata (task_id, policy_no, script)
    caller: str = ""  # the customer's number when the gateway says it (masked in logs)


@dataclass(frozen=True)
class AudioIn:
    pcm: bytes  # PCM16 little-endian mono at CallStart.sample_rate
    timestamp_ms: int | None = None  # the gateway's media timestamp, if any


@dataclass(frozen=True)
class DtmfIn:
    digit: str  # "0"-"9", "*", "#"


@dataclass(frozen=True)
class MarkDone:
    name: str  # a mark the bot sent has been played (or dropped by clear)


@dataclass(frozen=True)
class CallEnd:
    reason: str = "hangup"


InboundEvent = CallStart | AudioIn | DtmfIn | MarkDone | CallEnd


# ---- bot → gateway --------------------------------------------------------------------------
@dataclass(frozen=True)
class AudioOut:
    pcm: bytes  # PCM16 mono at the call's sample rate, one 20 ms frame


@dataclass(frozen=True)
class Mark:
    name: str


@dataclass(frozen=True)
class ClearAudio:
    """Barge-in: drop whatever the gateway still has queued to play."""


@dataclass(frozen=True)
class Transfer:
    target: str  # where to send the call (agent queue, SIP URI, number)
    reason: str = ""


@dataclass(frozen=True)
class Hangup:
    reason: str = ""


OutboundEvent = AudioOut | Mark | ClearAudio | Transfer | Hangup


# ---- what happened during a call (logs, storage, console, metrics) ---------------------------
class CallEventType(StrEnum):
    STARTED = "started"
    BOT_SAID = "bot_said"
    PROMPT_HEARD = "prompt_heard"  # playback finished or was cut: how much the caller heard
    BARGE_IN = "barge_in"
    PARTIAL = "partial"
    CALLER_SAID = "caller_said"
    DTMF = "dtmf"
    INTENT = "intent"
    ESCALATED = "escalated"
    AGENT_JOINED = "agent_joined"
    AGENT_LEFT = "agent_left"
    ERROR = "error"
    ENDED = "ended"


@dataclass(frozen=True)
class CallEvent:
    call_id: str
    type: CallEventType
    at_ms: int  # milliseconds since the call started
    data: dict[str, Any] = field(default_factory=dict)
