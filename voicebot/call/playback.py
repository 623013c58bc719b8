"""The bot's voice on the wire: 20 ms frames paced in real time, marks, and a cancel for barge-in.

Pacing matters for evidence: because frames leave at the rate they are played, the number of
frames sent when the caller interrupts says how much of the prompt they actually heard.
A few frames go out ahead of time so the gateway's buffer never runs dry.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

from voicebot.audio.frames import FRAME_MS, split_frames
from voicebot.events import AudioOut, ClearAudio, Mark
from voicebot.gateway.connection import CallConnection


@dataclass(frozen=True)
class Played:
    total_ms: int  # length of the prompt
    heard_ms: int  # how much of it the caller heard (== total_ms unless cut)
    cut: bool
    started_at_ms: int  # call clock when its first frame went out


class Playback:
    def __init__(self, conn: CallConnection, sample_rate: int, *, clock: Callable[[], int],
                 record: Callable[[bytes, int], None], pace: float = 1.0, lead_frames: int = 3) -> None:
        self.conn = conn
        self.rate = sample_rate
        self.clock = clock  # the call clock (ms), for the recording
        self.record = record
        self.interval = FRAME_MS / 1000 / pace
        self.lead = lead_frames
        self._cut = asyncio.Event()
        self._marks: dict[str, asyncio.Future[None]] = {}
        self._seq = 0
        self.playing = False
        self.sent_frames = 0
        self.total_ms = 0  # length of the prompt being played

    async def play(self, pcm: bytes, name: str) -> Played:
        """Play ``pcm`` to the end (and its mark echoed, where the gateway echoes marks) or until
        :meth:`interrupt`."""
        frames = split_frames(pcm, self.rate, pad=True)
        return await self.play_stream(_aiter(frames), len(frames) * FRAME_MS, name)

    async def play_stream(self, frames: AsyncIterator[bytes], total_ms: int, name: str) -> Played:
        self._cut.clear()
        self.playing, self.sent_frames, self.total_ms = True, 0, total_ms
        loop = asyncio.get_running_loop()
        t0, started = loop.time(), self.clock()
        try:
            async for frame in frames:
                if self._cut.is_set():
                    break
                if not await self.conn.send(AudioOut(frame)):
                    break
                self.record(frame, self.clock())
                self.sent_frames += 1
                delay = t0 + (self.sent_frames - self.lead) * self.interval - loop.time()
                if delay < -self.lead * self.interval:
                    # we were held up (a busy machine): the gateway played silence meanwhile, so
                    # re-anchor instead of bursting — the caller hears the rest at its real pace
                    t0 -= delay
                    delay = 0.0
                if delay > 0:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._cut.wait(), delay)
            if not self._cut.is_set():
                await self._finish_mark(name)
        finally:
            self.playing = False
        heard = self.heard_ms() if self._cut.is_set() else total_ms
        return Played(total_ms, min(heard, total_ms), self._cut.is_set(), started)

    def heard_ms(self) -> int:
        """Audio the caller has heard of the current prompt (frames sent minus the lead)."""
        return max(0, (self.sent_frames - self.lead) * FRAME_MS)

    async def interrupt(self) -> int:
        """Barge-in: stop sending and tell the gateway to drop what it still has queued."""
        heard = self.heard_ms()
        self._cut.set()
        await self.conn.send(ClearAudio())
        for future in self._marks.values():
            if not future.done():
                future.set_result(None)
        return heard

    def mark_done(self, name: str) -> None:
        future = self._marks.get(name)
        if future is not None and not future.done():
            future.set_result(None)

    async def _finish_mark(self, name: str) -> None:
        self._seq += 1
        mark = f"{name}#{self._seq}"
        lead_s = (self.lead + 2) * self.interval
        if not self.conn.codec.echoes_marks:
            # no marks on this socket: the lead frames still play at the gateway
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._cut.wait(), lead_s)
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._marks[mark] = future
        try:
            await self.conn.send(Mark(mark))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(future, lead_s + 2.0)  # a gateway that never echoes
        finally:
            self._marks.pop(mark, None)


async def _aiter(frames: list[bytes]) -> AsyncIterator[bytes]:
    for frame in frames:
        yield frame
