"""`voicebot serve`: the gateway WebSocket server running live calls."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
from typing import Any

from voicebot.call.services import CallOptions, CallServices
from voicebot.call.session import call_handler
from voicebot.cli.common import settings_from
from voicebot.config import Settings
from voicebot.gateway import logs
from voicebot.gateway.server import GatewayServer

log = logging.getLogger(__name__)


def register(sub: Any) -> None:
    p = sub.add_parser("serve", help="run the gateway WebSocket server (live calls)")
    p.add_argument("--host", help="listen address (gateway.host)")
    p.add_argument("--port", type=int, help="listen port (gateway.port; 0 picks a free one)")
    p.add_argument("--backend", choices=("vosk", "whisper"), help="recogniser (asr.backend)")
    p.add_argument("--tokens", help="accepted gateway tokens, name=token,… (gateway.tokens)")
    p.add_argument("--log-json", action="store_true", help="one JSON object per log line")
    p.set_defaults(func=run)


def apply_args(settings: Settings, args: argparse.Namespace) -> Settings:
    if getattr(args, "host", None):
        settings.gateway.host = args.host
    if getattr(args, "port", None) is not None:
        settings.gateway.port = args.port
    if getattr(args, "backend", None):
        settings.asr.backend = args.backend
    if getattr(args, "tokens", None):
        settings.gateway.tokens = args.tokens
    return settings


def run(args: argparse.Namespace) -> int:
    settings = apply_args(settings_from(args), args)
    logs.install(logging.INFO if args.verbose == 0 else logging.DEBUG, json_lines=args.log_json)
    if not settings.gateway.tokens:
        log.warning("gateway.tokens is empty: any client may connect (development only)")
    asyncio.run(serve(settings))
    return 0


async def serve(settings: Settings, options: CallOptions | None = None) -> None:
    services = await asyncio.to_thread(CallServices.build, settings, options=options)
    server = GatewayServer(settings.gateway, call_handler(services), metrics=services.metrics,
                           max_call_s=settings.dialog.max_call_s)
    await server.start()
    log.info("listening on ws://%s:%d (/twilio, /audiofork, /jambonz; /healthz, /metrics); recogniser %s",
             settings.gateway.host, server.port, services.asr.name)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    log.info("shutting down: live calls get %.0f s to finish", settings.gateway.shutdown_grace_s)
    await server.shutdown()
    services.db.dispose()
