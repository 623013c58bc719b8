"""One agent's audio on the call they hold.

Agent → caller: PCM16 from the browser at its rate → resampled to the call's rate → 20 ms
frames → ``target.play_agent_audio`` (the session's codec puts it on the wire and the recorder
on the bot channel). The same audio goes to the agent transcriber. Caller → agent: the
session's inbound frames, through a bounded queue (a slow browser loses audio, not memory).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

from voicebot.agents.errors import AgentError
from voicebot.agents.transcriber import AgentTranscriber
from voicebot.asr.base import AsrEngine
from voicebot.audio.frames import FrameBuffer
from voicebot.audio.resample import Resampler

if TYPE_CHECKING:
    from voicebot.agents.live import AgentRef, LiveCall

log = logging.getLogger(__name__)

RATES = (8000, 16000, 24000, 44100, 48000)
MAX_CHUNK_BYTES = 48000 * 2  # one second at the highest rate: more is not a live microphone
QUEUE_FRAMES = 50  # ~1 s of caller audio waiting for the browser


class AgentBridge:
    def __init__(self, live: LiveCall, agent: AgentRef, rate: int, asr: AsrEngine | None) -> None:
        if rate not in RATES:
            raise AgentError(f"agent audio rate {rate} Hz is not supported",
                             hint=f"send PCM16 at one of {', '.join(map(str, RATES))} Hz")
        self.live, self.agent, self.rate = live, agent, rate
        target = live.target
        self._resampler = Resampler(rate, target.sample_rate)
        self._frames = FrameBuffer(target.sample_rate)
        self._to_agent: asyncio.Queue[bytes | None] = asyncio.Queue(QUEUE_FRAMES)
        self.transcriber = AgentTranscriber(live, agent, rate, asr) if asr is not None else None
        self.frames_in = 0  # 20 ms frames the agent sent to the caller
        self.frames_out = 0  # caller frames passed to the agent
        self.stopped = False

    async def start(self) -> None:
        self.live.add_sink(self._caller_frame)
        if self.transcriber is not None:
            await self.transcriber.start()

    async def from_agent(self, pcm: bytes) -> None:
        if self.stopped:
            return
        if len(pcm) % 2 or len(pcm) > MAX_CHUNK_BYTES:
            raise AgentError(f"agent audio chunk of {len(pcm)} bytes",
                             hint="send PCM16 (even byte count), at most one second per message")
        for frame in self._frames.push(self._resampler.process(pcm)):
            await self.live.target.play_agent_audio(frame)
            self.frames_in += 1
        if self.transcriber is not None:
            await self.transcriber.feed(pcm)

    async def to_agent(self) -> bytes | None:
        if self.stopped and self._to_agent.empty():
            return None
        return await self._to_agent.get()

    async def stop(self) -> None:
        """Stop both directions; the transcriber finishes the agent's last utterance first."""
        if self.stopped:
            return
        self.stopped = True
        self.live.remove_sink(self._caller_frame)
        self._put(None)
        if self.transcriber is not None:
            await self.transcriber.close()

    def _caller_frame(self, pcm: bytes) -> None:
        self._put(pcm)
        self.frames_out += 1

    def _put(self, item: bytes | None) -> None:
        if self._to_agent.full():  # drop the oldest: the agent should hear now, not a second ago
            with contextlib.suppress(asyncio.QueueEmpty):
                self._to_agent.get_nowait()
        self._to_agent.put_nowait(item)
