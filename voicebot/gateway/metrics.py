"""Prometheus metrics for the gateway, in a registry per server (tests run several servers)."""

from __future__ import annotations

from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

_LATENCY_BUCKETS = (0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0)


@dataclass
class GatewayMetrics:
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    def __post_init__(self) -> None:
        r = self.registry
        self.calls_active = Gauge("voicebot_calls_active", "Calls in progress", registry=r)
        self.calls_total = Counter("voicebot_calls", "Calls ended, by outcome", ["outcome"], registry=r)
        self.turn_latency = Histogram(
            "voicebot_turn_latency_seconds",
            "End of the caller's speech to the bot's first reply frame",
            buckets=_LATENCY_BUCKETS, registry=r,
        )
        self.asr_seconds = Histogram(
            "voicebot_recognizer_seconds", "Recogniser time per utterance",
            buckets=_LATENCY_BUCKETS, registry=r,
        )
        self.barge_ins = Counter("voicebot_barge_ins", "Prompts cut by the caller", registry=r)
        self.protocol_errors = Counter(
            "voicebot_protocol_errors", "Malformed gateway messages", ["protocol"], registry=r
        )
        self.rejected = Counter(
            "voicebot_handshakes_rejected", "Connections refused at the handshake", ["reason"], registry=r
        )

    def render(self) -> bytes:
        return generate_latest(self.registry)
