"""A real console with the agent desk on a free port, in the test's own event loop (as
``voicebot serve`` runs it beside the gateway), a real SQLite file and real users."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn

from voicebot.agents import AgentRegistry
from voicebot.asr.base import AsrEngine
from voicebot.config import Settings
from voicebot.console import create_app
from voicebot.console.areas.agent import attach_registry
from voicebot.store import users
from voicebot.store.db import Database

PASSWORDS = {"alice": "alice-pass-1", "bob": "bob-pass-12", "quinn": "quinn-pass-1"}
ROLES = {"alice": "agent", "bob": "agent", "quinn": "qa"}
LABELS = {"alice": "Alice Wang", "bob": "Bob Li", "quinn": "Quinn QA"}


@dataclass
class Desk:
    url: str
    settings: Settings
    db: Database
    registry: AgentRegistry

    async def login(self, name: str) -> httpx.AsyncClient:
        client = httpx.AsyncClient(base_url=self.url, follow_redirects=True, timeout=30)
        page = await client.get("/login")
        token = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert token, page.text
        r = await client.post("/login", data={"name": name, "password": PASSWORDS[name],
                                               "csrf": token.group(1), "next": ""})
        assert r.status_code == 200 and "/login" not in str(r.url), r.text[:300]
        return client


async def start_desk(data_dir: Path, registry: AgentRegistry, settings: Settings | None = None
                     ) -> tuple[Desk, uvicorn.Server, asyncio.Task[None]]:
    settings = settings or Settings(data_dir=data_dir)
    db = Database.open(settings.db_url)
    with db.session() as s:
        for name, password in PASSWORDS.items():
            users.create(s, name, ROLES[name], password, display_name=LABELS[name])
    app = create_app(settings, db=db)
    attach_registry(app, registry)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning",
                                           lifespan="off", ws="websockets-sansio"))
    task = asyncio.create_task(server.serve())
    for _ in range(2000):
        if server.started:
            break
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    return Desk(f"http://127.0.0.1:{port}", settings, db, registry), server, task


@pytest.fixture
async def desk(tmp_path: Path) -> AsyncIterator[Desk]:
    env, server, task = await start_desk(tmp_path / "data", AgentRegistry(asr=None))
    try:
        yield env
    finally:
        server.should_exit = True
        await task
        env.db.dispose()


@pytest.fixture(scope="session")
def whisper(tmp_path_factory: pytest.TempPathFactory) -> AsrEngine:
    """Whisper-base, loaded once (the agent transcriber's engine)."""
    from voicebot.asr.fetch import fetch_model
    from voicebot.asr.whisper import WhisperEngine

    path = fetch_model("whisper-base", tmp_path_factory.mktemp("models")).path
    return WhisperEngine(path, model_name="whisper-base")
