from __future__ import annotations

from pathlib import Path

import pytest

from voicebot.evidence import EvidenceStore
from voicebot.store import Database


@pytest.fixture
def evidence(store_db: Database, tmp_path: Path) -> EvidenceStore:
    return EvidenceStore(store_db, tmp_path / "calls", node="test-node")
