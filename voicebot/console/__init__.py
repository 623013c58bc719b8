"""The web review console (Starlette + Jinja2): calls, recordings, reviews, statistics, admin."""

from __future__ import annotations

from voicebot.console.app import AREAS, create_app

__all__ = ["AREAS", "create_app"]
