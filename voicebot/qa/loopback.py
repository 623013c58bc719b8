"""An in-process gateway for replay: it drives a ``CallSession`` with the same typed events a
codec produces, without a socket.

It sends CallStart with the call's parameters, then the caller's side as continuous 20 ms
AudioIn frames (silence between answers, answers when ``CallerTurns`` says so); it plays the
bot's AudioOut into a playback buffer drained one frame per tick, echoes each Mark once the
audio before it has played (or was dropped by ClearAudio), and stops at Hangup or Transfer.
Ticks are ``asyncio.sleep`` calls, so on a ``VirtualTimeLoop`` a call runs as fast as the CPU
allows with the timing of a real one.
"""

from __future__ import annotations

import asyncio
import collections
from typing import Any, cast

from voicebot.audio.frames import FRAME_MS, frame_bytes, silence
from voicebot.events import (
    AudioIn,
    AudioOut,
    CallEnd,
    CallStart,
    ClearAudio,
    DtmfIn,
    InboundEvent,
    Mark,
    MarkDone,
    OutboundEvent,
    Transfer,
)
from voicebot.gateway.codecs.base import Codec, WireMessage
from voicebot.gateway.connection import CallConnection
from voicebot.gateway.metrics import GatewayMetrics
from voicebot.qa.caller import CallerTurns


class LoopbackCodec(Codec):
    """Events pass as objects; there is no wire format to translate."""

    name = "loopback"
    echoes_marks = True
    can_transfer = True

    def decode(self, message: WireMessage) -> list[InboundEvent]:
        raise NotImplementedError("the loopback gateway hands over events, not wire messages")

    def encode(self, event: OutboundEvent) -> list[WireMessage]:
        raise NotImplementedError("the loopback gateway takes events, not wire messages")


class LoopbackGateway:
    def __init__(self, start: CallStart, caller: CallerTurns, *, max_call_s: float = 900.0) -> None:
        self.start = start
        self.rate = start.sample_rate
        self.caller = caller
        self.max_ticks = int(max_call_s * 1000 / FRAME_MS)
        self.inbound: asyncio.Queue[InboundEvent] = asyncio.Queue()
        self.playback: collections.deque[bytes | str] = collections.deque()  # frames and marks
        self._partial = b""
        self.tick = 0
        self.ended = asyncio.Event()
        self.ended_by = ""  # bot_hangup | transfer | caller_hangup | timeout
        self.transfer_target = ""
        self.bot_frames = 0
        self.clears = 0

    def connection(self, metrics: GatewayMetrics) -> LoopbackConnection:
        return LoopbackConnection(self, metrics)

    async def run(self) -> None:
        self.inbound.put_nowait(self.start)
        quiet = silence(self.rate)
        while not self.ended.is_set():
            self._play_one()
            empty = not self.playback
            step = self.caller.step(self.tick, empty)
            for digit in step.digits:
                self.inbound.put_nowait(DtmfIn(digit))
            self.inbound.put_nowait(AudioIn(step.frame or quiet, self.tick * FRAME_MS))
            if self.caller.hangs_up(self.tick, empty) or self.tick >= self.max_ticks:
                self.inbound.put_nowait(CallEnd("hangup"))
                self._end("caller_hangup" if self.tick < self.max_ticks else "timeout")
                return
            self.tick += 1
            await asyncio.sleep(FRAME_MS / 1000)  # call time on a VirtualTimeLoop

    def receive(self, event: OutboundEvent) -> None:
        """What the session sends, as a gateway takes it."""
        if isinstance(event, AudioOut):
            data = self._partial + event.pcm
            size = frame_bytes(self.rate)
            whole = len(data) - len(data) % size
            self.playback.extend(data[i:i + size] for i in range(0, whole, size))
            self._partial = data[whole:]
        elif isinstance(event, Mark):
            self.playback.append(event.name)
        elif isinstance(event, ClearAudio):
            self.clears += 1
            dropped = [item for item in self.playback if isinstance(item, str)]
            self.playback.clear()
            self._partial = b""
            for name in dropped:  # marks dropped by clear are echoed, as Twilio does
                self.inbound.put_nowait(MarkDone(name))
        elif isinstance(event, Transfer):
            self.transfer_target = event.target
            self._end("transfer")
        else:
            self._end("bot_hangup")

    def _play_one(self) -> None:
        self._echo_marks()
        if self.playback:
            self.playback.popleft()
            self.bot_frames += 1
            self.caller.bot_played(self.tick)
            self._echo_marks()

    def _echo_marks(self) -> None:
        while self.playback and isinstance(self.playback[0], str):
            name = str(self.playback.popleft())
            self.caller.prompt_played(name.split("#", 1)[0])
            self.inbound.put_nowait(MarkDone(name))

    def _end(self, how: str) -> None:
        self.ended_by = self.ended_by or how
        self.ended.set()


class LoopbackConnection(CallConnection):
    """What ``CallSession`` talks to: the loopback gateway's events in, its events out."""

    def __init__(self, gateway: LoopbackGateway, metrics: GatewayMetrics) -> None:
        codec = LoopbackCodec(default_rate=gateway.rate)
        codec.start = gateway.start
        super().__init__(ws=cast(Any, None), codec=codec, metrics=metrics, gateway="replay")
        self.loopback = gateway

    async def events(self) -> Any:  # AsyncIterator[InboundEvent]
        while True:
            event = await self.loopback.inbound.get()
            yield event
            if isinstance(event, CallEnd):
                return

    async def send(self, event: OutboundEvent) -> bool:
        if self.closed or self.loopback.ended.is_set():
            return False
        self.loopback.receive(event)
        return True

    async def close(self, code: int = 1000, reason: str = "") -> None:
        self.closed = True
