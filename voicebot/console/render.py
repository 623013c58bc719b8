"""Jinja2 templates shipped in the package, and the helper every page renders with."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates

from voicebot.console.auth import csrf_token
from voicebot.console.context import ctx

HERE = Path(__file__).parent


def make_templates(timezone: str) -> Jinja2Templates:
    """Templates; times are shown in ``timezone`` (the operation's local time)."""
    zone = ZoneInfo(timezone)
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    env = templates.env
    env.filters["ms"] = format_ms
    env.filters["dt"] = lambda v: v.astimezone(zone).strftime("%Y-%m-%d %H:%M") if v else ""
    return templates


def format_ms(value: int | float | None) -> str:
    if value is None:
        return ""
    seconds = int(value) // 1000
    hours, rest = divmod(seconds, 3600)
    if hours:
        return f"{hours}:{rest // 60:02d}:{rest % 60:02d}"
    return f"{rest // 60}:{rest % 60:02d}"


def page(request: Request, name: str, data: dict[str, Any], *, status: int = 200) -> Response:
    context = ctx(request)
    user = request.state._state.get("user")
    nav = [
        area for area in context.areas
        if area.nav_label and user is not None and (area.perm is None or user.can(area.perm))
    ]
    full = {"user": user, "nav": nav, "csrf": csrf_token(request) if user else "",
            "path": request.url.path, **data}
    return context.templates.TemplateResponse(request, name, full, status_code=status)
