"""One gateway connection as the call session sees it: typed events in, typed events out.

Wraps the WebSocket and its codec; nothing above this knows the wire format.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed

from voicebot.errors import ProtocolError
from voicebot.events import CallEnd, InboundEvent, OutboundEvent
from voicebot.gateway.codecs import Codec
from voicebot.gateway.metrics import GatewayMetrics

log = logging.getLogger(__name__)


@dataclass
class CallConnection:
    ws: ServerConnection
    codec: Codec
    metrics: GatewayMetrics
    gateway: str = ""  # which configured gateway authenticated (token name)
    idle_timeout_s: float = 30.0
    closed: bool = False
    interrupt_reason: str = ""  # set by the server when it ends the call (shutdown, limits)
    result: dict[str, Any] | None = None  # the call record the session leaves (GET /calls/<id>)
    _sent_hangup: bool = field(default=False, repr=False)

    @property
    def protocol(self) -> str:
        return self.codec.name

    async def events(self) -> AsyncIterator[InboundEvent]:
        """Inbound events until the gateway ends the call; always ends with one CallEnd.

        A malformed message raises ProtocolError (counted and logged here) — the caller ends
        the call as interrupted and keeps what was recorded.
        """
        while True:
            try:
                async with asyncio.timeout(self.idle_timeout_s):
                    message = await self.ws.recv()
            except TimeoutError:
                log.warning("gateway sent nothing for %.0f s; ending the call", self.idle_timeout_s)
                yield CallEnd("idle")
                return
            except ConnectionClosed as exc:
                code = exc.rcvd.code if exc.rcvd else None
                yield CallEnd("hangup" if code in (1000, 1001) else "dropped")
                return
            try:
                decoded = self.codec.decode(message)
            except ProtocolError as exc:
                self.metrics.protocol_errors.labels(self.protocol).inc()
                log.error("protocol error: %s", exc.message)
                raise
            for event in decoded:
                yield event
                if isinstance(event, CallEnd):
                    return

    async def send(self, event: OutboundEvent) -> bool:
        """Send one event; False when the connection is already gone (the caller hung up)."""
        if self.closed:
            return False
        try:
            for message in self.codec.encode(event):
                await self.ws.send(message)
        except ConnectionClosed:
            self.closed = True
            return False
        return True

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """End the stream the protocol's way (the codec already sent disconnect, if any)."""
        if self.closed:
            return
        self.closed = True
        try:
            async with asyncio.timeout(2.0):
                await self.ws.close(code, reason[:120])
        except (TimeoutError, ConnectionClosed):
            pass
