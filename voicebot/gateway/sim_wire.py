"""The gateway's side of each protocol, for the simulated gateway (the mirror of the codecs)."""

from __future__ import annotations

import base64
import json
import uuid
from dataclasses import dataclass

from voicebot.audio import ulaw_decode, ulaw_encode
from voicebot.errors import ProtocolError


@dataclass(frozen=True)
class BotMessage:
    kind: str  # audio | mark | clear | hangup | transfer | other
    pcm: bytes = b""
    name: str = ""  # mark name / transfer target


class GatewayWire:
    protocol = ""
    path = ""
    subprotocols: list[str] = []

    def __init__(self, params: dict[str, str], sample_rate: int = 8000) -> None:
        self.params = params
        self.rate = sample_rate
        self.call_id = ""

    def opening(self) -> list[str]:
        raise NotImplementedError

    def audio(self, pcm: bytes, chunk: int) -> str | bytes:
        raise NotImplementedError

    def dtmf(self, digit: str) -> str:
        raise NotImplementedError

    def mark_done(self, name: str) -> str | None:
        return None

    def stop(self) -> str | None:
        return None

    def decode(self, message: str | bytes) -> BotMessage:
        raise NotImplementedError


class TwilioWire(GatewayWire):
    protocol = "twilio"
    path = "/twilio"

    def __init__(self, params: dict[str, str], sample_rate: int = 8000) -> None:
        super().__init__(params, 8000)
        self.call_id = "CA" + uuid.uuid4().hex
        self.stream_sid = "MZ" + uuid.uuid4().hex
        self.seq = 0

    def _next(self) -> str:
        self.seq += 1
        return str(self.seq)

    def opening(self) -> list[str]:
        start = {
            "streamSid": self.stream_sid, "accountSid": "ACsimulator", "callSid": self.call_id,
            "tracks": ["inbound"], "customParameters": self.params,
            "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1},
        }
        return [
            json.dumps({"event": "connected", "protocol": "Call", "version": "1.0.0"}),
            json.dumps({"event": "start", "sequenceNumber": self._next(), "streamSid": self.stream_sid,
                        "start": start}, ensure_ascii=False),
        ]

    def audio(self, pcm: bytes, chunk: int) -> str:
        media = {"track": "inbound", "chunk": str(chunk), "timestamp": str(chunk * 20),
                 "payload": base64.b64encode(ulaw_encode(pcm)).decode()}
        return json.dumps({"event": "media", "sequenceNumber": self._next(),
                           "streamSid": self.stream_sid, "media": media})

    def dtmf(self, digit: str) -> str:
        return json.dumps({"event": "dtmf", "streamSid": self.stream_sid, "sequenceNumber": self._next(),
                           "dtmf": {"track": "inbound_track", "digit": digit}})

    def mark_done(self, name: str) -> str:
        return json.dumps({"event": "mark", "streamSid": self.stream_sid, "sequenceNumber": self._next(),
                           "mark": {"name": name}})

    def stop(self) -> str:
        return json.dumps({"event": "stop", "streamSid": self.stream_sid, "sequenceNumber": self._next(),
                           "stop": {"accountSid": "ACsimulator", "callSid": self.call_id}})

    def decode(self, message: str | bytes) -> BotMessage:
        if isinstance(message, bytes):
            raise ProtocolError("twilio simulator: the bot sent a binary frame", hint="bots send JSON")
        data = json.loads(message)
        event = data.get("event")
        if event == "media":
            return BotMessage("audio", ulaw_decode(base64.b64decode(data["media"]["payload"])))
        if event == "mark":
            return BotMessage("mark", name=data["mark"]["name"])
        if event == "clear":
            return BotMessage("clear")
        return BotMessage("other", name=str(event))


class AudioForkWire(GatewayWire):
    protocol = "audiofork"
    path = "/audiofork"
    subprotocols = ["audio.drachtio.org"]

    def __init__(self, params: dict[str, str], sample_rate: int = 8000) -> None:
        super().__init__(params, sample_rate)
        self.call_id = str(uuid.uuid4())

    def opening(self) -> list[str]:
        meta = {"uuid": self.call_id, "sampleRate": self.rate, "mixType": "mono", **self.params}
        return [json.dumps(meta, ensure_ascii=False)]

    def audio(self, pcm: bytes, chunk: int) -> bytes:
        return pcm

    def dtmf(self, digit: str) -> str:
        return json.dumps({"event": "dtmf", "dtmf": digit, "duration": 160})

    def decode(self, message: str | bytes) -> BotMessage:
        if isinstance(message, bytes):
            raise ProtocolError("audiofork simulator: the bot sent a binary frame", hint="bots send JSON")
        data = json.loads(message)
        kind = data.get("type")
        if kind == "playAudio":
            return BotMessage("audio", base64.b64decode(data["data"]["audioContent"]))
        if kind == "killAudio":
            return BotMessage("clear")
        if kind == "disconnect":
            return BotMessage("hangup")
        if kind == "transfer":
            return BotMessage("transfer", name=str(data.get("data", {}).get("target", "")))
        return BotMessage("other", name=str(kind))


WIRES: dict[str, type[GatewayWire]] = {"twilio": TwilioWire, "audiofork": AudioForkWire}
