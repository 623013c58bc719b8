"""Transfers done outside the media socket: an HTTP hook for Twilio-style REST transfers.

Twilio (and its look-alikes) move a call with their REST API, not the stream. Deployments put a
small service of their own behind ``agents.transfer_hook_url``; we POST what it needs:

    {"call_id": …, "gateway_call_id": …, "destination": …, "reason": …, "by": …,
     "policy_no": …, "script": …}

with ``Authorization: Bearer <agents.transfer_hook_token>`` when a token is set. Any 2xx is
success; anything else is an error naming the status, and the call stays where it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from voicebot.agents.errors import TransferUnavailable


@dataclass(frozen=True)
class TransferHook:
    url: str
    token: str = ""
    timeout_s: float = 5.0

    async def send(self, payload: dict[str, Any]) -> None:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        try:
            async with httpx.AsyncClient(timeout=self.timeout_s) as client:
                response = await client.post(self.url, json=payload, headers=headers)
        except httpx.HTTPError as exc:
            raise TransferUnavailable(f"transfer hook {self.url} unreachable: {exc}",
                                      hint="check agents.transfer_hook_url and that service") from exc
        if not response.is_success:
            raise TransferUnavailable(
                f"transfer hook {self.url} answered {response.status_code}: {response.text[:200]}",
                hint="the call was not moved; check the hook service's log")
