"""What every console page gets: settings, the database, templates, and the list of areas.

An *area* is one part of the console (calls, statistics, admin, later the agent desk): a module
under ``voicebot/console/areas/`` exposing ``AREA``. The app mounts each area's routes and
shows its navigation entry to users whose role holds the area's permission.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from starlette.requests import HTTPConnection
from starlette.routing import BaseRoute

from voicebot.config import Settings
from voicebot.console.permissions import Perm
from voicebot.store.db import Database

if TYPE_CHECKING:
    from starlette.templating import Jinja2Templates


@dataclass(frozen=True)
class Area:
    name: str
    routes: Callable[[], list[BaseRoute]]
    nav_label: str = ""  # empty: not in the navigation bar
    nav_path: str = ""
    perm: Perm | None = None  # needed to see the navigation entry


@dataclass
class ConsoleContext:
    settings: Settings
    db: Database
    templates: Jinja2Templates
    areas: list[Area] = field(default_factory=list)
    # (user id, call id) → monotonic time of the last audited recording play (see areas.call)
    recent_plays: dict[tuple[int, str], float] = field(default_factory=dict)


def ctx(conn: HTTPConnection) -> ConsoleContext:
    """The console context of a request or WebSocket (set by :func:`create_app`)."""
    context: ConsoleContext = conn.app.state.console
    return context
