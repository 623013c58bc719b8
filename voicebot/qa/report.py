"""The replay report: one JSON document, and the same as a self-contained HTML page (inline
CSS, no scripts, no external assets) a QA lead can open from a mail or a shared folder."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from voicebot.machine import machine_info
from voicebot.qa.judge import OUTCOME_WORDS, Summary, summarize
from voicebot.qa.model import ItemResult

_ORDER = {"error": 0, "fail": 1, "pass": 2, "unchecked": 3}


def machine() -> dict[str, Any]:
    return machine_info()


@dataclass
class Report:
    source: str
    backend: str
    results: list[ItemResult]
    wall_s: float
    jobs: int
    driver: str = ""
    script: str = ""

    @property
    def summary(self) -> Summary:
        return summarize(self.results)

    @property
    def ok(self) -> bool:
        s = self.summary
        return s.failed == 0 and s.errors == 0

    def to_dict(self) -> dict[str, Any]:
        sm = self.summary
        return {
            "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "source": self.source, "backend": self.backend, "driver": self.driver,
            "script": self.script, "jobs": self.jobs, "machine": machine(),
            "wall_s": round(self.wall_s, 2),
            "speed_x": round(sm.audio_s / self.wall_s, 2) if self.wall_s > 0 and sm.audio_s else None,
            "call_speed_x": round(sm.call_s / self.wall_s, 2) if self.wall_s > 0 and sm.call_s else None,
            "summary": sm.to_dict(),
            "items": [r.to_dict() for r in sorted(
                self.results, key=lambda r: (_ORDER.get(r.status, 9), r.name))],
        }


def render_html(data: dict[str, Any]) -> str:
    env = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                      autoescape=select_autoescape(["html"]))
    env.filters["pct"] = lambda v: "—" if v is None else f"{100 * v:.1f}%"
    env.filters["outcome"] = lambda v: OUTCOME_WORDS.get(v or "", v or "—")
    return env.get_template("report.html").render(r=data)


def write(report: Report, json_path: Path | None = None, html_path: Path | None = None) -> dict[str, Any]:
    data = report.to_dict()
    if json_path is not None:
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    if html_path is not None:
        html_path.parent.mkdir(parents=True, exist_ok=True)
        html_path.write_text(render_html(data), encoding="utf-8")
    return data
