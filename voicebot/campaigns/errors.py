"""Errors raised by campaigns: each a stable code and what to do about it."""

from __future__ import annotations

from voicebot.errors import AuthError, ConfigError, StoreError


class CalendarError(ConfigError):
    """A date the working-day calendar knows nothing about (no package data, no override)."""

    code = "VB110"


class RulesError(ConfigError):
    """The campaign rules file (calling hours, windows, attempts) is wrong."""

    code = "VB120"


class DispatchError(StoreError):
    """A lease or report the dispatcher cannot accept (unknown task, lease lost, bad outcome)."""

    code = "VB540"


class LeaseLostError(DispatchError):
    """The report came from a node whose lease expired and was handed to another node."""

    code = "VB541"


class DispatchAuthError(AuthError):
    code = "VB611"
