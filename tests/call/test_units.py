"""Unit tests of the call helpers: backchannels, the barge-in detector on real fixture audio,
call context from gateway parameters, paced playback against a recording connection double."""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field

import pytest
from shared_fixtures import ZH_CALLERS

from voicebot.audio import read_pcm16, silence
from voicebot.call.context import resolve_context
from voicebot.call.listener import BargeDetector, is_backchannel
from voicebot.call.playback import Playback
from voicebot.errors import PolicyError
from voicebot.events import AudioOut, ClearAudio, OutboundEvent
from voicebot.gateway.codecs import AudioForkCodec

FIXTURES = ZH_CALLERS
POLICY = json.loads((FIXTURES / "scenarios.json").read_text(encoding="utf-8"))[0]["policy"]


@pytest.mark.parametrize(("text", "short"), [
    ("嗯", True), ("嗯嗯。", True), ("对对", True), ("好的", True), ("对，是我", False),
    ("不是", False), ("我不需要", False), ("", False),
])
def test_backchannels(text: str, short: bool) -> None:
    assert is_backchannel(text) is short


def detect(file: str) -> bool:
    pcm = silence(8000, 500) + read_pcm16(FIXTURES / file, 8000)
    detector = BargeDetector(8000, voiced_ms=400)
    return any(detector.push(pcm[i:i + 320], i // 16) for i in range(0, len(pcm), 320))


@pytest.mark.parametrize("file", ["silence_01.wav", "silence_02.wav", "silence_03.wav", "silence_04.wav"])
def test_line_noise_does_not_barge_in(file: str) -> None:
    assert not detect(file)


@pytest.mark.parametrize("file", ["deny_04.wav", "do_not_call_01.wav", "affirm_12.wav"])
def test_real_speech_barges_in(file: str) -> None:
    assert detect(file)


def test_context_from_inline_policy_and_errors() -> None:
    ctx = resolve_context({"policy_json": json.dumps(POLICY, ensure_ascii=False)}, "", None)
    assert ctx.policy.policy_no == POLICY["policy_no"] and ctx.script_name == "new_policy"
    assert ctx.phone == POLICY["holder_phone"]
    with pytest.raises(PolicyError, match="no call context"):
        resolve_context({}, "", None)
    with pytest.raises(PolicyError, match="not JSON"):
        resolve_context({"policy_json": "{oops"}, "", None)


@dataclass
class RecordingConnection:
    """Test double for CallConnection: records what would go to the gateway, and when."""

    codec: AudioForkCodec = field(default_factory=AudioForkCodec)
    sent: list[tuple[float, OutboundEvent]] = field(default_factory=list)

    async def send(self, event: OutboundEvent) -> bool:
        self.sent.append((time.monotonic(), event))
        return True


async def test_playback_is_paced_and_cut_at_once() -> None:
    conn = RecordingConnection()
    recorded: list[bytes] = []
    playback = Playback(conn, 8000, clock=lambda: 0, record=lambda pcm, at: recorded.append(pcm),  # type: ignore[arg-type]
                        pace=4.0, lead_frames=2)
    one_second = b"\x01\x00" * 8000
    started = time.monotonic()
    played = await playback.play(one_second, "p")
    assert not played.cut and played.heard_ms == played.total_ms == 1000
    assert time.monotonic() - started >= 0.2  # 1 s of audio at pace 4, minus the lead
    assert len(recorded) == 50 and all(isinstance(e, AudioOut) for _, e in conn.sent)

    conn.sent.clear()
    task = asyncio.create_task(playback.play(one_second * 4, "q"))
    await asyncio.sleep(0.25)  # about 1 s of audio at pace 4
    heard = await playback.interrupt()
    result = await task
    assert result.cut and 500 <= heard < 2000 and result.heard_ms == heard
    assert isinstance(conn.sent[-1][1], ClearAudio)
