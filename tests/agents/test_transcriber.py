"""The agent's voice becomes agent turns: real Whisper-base on speech from the project's own
espeak-ng voice, VAD-cut, timed on the call's clock, stored and shown on the desk."""

from __future__ import annotations

from difflib import SequenceMatcher

import pytest

from voicebot.agents import AgentRef, AgentRegistry
from voicebot.asr.base import AsrEngine
from voicebot.nlu.types import Intent
from voicebot.prompts.synth import Synthesizer

from .fakes import FakeTarget

pytestmark = pytest.mark.slow
AGENT_SAYS = "您好，我是人工客服，请问您哪里不清楚？"


async def test_agent_speech_is_transcribed_into_agent_turns(whisper: AsrEngine) -> None:
    speech = Synthesizer("cmn-latn-pinyin+f3").synthesize(AGENT_SAYS, rate=130, sample_rate=16000)
    audio = bytes(16000) + speech + bytes(16000)  # 0.5 s quiet, the sentence, 0.5 s quiet
    reg = AgentRegistry(asr=whisper)
    t = FakeTarget()
    t.live = reg.register(t)
    t.answer(Intent.REQUEST_AGENT, "转人工")
    alice = AgentRef(1, "alice", "Alice Wang")
    await reg.take("call-1", alice)
    bridge = await reg.connect_audio("call-1", alice, 16000)
    t0 = t.now_ms()
    for i in range(0, len(audio), 640):
        await reg.agent_audio(bridge, audio[i:i + 640])
    await reg.hand_back("call-1", alice, "q3_read")  # stops the bridge: the last words are kept

    assert len(t.turns) == 1, t.turns
    turn = t.turns[0]
    assert turn.speaker == "agent" and turn.via == "agent"
    heard = SequenceMatcher(None, "您好我是人工客服请问您哪里不清楚", turn.text or "").ratio()
    assert heard >= 0.6, turn.text  # Whisper-base on espeak-ng: most characters, not all
    assert t0 <= turn.start_ms <= t0 + 900  # speech starts 0.5 s in (less the VAD pre-roll)
    assert turn.end_ms is not None and turn.end_ms - turn.start_ms > 4000
    lines = [line for line in reg.calls()[0].transcript if line["speaker"] == "agent"]
    assert lines and lines[0]["text"] == turn.text
    assert len(t.played) * 320 >= len(audio) // 2 * 0.9  # resampled to 8 kHz and played out
    await reg.unregister("call-1")
