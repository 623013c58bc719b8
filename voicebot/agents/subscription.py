"""Queue updates streamed to agent desks: one bounded inbox per subscriber.

A desk that falls behind does not slow the calls down: its inbox drops what it cannot hold
and the next read returns one full refresh instead.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

Message = dict[str, Any]


class Subscription:
    def __init__(self, refresh: Callable[[], Message], unsubscribe: Callable[[Subscription], None],
                 *, size: int = 256) -> None:
        self._refresh = refresh
        self._unsubscribe = unsubscribe
        self._inbox: asyncio.Queue[Message] = asyncio.Queue(size)
        self._stale = True  # the first read is the whole queue
        self.closed = False

    def put(self, message: Message) -> None:
        if self._stale:
            return  # a refresh is due anyway
        try:
            self._inbox.put_nowait(message)
        except asyncio.QueueFull:
            self._stale = True

    async def get(self) -> Message:
        """The next update; a full refresh (``{"type": "queue", …}``) first and after overflow."""
        if self._stale:
            self._stale = False
            while not self._inbox.empty():
                self._inbox.get_nowait()
            return self._refresh()
        return await self._inbox.get()

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self._unsubscribe(self)
