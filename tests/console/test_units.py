from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from voicebot.cli import main
from voicebot.console.charts import Series, _nice_max, horizontal_bars, stacked_bars
from voicebot.console.permissions import Perm, allowed
from voicebot.console.render import format_ms


def test_role_table() -> None:
    assert allowed("admin", Perm.ADMIN) and allowed("admin", Perm.SEE_UNMASKED)
    assert allowed("qa", Perm.HEAR_RECORDINGS) and not allowed("qa", Perm.SEE_UNMASKED)
    assert not allowed("qa", Perm.ADMIN)
    assert not allowed("agent", Perm.HEAR_RECORDINGS)
    assert allowed("agent", Perm.HEAR_RECORDINGS, holds_call=True)
    assert not allowed("qa", Perm.SEE_UNMASKED, holds_call=True)  # holding is an agent thing
    assert not allowed("intruder", Perm.VIEW_CALLS)


def test_charts_escape_labels_and_round_axes() -> None:
    chart = stacked_bars(["<b>x</b>"], [Series("a&b", [3], "#000")])
    assert "<b>x</b>" not in chart.svg and "&lt;b&gt;x&lt;/b&gt;" in chart.svg
    assert chart.legend == [("a&b", "#000")]
    assert [_nice_max(v) for v in (0, 1, 5, 12, 99)] == [4, 4, 8, 20, 100]
    assert _nice_max(0.3, counts=False) == pytest.approx(0.4)
    bars = horizontal_bars(["Q2", "Q6"], [Series("deny", [2, 1], "#f00")])
    assert bars.svg.count("<rect") == 2


def test_lengths() -> None:
    assert format_ms(56_000) == "0:56" and format_ms(3_725_000) == "1:02:05"
    assert format_ms(None) == ""


def test_users_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                       capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("VOICEBOT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PW", "long-enough-1")
    assert main(["users", "add", "lee", "--role", "qa", "--password-env", "PW", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["role"] == "qa"
    assert main(["users", "add", "lee", "--role", "qa", "--password-env", "PW"]) == 2
    assert "already exists" in capsys.readouterr().err
    monkeypatch.setenv("PW", "short")
    assert main(["users", "add", "kim", "--role", "admin", "--password-env", "PW"]) == 2
    assert "too short" in capsys.readouterr().err
    assert main(["users", "list", "--json"]) == 0
    assert [u["name"] for u in json.loads(capsys.readouterr().out)] == ["lee"]


def test_console_command_serves(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    exe = str(Path(sys.executable).parent / "voicebot")
    proc = subprocess.Popen([exe, "console", "--port", str(port)],
                            env={"VOICEBOT_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"},
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/login", timeout=2)
                break
            except httpx.TransportError:
                assert proc.poll() is None, proc.stdout.read() if proc.stdout else b""
                assert time.monotonic() < deadline
                time.sleep(0.2)
        assert r.status_code == 200 and "Sign in" in r.text
        assert (tmp_path / "console-secret.key").stat().st_mode & 0o077 == 0
    finally:
        proc.terminate()
        proc.wait(10)
