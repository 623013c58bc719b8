"""The live calls of this process, shared by the gateway's call sessions and the agent desk.

Sessions ``register`` a :class:`TakeoverTarget` and report to the returned :class:`LiveCall`;
the desk takes, hands back, ends and transfers calls through the registry, which holds the
one lock that matters: a call has at most one agent. Every state change is streamed to
subscribed desks. The registry lives on the event loop of the calls; a console running on
another loop (another thread) is served through :meth:`_on_loop`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any, TypeVar

from voicebot.agents.bridge import AgentBridge
from voicebot.agents.errors import (
    AgentError,
    CallHeld,
    CallNotFound,
    NotHolder,
    TransferUnavailable,
)
from voicebot.agents.escalation import EscalationRules
from voicebot.agents.live import AgentRef, LiveCall
from voicebot.agents.subscription import Message, Subscription
from voicebot.agents.target import DeskStatus, TakeoverTarget
from voicebot.agents.transfer import TransferHook
from voicebot.asr.base import AsrEngine
from voicebot.config import AgentSettings
from voicebot.dialogs.outcome import Outcome

log = logging.getLogger(__name__)
T = TypeVar("T")
_OPEN = (DeskStatus.BOT, DeskStatus.WAITING, DeskStatus.WITH_AGENT)


class AgentRegistry:
    def __init__(self, settings: AgentSettings | None = None, *, asr: AsrEngine | None = None) -> None:
        self.settings = settings or AgentSettings()
        self.rules = EscalationRules(self.settings.elderly_age, self.settings.elderly_struggles,
                                     self.settings.failures)
        self.asr = asr  # transcribes agents (Whisper-base); None: recorded, not transcribed
        url = self.settings.transfer_hook_url
        self.hook = TransferHook(url, self.settings.transfer_hook_token) if url else None
        self._calls: dict[str, LiveCall] = {}
        self._subs: set[Subscription] = set()
        self._loop: asyncio.AbstractEventLoop | None = None

    # ---- the session side (on the calls' loop) ---------------------------------------------------
    def register(self, target: TakeoverTarget) -> LiveCall:
        if target.call_id in self._calls:
            raise AgentError(f"call {target.call_id} is already registered",
                             hint="register each call once; unregister it when it ends")
        self._loop = asyncio.get_running_loop()
        live = LiveCall(self, target)
        self._calls[target.call_id] = live
        self.changed(live)
        return live

    async def unregister(self, call_id: str) -> None:
        """The call is ending: stop the agent's audio (its last words are transcribed into the
        evidence first), then drop the call from the queue. Await it before sealing evidence."""
        live = self._calls.get(call_id)
        if live is None:
            return
        live.status = DeskStatus.ENDED
        await self._stop_bridge(live)
        await live.cancel_tasks()
        self._calls.pop(call_id, None)
        self._publish({"type": "removed", "call_id": call_id})

    def changed(self, live: LiveCall) -> None:
        if live.call_id in self._calls:
            self._publish({"type": "call", "call": live.view()})

    def on_escalated(self, live: LiveCall) -> None:
        """The bot handed the call off: queue it, or transfer it when so configured."""
        destination = self.settings.transfer_on_escalate
        if destination and self.can_transfer(live):
            live.spawn(self._transfer(live, None, destination, live.reason), "transfer")

    def can_transfer(self, live: LiveCall) -> bool:
        return bool(getattr(live.target, "can_transfer", False)) or self.hook is not None

    # ---- the desk side (any loop) ------------------------------------------------------------------
    def calls(self) -> list[LiveCall]:
        return list(self._calls.values())

    def queue(self) -> Message:
        rank = {DeskStatus.WAITING: 0, DeskStatus.WITH_AGENT: 1, DeskStatus.BOT: 2}
        rows = sorted((c.summary() for c in self._calls.values()),
                      key=lambda r: (rank.get(DeskStatus(r["status"]), 3), r["started_at"]))
        return {"type": "queue", "calls": rows}

    async def view(self, call_id: str) -> dict[str, Any]:
        return await self._on_loop(self._view(call_id))

    async def take(self, call_id: str, agent: AgentRef) -> dict[str, Any]:
        """Take a call (escalated, or pulled from the bot). Only one agent holds a call; a second
        gets :class:`CallHeld` naming the holder. The agent's audio must connect in time."""
        return await self._on_loop(self._take(call_id, agent))

    async def hand_back(self, call_id: str, agent: AgentRef, question_id: str) -> None:
        await self._on_loop(self._hand_back(call_id, agent, question_id))

    async def end(self, call_id: str, agent: AgentRef, outcome: str, note: str = "") -> None:
        await self._on_loop(self._end(call_id, agent, outcome, note))

    async def transfer(self, call_id: str, agent: AgentRef, destination: str) -> None:
        live = self._held(call_id, agent)
        await self._on_loop(self._transfer(live, agent, destination, f"agent {agent.shown}"))

    async def connect_audio(self, call_id: str, agent: AgentRef, rate: int) -> AgentBridge:
        return await self._on_loop(self._connect(call_id, agent, rate))

    async def disconnect_audio(self, bridge: AgentBridge) -> None:
        """The agent's audio socket closed. Still holding the call means the browser dropped:
        the caller hears the holding prompt and the call goes back to the queue."""
        await self._on_loop(self._disconnected(bridge))

    async def agent_audio(self, bridge: AgentBridge, pcm: bytes) -> None:
        await self._on_loop(bridge.from_agent(pcm))

    async def caller_audio(self, bridge: AgentBridge) -> bytes | None:
        """The next chunk of caller audio for the agent; None when the bridge stopped."""
        return await self._on_loop(bridge.to_agent())

    def subscribe(self) -> Subscription:
        sub = Subscription(self.queue, self._subs.discard)
        self._subs.add(sub)
        return sub

    async def next_update(self, sub: Subscription) -> Message:
        return await self._on_loop(sub.get())

    # ---- internals (on the calls' loop) ----------------------------------------------------------
    async def _on_loop(self, coro: Coroutine[Any, Any, T]) -> T:
        loop = self._loop
        if loop is None or loop is asyncio.get_running_loop() or loop.is_closed():
            return await coro
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coro, loop))

    def _publish(self, message: Message) -> None:
        for sub in list(self._subs):
            sub.put(message)

    def _get(self, call_id: str) -> LiveCall:
        live = self._calls.get(call_id)
        if live is None or live.status not in _OPEN:
            raise CallNotFound(f"call {call_id} is not live", hint="it ended or was transferred")
        return live

    def _held(self, call_id: str, agent: AgentRef) -> LiveCall:
        live = self._get(call_id)
        if live.holder is None or live.holder.user_id != agent.user_id:
            who = live.holder.shown if live.holder else "nobody"
            raise NotHolder(f"call {call_id} is held by {who}, not {agent.shown}",
                            hint="take the call first")
        return live

    async def _view(self, call_id: str) -> dict[str, Any]:
        live = self._calls.get(call_id)
        if live is None:
            raise CallNotFound(f"call {call_id} is not live", hint="it ended or was transferred")
        return live.view()

    async def _take(self, call_id: str, agent: AgentRef) -> dict[str, Any]:
        live = self._get(call_id)
        if live.holder is not None:  # check and set with no await between: this is the lock
            if live.holder.user_id == agent.user_id:
                return live.view()
            raise CallHeld(f"call {call_id} is held by {live.holder.shown}", live.holder.shown,
                           hint="pick another call from the queue")
        live.holder = agent
        was_bot = live.status is DeskStatus.BOT
        live.status = DeskStatus.WITH_AGENT
        if was_bot:
            live.reason = live.reason or f"taken over by {agent.shown}"
            await live.target.escalate(live.reason)
        await live.target.pause_bot()
        live.note("took", agent)
        live.spawn(self._expect_audio(live, agent), "expect-audio")
        return live.view()

    async def _expect_audio(self, live: LiveCall, agent: AgentRef) -> None:
        await asyncio.sleep(self.settings.audio_connect_timeout_s)
        if live.holder == agent and live.bridge is None and live.status is DeskStatus.WITH_AGENT:
            log.warning("call %s: %s took it but their audio never connected", live.call_id, agent.name)
            await self._release(live, "audio never connected")

    async def _connect(self, call_id: str, agent: AgentRef, rate: int) -> AgentBridge:
        live = self._held(call_id, agent)
        if live.bridge is not None:  # a reload: the new page replaces the old socket
            await self._stop_bridge(live)
        bridge = AgentBridge(live, agent, rate, self.asr)
        await bridge.start()
        live.bridge = bridge
        live.note("audio", agent, rate=rate)
        return bridge

    async def _disconnected(self, bridge: AgentBridge) -> None:
        live = bridge.live
        if live.bridge is not bridge:
            return  # already replaced, handed back or ended
        await self._release(live, "agent connection dropped")

    async def _release(self, live: LiveCall, why: str) -> None:
        agent = live.holder
        await self._stop_bridge(live)
        live.holder = None
        if live.status is DeskStatus.WITH_AGENT:
            live.status = DeskStatus.WAITING
            live.note("dropped", agent, why=why)
            await live.target.say(self.settings.holding_prompt)

    async def _stop_bridge(self, live: LiveCall) -> None:
        bridge, live.bridge = live.bridge, None
        if bridge is not None:
            await bridge.stop()

    async def _hand_back(self, call_id: str, agent: AgentRef, question_id: str) -> None:
        live = self._held(call_id, agent)
        await self._stop_bridge(live)
        await live.target.resume_at(question_id)  # raises DialogError for a bad question
        live.holder, live.status, live.reason = None, DeskStatus.BOT, ""
        live.escalated_at_ms = None
        live.note("handed_back", agent, question_id=question_id)

    async def _end(self, call_id: str, agent: AgentRef, outcome: str, note: str) -> None:
        live = self._held(call_id, agent)
        try:
            Outcome(outcome)
        except ValueError:
            raise AgentError(f"unknown outcome {outcome!r}",
                             hint=f"use one of {', '.join(Outcome)}") from None
        await self._stop_bridge(live)
        live.note("ended", agent, outcome=outcome)
        live.status = DeskStatus.ENDED
        await live.target.close(outcome, f"agent {agent.name}", note)

    async def _transfer(self, live: LiveCall, agent: AgentRef | None, destination: str,
                        reason: str) -> None:
        if not destination.strip():
            raise TransferUnavailable("no transfer destination given", hint="name a number, SIP URI or queue")
        target = live.target
        if getattr(target, "can_transfer", False):
            await target.transfer(destination, reason)
        elif self.hook is not None:
            snap = live.context()
            await self.hook.send({
                "call_id": snap.get("call_id") or live.call_id, "destination": destination,
                "gateway_call_id": getattr(target, "gateway_call_id", live.call_id),
                "reason": reason, "by": agent.name if agent else "script",
                "policy_no": (snap.get("policy") or {}).get("policy_no"), "script": snap.get("script"),
            })
        else:
            raise TransferUnavailable(f"call {live.call_id}: this gateway cannot transfer",
                                      hint="set agents.transfer_hook_url, or bridge the agent instead")
        await self._stop_bridge(live)
        live.note("transferred", agent, destination=destination)
        live.status = DeskStatus.TRANSFERRED
        by = f"agent {agent.name}" if agent else "script"
        await target.close(str(Outcome.ESCALATED), by, f"transferred to {destination}")
