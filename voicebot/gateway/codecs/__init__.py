"""Gateway codecs, chosen by URL path or WebSocket subprotocol."""

from __future__ import annotations

from voicebot.gateway.codecs.base import Codec, WireMessage
from voicebot.gateway.codecs.binary_pcm import AudioForkCodec, JambonzCodec
from voicebot.gateway.codecs.twilio import TwilioCodec

CODECS: dict[str, type[Codec]] = {
    "twilio": TwilioCodec,
    "audiofork": AudioForkCodec,
    "jambonz": JambonzCodec,
}
BY_SUBPROTOCOL: dict[str, type[Codec]] = {
    c.subprotocol: c for c in CODECS.values() if c.subprotocol is not None
}


def codec_for(path: str, subprotocols: list[str]) -> type[Codec] | None:
    """The codec for a request: ``/twilio``-style path first, else an offered subprotocol."""
    name = path.split("?", 1)[0].strip("/").split("/")[0]
    if name in CODECS:
        return CODECS[name]
    if name in ("", "ws", "stream"):
        for offered in subprotocols:
            if offered in BY_SUBPROTOCOL:
                return BY_SUBPROTOCOL[offered]
    return None


__all__ = [
    "BY_SUBPROTOCOL", "CODECS", "AudioForkCodec", "Codec", "JambonzCodec", "TwilioCodec",
    "WireMessage", "codec_for",
]
