"""The gateway WebSocket server: routing, authentication, limits, health, metrics, shutdown.

Each accepted connection gets its protocol's codec and is handed, as a CallConnection, to the
call handler (the call session). The server owns every call task: a failing call is logged and
closed without touching the others, and shutdown lets live calls finish before interrupting them.
"""

from __future__ import annotations

import asyncio
import collections
import http
import json
import logging
import weakref
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from prometheus_client import CONTENT_TYPE_LATEST
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.http11 import Request, Response
from websockets.typing import Subprotocol

from voicebot.config import GatewaySettings
from voicebot.gateway.auth import authenticate, parse_tokens
from voicebot.gateway.codecs import Codec, codec_for
from voicebot.gateway.connection import CallConnection
from voicebot.gateway.logs import call_id_var
from voicebot.gateway.metrics import GatewayMetrics

log = logging.getLogger(__name__)

_KEEP_RESULTS = 500  # recent call records kept for GET /calls/<id>

CallHandler = Callable[[CallConnection], Awaitable[None]]


@dataclass(frozen=True)
class _Route:
    codec: type[Codec]
    gateway: str
    rate: int


class GatewayServer:
    """Use as ``async with GatewayServer(settings, handler) as server: ...`` (port 0 works)."""

    def __init__(
        self,
        settings: GatewaySettings,
        handler: CallHandler,
        *,
        metrics: GatewayMetrics | None = None,
        max_call_s: float = 900.0,
    ) -> None:
        self.settings = settings
        self.handler = handler
        self.metrics = metrics or GatewayMetrics()
        self.hard_limit_s = max_call_s + 60.0  # the session ends calls politely before this
        self.tokens = parse_tokens(settings.tokens)
        self.draining = False
        self._routes: weakref.WeakKeyDictionary[ServerConnection, _Route] = weakref.WeakKeyDictionary()
        self._calls: dict[asyncio.Task[None], CallConnection] = {}
        self._server: Server | None = None
        self._seq = 0
        self.results: collections.OrderedDict[str, dict[str, Any]] = collections.OrderedDict()

    # ---- lifecycle ---------------------------------------------------------------------------
    async def start(self) -> None:
        self._server = await serve(
            self._handle,
            self.settings.host,
            self.settings.port,
            process_request=self._process_request,
            select_subprotocol=self._select_subprotocol,
            max_size=self.settings.max_message_bytes,
            max_queue=64,
            ping_interval=20,
            ping_timeout=20,
        )

    @property
    def port(self) -> int:
        assert self._server is not None, "server not started"
        return int(self._server.sockets[0].getsockname()[1])

    def url(self, path: str = "/twilio") -> str:
        return f"ws://{self.settings.host}:{self.port}{path}"

    @property
    def active_calls(self) -> int:
        return len(self._calls)

    async def __aenter__(self) -> GatewayServer:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.shutdown(grace=0.0)

    async def serve_forever(self) -> None:
        assert self._server is not None
        await self._server.wait_closed()

    async def shutdown(self, grace: float | None = None) -> None:
        """Stop accepting calls; let live ones finish for ``grace`` seconds, then interrupt them."""
        if self._server is None:
            return
        grace = self.settings.shutdown_grace_s if grace is None else grace
        self.draining = True
        self._server.close(close_connections=False)
        live = list(self._calls)
        if live:
            log.info("shutdown: waiting up to %.0f s for %d live call(s)", grace, len(live))
            _, pending = await asyncio.wait(live, timeout=grace) if grace > 0 else (set(), set(live))
            for task in pending:
                self._calls[task].interrupt_reason = "shutdown"
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        await self._server.wait_closed()

    # ---- handshake ---------------------------------------------------------------------------
    def _process_request(self, connection: ServerConnection, request: Request) -> Response | None:
        path = urlsplit(request.path).path
        if path == "/healthz":
            if self.draining:
                return connection.respond(http.HTTPStatus.SERVICE_UNAVAILABLE, "draining\n")
            return connection.respond(http.HTTPStatus.OK, f"ok calls={len(self._calls)}\n")
        if path.startswith("/calls/"):
            return self._call_record(connection, request, path[len("/calls/"):])
        if path == "/metrics":
            response = connection.respond(http.HTTPStatus.OK, self.metrics.render().decode())
            del response.headers["Content-Type"]
            response.headers["Content-Type"] = CONTENT_TYPE_LATEST
            return response
        codec = codec_for(path, _offered(request.headers))
        if codec is None:
            return self._refuse(connection, http.HTTPStatus.NOT_FOUND, "unknown path",
                                "use /twilio, /audiofork or /jambonz (or offer the subprotocol)")
        if self.draining:
            return self._refuse(connection, http.HTTPStatus.SERVICE_UNAVAILABLE, "draining",
                                "the server is shutting down; retry on another instance")
        gateway = authenticate(self.tokens, request.path, request.headers)
        if gateway is None:
            return self._refuse(connection, http.HTTPStatus.UNAUTHORIZED, "bad token",
                                "pass ?token=… or Authorization: Bearer …")
        if len(self._calls) + len(self._routes) >= self.settings.max_calls:
            return self._refuse(connection, http.HTTPStatus.SERVICE_UNAVAILABLE, "too many calls",
                                f"this instance carries at most {self.settings.max_calls} calls")
        self._routes[connection] = _Route(codec, gateway, _rate(request.path))
        return None

    def _call_record(self, connection: ServerConnection, request: Request, call_id: str) -> Response:
        """The record of a recent call (outcome + transcript), for simulators and operators."""
        if authenticate(self.tokens, request.path, request.headers) is None:
            return self._refuse(connection, http.HTTPStatus.UNAUTHORIZED, "bad token",
                                "pass ?token=… or Authorization: Bearer …")
        call_id = unquote(call_id)
        if call_id in self.results:
            body = json.dumps(self.results[call_id], ensure_ascii=False, default=str)
            response = connection.respond(http.HTTPStatus.OK, body)
            del response.headers["Content-Type"]
            response.headers["Content-Type"] = "application/json; charset=utf-8"
            return response
        if any(c.codec.start and c.codec.start.call_id == call_id for c in self._calls.values()):
            return connection.respond(http.HTTPStatus.ACCEPTED, "call in progress\n")
        return connection.respond(http.HTTPStatus.NOT_FOUND, "no recent call with this id\n")

    def _refuse(self, connection: ServerConnection, status: http.HTTPStatus, reason: str,
                hint: str) -> Response:
        self.metrics.rejected.labels(reason).inc()
        log.warning("handshake refused (%s) from %s", reason, connection.remote_address)
        return connection.respond(status, f"{reason}: {hint}\n")

    def _select_subprotocol(
        self, connection: ServerConnection, offered: Sequence[Subprotocol]
    ) -> Subprotocol | None:
        route = self._routes.get(connection)
        wanted = route.codec.subprotocol if route else None
        return Subprotocol(wanted) if wanted and wanted in offered else None

    # ---- calls -------------------------------------------------------------------------------
    async def _handle(self, ws: ServerConnection) -> None:
        route = self._routes.pop(ws, None)
        if route is None:  # cannot happen after a good handshake; refuse rather than guess
            await ws.close(1011, "no route")
            return
        self._seq += 1
        call_id_var.set(f"conn{self._seq}")  # the session replaces it with the gateway's call id
        conn = CallConnection(ws, route.codec(default_rate=route.rate), self.metrics,
                              gateway=route.gateway, idle_timeout_s=self.settings.idle_timeout_s)
        task = asyncio.create_task(self._run_call(conn))
        self._calls[task] = conn
        self.metrics.calls_active.inc()
        try:
            await asyncio.shield(task)
        except asyncio.CancelledError:
            task.cancel()  # the connection itself is being torn down
            await asyncio.gather(task, return_exceptions=True)
            raise
        finally:
            self._calls.pop(task, None)
            self.metrics.calls_active.dec()

    async def _run_call(self, conn: CallConnection) -> None:
        log.info("%s call connected (gateway %s)", conn.protocol, conn.gateway or "-")
        try:
            async with asyncio.timeout(self.hard_limit_s):
                await self.handler(conn)
        except TimeoutError:
            log.error("call passed the hard limit of %.0f s; closing it", self.hard_limit_s)
        except asyncio.CancelledError:
            log.warning("call interrupted (%s)", conn.interrupt_reason or "cancelled")
        except Exception:
            log.exception("call handler failed")
        finally:
            await conn.close(1000 if not conn.interrupt_reason else 1001, conn.interrupt_reason)
            start = conn.codec.start
            if start is not None and conn.result is not None:
                self.results[start.call_id] = conn.result
                while len(self.results) > _KEEP_RESULTS:
                    self.results.popitem(last=False)


def _offered(headers: Headers) -> list[str]:
    return [p.strip() for v in headers.get_all("Sec-WebSocket-Protocol") for p in v.split(",")]


def _rate(path: str) -> int:
    """Audio rate for binary gateways that do not say it in their metadata (``?rate=16000``)."""
    value = parse_qs(urlsplit(path).query).get("rate", ["8000"])[0]
    return int(value) if value.isdigit() else 8000
