"""`voicebot serve` as one process: gateway, console, agent desk and dispatch API on one loop,
and calls a crash left open closed as interrupted at start. Real servers on port 0, real SQLite,
real Whisper-base (the Mandarin recogniser installable here)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx
import pytest
import websockets

from voicebot.cli.serve import serve
from voicebot.config import load_settings
from voicebot.evidence import EvidenceStore
from voicebot.store.db import open_from_settings
from voicebot.store.models import Call, CallStatus

pytestmark = pytest.mark.slow


async def test_serve_runs_gateway_console_and_dispatch_and_recovers(tmp_path: Path) -> None:
    settings = load_settings(env={"VOICEBOT_DATA_DIR": str(tmp_path), "VOICEBOT_ASR_BACKEND": "whisper"})
    settings.gateway.port = 0
    settings.console.port = 0
    # a call left open by a "crash": opened, some caller audio written, never closed
    db = open_from_settings(settings)
    store = EvidenceStore(db, settings.calls_dir)
    open_call = store.open_call(phone="13800130001", policy_no="P1", script="new_policy")
    open_call.write_caller(b"\x10\x00" * 8000, at_ms=0)
    call_id = open_call.call_id
    db.dispose()

    ports: list[int | None] = []
    stop = asyncio.Event()
    ready = asyncio.Event()

    def on_ready(gateway: int, console: int | None) -> None:
        ports.extend([gateway, console])
        ready.set()

    task = asyncio.create_task(serve(settings, stop=stop, on_ready=on_ready))
    try:
        await asyncio.wait_for(ready.wait(), 120)
        gateway, console = ports
        async with httpx.AsyncClient() as http:
            health = await http.get(f"http://127.0.0.1:{gateway}/healthz")
            assert health.status_code == 200
            login = await http.get(f"http://127.0.0.1:{console}/login")
            assert login.status_code == 200 and "<form" in login.text
            lease = await http.post(f"http://127.0.0.1:{console}/dispatch/lease", json={"node": "n1"})
            assert lease.status_code == 204, lease.text  # no tasks imported: nothing due
        # the gateway answers a Twilio stream with the greeting
        async with websockets.connect(f"ws://127.0.0.1:{gateway}/twilio") as ws:
            await ws.send(json.dumps({"event": "connected", "protocol": "Call", "version": "1.0.0"}))
            policy = (Path(__file__).parents[2] / "voicebot/dialogs/policies/new_policy.json").read_text("utf-8")
            await ws.send(json.dumps({"event": "start", "sequenceNumber": "1", "streamSid": "MZ1", "start": {
                "streamSid": "MZ1", "accountSid": "AC1", "callSid": "CA1", "tracks": ["inbound"],
                "customParameters": {"policy_json": policy, "script": "new_policy"},
                "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1}}}))
            first = json.loads(await asyncio.wait_for(ws.recv(), 30))
            assert first["event"] in ("media", "mark") and first["streamSid"] == "MZ1"
    finally:
        stop.set()
        await asyncio.wait_for(task, 60)
    db = open_from_settings(settings)
    with db.session() as s:
        row = s.get(Call, call_id)
        assert row is not None and row.status == CallStatus.INTERRUPTED
    db.dispose()
