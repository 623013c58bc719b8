"""Errors of the agent desk: a call that cannot be taken, handed back or transferred."""

from __future__ import annotations

from voicebot.errors import VoicebotError


class AgentError(VoicebotError):
    code = "VB710"


class CallNotFound(AgentError):
    code = "VB711"


class CallHeld(AgentError):
    """Another agent holds the call; ``holder`` says who."""

    code = "VB712"

    def __init__(self, message: str, holder: str, *, hint: str = "") -> None:
        super().__init__(message, hint=hint)
        self.holder = holder


class NotHolder(AgentError):
    code = "VB713"


class TransferUnavailable(AgentError):
    code = "VB714"
