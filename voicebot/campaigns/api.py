"""The dispatch HTTP API for dialers and gateways (Starlette; mount it at ``/dispatch``).

    POST /dispatch/lease    {"node": "bot-1"}                 → 200 {"lease": {...}} | 204
    POST /dispatch/report   {"task_id", "attempt", "node", "outcome",
                             "call_id"?, "callback_at"?, "record"?}  → 200 {"task_id", "status", …}
    POST /dispatch/release  {"task_id", "attempt", "node"}    → 200 {"released": true}

``Authorization: Bearer <token>`` with a token from ``campaigns.api_tokens`` (no auth when that
is empty: development only). Errors are ``{"error": {code, message, hint}}`` with 400 (bad
request), 401 (token), 404 (no such task), 409 (lease lost: the task moved on).
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route

from voicebot.campaigns.context import Campaign
from voicebot.campaigns.dispatch import lease, release
from voicebot.campaigns.errors import DispatchAuthError, DispatchError, LeaseLostError
from voicebot.campaigns.results import Reporter
from voicebot.errors import VoicebotError
from voicebot.store.db import Database
from voicebot.store.types import utcnow

Handler = Callable[[Request], Awaitable[Response]]


def _error(exc: VoicebotError, status: int) -> JSONResponse:
    return JSONResponse({"error": exc.to_dict()}, status_code=status)


async def _body(request: Request) -> dict[str, Any]:
    try:
        data = await request.json()
    except ValueError as exc:
        raise DispatchError("the body is not JSON", hint='send {"node": …} as application/json') from exc
    if not isinstance(data, dict):
        raise DispatchError("the body must be a JSON object", hint='send {"node": …}')
    return data


def _int(data: dict[str, Any], key: str) -> int:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).isdigit():
        raise DispatchError(f"{key} must be a whole number", hint="pass back what /dispatch/lease returned")
    return int(value)


def dispatch_routes(db: Database, c: Campaign, tokens: list[str] | None = None,
                    clock: Callable[[], datetime] = utcnow) -> list[Route]:
    tokens = [t for t in (tokens if tokens is not None else c.settings.api_tokens.split(",")) if t.strip()]
    reporter = Reporter(db, c)

    def guarded(fn: Callable[[dict[str, Any]], Any]) -> Handler:
        async def handle(request: Request) -> Response:
            try:
                if tokens:
                    given = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
                    if not any(hmac.compare_digest(given, t.strip()) for t in tokens):
                        raise DispatchAuthError("missing or wrong dispatch token",
                                                hint="send Authorization: Bearer <campaigns.api_tokens entry>")
                data = await _body(request)
                result = await run_in_threadpool(fn, data)
            except DispatchAuthError as exc:
                return _error(exc, 401)
            except LeaseLostError as exc:
                return _error(exc, 409)
            except DispatchError as exc:
                return _error(exc, 404 if "no callback task" in exc.message else 400)
            except VoicebotError as exc:
                return _error(exc, 400)
            if result is None:
                return Response(status_code=204)
            return JSONResponse(result)
        return handle

    def node_of(data: dict[str, Any]) -> str:
        node = str(data.get("node") or "").strip()
        if not node or len(node) > 64:
            raise DispatchError("node must name the bot node (1–64 characters)", hint='{"node": "bot-1"}')
        return node

    def do_lease(data: dict[str, Any]) -> dict[str, Any] | None:
        got = lease(db, c, node_of(data), now=clock())
        return None if got is None else {"lease": got.to_dict()}

    def do_report(data: dict[str, Any]) -> dict[str, Any]:
        record = data.get("record")
        res = reporter.report(
            _int(data, "task_id"), _int(data, "attempt"), node_of(data), str(data.get("outcome", "")),
            call_id=data.get("call_id") or None, callback_at=data.get("callback_at") or None,
            record=record if isinstance(record, dict) else None, now=clock())
        return res.to_dict()

    def do_release(data: dict[str, Any]) -> dict[str, Any]:
        release(db, c, _int(data, "task_id"), _int(data, "attempt"), node_of(data))
        return {"released": True}

    return [Route("/lease", guarded(do_lease), methods=["POST"]),
            Route("/report", guarded(do_report), methods=["POST"]),
            Route("/release", guarded(do_release), methods=["POST"])]


def create_app(db: Database, c: Campaign, tokens: list[str] | None = None,
               clock: Callable[[], datetime] = utcnow) -> Starlette:
    """A standalone app with the dispatch API under /dispatch (``voicebot serve`` mounts the routes)."""
    return Starlette(routes=[Mount("/dispatch", routes=dispatch_routes(db, c, tokens, clock))])
