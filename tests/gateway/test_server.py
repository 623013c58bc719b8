"""The gateway server on port 0 with real websockets clients: routing, auth, limits, health."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from voicebot.config import GatewaySettings
from voicebot.events import CallEnd, CallStart, InboundEvent, Mark, MarkDone
from voicebot.gateway.connection import CallConnection
from voicebot.gateway.server import GatewayServer

TOKEN = "s3cret-token-1"


class RecordingHandler:
    """Test double for the call session: records the events and answers marks with marks."""

    def __init__(self) -> None:
        self.calls: list[list[InboundEvent | str]] = []
        self.hold = asyncio.Event()

    async def __call__(self, conn: CallConnection) -> None:
        seen: list[InboundEvent | str] = []
        self.calls.append(seen)
        try:
            async for event in conn.events():
                seen.append(event)
                if isinstance(event, CallStart):
                    await conn.send(Mark("hello"))
        except Exception as exc:
            seen.append(f"error:{type(exc).__name__}")
        finally:
            seen.append("closed")


@pytest.fixture
async def server() -> AsyncIterator[tuple[GatewayServer, RecordingHandler]]:
    handler = RecordingHandler()
    settings = GatewaySettings(port=0, tokens=f"twilio={TOKEN}", max_calls=2, idle_timeout_s=1.0)
    async with GatewayServer(settings, handler) as srv:
        yield srv, handler


def start_msg() -> str:
    return json.dumps({"event": "start", "streamSid": "MZ1", "start": {
        "streamSid": "MZ1", "callSid": "CA1", "customParameters": {"task_id": "T1"},
        "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1}}})


async def test_bad_token_refused_at_handshake(server: tuple[GatewayServer, RecordingHandler]) -> None:
    srv, handler = server
    with pytest.raises(InvalidStatus) as info:
        async with connect(srv.url("/twilio?token=wrong")):
            pass
    assert info.value.response.status_code == 401
    with pytest.raises(InvalidStatus):
        async with connect(srv.url("/twilio")):
            pass
    assert handler.calls == []


async def test_token_in_header_and_marks_round_trip(server: tuple[GatewayServer, RecordingHandler]) -> None:
    srv, handler = server
    async with connect(srv.url("/twilio"), additional_headers={"Authorization": f"Bearer {TOKEN}"}) as ws:
        await ws.send(start_msg())
        reply = json.loads(await ws.recv())
        assert reply == {"event": "mark", "streamSid": "MZ1", "mark": {"name": "hello"}}
        await ws.send(json.dumps({"event": "mark", "streamSid": "MZ1", "mark": {"name": "hello"}}))
        await ws.send(json.dumps({"event": "stop", "streamSid": "MZ1", "stop": {}}))
        with pytest.raises(ConnectionClosed):
            await asyncio.wait_for(ws.recv(), 2)
    assert handler.calls[0][1:] == [MarkDone("hello"), CallEnd("stop"), "closed"]


async def test_malformed_message_ends_only_that_call(server: tuple[GatewayServer, RecordingHandler]) -> None:
    srv, handler = server
    url = srv.url(f"/twilio?token={TOKEN}")
    async with connect(url) as good, connect(url) as bad:
        await good.send(start_msg())
        await good.recv()
        await bad.send("{not json")
        with pytest.raises(ConnectionClosed):
            await asyncio.wait_for(bad.recv(), 2)
        await good.send(json.dumps({"event": "stop", "stop": {}}))
    await asyncio.sleep(0.1)
    assert "error:ProtocolError" in handler.calls[1]
    assert handler.calls[0][-2:] == [CallEnd("stop"), "closed"]
    async with httpx.AsyncClient() as client:
        metrics = (await client.get(f"http://127.0.0.1:{srv.port}/metrics")).text
    assert 'voicebot_protocol_errors_total{protocol="twilio"} 1.0' in metrics


async def test_call_limit_idle_timeout_and_size_limit(server: tuple[GatewayServer, RecordingHandler]) -> None:
    srv, handler = server
    url = srv.url(f"/twilio?token={TOKEN}")
    async with connect(url) as a, connect(url) as b:
        with pytest.raises(InvalidStatus) as info:
            async with connect(url):
                pass
        assert info.value.response.status_code == 503
        await a.send(start_msg())
        await a.recv()
        await b.send("x" * (srv.settings.max_message_bytes + 1))
        with pytest.raises(ConnectionClosed):
            await asyncio.wait_for(b.recv(), 2)
        with pytest.raises(ConnectionClosed):  # idle: the gateway sent nothing for 1 s
            await asyncio.wait_for(a.recv(), 3)
    assert CallEnd("idle") in handler.calls[0]


async def test_health_metrics_and_unknown_path(server: tuple[GatewayServer, RecordingHandler]) -> None:
    srv, _ = server
    async with httpx.AsyncClient() as client:
        health = await client.get(f"http://127.0.0.1:{srv.port}/healthz")
        assert health.status_code == 200 and health.text.startswith("ok")
        metrics = await client.get(f"http://127.0.0.1:{srv.port}/metrics")
        assert "voicebot_calls_active" in metrics.text
        assert metrics.headers["content-type"].startswith("text/plain; version=")
    with pytest.raises(InvalidStatus) as info:
        async with connect(srv.url(f"/elsewhere?token={TOKEN}")):
            pass
    assert info.value.response.status_code == 404


async def test_subprotocol_routing_for_binary_gateways(server: tuple[GatewayServer, RecordingHandler]) -> None:
    srv, handler = server
    async with connect(srv.url(f"/?token={TOKEN}"), subprotocols=["audio.jambonz.org"]) as ws:  # type: ignore[list-item]
        assert ws.subprotocol == "audio.jambonz.org"
        await ws.send(json.dumps({"callSid": "jb-9", "sampleRate": 8000}))
        await ws.send(b"\x00\x00" * 160)
    await asyncio.sleep(0.2)
    start = handler.calls[0][0]
    assert isinstance(start, CallStart) and start.call_id == "jb-9"
    assert handler.calls[0][-2:] == [CallEnd("hangup"), "closed"]


async def test_shutdown_interrupts_calls_after_grace() -> None:
    entered = asyncio.Event()
    cancelled: list[str] = []

    async def stubborn(conn: CallConnection) -> None:
        entered.set()
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            cancelled.append(conn.interrupt_reason)
            raise

    srv = GatewayServer(GatewaySettings(port=0), stubborn)
    await srv.start()
    async with connect(srv.url("/twilio")) as ws:
        await entered.wait()
        await srv.shutdown(grace=0.2)
        with pytest.raises(ConnectionClosed):
            await asyncio.wait_for(ws.recv(), 2)
    assert cancelled == ["shutdown"]
    assert srv.active_calls == 0
