"""Codec unit tests: every message both ways, and the malformed input each must refuse."""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest

from voicebot.audio import ulaw_encode
from voicebot.errors import ProtocolError
from voicebot.events import (
    AudioIn,
    AudioOut,
    CallEnd,
    CallStart,
    ClearAudio,
    DtmfIn,
    Hangup,
    Mark,
    MarkDone,
    Transfer,
)
from voicebot.gateway.codecs import AudioForkCodec, JambonzCodec, TwilioCodec, codec_for


def tone(ms: int = 20, rate: int = 8000) -> bytes:
    t = np.arange(rate * ms // 1000) / rate
    return (np.sin(2 * np.pi * 440 * t) * 8000).astype("<i2").tobytes()


def twilio_start(**fmt: object) -> str:
    media_format = {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1, **fmt}
    return json.dumps({
        "event": "start", "sequenceNumber": "1", "streamSid": "MZ1",
        "start": {"streamSid": "MZ1", "accountSid": "AC1", "callSid": "CA1", "tracks": ["inbound"],
                  "customParameters": {"task_id": "T7", "caller": "13800138000"},
                  "mediaFormat": media_format},
    })


def started_twilio() -> TwilioCodec:
    codec = TwilioCodec()
    assert codec.decode(json.dumps({"event": "connected", "protocol": "Call", "version": "1.0.0"})) == []
    codec.decode(twilio_start())
    return codec


# ---- Twilio ---------------------------------------------------------------------------------
def test_twilio_start_gives_call_context() -> None:
    codec = TwilioCodec()
    [start] = codec.decode(twilio_start())
    assert start == CallStart("CA1", "MZ1", 8000, {"task_id": "T7", "caller": "13800138000"}, "13800138000")


def test_twilio_media_is_decoded_from_ulaw() -> None:
    codec = started_twilio()
    pcm = tone()
    payload = base64.b64encode(ulaw_encode(pcm)).decode()
    msg = {"event": "media", "sequenceNumber": "3", "streamSid": "MZ1",
           "media": {"track": "inbound", "chunk": "2", "timestamp": "20", "payload": payload}}
    [audio] = codec.decode(json.dumps(msg))
    assert isinstance(audio, AudioIn) and audio.timestamp_ms == 20 and len(audio.pcm) == 320
    got = np.frombuffer(audio.pcm, "<i2").astype(float)
    want = np.frombuffer(pcm, "<i2").astype(float)
    assert np.max(np.abs(got - want)) < 400  # μ-law quantisation only


def test_twilio_dtmf_mark_stop() -> None:
    codec = started_twilio()
    dtmf = {"event": "dtmf", "streamSid": "MZ1", "dtmf": {"track": "inbound_track", "digit": "#"}}
    assert codec.decode(json.dumps(dtmf)) == [DtmfIn("#")]
    assert codec.decode(json.dumps({"event": "mark", "streamSid": "MZ1", "mark": {"name": "p1"}})) == [MarkDone("p1")]
    stop = {"event": "stop", "streamSid": "MZ1", "stop": {"accountSid": "AC1", "callSid": "CA1"}}
    assert codec.decode(json.dumps(stop)) == [CallEnd("stop")]


def test_twilio_outbound_messages() -> None:
    codec = started_twilio()
    [media] = codec.encode(AudioOut(tone()))
    data = json.loads(media)
    assert data["event"] == "media" and data["streamSid"] == "MZ1"
    assert len(base64.b64decode(data["media"]["payload"])) == 160
    assert json.loads(codec.encode(Mark("q1"))[0]) == {"event": "mark", "streamSid": "MZ1", "mark": {"name": "q1"}}
    assert json.loads(codec.encode(ClearAudio())[0]) == {"event": "clear", "streamSid": "MZ1"}
    assert codec.encode(Hangup("done")) == [] and codec.encode(Transfer("agents")) == []


@pytest.mark.parametrize(
    ("message", "words"),
    [
        (b"\x00\x01", "binary frame"),
        ("{not json", "not valid JSON"),
        ("[1, 2]", "JSON object"),
        (json.dumps({"streamSid": "MZ1"}), "'event'"),
        (json.dumps({"event": "start", "start": {"callSid": "CA1"}}), "streamSid"),
        (twilio_start(encoding="audio/l16"), "unsupported media format"),
        (twilio_start(sampleRate=16000), "unsupported media format"),
        (json.dumps({"event": "media", "media": {"payload": "AAAA"}}), "before the call started"),
    ],
)
def test_twilio_refuses_malformed(message: str | bytes, words: str) -> None:
    with pytest.raises(ProtocolError, match=words):
        TwilioCodec().decode(message)


@pytest.mark.parametrize(
    ("message", "words"),
    [
        ({"event": "media", "media": {"payload": "not base64!!"}}, "base64"),
        ({"event": "media", "media": {}}, "media.payload"),
        ({"event": "dtmf", "dtmf": {"digit": "x"}}, "DTMF digit"),
        ({"event": "mark", "mark": {}}, "mark.name"),
        ({"event": "media", "media": "oops"}, "should be dict"),
    ],
)
def test_twilio_refuses_bad_fields_after_start(message: dict[str, object], words: str) -> None:
    with pytest.raises(ProtocolError, match=words):
        started_twilio().decode(json.dumps(message))


def test_twilio_ignores_outbound_track_and_unknown_events() -> None:
    codec = started_twilio()
    out = {"event": "media", "media": {"track": "outbound", "payload": "//8="}}
    assert codec.decode(json.dumps(out)) == []
    assert codec.decode(json.dumps({"event": "somethingNew"})) == []


def test_twilio_second_start_refused() -> None:
    with pytest.raises(ProtocolError, match="second"):
        started_twilio().decode(twilio_start())


# ---- the binary-PCM family ---------------------------------------------------------------------
def test_audiofork_metadata_then_l16() -> None:
    codec = AudioForkCodec(default_rate=16000)
    [start] = codec.decode(json.dumps({"uuid": "fs-1", "policy_no": "P1", "from": "13900001111"}))
    assert isinstance(start, CallStart)
    assert (start.call_id, start.sample_rate, start.caller) == ("fs-1", 16000, "13900001111")
    assert start.params["policy_no"] == "P1"
    pcm = tone(rate=16000)
    assert codec.decode(pcm) == [AudioIn(pcm)]


def test_audiofork_outbound_messages() -> None:
    codec = AudioForkCodec()
    codec.decode(json.dumps({"uuid": "fs-1"}))
    play = json.loads(codec.encode(AudioOut(tone()))[0])
    assert play["type"] == "playAudio"
    assert play["data"]["audioContentType"] == "raw" and play["data"]["sampleRate"] == 8000
    assert base64.b64decode(play["data"]["audioContent"]) == tone()
    assert json.loads(codec.encode(ClearAudio())[0]) == {"type": "killAudio"}
    assert json.loads(codec.encode(Hangup())[0]) == {"type": "disconnect"}
    transfer = json.loads(codec.encode(Transfer("sip:agents@pbx", "request_agent"))[0])
    assert transfer == {"type": "transfer", "data": {"target": "sip:agents@pbx", "reason": "request_agent"}}
    assert codec.encode(Mark("m")) == []
    assert not codec.echoes_marks and codec.can_transfer


def test_jambonz_first_frame_rate_dtmf_and_no_transfer() -> None:
    codec = JambonzCodec()
    first = {"callSid": "jb-1", "from": "+8613800138000", "to": "95500", "sampleRate": 16000,
             "mixType": "mono", "customParameters": {"task_id": "T9"}}
    [start] = codec.decode(json.dumps(first))
    assert isinstance(start, CallStart)
    assert (start.call_id, start.sample_rate, start.params["task_id"]) == ("jb-1", 16000, "T9")
    assert codec.decode(json.dumps({"event": "dtmf", "dtmf": "5", "duration": 120})) == [DtmfIn("5")]
    assert codec.decode(json.dumps({"type": "playDone", "data": {"id": "x"}})) == []
    assert codec.encode(Transfer("agents")) == [] and not codec.can_transfer


@pytest.mark.parametrize(
    ("codec", "frames", "words"),
    [
        (AudioForkCodec(), [b"\x00\x00"], "before the metadata"),
        (AudioForkCodec(), ["not json"], "not valid JSON"),
        (AudioForkCodec(), [json.dumps({"uuid": "a"}), b"\x00\x00\x00"], "whole 16-bit"),
        (JambonzCodec(), [json.dumps({"callSid": "a", "mixType": "stereo"})], "mixType"),
        (JambonzCodec(), [json.dumps({"callSid": "a", "sampleRate": 11025})], "sampleRate"),
        (JambonzCodec(), [json.dumps({"callSid": "a", "sampleRate": "fast"})], "should be int"),
        (JambonzCodec(), [json.dumps({"callSid": "a"}), json.dumps({"event": "dtmf"})], "without a digit"),
    ],
)
def test_binary_family_refuses_malformed(codec: AudioForkCodec, frames: list[str | bytes], words: str) -> None:
    with pytest.raises(ProtocolError, match=words):
        for frame in frames:
            codec.decode(frame)


def test_routing_by_path_or_subprotocol() -> None:
    assert codec_for("/twilio?token=x", []) is TwilioCodec
    assert codec_for("/audiofork", []) is AudioForkCodec
    assert codec_for("/", ["audio.jambonz.org"]) is JambonzCodec
    assert codec_for("/", ["audio.drachtio.org"]) is AudioForkCodec
    assert codec_for("/nope", ["audio.drachtio.org"]) is None
    assert codec_for("/", []) is None
