"""The desk over real HTTP and WebSockets (uvicorn on port 0) with a FakeTarget call:
roles, the queue socket, take/second agent/hand-back, the audio socket, drops, origin checks."""

from __future__ import annotations

import asyncio
import json
import re

import pytest
import websockets
from sqlalchemy import select

from voicebot.agents import DeskStatus
from voicebot.nlu.types import Intent
from voicebot.store.models import AuditEntry

from .conftest import Desk
from .fakes import FakeTarget, tone


def ws_url(desk: Desk, path: str) -> str:
    return desk.url.replace("http://", "ws://") + path


def cookie(client: object) -> dict[str, str]:
    jar = client.cookies  # type: ignore[attr-defined]
    return {"Cookie": "; ".join(f"{k}={v}" for k, v in jar.items()), "Origin": "http://" + desk_host(client)}


def desk_host(client: object) -> str:
    return str(client.base_url).split("://", 1)[1].rstrip("/")  # type: ignore[attr-defined]


async def csrf(client: object, path: str = "/agent") -> str:
    page = await client.get(path)  # type: ignore[attr-defined]
    token = re.search(r'data-csrf="([^"]+)"', page.text)
    assert token, page.text[:300]
    return token.group(1)


def escalated_call(desk: Desk, call_id: str = "call-1") -> FakeTarget:
    t = FakeTarget(call_id=call_id)
    t.live = desk.registry.register(t)
    t.answer(Intent.REQUEST_AGENT, "我要转人工")
    return t


async def test_only_agents_open_the_desk(desk: Desk) -> None:
    qa = await desk.login("quinn")
    assert (await qa.get("/agent")).status_code == 403
    agent = await desk.login("alice")
    r = await agent.get("/")
    assert r.url.path == "/agent" and 'id="queue"' in r.text
    assert (await agent.get("/static/agent.js")).status_code == 200
    with pytest.raises(websockets.InvalidStatus):
        async with websockets.connect(ws_url(desk, "/agent/ws"), additional_headers=cookie(qa)):
            pass
    with pytest.raises(websockets.InvalidStatus):  # another site's page
        headers = {**cookie(agent), "Origin": "http://evil.example"}
        async with websockets.connect(ws_url(desk, "/agent/ws"), additional_headers=headers):
            pass


async def test_queue_socket_take_lock_and_hand_back(desk: Desk) -> None:
    alice, bob = await desk.login("alice"), await desk.login("bob")
    async with websockets.connect(ws_url(desk, "/agent/ws"), additional_headers=cookie(alice)) as ws:
        assert json.loads(await ws.recv()) == {"type": "queue", "calls": []}
        t = escalated_call(desk)
        msg = json.loads(await ws.recv())
        while msg["call"]["status"] != "waiting":
            msg = json.loads(await ws.recv())
        assert msg["call"]["context"]["policy"]["policy_no"] == t.dialog.policy.policy_no

        token = await csrf(alice)
        r = await alice.post("/agent/calls/call-1/take", data={"csrf": token})
        assert r.status_code == 200 and r.json()["call"]["holder_label"] == "Alice Wang"
        r = await bob.post("/agent/calls/call-1/take", data={"csrf": await csrf(bob)})
        assert r.status_code == 409 and r.json()["holder"] == "Alice Wang"
        r = await alice.post("/agent/calls/call-1/take", data={"csrf": "forged"})
        assert r.status_code == 403

        r = await alice.post("/agent/calls/call-1/handback", data={"csrf": token, "question_id": "bogus"})
        assert r.status_code == 400 and r.json()["error"]["code"] == "VB220"
        r = await alice.post("/agent/calls/call-1/handback", data={"csrf": token, "question_id": "identity"})
        assert r.json() == {"ok": True}
        assert t.dialog.current_question_id == "identity"
        while msg["call"]["status"] != "bot":
            msg = json.loads(await ws.recv())
    with desk.db.session() as s:
        actions = [(a.actor, a.action) for a in s.scalars(select(AuditEntry).where(AuditEntry.target == "call-1"))]
    assert ("alice", "agent.take") in actions and ("alice", "agent.handback") in actions
    await desk.registry.unregister("call-1")


async def test_audio_socket_carries_both_ways_and_a_drop_requeues(desk: Desk) -> None:
    alice = await desk.login("alice")
    t = escalated_call(desk)
    await alice.post("/agent/calls/call-1/take", data={"csrf": await csrf(alice)})
    url = ws_url(desk, "/agent/audio/call-1?rate=8000")
    async with websockets.connect(url, additional_headers=cookie(alice)) as ws:
        hello = json.loads(await ws.recv())
        assert hello["type"] == "hello" and hello["call_rate"] == 8000
        audio = tone(8000, 200)
        for i in range(0, len(audio), 320):
            await ws.send(audio[i:i + 320])
        t.live.caller_audio(b"\x02\x00" * 160)  # type: ignore[union-attr]
        assert await asyncio.wait_for(ws.recv(), 5) == b"\x02\x00" * 160
        for _ in range(100):
            if len(t.played) >= 10:
                break
            await asyncio.sleep(0.01)
        assert len(t.played) == 10 and t.played[3] == audio[960:1280]  # same rate: untouched
    for _ in range(100):  # the socket closed without a hand-back: the browser dropped
        if desk.registry.calls()[0].status is DeskStatus.WAITING:
            break
        await asyncio.sleep(0.02)
    assert desk.registry.calls()[0].holder is None and t.said == [desk.registry.settings.holding_prompt]
    bob = await desk.login("bob")
    async with websockets.connect(url, additional_headers=cookie(bob)) as ws:  # bob does not hold it
        assert json.loads(await ws.recv())["error"]["code"] == "VB713"
    await desk.registry.unregister("call-1")


async def test_end_closes_the_call_with_the_outcome(desk: Desk) -> None:
    alice = await desk.login("alice")
    t = escalated_call(desk)
    token = await csrf(alice)
    await alice.post("/agent/calls/call-1/take", data={"csrf": token})
    async with websockets.connect(ws_url(desk, "/agent/audio/call-1?rate=16000"),
                                  additional_headers=cookie(alice)) as ws:
        await ws.recv()
        r = await alice.post("/agent/calls/call-1/end",
                             data={"csrf": token, "outcome": "refused", "note": "客户拒绝回访"})
        assert r.json() == {"ok": True}
        tail = [m async for m in ws]  # the server ends the audio socket itself
        assert json.loads(tail[-1]) == {"type": "bye", "status": "ended"}
    assert t.closed == ("refused", "agent alice", "客户拒绝回访") and t.said == []
    await desk.registry.unregister("call-1")
