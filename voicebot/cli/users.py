"""`voicebot users add|list|disable|enable|passwd`: console accounts (qa, agent, admin)."""

from __future__ import annotations

import argparse
import getpass
import os
from typing import Any

from rich.table import Table

from voicebot.cli.common import add_json_flag, emit, settings_from
from voicebot.errors import AuthError, StoreError
from voicebot.store import open_from_settings
from voicebot.store import users as users_repo
from voicebot.store.audit import record as audit
from voicebot.store.models import Role, User

MIN_PASSWORD = 8


def register(sub: Any) -> None:
    p = sub.add_parser("users", help="console users (qa, agent, admin)")
    verbs = p.add_subparsers(dest="verb", metavar="VERB", required=True)
    add = verbs.add_parser("add", help="add a user (asks for the password)")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=[str(r) for r in Role])
    add.add_argument("--display-name", default="")
    add.add_argument("--password-env", metavar="VAR",
                     help="read the password from this environment variable (for scripts)")
    add_json_flag(add)
    add.set_defaults(func=run_add)
    ls = verbs.add_parser("list", help="list users")
    add_json_flag(ls)
    ls.set_defaults(func=run_list)
    for verb in ("disable", "enable", "passwd"):
        v = verbs.add_parser(verb, help=f"{verb} a user")
        v.add_argument("name")
        if verb == "passwd":
            v.add_argument("--password-env", metavar="VAR")
        add_json_flag(v)
        v.set_defaults(func=run_change, verb=verb)


def _password(args: argparse.Namespace) -> str:
    if args.password_env:
        value = os.environ.get(args.password_env)
        if value is None:
            raise AuthError(f"environment variable {args.password_env} is not set",
                            hint="export it or leave out --password-env to be asked")
    else:
        value = getpass.getpass("password: ")
        if value != getpass.getpass("again: "):
            raise AuthError("the two passwords differ", hint="type the same password twice")
    if len(value) < MIN_PASSWORD:
        raise AuthError(f"password too short ({len(value)} characters)",
                        hint=f"use at least {MIN_PASSWORD} characters")
    return value


def _row(u: User) -> dict[str, Any]:
    return {"name": u.name, "role": u.role, "display_name": u.display_name,
            "disabled": u.disabled, "created_at": u.created_at.isoformat()}


def run_add(args: argparse.Namespace) -> int:
    password = _password(args)
    db = open_from_settings(settings_from(args))
    with db.session() as s:
        user = users_repo.create(s, args.name, args.role, password, args.display_name)
        audit(s, f"cli:{getpass.getuser()}", "user.add", user.name, role=user.role)
        data = _row(user)
    emit(args, data, lambda c: c.print(f"added {data['name']} ({data['role']})"))
    return 0


def run_list(args: argparse.Namespace) -> int:
    db = open_from_settings(settings_from(args))
    with db.session() as s:
        rows = [_row(u) for u in s.query(User).order_by(User.name)]

    def human(c: Any) -> None:
        table = Table("name", "role", "display name", "state", "created")
        for r in rows:
            table.add_row(r["name"], r["role"], r["display_name"],
                          "disabled" if r["disabled"] else "active", r["created_at"][:16])
        c.print(table)

    emit(args, rows, human)
    return 0


def run_change(args: argparse.Namespace) -> int:
    password = _password(args) if args.verb == "passwd" else ""
    db = open_from_settings(settings_from(args))
    with db.session() as s:
        user = users_repo.by_name(s, args.name)
        if user is None:
            raise StoreError(f"no user {args.name}", hint="see `voicebot users list`")
        if args.verb == "passwd":
            user.password_hash = users_repo.hash_password(password)
        else:
            user.disabled = args.verb == "disable"
        audit(s, f"cli:{getpass.getuser()}", f"user.{args.verb}", user.name)
        data = _row(user)
    emit(args, data, lambda c: c.print(f"{args.verb}: {data['name']} done"))
    return 0
