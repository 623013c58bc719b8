"""The review console as one Starlette app: ``create_app(settings)``.

``voicebot console`` serves it alone; ``voicebot serve`` may mount or run it beside the gateway.
Areas are listed in :data:`AREAS` (module names under ``voicebot.console.areas``); the agent
desk (issue 7) adds itself there.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from voicebot.config import Settings
from voicebot.console.context import Area, ConsoleContext
from voicebot.console.render import HERE, make_templates
from voicebot.console.secret import console_secret
from voicebot.store.db import Database, open_from_settings

AREAS: tuple[str, ...] = ("login", "calls", "call", "stats", "admin", "agent")
SESSION_COOKIE = "voicebot_console"
SESSION_MAX_AGE_S = 8 * 3600  # one working day


def load_areas(names: Sequence[str] = AREAS) -> list[Area]:
    return [importlib.import_module(f"voicebot.console.areas.{n}").AREA for n in names]


async def healthz(request: Request) -> Response:
    return PlainTextResponse("ok")


def create_app(settings: Settings, *, db: Database | None = None,
               areas: Sequence[str] = AREAS, https_only: bool = False) -> Starlette:
    """Build the console. ``db`` defaults to the database the settings name (created or
    upgraded on first use). ``https_only`` marks the cookie Secure (behind a TLS proxy)."""
    database = db or open_from_settings(settings)
    loaded = load_areas(areas)
    routes: list[BaseRoute] = [
        Route("/healthz", healthz),
        Mount("/static", app=StaticFiles(directory=str(HERE / "static")), name="static"),
    ]
    for area in loaded:
        routes += area.routes()
    app = Starlette(
        routes=routes,
        middleware=[Middleware(
            SessionMiddleware, secret_key=console_secret(settings), session_cookie=SESSION_COOKIE,
            max_age=SESSION_MAX_AGE_S, same_site="lax", https_only=https_only,
        )],
    )
    app.state.console = ConsoleContext(settings=settings, db=database,
                                       templates=make_templates(settings.timezone),
                                       areas=loaded)
    return app
