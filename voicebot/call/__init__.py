"""One live call: codec events → recorder + recogniser → intent → dialog → prompts → codec.

``CallServices`` holds what every call shares (recogniser model, prompt renderer, evidence
store, do-not-call list, metrics); ``CallSession`` runs one call and always closes it.
"""

from __future__ import annotations

from voicebot.call.services import CallServices
from voicebot.call.session import CallSession, call_handler

__all__ = ["CallServices", "CallSession", "call_handler"]
