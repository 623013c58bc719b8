"""The agent desk: the live queue, a call's context, Take / Hand back / End / Transfer, and
the audio sockets (in ``agent_sockets``).

The desk drives the process's :class:`~voicebot.agents.AgentRegistry`, which ``voicebot
serve`` attaches with :func:`attach_registry` when it runs the gateway and the console
together. Without one (``voicebot console`` alone) the desk says no calls are live here.
"""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route, WebSocketRoute

from voicebot.agents import CallHeld, CallNotFound, NotHolder
from voicebot.console.areas import agent_sockets
from voicebot.console.areas.agent_sockets import agent_ref, attach_registry, registry_of
from voicebot.console.auth import requires, the_user
from voicebot.console.context import Area, ctx
from voicebot.console.permissions import Perm
from voicebot.console.render import page
from voicebot.dialogs.outcome import Outcome
from voicebot.errors import VoicebotError
from voicebot.store import calls as calls_repo
from voicebot.store.audit import record as audit


@requires(Perm.AGENT_DESK)
async def desk(request: Request) -> Response:
    return page(request, "agent.html", {
        "title": "Agent desk", "live": registry_of(request) is not None,
        "outcomes": [str(o) for o in Outcome if o not in (Outcome.INTERRUPTED, Outcome.NO_ANSWER)],
    })


def _error(exc: VoicebotError) -> JSONResponse:
    status = 409 if isinstance(exc, CallHeld | NotHolder) else 404 if isinstance(exc, CallNotFound) else 400
    body: dict[str, Any] = {"ok": False, "error": exc.to_dict()}
    if isinstance(exc, CallHeld):
        body["holder"] = exc.holder
    return JSONResponse(body, status_code=status)


def _audit(request: Request, action: str, call_id: str, *, hold: int | None = -1, **detail: Any) -> None:
    """Audit an agent action; ``hold`` (a user id or None) also records who holds the call."""
    user = the_user(request)
    with ctx(request).db.session() as s:
        audit(s, user.name, action, call_id, role=user.role, **detail)
        if hold != -1:
            row = calls_repo.find(s, call_id)
            if row is not None:
                row.agent_user_id = hold


async def _command(request: Request, action: str) -> Response:
    registry = registry_of(request)
    if registry is None:
        return JSONResponse({"ok": False, "error": {"code": "VB711", "message": "no live calls here",
                                                    "hint": "run the desk with `voicebot serve`"}},
                            status_code=404)
    call_id = request.path_params["call_id"]
    form = await request.form()
    agent = agent_ref(the_user(request))
    detail: dict[str, Any] = {}
    try:
        if action == "take":
            view = await registry.take(call_id, agent)
            await run_in_threadpool(_audit, request, "agent.take", call_id, hold=agent.user_id,
                                    reason=view.get("reason", ""))
            return JSONResponse({"ok": True, "call": view})
        if action == "handback":
            detail["question_id"] = str(form.get("question_id", ""))
            await registry.hand_back(call_id, agent, detail["question_id"])
        elif action == "end":
            detail = {"outcome": str(form.get("outcome", "")), "note": str(form.get("note", ""))[:2000]}
            await registry.end(call_id, agent, detail["outcome"], detail["note"])
        else:
            detail["destination"] = str(form.get("destination", "")).strip()
            await registry.transfer(call_id, agent, detail["destination"])
    except VoicebotError as exc:  # AgentError, DialogError: the call stays as it was
        return _error(exc)
    await run_in_threadpool(_audit, request, f"agent.{action}", call_id, **detail)
    return JSONResponse({"ok": True})


@requires(Perm.AGENT_DESK)
async def take(request: Request) -> Response:
    return await _command(request, "take")


@requires(Perm.AGENT_DESK)
async def hand_back(request: Request) -> Response:
    return await _command(request, "handback")


@requires(Perm.AGENT_DESK)
async def end(request: Request) -> Response:
    return await _command(request, "end")


@requires(Perm.AGENT_DESK)
async def transfer(request: Request) -> Response:
    return await _command(request, "transfer")


def routes() -> list[BaseRoute]:
    return [
        Route("/agent", desk),
        Route("/agent/calls/{call_id}/take", take, methods=["POST"]),
        Route("/agent/calls/{call_id}/handback", hand_back, methods=["POST"]),
        Route("/agent/calls/{call_id}/end", end, methods=["POST"]),
        Route("/agent/calls/{call_id}/transfer", transfer, methods=["POST"]),
        WebSocketRoute("/agent/ws", agent_sockets.updates),
        WebSocketRoute("/agent/audio/{call_id}", agent_sockets.audio),
    ]


__all__ = ["AREA", "attach_registry", "registry_of"]

AREA = Area(name="agent", routes=routes, nav_label="Agent desk", nav_path="/agent",
            perm=Perm.AGENT_DESK)
