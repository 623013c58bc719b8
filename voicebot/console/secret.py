"""The key that signs console session cookies: from settings, else generated once into the
data folder (mode 0600) so sessions survive restarts and every process of one node agrees."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from voicebot.config import Settings

KEY_FILE = "console-secret.key"


def console_secret(settings: Settings) -> str:
    if settings.console.secret_key:
        return settings.console.secret_key
    path = Path(settings.data_dir) / KEY_FILE
    if path.exists():
        key = path.read_text(encoding="ascii").strip()
        if key:
            return key
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    # O_EXCL: when two processes start at once, the second reads the first one's key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(key)
    return key
