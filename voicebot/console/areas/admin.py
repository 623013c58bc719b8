"""Admin pages: users (add, disable, reset password) and the audit log."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from voicebot.console.auth import requires, the_user
from voicebot.console.context import Area, ctx
from voicebot.console.permissions import Perm
from voicebot.console.render import page
from voicebot.errors import VoicebotError
from voicebot.store import users as users_repo
from voicebot.store.audit import record as audit
from voicebot.store.models import AuditEntry, Role, User

AUDIT_PAGE = 100


def _users(request: Request) -> list[User]:
    with ctx(request).db.session() as s:
        return list(s.scalars(select(User).order_by(User.name)))


@requires(Perm.ADMIN)
async def users_page(request: Request) -> Response:
    rows = await run_in_threadpool(_users, request)
    return page(request, "admin_users.html", {"title": "Users", "users": rows, "roles": list(Role),
                                              "error": request.query_params.get("error", "")})


def _change(request: Request, form: dict[str, str]) -> str:
    """Apply one user change; returns an error message or ''."""
    actor = the_user(request).name
    action = form.get("action", "")
    with ctx(request).db.session() as s:
        if action == "add":
            name, role, password = form.get("name", "").strip(), form.get("role", ""), \
                form.get("password", "")
            if not name or len(password) < 8:
                return "Give a name and a password of at least 8 characters."
            try:
                users_repo.create(s, name, role, password, form.get("display_name", "").strip())
            except VoicebotError as exc:
                return exc.message
            audit(s, actor, "user.add", name, role=role)
            return ""
        user = users_repo.by_name(s, form.get("name", ""))
        if user is None:
            return "No such user."
        if action in ("disable", "enable"):
            if user.name == actor:
                return "You cannot disable yourself."
            user.disabled = action == "disable"
            audit(s, actor, f"user.{action}", user.name)
        elif action == "password":
            password = form.get("password", "")
            if len(password) < 8:
                return "Passwords need at least 8 characters."
            user.password_hash = users_repo.hash_password(password)
            audit(s, actor, "user.password", user.name)
        elif action == "role" and form.get("role") in set(Role):
            audit(s, actor, "user.role", user.name, old=user.role, new=form["role"])
            user.role = form["role"]
        else:
            return "Unknown change."
    return ""


@requires(Perm.ADMIN)
async def users_post(request: Request) -> Response:
    form = {k: str(v) for k, v in (await request.form()).items()}
    error = await run_in_threadpool(_change, request, form)
    from urllib.parse import quote

    return RedirectResponse("/admin/users" + (f"?error={quote(error)}" if error else ""),
                            status_code=303)


def _audit_rows(request: Request) -> dict[str, Any]:
    params = request.query_params
    try:
        before = int(params.get("before", "0"))
    except ValueError:
        before = 0
    q = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(AUDIT_PAGE)
    for key, column in (("actor", AuditEntry.actor), ("target", AuditEntry.target)):
        if params.get(key):
            q = q.where(column == params[key])
    if params.get("action"):
        q = q.where(AuditEntry.action.like(params["action"].replace("*", "%")))
    if before:
        q = q.where(AuditEntry.id < before)
    with ctx(request).db.session() as s:
        rows = list(s.scalars(q))
    return {"rows": rows, "params": params,
            "keep": {k: v for k, v in params.items() if k != "before" and v},
            "next": rows[-1].id if len(rows) == AUDIT_PAGE else None}


@requires(Perm.ADMIN)
async def audit_page(request: Request) -> Response:
    data = await run_in_threadpool(_audit_rows, request)
    return page(request, "admin_audit.html", {"title": "Audit log", **data})


def routes() -> list[BaseRoute]:
    return [
        Route("/admin", lambda r: RedirectResponse("/admin/users", status_code=303)),
        Route("/admin/users", users_page, methods=["GET"]),
        Route("/admin/users", users_post, methods=["POST"]),
        Route("/admin/audit", audit_page),
    ]


AREA = Area(name="admin", routes=routes, nav_label="Admin", nav_path="/admin",
            perm=Perm.ADMIN)
