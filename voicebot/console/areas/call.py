"""One call: recording with waveform, transcript, outcome, evidence status, review, export."""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from voicebot.console import callview, evidence_status, waveform
from voicebot.console.auth import forbidden, requires, the_user
from voicebot.console.context import Area, ctx
from voicebot.console.permissions import Perm
from voicebot.console.render import page
from voicebot.errors import VoicebotError
from voicebot.evidence.export import export_call
from voicebot.store import calls as calls_repo
from voicebot.store.audit import record as audit
from voicebot.store.models import Review

PLAY_AUDIT_WINDOW_S = 60.0  # one audit row per play, not per byte range the player fetches
NOTE_MAX = 4000


def _not_found(request: Request, call_id: str) -> Response:
    return page(request, "error.html", {"title": "No such call",
                                        "message": f"There is no call {call_id}."}, status=404)


def _load_page(request: Request, call_id: str) -> dict[str, Any] | None:
    context = ctx(request)
    user = the_user(request)
    with context.db.session() as s:
        view = callview.load(s, context.settings, user, call_id)
        if view is None:
            return None
        audit(s, user.name, "call.view", call_id, role=user.role, unmasked=view.access.unmasked)
    status = evidence_status.check(context.db, context.settings, view.call)
    wave = ""
    if view.access.hear and view.has_recording:
        path = callview.recording_path(context.settings, view.call)
        if path is not None:
            wave = waveform.svg(waveform.peaks(path))
    return {"title": f"Call {call_id}", "v": view, "evidence": status, "wave": wave}


@requires(Perm.VIEW_CALLS)
async def call_page(request: Request) -> Response:
    call_id = request.path_params["call_id"]
    data = await run_in_threadpool(_load_page, request, call_id)
    if data is None:
        return _not_found(request, call_id)
    return page(request, "call.html", data)


def _recording(request: Request, call_id: str) -> tuple[str, Any]:
    context = ctx(request)
    user = the_user(request)
    with context.db.session() as s:
        call = calls_repo.find(s, call_id)
        if call is None:
            return "missing", None
        if not callview.access_for(user, call).hear:
            audit(s, user.name, "recording.denied", call_id, role=user.role)
            return "denied", None
        path = callview.recording_path(context.settings, call)
        if path is None:
            return "missing", None
        rng = request.headers.get("range", "")
        starts_at_zero = not rng or rng.replace(" ", "").startswith("bytes=0-")
        key = (user.id, call_id)
        now = time.monotonic()
        if starts_at_zero and now - context.recent_plays.get(key, -1e9) > PLAY_AUDIT_WINDOW_S:
            context.recent_plays[key] = now
            audit(s, user.name, "recording.play", call_id, role=user.role, range=rng or "all")
        return "ok", path


@requires(Perm.VIEW_CALLS)
async def recording(request: Request) -> Response:
    """The stereo WAV; Starlette's FileResponse answers Range requests, so seeking works."""
    call_id = request.path_params["call_id"]
    state, path = await run_in_threadpool(_recording, request, call_id)
    if state == "denied":
        return forbidden(request, "Your role may not hear this recording.")
    if state == "missing":
        return _not_found(request, call_id)
    return FileResponse(path, media_type="audio/wav",
                        headers={"Cache-Control": "private, no-store"})


def _add_review(request: Request, call_id: str, note: str, verdict: str | None) -> bool:
    context = ctx(request)
    user = the_user(request)
    with context.db.session() as s:
        if calls_repo.find(s, call_id) is None:
            return False
        reviewed = verdict in ("agree", "disagree")
        s.add(Review(call_id=call_id, reviewer_id=user.id, note=note, verdict=verdict,
                     reviewed=reviewed))
        if verdict is None:
            audit(s, user.name, "review.note", call_id, chars=len(note))
        else:
            audit(s, user.name, "review.mark" if reviewed else "review.reopen", call_id,
                  verdict=verdict, note=note[:200])
    return True


@requires(Perm.REVIEW)
async def review_post(request: Request) -> Response:
    call_id = request.path_params["call_id"]
    form = await request.form()
    note = str(form.get("note", "")).strip()[:NOTE_MAX]
    action = str(form.get("action", "note"))
    verdict = {"agree": "agree", "disagree": "disagree", "reopen": "reopen"}.get(action)
    if verdict is None and not note:
        return RedirectResponse(f"/calls/{call_id}#review", status_code=303)
    if not await run_in_threadpool(_add_review, request, call_id, note, verdict):
        return _not_found(request, call_id)
    return RedirectResponse(f"/calls/{call_id}#review", status_code=303)


def _export(request: Request, call_id: str) -> tuple[str, Path | None]:
    context = ctx(request)
    user = the_user(request)
    with context.db.session() as s:
        call = calls_repo.find(s, call_id)
        if call is None:
            return "missing", None
        if not call.folder or call.seq is None:
            return "unsealed", None
    tmp = Path(tempfile.mkdtemp(prefix="voicebot-export-"))
    out = tmp / f"evidence-{call_id}.zip"
    # export_call verifies the folder, writes the zip and audits "evidence.export".
    export_call(context.db, context.settings.calls_dir, call_id, out, actor=user.name)
    return "ok", out


@requires(Perm.EXPORT)
async def export(request: Request) -> Response:
    call_id = request.path_params["call_id"]
    try:
        state, path = await run_in_threadpool(_export, request, call_id)
    except VoicebotError as exc:
        return page(request, "error.html", {"title": "Export failed", "message": str(exc)},
                    status=500)
    if state == "missing" or path is None:
        if state == "unsealed":
            return page(request, "error.html", {
                "title": "Not sealed", "message": "Only sealed calls can be exported."},
                status=409)
        return _not_found(request, call_id)
    return FileResponse(path, media_type="application/zip", filename=path.name,
                        background=BackgroundTask(shutil.rmtree, path.parent, True))


def routes() -> list[BaseRoute]:
    return [
        Route("/calls/{call_id}", call_page),
        Route("/calls/{call_id}/recording.wav", recording),
        Route("/calls/{call_id}/review", review_post, methods=["POST"]),
        Route("/calls/{call_id}/export", export),
    ]


AREA = Area(name="call", routes=routes)
