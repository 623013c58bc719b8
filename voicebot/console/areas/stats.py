"""The statistics page: outcomes per day and script, problem items, recognition confidence."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from voicebot.console.auth import requires
from voicebot.console.context import Area, ctx
from voicebot.console.permissions import Perm
from voicebot.console.render import page
from voicebot.console.stats import Stats, compute, period


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _read(request: Request) -> Stats:
    context = ctx(request)
    tz = context.settings.timezone
    start, end = period(_day(request.query_params.get("date_from")),
                        _day(request.query_params.get("date_to")),
                        datetime.now(ZoneInfo(tz)).date())
    with context.db.session() as s:
        return compute(s, tz, start, end)


@requires(Perm.VIEW_STATS)
async def stats_page(request: Request) -> Response:
    st = await run_in_threadpool(_read, request)
    return page(request, "stats.html", {"title": "Statistics", "st": st})


def routes() -> list[BaseRoute]:
    return [Route("/stats", stats_page)]


AREA = Area(name="stats", routes=routes, nav_label="Statistics", nav_path="/stats",
            perm=Perm.VIEW_STATS)
