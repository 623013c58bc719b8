"""`voicebot tasks …` and `voicebot report` end to end on a SQLite data folder."""

from __future__ import annotations

import csv
import json
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from voicebot.campaigns import clock
from voicebot.campaigns.context import Campaign
from voicebot.campaigns.dispatch import lease
from voicebot.campaigns.results import Reporter
from voicebot.cli import main
from voicebot.errors import ConfigError
from voicebot.store.db import Database
from voicebot.store.types import utcnow

SH = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 3, 2)  # a Monday the working-day calendar knows


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> object:
    assert main([*argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_tasks_and_report_commands(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("VOICEBOT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("VOICEBOT_TODAY", TODAY.isoformat())  # never the real date
    today = TODAY
    receipt = (today - timedelta(days=2)).isoformat()
    src = tmp_path / "new.csv"
    src.write_text("policy_no,kind,holder_name,holder_gender,phone,receipt_date,term_years,product\n"
                   f"P1,new_policy,张三,male,13800000001,{receipt},10,安康终身寿险\n"
                   f"P2,new_policy,李四,female,13800000002,{receipt},10,安康终身寿险\n"
                   f"P3,new_policy,王五,male,,{receipt},10,安康终身寿险\n", encoding="utf-8")
    summary = run(capsys, "tasks", "import", str(src))
    assert isinstance(summary, dict) and summary["created"] == 3 and summary["reverify"][0][0] == 4
    listed = run(capsys, "tasks", "list")
    assert isinstance(listed, list) and {r["phone"] for r in listed} >= {"138****0001"}
    # two calls happen (tomorrow 10:00 local, inside calling hours and the window)
    db = Database.open(f"sqlite:///{tmp_path / 'data' / 'voicebot.db'}")
    c = Campaign()
    now = datetime.combine(today + timedelta(days=1), datetime.min.time(), tzinfo=SH).replace(hour=10)
    rep = Reporter(db, c)
    first, second = lease(db, c, "n1", now=now), lease(db, c, "n1", now=now)
    assert first is not None and second is not None
    rep.report(first.task_id, 1, "n1", "refused", now=now, record={"answers": [{"question_id": "q2_signed"}]})
    rep.report(second.task_id, 1, "n1", "problem_case", now=now, record={"problem_items": [
        {"question_id": "q5_surrender", "question_no": 5, "reason": "deny", "answer_text": "不知道"}]})
    db.dispose()
    shown = run(capsys, "tasks", "show", str(first.task_id))
    assert isinstance(shown, dict) and shown["attempts_log"][0]["outcome"] == "refused"
    assert run(capsys, "tasks", "due", "--at", (now + timedelta(days=30)).isoformat()) == []
    out = run(capsys, "tasks", "export", "--csv", str(tmp_path / "t.csv"), "--letters", str(tmp_path / "letters"))
    assert isinstance(out, dict) and out["tasks"] == 3 and len(out["letters"]) == 1
    letter = Path(out["letters"][0]).read_text(encoding="utf-8")
    assert "阅读并理解产品说明书" in letter and "投保人签名" in letter
    assert "亲笔签名" not in letter  # asked and answered in the call before the refusal
    with (tmp_path / "t.csv").open(encoding="utf-8") as f:
        assert {r["status"] for r in csv.DictReader(f)} == {"done", "reverify"}
    follow = run(capsys, "tasks", "followups", "--kind", "reverify")
    assert isinstance(follow, list) and len(follow) == 1
    report = run(capsys, "report", "--by", "script", "--csv", str(tmp_path / "r.csv"))
    assert isinstance(report, dict)
    assert report["total"]["outcomes"] == {"problem_case": 1, "refused": 1}
    assert report["total"]["contact_rate"] == 1.0
    assert report["total"]["problems"] == {"q5_surrender (#5)": 1}
    assert "problem:q5_surrender (#5)" in (tmp_path / "r.csv").read_text(encoding="utf-8")
    by_day = run(capsys, "report", "--by", "day")
    assert isinstance(by_day, dict) and [g["key"] for g in by_day["groups"]] == [now.date().isoformat()]
    # human output renders too
    assert main(["report"]) == 0 and "contact rate" in capsys.readouterr().out
    # a bad file: the error names the line, nothing imported
    bad = tmp_path / "bad.csv"
    bad.write_text("policy_no,kind,holder_name\nP9,nonsense,某人\n", encoding="utf-8")
    assert main(["tasks", "import", str(bad)]) == 2
    assert "line 2" in capsys.readouterr().err


def test_the_fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VOICEBOT_TODAY", "2026-03-02")
    assert clock.now() == datetime(2026, 3, 2, 12, tzinfo=SH)
    monkeypatch.setenv("VOICEBOT_TODAY", "2026-03-02T21:30")
    assert clock.now() == datetime(2026, 3, 2, 21, 30, tzinfo=SH)
    monkeypatch.setenv("VOICEBOT_TODAY", "2026-03-02T10:00+00:00")
    assert clock.now() == datetime(2026, 3, 2, 18, tzinfo=SH)
    monkeypatch.setenv("VOICEBOT_TODAY", "next monday")
    with pytest.raises(ConfigError, match="VOICEBOT_TODAY"):
        clock.now()
    monkeypatch.delenv("VOICEBOT_TODAY")
    assert abs((clock.now() - utcnow()).total_seconds()) < 60
