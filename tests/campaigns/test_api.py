"""The dispatch API over real HTTP (uvicorn on port 0), on a real SQLite file."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
import uvicorn
from sqlalchemy import insert, select

from voicebot.campaigns.api import create_app
from voicebot.campaigns.context import Campaign
from voicebot.store.db import Database
from voicebot.store.models import CallbackTask, Policy, TaskStatus

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))  # a clock inside calling hours


@pytest.fixture
async def server(sqlite_db: Database) -> AsyncIterator[str]:
    with sqlite_db.session() as s:
        pid = s.scalar(insert(Policy).values(policy_no="P1", holder_name="张三", holder_phone="13800000001",
                                             extra={}).returning(Policy.id))
        s.execute(insert(CallbackTask).values(
            policy_id=pid, script="new_policy", kind="new_policy", status=TaskStatus.PENDING, priority=1,
            attempts=0, next_attempt_at=NOW - timedelta(minutes=1), detail={}, note=""))
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(create_app(sqlite_db, Campaign(), ["secret"], clock=lambda: NOW), log_level="warning")
    srv = uvicorn.Server(config)
    task = asyncio.create_task(srv.serve(sockets=[sock]))
    for _ in range(1000):  # up to 10 s for uvicorn to listen
        if srv.started:
            break
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}/dispatch"
    finally:
        srv.should_exit = True
        await task
        sock.close()


async def test_lease_report_over_http(server: str, sqlite_db: Database) -> None:
    auth = {"Authorization": "Bearer secret"}
    async with httpx.AsyncClient() as http:
        r = await http.post(f"{server}/lease", json={"node": "bot-1"})
        assert r.status_code == 401 and r.json()["error"]["code"] == "VB611"
        r = await http.post(f"{server}/lease", content=b"{", headers=auth)
        assert r.status_code == 400
        r = await http.post(f"{server}/lease", json={"node": "bot-1"}, headers=auth)
        assert r.status_code == 200, r.text
        ls = r.json()["lease"]
        assert ls["phone"] == "13800000001" and ls["custom_parameters"]["task_id"] == str(ls["task_id"])
        assert (await http.post(f"{server}/lease", json={"node": "bot-2"}, headers=auth)).status_code == 204
        bad = {"task_id": ls["task_id"], "attempt": ls["attempt"], "node": "bot-1", "outcome": "meh"}
        assert (await http.post(f"{server}/report", json=bad, headers=auth)).status_code == 400
        other = dict(bad, node="bot-2", outcome="completed")
        assert (await http.post(f"{server}/report", json=other, headers=auth)).status_code == 400
        missing = dict(bad, task_id=999, outcome="completed")
        assert (await http.post(f"{server}/report", json=missing, headers=auth)).status_code == 404
        ok = dict(bad, outcome="completed", call_id="c-1")
        r = await http.post(f"{server}/report", json=ok, headers=auth)
        assert r.status_code == 200 and r.json()["status"] == "done"
    with sqlite_db.session() as s:
        assert s.scalar(select(CallbackTask.last_call_id)) == "c-1"


async def test_bad_requests(server: str) -> None:
    auth = {"Authorization": "Bearer secret"}
    async with httpx.AsyncClient() as http:
        r = await http.post(f"{server}/lease", json={"node": ""}, headers=auth)
        assert r.status_code == 400 and "node" in r.json()["error"]["message"]
        r = await http.post(f"{server}/report", json={"task_id": "x", "attempt": 1, "node": "n"}, headers=auth)
        assert r.status_code == 400
