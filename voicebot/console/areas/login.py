"""Sign in and out."""

from __future__ import annotations

import time
from collections import defaultdict

from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from voicebot.console.auth import csrf_ok, csrf_token, current_user, sign_in
from voicebot.console.context import Area, ctx
from voicebot.console.render import page
from voicebot.store.audit import record as audit
from voicebot.store.models import User
from voicebot.store.users import check_password

MAX_FAILURES = 5
LOCK_S = 60.0
_failures: dict[str, list[float]] = defaultdict(list)  # name → recent failure times


def _safe_next(target: str | None) -> str:
    # Only local paths: an absolute URL here would make the login page an open redirect.
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/calls"


def _locked(name: str) -> bool:
    now = time.monotonic()
    recent = [t for t in _failures[name] if now - t < LOCK_S]
    _failures[name] = recent
    return len(recent) >= MAX_FAILURES


def _check(request: Request, name: str, password: str) -> User | None:
    with ctx(request).db.session() as s:
        row = s.scalar(select(User).where(User.name == name))
        ok = row is not None and not row.disabled and check_password(password, row.password_hash)
        audit(s, name or "?", "console.login" if ok else "console.login_failed",
              client=request.client.host if request.client else "")
        return row if ok else None


async def login_form(request: Request) -> Response:
    if await current_user(request) is not None:
        return RedirectResponse(_safe_next(request.query_params.get("next")), status_code=303)
    return page(request, "login.html", {"title": "Sign in", "csrf": csrf_token(request),
                                        "next": request.query_params.get("next", "")})


async def login_submit(request: Request) -> Response:
    form = await request.form()
    name = str(form.get("name", "")).strip()
    password = str(form.get("password", ""))
    target = _safe_next(str(form.get("next", "")))
    data = {"title": "Sign in", "csrf": csrf_token(request), "next": target, "name": name}
    if not csrf_ok(request, str(form.get("csrf", ""))):
        return page(request, "login.html", {**data, "error": "The form expired; try again."},
                    status=400)
    if _locked(name):
        return page(request, "login.html",
                    {**data, "error": "Too many failed attempts. Wait a minute."}, status=429)
    row = await run_in_threadpool(_check, request, name, password)
    if row is None:
        _failures[name].append(time.monotonic())
        return page(request, "login.html", {**data, "error": "Wrong name or password."},
                    status=401)
    _failures.pop(name, None)
    sign_in(request, row)
    return RedirectResponse(target, status_code=303)


async def logout(request: Request) -> Response:
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


async def home(request: Request) -> Response:
    user = await current_user(request)
    if user is None:
        return RedirectResponse("/login", status_code=303)
    return RedirectResponse("/agent" if user.role == "agent" and _has_agent_area(request)
                            else "/calls", status_code=303)


def _has_agent_area(request: Request) -> bool:
    return any(area.name == "agent" for area in ctx(request).areas)


def routes() -> list[BaseRoute]:
    return [
        Route("/", home),
        Route("/login", login_form, methods=["GET"]),
        Route("/login", login_submit, methods=["POST"]),
        Route("/logout", logout, methods=["POST"]),
    ]


AREA = Area(name="login", routes=routes)
