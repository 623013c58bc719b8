"""Sessions, the signed-in user, permission checks and CSRF tokens.

The session cookie (Starlette's SessionMiddleware, signed with the console secret) holds only
the user id and a fingerprint of the password hash: changing a password or disabling a user
ends their sessions, because the user is re-read from the database on every request.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import quote

from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.requests import HTTPConnection, Request
from starlette.responses import RedirectResponse, Response

from voicebot.console.context import ctx
from voicebot.console.permissions import Perm, allowed
from voicebot.store.models import User

Endpoint = Callable[[Request], Awaitable[Response]]


@dataclass(frozen=True)
class CurrentUser:
    id: int
    name: str
    role: str
    display_name: str

    def can(self, perm: Perm, *, holds_call: bool = False) -> bool:
        return allowed(self.role, perm, holds_call=holds_call)

    @property
    def label(self) -> str:
        return self.display_name or self.name


def fingerprint(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


def _load_user(conn: HTTPConnection) -> CurrentUser | None:
    uid = conn.session.get("uid")
    if not isinstance(uid, int):
        return None
    with ctx(conn).db.session() as s:
        row = s.scalar(select(User).where(User.id == uid))
        if row is None or row.disabled or conn.session.get("pwv") != fingerprint(row.password_hash):
            return None
        return CurrentUser(row.id, row.name, row.role, row.display_name)


async def current_user(conn: HTTPConnection) -> CurrentUser | None:
    """The signed-in user (cached on the connection), or None."""
    if "user" not in conn.state._state:
        conn.state.user = await run_in_threadpool(_load_user, conn)
    user: CurrentUser | None = conn.state.user
    return user


def sign_in(request: Request, row: User) -> None:
    request.session.clear()
    request.session.update({"uid": row.id, "pwv": fingerprint(row.password_hash),
                            "csrf": secrets.token_urlsafe(24)})


def csrf_token(conn: HTTPConnection) -> str:
    token = conn.session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(24)
        conn.session["csrf"] = token
    return token


def csrf_ok(request: Request, submitted: str | None) -> bool:
    expected = request.session.get("csrf")
    given = submitted or request.headers.get("x-csrf-token", "")
    return isinstance(expected, str) and hmac.compare_digest(expected, given)


def forbidden(request: Request, why: str) -> Response:
    from voicebot.console.render import page

    return page(request, "error.html", {"title": "Not allowed", "message": why}, status=403)


def requires(perm: Perm | None = None) -> Callable[[Endpoint], Endpoint]:
    """Endpoint decorator: signed in (else to the login page) and holding ``perm`` (else 403)."""

    def wrap(fn: Endpoint) -> Endpoint:
        @functools.wraps(fn)
        async def endpoint(request: Request) -> Response:
            user = await current_user(request)
            if user is None:
                target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
            if perm is not None and not user.can(perm):
                return forbidden(request, f"Your role ({user.role}) may not open this page.")
            if request.method == "POST":
                form = await request.form()
                token = form.get("csrf")
                if not csrf_ok(request, token if isinstance(token, str) else None):
                    return forbidden(request, "The form expired. Reload the page and try again.")
            return await fn(request)

        return endpoint

    return wrap


def the_user(request: Request) -> CurrentUser:
    """The user :func:`requires` already loaded."""
    user: CurrentUser = request.state.user
    return user
