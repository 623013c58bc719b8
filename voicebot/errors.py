"""Errors that carry a stable code and a message a person can act on."""

from __future__ import annotations


class VoicebotError(Exception):
    """Base error. ``code`` is stable (for logs, --json output and tests); ``hint`` says what to do."""

    code: str = "VB000"

    def __init__(self, message: str, *, hint: str = "", code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        text = f"[{self.code}] {self.message}"
        return f"{text}\n  hint: {self.hint}" if self.hint else text

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message, "hint": self.hint}


class ConfigError(VoicebotError):
    code = "VB100"


class ScriptError(VoicebotError):
    """A callback script failed validation."""

    code = "VB200"


class PolicyError(VoicebotError):
    """A policy record is missing fields or has bad values."""

    code = "VB210"


class AudioError(VoicebotError):
    code = "VB300"


class ModelError(VoicebotError):
    """A speech model is missing, corrupt or cannot be fetched."""

    code = "VB400"


class StoreError(VoicebotError):
    code = "VB500"


class EvidenceError(StoreError):
    code = "VB510"


class DncError(StoreError):
    code = "VB520"


class ImportRowsError(VoicebotError):
    """A CSV/JSON/Excel import had bad rows; nothing was imported."""

    code = "VB530"

    def __init__(self, message: str, rows: list[tuple[int, str]], *, hint: str = "") -> None:
        super().__init__(message, hint=hint)
        self.rows = rows  # (line number, reason)

    def __str__(self) -> str:
        lines = [super().__str__()]
        lines += [f"  line {n}: {why}" for n, why in self.rows[:50]]
        if len(self.rows) > 50:
            lines.append(f"  … and {len(self.rows) - 50} more")
        return "\n".join(lines)


class ProtocolError(VoicebotError):
    """A gateway sent something that breaks its protocol."""

    code = "VB600"


class AuthError(VoicebotError):
    code = "VB610"
