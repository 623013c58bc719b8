"""The agent desk's WebSockets: queue updates (JSON) and a held call's audio (binary PCM16).

Both check the signed-in user and the page's origin (a cookie-authenticated WebSocket would
otherwise be open to any site the agent visits). Audio: the browser sends PCM16 mono at the
``rate`` it names; the server sends the caller's PCM16 at the call's rate, after a JSON
``hello``. When the socket closes while the agent still holds the call, the browser dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any
from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.requests import HTTPConnection
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from voicebot.agents import AgentBridge, AgentRef, AgentRegistry
from voicebot.console.auth import CurrentUser, current_user
from voicebot.console.context import ctx
from voicebot.console.permissions import Perm
from voicebot.errors import VoicebotError
from voicebot.store.audit import record as audit

log = logging.getLogger(__name__)
POLICY_VIOLATION = 1008
UNAVAILABLE = 1013


def attach_registry(app: Starlette, registry: AgentRegistry) -> None:
    """Let the console's agent desk work the calls of ``registry`` (same process)."""
    app.state.agents = registry


def registry_of(conn: HTTPConnection) -> AgentRegistry | None:
    registry: AgentRegistry | None = getattr(conn.app.state, "agents", None)
    return registry


def agent_ref(user: CurrentUser) -> AgentRef:
    return AgentRef(user.id, user.name, user.label)


def _same_origin(ws: WebSocket) -> bool:
    origin = ws.headers.get("origin")
    if origin is None:
        return True  # not a browser: the session cookie is the only credential
    return urlsplit(origin).netloc == ws.headers.get("host", "")


async def _admit(ws: WebSocket) -> CurrentUser | None:
    user = await current_user(ws)
    if user is None or not user.can(Perm.AGENT_DESK) or not _same_origin(ws):
        await ws.close(POLICY_VIOLATION)
        return None
    await ws.accept()
    return user


async def _until_closed(ws: WebSocket) -> None:
    with contextlib.suppress(WebSocketDisconnect):
        while (await ws.receive())["type"] != "websocket.disconnect":
            pass


async def updates(ws: WebSocket) -> None:
    """Queue updates: a full ``queue`` message first, then ``call`` / ``removed`` messages."""
    if await _admit(ws) is None:
        return
    registry = registry_of(ws)
    if registry is None:
        await ws.send_json({"type": "queue", "calls": [], "offline": True})
        await _until_closed(ws)
        return
    sub = registry.subscribe()
    closed = asyncio.create_task(_until_closed(ws))
    try:
        while not closed.done():
            nxt = asyncio.ensure_future(registry.next_update(sub))
            await asyncio.wait({nxt, closed}, return_when=asyncio.FIRST_COMPLETED)
            if not nxt.done():
                nxt.cancel()
                await asyncio.gather(nxt, return_exceptions=True)
                break
            await ws.send_json(nxt.result())
    except (WebSocketDisconnect, RuntimeError):
        pass  # the page went away while we were sending
    finally:
        sub.close()
        closed.cancel()
        await asyncio.gather(closed, return_exceptions=True)


async def audio(ws: WebSocket) -> None:
    user = await _admit(ws)
    if user is None:
        return
    registry = registry_of(ws)
    call_id = ws.path_params["call_id"]
    rate = ws.query_params.get("rate", "")
    try:
        if registry is None:
            raise VoicebotError("no live calls here", hint="run the desk with `voicebot serve`")
        bridge = await registry.connect_audio(call_id, agent_ref(user), int(rate) if rate.isdigit() else 0)
    except VoicebotError as exc:
        await ws.send_json({"type": "error", "error": exc.to_dict()})
        await ws.close(UNAVAILABLE)
        return
    await ws.send_json({"type": "hello", "call_id": call_id, "rate": rate,
                        "call_rate": bridge.live.target.sample_rate})
    pump = asyncio.create_task(_to_agent(ws, registry, bridge))
    try:
        while True:
            message = await ws.receive()
            if message["type"] == "websocket.disconnect":
                break
            if message.get("bytes"):
                await registry.agent_audio(bridge, message["bytes"])
    except VoicebotError as exc:
        log.warning("call %s: bad audio from %s: %s", call_id, user.name, exc.message)
        with contextlib.suppress(Exception):
            await ws.send_json({"type": "error", "error": exc.to_dict()})
    except (WebSocketDisconnect, RuntimeError):
        pass
    finally:
        pump.cancel()
        await asyncio.gather(pump, return_exceptions=True)
        dropped = bridge.live.bridge is bridge  # still bridged: nobody handed back or ended
        await registry.disconnect_audio(bridge)
        if dropped:
            await asyncio.to_thread(_audit_drop, ws, user, call_id)
        if ws.application_state is WebSocketState.CONNECTED:
            with contextlib.suppress(Exception):
                await ws.close()


async def _to_agent(ws: WebSocket, registry: AgentRegistry, bridge: AgentBridge) -> None:
    """The caller's audio to the browser until the bridge stops (hand-back, end, hang-up)."""
    try:
        while (pcm := await registry.caller_audio(bridge)) is not None:
            await ws.send_bytes(pcm)
        await ws.send_json({"type": "bye", "status": str(bridge.live.status)})
        await ws.close()
    except (WebSocketDisconnect, RuntimeError):
        pass


def _audit_drop(ws: WebSocket, user: CurrentUser, call_id: str) -> None:
    detail: dict[str, Any] = {"role": user.role}
    with ctx(ws).db.session() as s:
        audit(s, user.name, "agent.dropped", call_id, **detail)
