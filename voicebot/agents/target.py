"""What a live call offers the agent desk (the call session implements it).

The desk never touches the wire: it pauses the bot, plays the agent's PCM16 as the call's
outbound audio (the session's codec encodes it, the recorder writes it on the bot channel),
and hands the call back to the dialog or closes it. The session in turn reports to its
:class:`~voicebot.agents.live.LiveCall` handle: caller audio and call events.
"""

from __future__ import annotations

from collections.abc import Awaitable
from enum import StrEnum
from typing import Any, Protocol, runtime_checkable

from voicebot.store.turns import TurnData


class DeskStatus(StrEnum):
    """Where a live call stands, as the agent desk sees it."""

    BOT = "bot"  # the bot is talking with the customer
    WAITING = "waiting"  # escalated (or dropped by an agent): in the queue for an agent
    WITH_AGENT = "with_agent"  # an agent holds it and is bridged
    TRANSFERRED = "transferred"  # the gateway moved it elsewhere
    ENDED = "ended"


@runtime_checkable
class TakeoverTarget(Protocol):
    """One live call as the agent desk drives it. Every coroutine runs on the call's loop."""

    call_id: str
    sample_rate: int  # Hertz of the PCM16 the call carries (the gateway's rate)
    can_transfer: bool  # the gateway's socket has a transfer message (audio_fork, jambonz)

    def now_ms(self) -> int:
        """The call's clock: ms since the call started (the recording's time axis)."""
        ...

    def snapshot(self) -> dict[str, Any]:
        """The dialog's context (``Dialog.snapshot()``): policy, answers, problem items, …"""
        ...

    async def escalate(self, reason: str) -> None:
        """Hand the call to a person: the bot says it is transferring, then stays quiet."""
        ...

    async def pause_bot(self) -> None:
        """Stop whatever the bot is playing (clear) and keep it quiet until resume/close."""
        ...

    async def play_agent_audio(self, pcm: bytes) -> None:
        """PCM16 at ``sample_rate`` from the agent: out to the caller, into the bot channel."""
        ...

    async def say(self, text: str) -> None:
        """Play a short system prompt (the holding prompt when the agent's browser drops)."""
        ...

    async def resume_at(self, question_id: str) -> None:
        """Give the call back to the bot, which asks ``question_id`` next."""
        ...

    async def close(self, outcome: str, by: str, note: str = "") -> None:
        """End the call with the outcome a person chose (``Dialog.close``)."""
        ...

    async def transfer(self, destination: str, reason: str) -> None:
        """Send the gateway's own transfer message (only when ``can_transfer``)."""
        ...

    def add_turn(self, turn: TurnData) -> Awaitable[None] | None:
        """Store one turn in the call's evidence (agent turns: speaker "agent"). Called on the
        call's loop, so it must not block; return an awaitable to have the desk wait until the
        turn is stored (it does so before the call is sealed)."""
        ...
