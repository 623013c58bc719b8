"""Everything campaign code needs, built once from Settings and passed down (no globals)."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass, field
from datetime import date, datetime

from voicebot.campaigns.calendar import WorkCalendar
from voicebot.campaigns.hours import CallingHours
from voicebot.campaigns.rules import CampaignRules
from voicebot.config import CampaignSettings, DncSettings, Settings
from voicebot.store.types import utcnow


def default_node_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass
class Campaign:
    rules: CampaignRules = field(default_factory=CampaignRules)
    settings: CampaignSettings = field(default_factory=CampaignSettings)
    dnc: DncSettings = field(default_factory=DncSettings)

    def __post_init__(self) -> None:
        self.calendar = WorkCalendar(self.rules.calendar)
        self.hours = CallingHours(self.rules.hours, self.calendar)

    @classmethod
    def from_settings(cls, settings: Settings) -> Campaign:
        return cls(CampaignRules.load(settings.campaigns.rules_file), settings.campaigns, settings.dnc)

    @property
    def node_id(self) -> str:
        return self.settings.node_id or default_node_id()

    def today(self, now: datetime | None = None, region: str | None = None) -> date:
        return self.hours.local_day(now or utcnow(), region)
