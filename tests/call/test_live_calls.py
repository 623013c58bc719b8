"""Live-call behaviour over a real server: barge-in, DTMF-only answers, a dropped line, a
malformed message, a number on the do-not-call list (Whisper-base, real prompts, SQLite)."""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import json

import numpy as np
import pytest
import soundfile as sf
from websockets.asyncio.client import connect

from voicebot.audio import ulaw_encode
from voicebot.evidence.service import RECORDING
from voicebot.store import calls

from .conftest import SCENARIOS, TOKEN, Bot, problem_numbers

pytestmark = pytest.mark.slow
BASE = SCENARIOS["all_affirmed"]


async def test_barge_in_cuts_the_prompt_but_line_noise_does_not(bot: Bot) -> None:
    # line noise 300 ms into the ID prompt (must not cut it); the answer to question 2 spoken
    # 800 ms into it, before its key words (cut, and the question asked again)
    answers = [BASE.answers[0], "silence_03.wav", *BASE.answers[1:3], *BASE.answers[2:]]
    scenario = dataclasses.replace(BASE, name="barge_in", answers=answers)
    result = await bot.call(scenario, barge_in_ms={1: 300, 3: 800})
    events = result.record["events"] if result.record else []
    barges = [e for e in events if e["type"] == "barge_in"]
    assert len(barges) == 1, bot.describe(result)
    assert barges[0]["prompt_id"] != "verify_id"  # the noise did not cut the ID prompt
    assert result.barge_in_stop_ms[0] is None  # the noise: no clear
    assert result.barge_in_stop_ms[1] is not None  # the answer: clear arrived
    cut = [e for e in events if e["type"] == "prompt_heard" and e["cut"]]
    assert len(cut) == 1 and cut[0]["heard_ms"] < cut[0]["total_ms"]
    asked = [e["prompt_id"] for e in events if e["type"] == "bot_said"]
    assert asked.count(cut[0]["prompt_id"]) == 2, asked  # cut before its key words: asked again
    assert result.outcome == "completed", bot.describe(result)


async def test_dtmf_only_call(bot: Bot) -> None:
    tail = BASE.policy["holder_id_number"][-4:]
    answers = ["#1", f"#{tail}", "#1", "#1", "#1", "#1", "#1", "#1"]
    result = await bot.call(dataclasses.replace(BASE, name="dtmf_only", answers=answers))
    assert result.outcome == "completed", bot.describe(result)
    answered = (result.record or {})["outcome"]["answers"]
    assert answered and all(a["via"] == "dtmf" for a in answered)
    assert problem_numbers(result) == []


def start_message(call_sid: str, policy: dict[str, object]) -> str:
    params = {"policy_json": json.dumps(policy, ensure_ascii=False), "caller": str(policy["holder_phone"])}
    return json.dumps({"event": "start", "streamSid": "MZ" + call_sid, "start": {
        "streamSid": "MZ" + call_sid, "callSid": call_sid, "customParameters": params,
        "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1}}})


def media(pcm: bytes) -> str:
    return json.dumps({"event": "media", "media": {"payload": base64.b64encode(ulaw_encode(pcm)).decode()}})


async def stream_then(bot: Bot, call_sid: str, seconds: float, ending: str) -> None:
    tone = (np.sin(np.arange(160) / 8000 * 2 * np.pi * 300) * 3000).astype("<i2").tobytes()
    url = f"{bot.url}/twilio?token={TOKEN}"
    async with connect(url) as ws:
        await ws.send(start_message(call_sid, BASE.policy))
        for _ in range(int(seconds * 50)):
            await ws.send(media(tone))
            await asyncio.sleep(0.02 / 8)
        if ending == "malformed":
            await ws.send("{this is not json")
            await asyncio.sleep(0.5)
        else:  # the line drops: no close frame, no stop event
            ws.transport.abort()


async def closed_call(bot: Bot, call_sid: str) -> calls.Call:
    for _ in range(100):
        record = bot.server.results.get(call_sid)
        if record is not None:
            break
        await asyncio.sleep(0.1)
    with bot.services.db.session() as s:
        row = calls.get(s, call_sid)
        s.expunge(row)
        return row


@pytest.mark.parametrize("ending", ["dropped", "malformed"])
async def test_a_broken_call_is_closed_as_interrupted_with_its_recording(bot: Bot, ending: str) -> None:
    call_sid = f"CAbroken{ending}"
    await stream_then(bot, call_sid, 3.0, ending)
    row = await closed_call(bot, call_sid)
    assert row.status == "closed" and row.outcome == "interrupted"
    if ending == "malformed":
        assert "protocol error" in row.end_reason
    recording = bot.settings.calls_dir / row.folder / RECORDING
    info = sf.info(str(recording))
    assert info.channels == 2 and info.duration >= 2.9  # everything the caller sent is kept
    assert bot.server.active_calls == 0


async def test_number_on_do_not_call_list_is_not_called_through(bot: Bot) -> None:
    phone = str(BASE.policy["holder_phone"])
    bot.services.dnc.add(phone, reason="test: asked before", added_by="test")
    try:
        result = await bot.call(dataclasses.replace(BASE, name="blocked", answers=[]),
                                hangup_after_s=3.0)
    finally:
        bot.services.dnc.remove(phone, removed_by="test")
    record = result.record or {}
    assert record["outcome"]["outcome"] == "not_reached"
    assert "do-not-call" in record["outcome"]["end_reason"]
    said = [e for e in record["events"] if e["type"] == "bot_said"]
    assert [e["prompt_id"] for e in said] == ["dnc_goodbye"]  # nothing asked
