"""The calls list with filters."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from voicebot.console.auth import requires, the_user
from voicebot.console.context import Area, ctx
from voicebot.console.permissions import Perm
from voicebot.console.queries import CallFilter, filter_choices, list_calls
from voicebot.console.render import page
from voicebot.privacy import mask_phone


def _read(request: Request, f: CallFilter) -> dict[str, Any]:
    context = ctx(request)
    unmasked = the_user(request).can(Perm.SEE_UNMASKED)
    with context.db.session() as s:
        result = list_calls(s, f, context.settings.timezone)
        choices = filter_choices(s)
        rows = [{
            "id": c.id, "started_at": c.started_at, "policy_no": c.policy_no,
            "phone": c.phone if unmasked else mask_phone(c.phone), "script": c.script,
            "outcome": c.outcome or c.status, "duration_ms": c.duration_ms,
            "problems": result.problems.get(c.id, 0), "reviewed": c.id in result.reviewed,
            "sealed": c.manifest_sha256 is not None,
        } for c in result.calls]
    return {"rows": rows, "total": result.total, "pages": result.pages, "choices": choices}


@requires(Perm.VIEW_CALLS)
async def calls_list(request: Request) -> Response:
    f = CallFilter.from_query(request.query_params)
    data = await run_in_threadpool(_read, request, f)
    return page(request, "calls.html", {"title": "Calls", "f": f, **data})


def routes() -> list[BaseRoute]:
    return [Route("/calls", calls_list)]


AREA = Area(name="calls", routes=routes, nav_label="Calls", nav_path="/calls",
            perm=Perm.VIEW_CALLS)
