"""A real console: SQLite file, sealed evidence folders with real recordings, users of every
role, and uvicorn serving on a free port in a background thread."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn

from voicebot.config import Settings
from voicebot.console import create_app
from voicebot.console.demo import SeededCall, seed
from voicebot.store import users
from voicebot.store.db import Database

PASSWORDS = {"admin": "admin-pass-1", "qa": "qa-pass-123", "agent": "agent-pass-1"}


@dataclass
class Console:
    url: str
    settings: Settings
    db: Database
    calls: list[SeededCall]

    def call(self, scenario: str) -> SeededCall:
        return next(c for c in self.calls if c.scenario == scenario)

    def login(self, role: str) -> httpx.Client:
        client = httpx.Client(base_url=self.url, follow_redirects=True, timeout=30)
        page = client.get("/login")
        token = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert token, page.text
        r = client.post("/login", data={"name": role, "password": PASSWORDS[role],
                                         "csrf": token.group(1), "next": ""})
        assert r.status_code == 200 and "/login" not in str(r.url), r.text[:500]
        return client


class LiveServer:
    """uvicorn on port 0 in a thread; ``stop`` waits for it to finish."""

    def __init__(self, app: object) -> None:
        config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")  # type: ignore[arg-type]
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("console server did not start")
            time.sleep(0.02)
        sock: socket.socket = self.server.servers[0].sockets[0]
        return f"http://127.0.0.1:{sock.getsockname()[1]}"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)


def build_console(tmp: Path) -> tuple[Console, LiveServer]:
    settings = Settings(data_dir=tmp / "data")
    db = Database.open(settings.db_url)
    calls = seed(db, settings)
    with db.session() as s:
        for role, password in PASSWORDS.items():
            users.create(s, role, role, password, display_name=f"{role.upper()} user")
    server = LiveServer(create_app(settings, db=db))
    return Console(server.start(), settings, db, calls), server


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    env, server = build_console(tmp_path_factory.mktemp("console"))
    try:
        yield env
    finally:
        server.stop()
        env.db.dispose()
