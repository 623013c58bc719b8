"""`voicebot console`: serve the review console (uvicorn) on its own."""

from __future__ import annotations

import argparse
from typing import Any

from voicebot.cli.common import settings_from


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "console", help="serve the web review console",
        description="Serve the review console: calls, recordings, reviews, statistics, admin. "
                    "Add users first with `voicebot users add NAME --role admin`.")
    p.add_argument("--host", help="address to listen on (default: console.host setting)")
    p.add_argument("--port", type=int, help="port (default: console.port setting; 0 = any free)")
    p.add_argument("--https-only", action="store_true",
                   help="mark the session cookie Secure (when served behind a TLS proxy)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import uvicorn

    from voicebot.console import create_app

    settings = settings_from(args)
    app = create_app(settings, https_only=args.https_only)
    host = args.host or settings.console.host
    port = settings.console.port if args.port is None else args.port
    print(f"voicebot console on http://{host}:{port}/ (data: {settings.data_dir})")
    uvicorn.run(app, host=host, port=port, log_level="warning", proxy_headers=False)
    return 0
