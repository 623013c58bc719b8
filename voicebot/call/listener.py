"""The caller's side: audio to the recogniser through a bounded queue, and the barge-in detector.

Barge-in needs real speech: enough voiced time (VAD plus an adaptive noise floor) within a
short window, or recogniser words that are more than a backchannel. 嗯 / 对 / 好 said while the
bot talks, and line noise, do not cut the prompt.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import re

from voicebot.asr import AsrResult, RecognizerStream
from voicebot.audio.frames import FRAME_MS, FrameBuffer
from voicebot.audio.vad import VoiceDetector

log = logging.getLogger(__name__)

BACKCHANNELS = frozenset("嗯恩对好是哦噢啊呃唉诶欸哎喂行")
_PUNCT = re.compile(r"[\s，。！？、,.!?~…]+")


def is_backchannel(text: str) -> bool:
    """A short acknowledgement or filler, not a turn (嗯嗯, 对对, 好的 …)."""
    core = _PUNCT.sub("", text)
    core = core.replace("的", "") if len(core) <= 3 else core
    return bool(core) and len(core) <= 3 and all(ch in BACKCHANNELS for ch in core)


class BargeDetector:
    """Voiced time of the caller within the last second, frame by frame."""

    def __init__(self, sample_rate: int, voiced_ms: int, window_ms: int = 1000) -> None:
        self.vad = VoiceDetector(sample_rate)
        self.frames = FrameBuffer(sample_rate)
        self.needed = max(1, voiced_ms // FRAME_MS)
        self.window: collections.deque[bool] = collections.deque(maxlen=max(1, window_ms // FRAME_MS))
        self.first_voiced_ms: int | None = None  # call clock of the first voiced frame of the run

    def push(self, pcm: bytes, at_ms: int) -> bool:
        """Feed caller audio; True when it amounts to real speech (caller is taking the turn)."""
        fired = False
        for i, frame in enumerate(self.frames.push(pcm)):
            voiced = self.vad.is_speech(frame)
            self.window.append(voiced)
            if voiced and self.first_voiced_ms is None:
                self.first_voiced_ms = at_ms + i * FRAME_MS
            if not any(self.window):
                self.first_voiced_ms = None
            if sum(self.window) >= self.needed:
                fired = True
        return fired

    def reset(self) -> None:
        self.window.clear()
        self.first_voiced_ms = None


class Listener:
    """Feeds the recogniser without ever blocking the gateway's receive loop."""

    def __init__(self, stream: RecognizerStream, *, max_queue_frames: int = 1500) -> None:
        self.stream = stream
        self.queue: asyncio.Queue[bytes] = asyncio.Queue(max_queue_frames)
        self.dropped = 0

    def push(self, pcm: bytes) -> None:
        try:
            self.queue.put_nowait(pcm)
        except asyncio.QueueFull:
            self.dropped += 1
            if self.dropped in (1, 50, 500):
                log.warning("recogniser is %d s behind; dropped %d chunks",
                            self.queue.qsize() * FRAME_MS // 1000, self.dropped)

    async def feed_forever(self) -> None:
        while True:
            pcm = await self.queue.get()
            while not self.queue.empty() and len(pcm) < 16000:
                pcm += self.queue.get_nowait()
            await self.stream.feed(pcm)

    async def results(self, out: asyncio.Queue[tuple[str, object]]) -> None:
        async for result in self.stream.results():
            out.put_nowait(("asr", result))


__all__ = ["AsrResult", "BargeDetector", "Listener", "is_backchannel"]
