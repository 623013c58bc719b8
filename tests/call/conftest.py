"""A real gateway server with real call sessions (Whisper-base, SQLite, espeak prompts) on port 0.

The recogniser model is loaded once per session; the data folder (prompt cache included) is
shared, so prompts are synthesised once. Calls run faster than real time (``PACE``): timers run
on the call's audio clock, so only wall-clock latencies change, and tests do not time anything.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from shared_fixtures import ZH_CALLERS

from voicebot.asr import AsrEngine
from voicebot.call.services import CallOptions, CallServices
from voicebot.call.session import call_handler
from voicebot.config import Settings, load_settings
from voicebot.gateway.scenarios import Scenario, load_scenarios
from voicebot.gateway.server import GatewayServer
from voicebot.gateway.simulator import GatewaySimulator, SimOptions, SimResult

FIXTURES = ZH_CALLERS
SCENARIOS = {s.name: s for s in load_scenarios(FIXTURES / "scenarios.json")}
PACE = 8.0
TOKEN = "test-gateway-token"


@pytest.fixture(scope="session")
def whisper_base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AsrEngine]:
    from voicebot.asr.fetch import fetch_model
    from voicebot.asr.whisper import WhisperEngine

    path = fetch_model("whisper-base", tmp_path_factory.mktemp("models")).path
    engine = WhisperEngine(path, model_name="whisper-base")
    yield engine
    engine.close()


@pytest.fixture(scope="session")
def call_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("calldata")


@dataclass
class Bot:
    server: GatewayServer
    services: CallServices
    settings: Settings

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.server.port}"

    problem_numbers = staticmethod(lambda result: problem_numbers(result))
    describe = staticmethod(lambda result: describe(result))

    async def call(self, scenario: Scenario, protocol: str = "twilio", **options: Any) -> SimResult:
        opts = SimOptions(url=self.url, protocol=protocol, token=TOKEN, fixtures_dir=FIXTURES,
                          pace=PACE, **options)
        return await GatewaySimulator(scenario, opts).run()


@asynccontextmanager
async def running_bot(data_dir: Path, engine: AsrEngine, **settings_env: str) -> AsyncIterator[Bot]:
    env = {"VOICEBOT_DATA_DIR": str(data_dir), **settings_env}
    settings = load_settings(env=env)
    settings.gateway.port = 0
    settings.gateway.tokens = f"sim={TOKEN}"
    services = CallServices.build(settings, asr=engine, options=CallOptions(pace=PACE))
    server = GatewayServer(settings.gateway, call_handler(services), metrics=services.metrics,
                           max_call_s=settings.dialog.max_call_s)
    await server.start()
    try:
        yield Bot(server, services, settings)
    finally:
        await server.shutdown(grace=5.0)
        services.db.dispose()


@pytest.fixture
async def bot(call_data_dir: Path, whisper_base: AsrEngine) -> AsyncIterator[Bot]:
    async with running_bot(call_data_dir, whisper_base) as b:
        yield b


@pytest.fixture
def scenarios() -> dict[str, Scenario]:
    return SCENARIOS


def problem_numbers(result: SimResult) -> list[int]:
    outcome = (result.record or {}).get("outcome") or {}
    return sorted(int(p["question_no"]) for p in outcome.get("problem_items", []) if p.get("question_no"))


def describe(result: SimResult) -> str:
    lines = [f"{e.at_ms / 1000:.1f}s {e.who}: {e.what}" for e in result.timeline]
    lines += [json.dumps(t, ensure_ascii=False) for t in (result.record or {}).get("transcript", [])]
    return "\n".join(lines)
