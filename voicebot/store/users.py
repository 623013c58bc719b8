"""Users of the console (qa / agent / admin) with scrypt password hashes."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from voicebot.errors import StoreError
from voicebot.store.models import Role, User

_N, _R, _P = 2**14, 8, 1


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P)
    return f"scrypt${_N}${_R}${_P}${salt.hex()}${digest.hex()}"


def check_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    got = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p))
    return hmac.compare_digest(got.hex(), digest)


def create(s: Session, name: str, role: str, password: str, display_name: str = "") -> User:
    if role not in set(Role):
        raise StoreError(f"unknown role {role!r}", hint="use qa, agent or admin")
    if by_name(s, name) is not None:
        raise StoreError(f"user {name} already exists", hint="pick another name")
    user = User(name=name, role=role, password_hash=hash_password(password),
                display_name=display_name)
    s.add(user)
    s.flush()
    return user


def by_name(s: Session, name: str) -> User | None:
    return s.scalar(select(User).where(User.name == name))


def authenticate(s: Session, name: str, password: str) -> User | None:
    user = by_name(s, name)
    if user is None or user.disabled or not check_password(password, user.password_hash):
        return None
    return user
