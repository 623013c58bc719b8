"""The agent's voice as evidence: VAD-cut utterances recognised (Whisper-base) and stored as
agent turns of the call, on the recording's clock."""

from __future__ import annotations

import asyncio
import inspect
import logging
from typing import TYPE_CHECKING

from voicebot.asr.base import AsrEngine, AsrResult
from voicebot.asr.stream import RecognizerStream
from voicebot.store.turns import TurnData

if TYPE_CHECKING:
    from voicebot.agents.live import AgentRef, LiveCall

log = logging.getLogger(__name__)


class AgentTranscriber:
    def __init__(self, live: LiveCall, agent: AgentRef, rate: int, engine: AsrEngine) -> None:
        self.live, self.agent = live, agent
        self._stream = RecognizerStream(engine.new_stream(rate))
        self._task: asyncio.Task[None] | None = None
        self._t0_ms = 0  # call time of the stream's first sample
        self.turns: list[TurnData] = []

    async def start(self) -> None:
        self._t0_ms = self.live.target.now_ms()
        self._stream.start()
        self._task = asyncio.get_running_loop().create_task(self._collect(), name="agent-asr")

    async def feed(self, pcm: bytes) -> None:
        await self._stream.feed(pcm)

    async def close(self) -> None:
        """Finish the open utterance, store it, and stop."""
        try:
            await self._stream.flush()
        except Exception:
            log.exception("call %s: agent recogniser failed at the end", self.live.call_id)
        await self._stream.aclose()
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)

    async def _collect(self) -> None:
        async for result in self._stream.results():
            if result.is_final and not result.is_empty:
                await self._store(result)

    async def _store(self, result: AsrResult) -> None:
        turn = TurnData(speaker="agent", start_ms=self._t0_ms + int(result.start * 1000),
                        end_ms=self._t0_ms + int(result.end * 1000), text=result.text,
                        confidence=round(result.confidence, 3), via="agent")
        self.turns.append(turn)
        try:
            stored = self.live.target.add_turn(turn)  # on the call's loop; may be a coroutine
            if inspect.isawaitable(stored):
                await stored
        except Exception:  # the words stay on the recording; say loudly that the turn is missing
            log.exception("call %s: could not store the agent's turn", self.live.call_id)
        self.live.add_line("agent", result.text, turn.start_ms)
