"""What all calls of one server share, built once: recogniser, prompts, evidence, metrics."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from voicebot.asr import AsrEngine, create_engine
from voicebot.config import Settings
from voicebot.dnc.service import DncList
from voicebot.evidence import EvidenceStore
from voicebot.gateway.metrics import GatewayMetrics
from voicebot.prompts import PromptRenderer
from voicebot.store.db import Database, open_from_settings

if TYPE_CHECKING:
    from voicebot.agents import AgentRegistry

log = logging.getLogger(__name__)


@dataclass
class CallOptions:
    pace: float = 1.0  # playback clock speed: 1 = real time (tests run faster)
    barge_in_voiced_ms: int = 400  # caller voiced time (within 1 s) that cuts the bot's prompt
    playback_lead_frames: int = 3  # frames sent ahead of real time so the gateway never runs dry
    transfer_target: str = "agents"  # where Transfer points when the script escalates
    start_timeout_s: float = 10.0  # the gateway must send its start message within this


@dataclass
class CallServices:
    settings: Settings
    asr: AsrEngine
    renderer: PromptRenderer
    db: Database
    evidence: EvidenceStore
    dnc: DncList
    metrics: GatewayMetrics = field(default_factory=GatewayMetrics)
    options: CallOptions = field(default_factory=CallOptions)
    agents: AgentRegistry | None = None

    @classmethod
    def build(cls, settings: Settings, *, asr: AsrEngine | None = None, metrics: GatewayMetrics | None = None,
              options: CallOptions | None = None, agents: AgentRegistry | None = None) -> CallServices:
        """Open the database, load the recogniser model (unless given) and the prompt renderer."""
        db = open_from_settings(settings)
        dnc = DncList(db, settings.dnc)
        settings.calls_dir.mkdir(parents=True, exist_ok=True)
        evidence = EvidenceStore(db, settings.calls_dir, timezone=settings.timezone, dnc=dnc)
        from voicebot.nlu.intents import warm_up

        warm_up()  # the lexicon and segmenter load here, not in the first caller's turn
        engine = asr or create_engine(settings)
        log.info("recogniser: %s (%s)", engine.name, engine.model_name)
        return cls(settings, engine, PromptRenderer(settings), db, evidence, dnc,
                   metrics or GatewayMetrics(), options or CallOptions(), agents)
