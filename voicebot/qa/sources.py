"""Turn what `voicebot replay PATH` names into replay items.

PATH may be: a scenarios JSON file (the zh-callers format: whole calls with expected
outcomes); an audio file (one caller answer); a folder of audio files (one item each; a
``manifest.json`` beside them gives expected text and intent); a recorded call's evidence
folder (holding ``transcript.json`` and ``recording.wav``); or a call id in the evidence store.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from voicebot.config import Settings
from voicebot.errors import VoicebotError
from voicebot.qa.model import ReplayItem, Utterance

AUDIO_SUFFIXES = {".wav", ".flac", ".ogg", ".mp3"}
DEFAULT_SCRIPT = "new_policy"
# The policy a lone audio file is replayed against (no policy travels with it).
DEFAULT_POLICY: dict[str, Any] = {
    "policy_no": "P-REPLAY-0001", "holder_name": "张三", "holder_gender": "male",
    "holder_id_number": "110105197011301234", "holder_birth_date": "1970-11-30",
    "holder_phone": "13800130001", "product": "安心福终身寿险", "product_type": "traditional",
    "channel": "agent", "premium_yuan": 12000, "payment_frequency": "annual",
    "payment_years": 10, "term": "终身", "contract_date": "2026-11-10", "cooling_off_days": 15,
    "cooling_off_end": "2026-11-25",
}


class ReplaySourceError(VoicebotError):
    code = "VB700"


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ReplaySourceError(f"cannot read {path}: {exc}", hint="give a valid JSON file") from exc


def _manifest(folder: Path) -> dict[str, dict[str, Any]]:
    path = folder / "manifest.json"
    if not path.is_file():
        return {}
    data = _read_json(path)
    entries = data.get("files", []) if isinstance(data, dict) else data
    return {str(e["file"]): e for e in entries if isinstance(e, dict) and "file" in e}


def _utterance(folder: Path, file: str, manifest: dict[str, dict[str, Any]],
               intent: str | None = None) -> Utterance:
    path = folder / file
    if not path.is_file():
        raise ReplaySourceError(f"audio file {path} named in the scenarios is missing",
                                hint="restore it or fix the scenario's answers")
    entry = manifest.get(file, {})
    return Utterance(audio=path, label=file, expected_text=entry.get("text"),
                     expected_intent=intent or entry.get("intent"))


def from_scenarios(path: Path, script: str | None = None) -> list[ReplayItem]:
    data = _read_json(path)
    scenarios = data.get("scenarios", []) if isinstance(data, dict) else data
    if not isinstance(scenarios, list) or not scenarios:
        raise ReplaySourceError(f"{path} holds no scenarios",
                                hint="a JSON list of {name, answers|turns, policy, expected_outcome}")
    manifest = _manifest(path.parent)
    items = []
    for n, sc in enumerate(scenarios):
        name = sc.get("name") or f"scenario {n + 1}"
        if "policy" not in sc or not (sc.get("turns") or sc.get("answers")):
            raise ReplaySourceError(f"{path}: scenario {name} lacks a policy or answers",
                                    hint="every scenario needs policy and answers (or turns)")
        turns = sc.get("turns") or [{"file": f} for f in sc["answers"]]
        folder = path.parent / sc.get("audio_dir", "")
        items.append(ReplayItem(
            name=name, kind="scenario", source=f"{path}#{name}",
            script=script or sc.get("script", DEFAULT_SCRIPT), policy=sc["policy"],
            utterances=tuple(_utterance(folder, t["file"], manifest, t.get("intent"))
                             for t in turns),
            expected_outcome=sc.get("expected_outcome"),
            expected_problems=tuple(sc["expected_problem_items"])
            if "expected_problem_items" in sc else None,
            description=sc.get("description", "")))
    return items


def _expectations_for(path: Path) -> tuple[Path, dict[str, dict[str, Any]]]:
    """The nearest manifest.json in the file's folder or up to two above it, and the folder
    its ``file`` entries are relative to."""
    for folder in (path.parent, *list(path.parent.parents)[:2]):
        manifest = _manifest(folder)
        if manifest:
            return folder, manifest
    return path.parent, {}


def from_audio(path: Path, script: str | None = None) -> ReplayItem:
    folder, manifest = _expectations_for(path)
    utt = _utterance(folder, path.relative_to(folder).as_posix(), manifest)
    return ReplayItem(name=path.stem, kind="file", source=str(path),
                      script=script or DEFAULT_SCRIPT, policy=DEFAULT_POLICY, utterances=(utt,))


def from_folder(path: Path, script: str | None = None) -> list[ReplayItem]:
    files = sorted(p for p in path.iterdir() if p.suffix.lower() in AUDIO_SUFFIXES)
    if not files:
        raise ReplaySourceError(f"{path} holds no audio files",
                                hint=f"give a folder with {', '.join(sorted(AUDIO_SUFFIXES))} files")
    return [from_audio(p, script) for p in files]


def resolve(target: str, settings: Settings | None = None,
            script: str | None = None) -> list[ReplayItem]:
    """Items for ``target`` (see the module docstring), in a stable order."""
    from voicebot.qa.recorded import from_call_folder, from_call_id

    path = Path(target)
    if path.is_file():
        if path.suffix.lower() == ".json":
            return from_scenarios(path, script)
        if path.suffix.lower() in AUDIO_SUFFIXES:
            return [from_audio(path, script)]
        raise ReplaySourceError(f"cannot replay {path}",
                                hint="give a scenarios .json, an audio file, a folder or a call id")
    if path.is_dir():
        if (path / "transcript.json").is_file():
            return [from_call_folder(path, settings, script)]
        return from_folder(path, script)
    if settings is not None and "/" not in target and not path.suffix:
        return [from_call_id(target, settings, script)]
    raise ReplaySourceError(f"{target} is neither a file, a folder nor a known call id",
                            hint="check the path, or the call id (see the console's calls list)")
