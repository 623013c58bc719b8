"""Agents take over escalated calls: the live-call registry shared by the gateway and the
console, escalation rules, one-holder locking, the audio bridge, transfers and the agent's
voice as evidence. Independent of the web; the desk page lives in ``voicebot.console.areas``.
"""

from __future__ import annotations

from voicebot.agents.bridge import AgentBridge
from voicebot.agents.errors import (
           AgentError,
           CallHeld,
           CallNotFound,
           NotHolder,
           TransferUnavailable,
)
from voicebot.agents.escalation import EscalationRules, escalation_reason
from voicebot.agents.live import AgentRef, LiveCall
from voicebot.agents.registry import AgentRegistry
from voicebot.agents.target import DeskStatus, TakeoverTarget

__all__ = ["AgentBridge", "AgentError", "AgentRef", "AgentRegistry", "CallHeld", "CallNotFound",
           "DeskStatus", "EscalationRules", "LiveCall", "NotHolder", "TakeoverTarget",
           "TransferUnavailable", "escalation_reason"]
