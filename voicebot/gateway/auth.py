"""Gateway authentication: a token per configured gateway, in the URL or a Bearer header."""

from __future__ import annotations

import hmac
from urllib.parse import parse_qs, urlsplit

from websockets.datastructures import Headers

from voicebot.errors import ConfigError


def parse_tokens(spec: str) -> dict[str, str]:
    """``"twilio=abc, fs=def, xyz"`` → {token: gateway name}; a bare token is named ``gateway<n>``."""
    tokens: dict[str, str] = {}
    for n, item in enumerate(p.strip() for p in spec.split(",")):
        if not item:
            continue
        name, sep, token = item.partition("=")
        if not sep:
            name, token = f"gateway{n + 1}", name
        name, token = name.strip(), token.strip()
        if len(token) < 8:
            raise ConfigError(
                f"gateway token for {name!r} is shorter than 8 characters",
                hint="use a long random token, e.g. `python -c 'import secrets; print(secrets.token_urlsafe())'`",
            )
        tokens[token] = name
    return tokens


def presented_token(path: str, headers: Headers) -> str:
    auth = headers.get("Authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    values = parse_qs(urlsplit(path).query).get("token", [])
    return values[0] if values else ""


def authenticate(tokens: dict[str, str], path: str, headers: Headers) -> str | None:
    """The gateway name, "" when auth is off, None when refused (compared in constant time)."""
    if not tokens:
        return ""
    given = presented_token(path, headers).encode()
    match = None
    for token, name in tokens.items():
        if hmac.compare_digest(given, token.encode()):
            match = name
    return match
