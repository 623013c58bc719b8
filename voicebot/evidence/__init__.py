"""Call evidence: streamed stereo recordings, transcripts, outcomes, hash-chained manifests,
verification, retention and purge, crash recovery, export bundles."""

from __future__ import annotations

from voicebot.evidence.chain import Sealed
from voicebot.evidence.recorder import StereoRecorder
from voicebot.evidence.service import CallEvidence, EvidenceStore
from voicebot.evidence.verify import Problem, VerifyReport, verify

__all__ = ["CallEvidence", "EvidenceStore", "Problem", "Sealed", "StereoRecorder",
           "VerifyReport", "verify"]
