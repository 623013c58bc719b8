"""The binary-PCM family: a JSON first frame, then binary L16 frames; JSON control back.

FreeSWITCH mod_audio_fork (subprotocol ``audio.drachtio.org``) and jambonz ``listen``
(``audio.jambonz.org``) differ only in the metadata fields, DTMF and transfer.
"""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from voicebot.errors import ProtocolError
from voicebot.events import (
    AudioIn,
    AudioOut,
    CallStart,
    ClearAudio,
    DtmfIn,
    Hangup,
    InboundEvent,
    Mark,
    OutboundEvent,
    Transfer,
)
from voicebot.gateway.codecs.base import (
    Codec,
    WireMessage,
    b64encode,
    check_digit,
    field,
    parse_object,
    string_params,
    to_json,
)

RATES = (8000, 16000, 24000, 32000, 48000)
_CALL_ID_KEYS = ("callSid", "call_sid", "uuid", "callId", "callid", "call_id")


class BinaryPcmCodec(Codec):
    """Shared behaviour; subclasses name the protocol and its differences."""

    def decode(self, message: WireMessage) -> list[InboundEvent]:
        if self.start is None:
            if isinstance(message, bytes):
                raise ProtocolError(
                    f"{self.name}: binary audio before the metadata text frame",
                    hint="the first frame must be the JSON metadata",
                )
            return [self._start(parse_object(message, self.name))]
        if isinstance(message, bytes):
            if len(message) % 2:
                raise ProtocolError(
                    f"{self.name}: binary frame of {len(message)} bytes is not whole 16-bit samples",
                    hint="send PCM16 little-endian (L16) mono",
                )
            return [AudioIn(pcm=message)] if message else []
        return self._control(parse_object(message, self.name))

    def _start(self, meta: dict[str, Any]) -> CallStart:
        rate = field(meta, "sampleRate", int, self.name) if "sampleRate" in meta else self.default_rate
        if rate not in RATES:
            raise ProtocolError(f"{self.name}: unsupported sampleRate {rate}", hint=f"one of {RATES}")
        mix = meta.get("mixType", "mono")
        if mix not in ("mono", "mixed"):
            raise ProtocolError(
                f"{self.name}: mixType {mix!r} is not supported",
                hint="start the stream with mixType mono (the caller alone)",
            )
        params = string_params(meta)
        nested = meta.get("customParameters") or meta.get("params") or {}
        if isinstance(nested, dict):
            params.update(string_params(nested))
        call_id = next((params[k] for k in _CALL_ID_KEYS if params.get(k)), "") or uuid.uuid4().hex
        self.start = CallStart(
            call_id=call_id,
            stream_id=params.get("streamSid", call_id),
            sample_rate=rate,
            params=params,
            caller=params.get("caller") or params.get("from", ""),
        )
        return self.start

    def _control(self, data: dict[str, Any]) -> list[InboundEvent]:
        kind = data.get("event") or data.get("type")
        if kind == "dtmf":
            raw = data.get("dtmf")
            if isinstance(raw, dict):
                raw = raw.get("digit")
            if not isinstance(raw, str):
                raw = data.get("digit")
            if not isinstance(raw, str):
                raise ProtocolError(f"{self.name}: dtmf event without a digit", hint="see protocols.md")
            return [DtmfIn(check_digit(raw, self.name))]
        return []  # playDone and other notices: nothing the call needs

    def encode(self, event: OutboundEvent) -> list[WireMessage]:
        start = self._require_started(type(event).__name__)
        if isinstance(event, AudioOut):
            data = {"audioContentType": "raw", "sampleRate": start.sample_rate,
                    "audioContent": b64encode(event.pcm)}
            return [to_json({"type": "playAudio", "data": data})]
        if isinstance(event, ClearAudio):
            return [to_json({"type": "killAudio"})]
        if isinstance(event, Hangup):
            return [to_json({"type": "disconnect"})]
        if isinstance(event, Transfer):
            return self._transfer(event)
        if isinstance(event, Mark):
            return []  # no marks on this socket: the session confirms them as its paced audio goes out
        raise TypeError(f"not an outbound event: {event!r}")

    def _transfer(self, event: Transfer) -> list[WireMessage]:
        return []


class AudioForkCodec(BinaryPcmCodec):
    name: ClassVar[str] = "audiofork"
    subprotocol: ClassVar[str | None] = "audio.drachtio.org"
    can_transfer: ClassVar[bool] = True

    def _transfer(self, event: Transfer) -> list[WireMessage]:
        # mod_audio_fork raises mod_audio_fork::transfer with this data; the app routes it.
        return [to_json({"type": "transfer", "data": {"target": event.target, "reason": event.reason}})]


class JambonzCodec(BinaryPcmCodec):
    """jambonz listen: transfer is done by the application's webhook, not this socket."""

    name: ClassVar[str] = "jambonz"
    subprotocol: ClassVar[str | None] = "audio.jambonz.org"
