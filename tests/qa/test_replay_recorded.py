"""Replaying recorded calls from the evidence store: the caller channel of the recording, cut at
the caller turns, through the dialog again; text backend here (transcripts as heard then), the
recogniser in test_replay_whisper.py."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from voicebot.config import Settings
from voicebot.console.demo import seed
from voicebot.qa.audio import utterance_pcm
from voicebot.qa.sources import resolve
from voicebot.store import calls as calls_repo
from voicebot.store.db import Database


def test_recorded_call_by_id_and_by_folder(settings: Settings) -> None:
    db = Database.open(settings.db_url)
    try:
        [call] = seed(db, settings, ["denies_signature"])
        with db.session() as s:
            folder = settings.calls_dir / calls_repo.get(s, call.call_id).folder
    finally:
        db.dispose()
    [by_id] = resolve(call.call_id, settings)
    [by_folder] = resolve(str(folder), settings)
    assert by_id == by_folder
    item = by_id
    assert item.kind == "call" and item.expected_outcome == "problem_case"
    assert item.expected_problems == (2,)
    caller_turns = [t for t in call.turns if t[0] == "caller"]
    assert len(item.utterances) == len(caller_turns)
    # Each slice is the caller's answer (left channel), not the bot's question (right).
    first = item.utterances[0]
    assert first.previous_text == "对，是我。"
    pcm = np.frombuffer(utterance_pcm(first), "<i2")
    assert len(pcm) / 8000 == (first.end_ms - first.start_ms) / 1000  # type: ignore[operator]
    assert np.abs(pcm).max() > 5000
    question = type(first)(first.audio, "bot", call.turns[0][1], call.turns[0][2])
    assert np.abs(np.frombuffer(utterance_pcm(question), "<i2")).max() == 0


def test_recorded_item_without_policy_in_database_says_so(settings: Settings, tmp_path: Path) -> None:
    db = Database.open(settings.db_url)
    try:
        [call] = seed(db, settings, ["busy_at_start"])
    finally:
        db.dispose()
    [item] = resolve(call.call_id, settings)
    assert "not in the database" in item.description
