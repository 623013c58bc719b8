"""Twilio Media Streams (and the look-alikes that copy it): JSON text frames, μ-law 8 kHz."""

from __future__ import annotations

from typing import Any, ClassVar

from voicebot.audio import g711
from voicebot.errors import ProtocolError
from voicebot.events import (
    AudioIn,
    AudioOut,
    CallEnd,
    CallStart,
    ClearAudio,
    DtmfIn,
    Hangup,
    InboundEvent,
    Mark,
    MarkDone,
    OutboundEvent,
    Transfer,
)
from voicebot.gateway.codecs.base import (
    Codec,
    WireMessage,
    b64decode,
    b64encode,
    check_digit,
    field,
    parse_object,
    string_params,
    to_json,
)

P = "twilio"
_ENCODINGS = {"audio/x-mulaw": "ulaw", "audio/x-alaw": "alaw"}  # PCMA: Telnyx-style look-alikes


class TwilioCodec(Codec):
    name: ClassVar[str] = P
    echoes_marks: ClassVar[bool] = True

    def __init__(self, *, default_rate: int = 8000) -> None:
        super().__init__(default_rate=8000)
        self.law = "ulaw"
        self.stream_sid = ""

    def decode(self, message: WireMessage) -> list[InboundEvent]:
        if isinstance(message, bytes):
            raise ProtocolError(
                f"twilio: got a binary frame of {len(message)} bytes; Media Streams sends JSON text only",
                hint="use the /audiofork or /jambonz endpoint for binary PCM gateways",
            )
        data = parse_object(message, P)
        event = field(data, "event", str, P)
        handler = getattr(self, f"_on_{event}", None)
        if handler is None:
            return []  # a newer event type: forward compatible, nothing to do
        result: list[InboundEvent] = handler(data)
        return result

    def _on_connected(self, data: dict[str, Any]) -> list[InboundEvent]:
        return []

    def _on_start(self, data: dict[str, Any]) -> list[InboundEvent]:
        if self.start is not None:
            raise ProtocolError("twilio: a second 'start' on the same stream", hint="one stream per socket")
        start = field(data, "start", dict, P)
        stream_sid = start.get("streamSid") or data.get("streamSid")
        if not isinstance(stream_sid, str) or not stream_sid:
            raise ProtocolError("twilio: 'start' lacks streamSid", hint="see protocols.md")
        call_sid = field(start, "callSid", str, P, "start")
        fmt = field(start, "mediaFormat", dict, P, "start")
        encoding = field(fmt, "encoding", str, P, "start.mediaFormat")
        rate = field(fmt, "sampleRate", int, P, "start.mediaFormat")
        channels = field(fmt, "channels", int, P, "start.mediaFormat") if "channels" in fmt else 1
        if encoding not in _ENCODINGS or rate != 8000 or channels != 1:
            raise ProtocolError(
                f"twilio: unsupported media format {encoding} {rate} Hz x{channels}",
                hint="Media Streams carry audio/x-mulaw (or audio/x-alaw) at 8000 Hz mono",
            )
        custom = start.get("customParameters") or {}
        if not isinstance(custom, dict):
            raise ProtocolError("twilio: start.customParameters should be an object", hint="see protocols.md")
        params = string_params(custom)
        self.law = _ENCODINGS[encoding]
        self.stream_sid = stream_sid
        self.start = CallStart(
            call_id=call_sid,
            stream_id=stream_sid,
            sample_rate=8000,
            params=params,
            caller=params.get("caller") or params.get("from", ""),
        )
        return [self.start]

    def _on_media(self, data: dict[str, Any]) -> list[InboundEvent]:
        self._require_started("media")
        media = field(data, "media", dict, P)
        if media.get("track", "inbound") not in ("inbound", "inbound_track"):
            return []  # both_tracks streams also carry what the bot said
        pcm = self._to_pcm(b64decode(field(media, "payload", str, P, "media"), P))
        stamp = media.get("timestamp")
        timestamp = int(stamp) if isinstance(stamp, str | int) and str(stamp).isdigit() else None
        return [AudioIn(pcm=pcm, timestamp_ms=timestamp)]

    def _on_dtmf(self, data: dict[str, Any]) -> list[InboundEvent]:
        self._require_started("dtmf")
        dtmf = field(data, "dtmf", dict, P)
        return [DtmfIn(check_digit(field(dtmf, "digit", str, P, "dtmf"), P))]

    def _on_mark(self, data: dict[str, Any]) -> list[InboundEvent]:
        mark = field(data, "mark", dict, P)
        return [MarkDone(field(mark, "name", str, P, "mark"))]

    def _on_stop(self, data: dict[str, Any]) -> list[InboundEvent]:
        return [CallEnd("stop")]

    def _to_pcm(self, payload: bytes) -> bytes:
        return g711.ulaw_decode(payload) if self.law == "ulaw" else g711.alaw_decode(payload)

    def encode(self, event: OutboundEvent) -> list[WireMessage]:
        sid = self._require_started(type(event).__name__).stream_id
        if isinstance(event, AudioOut):
            law = g711.ulaw_encode(event.pcm) if self.law == "ulaw" else g711.alaw_encode(event.pcm)
            return [to_json({"event": "media", "streamSid": sid, "media": {"payload": b64encode(law)}})]
        if isinstance(event, Mark):
            return [to_json({"event": "mark", "streamSid": sid, "mark": {"name": event.name}})]
        if isinstance(event, ClearAudio):
            return [to_json({"event": "clear", "streamSid": sid})]
        if isinstance(event, Transfer | Hangup):
            return []  # done through the provider's REST API; the server closes the stream
        raise TypeError(f"not an outbound event: {event!r}")
