"""`voicebot serve`: the gateway WebSocket server running live calls, and beside it on the same
event loop the web console (review, agent desk) with the campaign dispatch API under /dispatch."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.routing import Mount

from voicebot.agents import AgentRegistry
from voicebot.call.services import CallOptions, CallServices
from voicebot.call.session import call_handler
from voicebot.campaigns.api import dispatch_routes
from voicebot.campaigns.context import Campaign
from voicebot.cli.common import settings_from
from voicebot.config import Settings
from voicebot.console.app import create_app
from voicebot.console.areas.agent_sockets import attach_registry
from voicebot.dialogs.loader import load_script, script_names
from voicebot.gateway import logs
from voicebot.gateway.server import GatewayServer

log = logging.getLogger(__name__)


def register(sub: Any) -> None:
    p = sub.add_parser("serve", help="run the gateway server, the console and the dispatch API")
    p.add_argument("--host", help="listen address (gateway.host)")
    p.add_argument("--port", type=int, help="listen port (gateway.port; 0 picks a free one)")
    p.add_argument("--console-port", type=int, help="console port (console.port)")
    p.add_argument("--no-console", action="store_true", help="gateway only: no console, agent desk or dispatch API")
    p.add_argument("--backend", choices=("vosk", "whisper"), help="recogniser (asr.backend)")
    p.add_argument("--tokens", help="accepted gateway tokens, name=token,… (gateway.tokens)")
    p.add_argument("--log-json", action="store_true", help="one JSON object per log line")
    p.set_defaults(func=run)


def apply_args(settings: Settings, args: argparse.Namespace) -> Settings:
    if getattr(args, "host", None):
        settings.gateway.host = args.host
    if getattr(args, "port", None) is not None:
        settings.gateway.port = args.port
    if getattr(args, "console_port", None) is not None:
        settings.console.port = args.console_port
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
    stop = asyncio.Event()

    async def main() -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, stop.set)
        await serve(settings, stop=stop, console=not args.no_console)

    asyncio.run(main())
    return 0


def web_app(settings: Settings, services: CallServices) -> Starlette:
    """The console with the agent desk working this server's calls and the dispatch API."""
    app = create_app(settings, db=services.db)
    if services.agents is not None:
        attach_registry(app, services.agents)
    dispatch = dispatch_routes(services.db, Campaign.from_settings(settings))
    app.router.routes.append(Mount("/dispatch", routes=dispatch))
    return app


def prerender_prompts(services: CallServices) -> None:
    """Render every script's fixed prompts once, so no call waits for their synthesis."""
    for name in script_names():
        services.renderer.prerender_script(load_script(name))


async def serve(settings: Settings, options: CallOptions | None = None, *,
                stop: asyncio.Event | None = None, console: bool = True,
                on_ready: Callable[[int, int | None], None] | None = None) -> None:
    """Run until ``stop`` is set; ``on_ready(gateway_port, console_port)`` once both listen."""
    services = await asyncio.to_thread(CallServices.build, settings, options=options)
    services.agents = AgentRegistry(settings.agents, asr=services.asr)
    recovered = await asyncio.to_thread(services.evidence.recover_open_calls)
    if recovered:
        log.warning("closed %d call(s) a crash left open as interrupted; recordings repaired and sealed",
                    len(recovered))
    server = GatewayServer(settings.gateway, call_handler(services), metrics=services.metrics,
                           max_call_s=settings.dialog.max_call_s)
    await server.start()
    log.info("listening on ws://%s:%d (/twilio, /audiofork, /jambonz; /healthz, /metrics); recogniser %s",
             settings.gateway.host, server.port, services.asr.name)
    prerender = asyncio.create_task(asyncio.to_thread(prerender_prompts, services), name="prerender")
    web: uvicorn.Server | None = None
    web_task: asyncio.Task[None] | None = None
    if console:
        config = uvicorn.Config(web_app(settings, services), host=settings.console.host,
                                port=settings.console.port, log_level="warning", lifespan="off")
        web = uvicorn.Server(config)
        web_task = asyncio.create_task(web.serve(), name="console")
        while not web.started and not web_task.done():  # noqa: ASYNC110 - uvicorn offers only a flag
            await asyncio.sleep(0.05)
        if web_task.done():
            await web_task  # raises why the console could not start (e.g. the port is taken)
        log.info("console, agent desk and /dispatch on http://%s:%d",
                 settings.console.host, settings.console.port)
    if on_ready is not None:
        console_port = web.servers[0].sockets[0].getsockname()[1] if web and web.servers else None
        on_ready(server.port, console_port)
    try:
        await (stop or asyncio.Event()).wait()
    finally:
        log.info("shutting down: live calls get %.0f s to finish", settings.gateway.shutdown_grace_s)
        await server.shutdown()
        if web is not None and web_task is not None:
            web.should_exit = True
            await web_task
        if not prerender.done():
            prerender.cancel()  # the worker thread finishes its current prompt; nothing waits on it
        with contextlib.suppress(asyncio.CancelledError):
            await prerender
        services.db.dispose()
