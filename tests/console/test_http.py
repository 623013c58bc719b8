"""The console over HTTP against a real uvicorn server, SQLite file and evidence folders."""

from __future__ import annotations

import io
import re
import zipfile

import httpx
from sqlalchemy import select

from voicebot.store.models import AuditEntry, Call, Review, User

from .conftest import Console


def _rows(html: str) -> list[str]:
    return re.findall(r'<tr data-call="([^"]+)"', html)


def _audit(console: Console, action: str, target: str | None = None) -> list[AuditEntry]:
    with console.db.session() as s:
        q = select(AuditEntry).where(AuditEntry.action == action)
        if target is not None:
            q = q.where(AuditEntry.target == target)
        return list(s.scalars(q))


def test_pages_need_a_login(console: Console) -> None:
    with httpx.Client(base_url=console.url) as anon:
        r = anon.get("/calls?outcome=completed")
        assert r.status_code == 303
        assert r.headers["location"] == "/login?next=/calls%3Foutcome%3Dcompleted"
        assert anon.get(f"/calls/{console.calls[0].call_id}/recording.wav").status_code == 303


def test_wrong_password_is_refused_and_audited(console: Console) -> None:
    with httpx.Client(base_url=console.url) as c:
        token = re.search(r'name="csrf" value="([^"]+)"', c.get("/login").text).group(1)  # type: ignore[union-attr]
        r = c.post("/login", data={"name": "qa", "password": "nope-nope", "csrf": token})
        assert r.status_code == 401 and "Wrong name or password" in r.text
        assert c.get("/calls").status_code == 303
    assert _audit(console, "console.login_failed")


def test_login_redirect_stays_on_this_site(console: Console) -> None:
    with httpx.Client(base_url=console.url) as c:
        token = re.search(r'name="csrf" value="([^"]+)"', c.get("/login").text).group(1)  # type: ignore[union-attr]
        r = c.post("/login", data={"name": "qa", "password": "qa-pass-123", "csrf": token,
                                   "next": "//evil.example/"})
        assert r.status_code == 303 and r.headers["location"] == "/calls"


def test_calls_list_filters(console: Console) -> None:
    qa = console.login("qa")
    everything = _rows(qa.get("/calls").text)
    assert sorted(everything) == sorted(c.call_id for c in console.calls)
    problem = _rows(qa.get("/calls", params={"outcome": "problem_case"}).text)
    assert sorted(problem) == sorted(c.call_id for c in console.calls if c.outcome == "problem_case")
    q2 = sorted(_rows(qa.get("/calls", params={"problem": "q2_signed"}).text))
    assert q2 == sorted([console.call("denies_signature").call_id,
                         console.call("af_deny_signature_then_do_not_call").call_id])
    bank = _rows(qa.get("/calls", params={"script": "new_policy_bank"}).text)
    assert bank and set(bank) < set(everything)
    assert _rows(qa.get("/calls", params={"date_from": "2000-01-01", "date_to": "2000-01-31"}).text) == []
    today = _rows(qa.get("/calls", params={"date_from": "2000-01-01", "date_to": "2100-01-01"}).text)
    assert len(today) == len(everything)
    wanted = console.call("busy_at_start")
    policy = _rows(qa.get("/calls", params={"q": wanted.call_id}).text)
    assert policy == [wanted.call_id]


def test_masking_by_role(console: Console) -> None:
    call = console.call("all_affirmed")
    qa_page = console.login("qa").get(f"/calls/{call.call_id}").text
    admin_page = console.login("admin").get(f"/calls/{call.call_id}").text
    assert "13800130001" in admin_page and "13800130001" not in qa_page
    assert "138****0001" in qa_page
    assert 'id="player"' in qa_page and 'id="player"' in admin_page
    agent_page = console.login("agent").get(f"/calls/{call.call_id}").text
    assert 'id="player"' not in agent_page and "may not hear" in agent_page
    assert "13800130001" not in agent_page


def test_recording_range_requests_and_play_audit(console: Console) -> None:
    call = console.call("denies_signature")
    qa = console.login("qa")
    full = qa.get(f"/calls/{call.call_id}/recording.wav")
    assert full.status_code == 200 and full.headers["accept-ranges"] == "bytes"
    assert full.content[:4] == b"RIFF" and full.content[22] == 2  # stereo
    part = qa.get(f"/calls/{call.call_id}/recording.wav", headers={"Range": "bytes=1000-1999"})
    assert part.status_code == 206
    assert part.headers["content-range"] == f"bytes 1000-1999/{len(full.content)}"
    assert part.content == full.content[1000:2000]
    plays = _audit(console, "recording.play", call.call_id)
    assert len(plays) == 1 and plays[0].actor == "qa"  # the seek did not add a second entry


def test_agent_hears_only_the_call_they_hold(console: Console) -> None:
    call = console.call("asks_for_agent_q3")
    agent = console.login("agent")
    assert agent.get(f"/calls/{call.call_id}/recording.wav").status_code == 403
    assert _audit(console, "recording.denied", call.call_id)
    with console.db.session() as s:
        row = s.get(Call, call.call_id)
        assert row is not None
        row.agent_user_id = s.scalar(select(User.id).where(User.name == "agent"))
    try:
        page = agent.get(f"/calls/{call.call_id}").text
        assert 'id="player"' in page and "13800130011" in page
        assert agent.get(f"/calls/{call.call_id}/recording.wav").status_code == 200
    finally:
        with console.db.session() as s:
            row = s.get(Call, call.call_id)
            assert row is not None
            row.agent_user_id = None


def test_review_needs_csrf_then_is_stored_and_audited(console: Console) -> None:
    call = console.call("silence_turn_q5")
    qa = console.login("qa")
    page = qa.get(f"/calls/{call.call_id}").text
    token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    forged = qa.post(f"/calls/{call.call_id}/review", data={"action": "agree", "note": "x"})
    assert forged.status_code == 403
    r = qa.post(f"/calls/{call.call_id}/review",
                data={"action": "agree", "note": "听过了，结果正确。", "csrf": token})
    assert r.status_code == 200 and "reviewed by QA user" in r.text
    with console.db.session() as s:
        reviews = list(s.scalars(select(Review).where(Review.call_id == call.call_id)))
    assert [(x.verdict, x.reviewed, x.note) for x in reviews] == [("agree", True, "听过了，结果正确。")]
    assert _audit(console, "review.mark", call.call_id)
    assert _rows(qa.get("/calls", params={"reviewed": "yes"}).text) == [call.call_id]
    assert call.call_id not in _rows(qa.get("/calls", params={"reviewed": "no"}).text)
    # Reopening takes the mark away again; the history stays.
    qa.post(f"/calls/{call.call_id}/review", data={"action": "reopen", "csrf": token})
    assert _rows(qa.get("/calls", params={"reviewed": "yes"}).text) == []
    assert _audit(console, "review.reopen", call.call_id)


def test_admin_pages_only_for_admin(console: Console) -> None:
    for role in ("qa", "agent"):
        client = console.login(role)
        assert client.get("/admin/users").status_code == 403
        assert client.get("/admin/audit").status_code == 403
        assert 'href="/admin"' not in client.get("/stats").text
    admin = console.login("admin")
    users_page = admin.get("/admin/users")
    assert users_page.status_code == 200 and "QA user" in users_page.text
    audit_page = admin.get("/admin/audit", params={"action": "call.*"})
    assert audit_page.status_code == 200 and "call.view" in audit_page.text


def test_admin_adds_a_user_who_can_then_log_in(console: Console) -> None:
    admin = console.login("admin")
    token = re.search(r'name="csrf" value="([^"]+)"', admin.get("/admin/users").text).group(1)  # type: ignore[union-attr]
    r = admin.post("/admin/users", data={"csrf": token, "action": "add", "name": "qa2",
                                         "role": "qa", "password": "second-qa-pw"})
    assert r.status_code == 200 and "qa2" in r.text
    with httpx.Client(base_url=console.url, follow_redirects=True) as c:
        token2 = re.search(r'name="csrf" value="([^"]+)"', c.get("/login").text).group(1)  # type: ignore[union-attr]
        ok = c.post("/login", data={"name": "qa2", "password": "second-qa-pw", "csrf": token2})
        assert ok.url.path == "/calls"
        # Disabling the user ends the session at once.
        admin.post("/admin/users", data={"csrf": token, "action": "disable", "name": "qa2"})
        assert c.get("/calls").url.path == "/login"
    assert _audit(console, "user.add", "qa2") and _audit(console, "user.disable", "qa2")


def test_export_bundle_is_the_verified_folder(console: Console) -> None:
    call = console.call("misleading_sale_at_surrender")
    r = console.login("qa").get(f"/calls/{call.call_id}/export")
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(r.content)).namelist()
    for name in ("recording.wav", "transcript.json", "outcome.json", "manifest.json", "chain.json"):
        assert f"{call.call_id}/{name}" in names
    assert _audit(console, "evidence.export", call.call_id)
    assert console.login("agent").get(f"/calls/{call.call_id}/export").status_code == 403


def test_statistics_are_charts(console: Console) -> None:
    page = console.login("qa").get("/stats").text
    assert page.count("<svg") >= 5
    assert re.search(r'id="kpi-calls">(\d+)<', page).group(1) == str(len(console.calls))  # type: ignore[union-attr]
    assert "Q2 q2_signed" in page and "Q6 q6_cooling_off" in page  # problem items by question
    assert "problem case" in page and "compliance flag" in page  # legend of outcomes


def test_evidence_status_shows_tampering(console: Console) -> None:
    call = console.call("wrong_person_at_identity")
    qa = console.login("qa")
    assert "Verified: intact" in qa.get(f"/calls/{call.call_id}").text
    with console.db.session() as s:
        row = s.get(Call, call.call_id)
        assert row is not None
        transcript = console.settings.calls_dir / row.folder / "transcript.json"
    original = transcript.read_bytes()
    transcript.write_bytes(original.replace(b"caller", b"bot\x20\x20\x20", 1))
    try:
        page = qa.get(f"/calls/{call.call_id}").text
        assert "Verification FAILED" in page and "transcript.json" in page
    finally:
        transcript.write_bytes(original)
    assert "Verified: intact" in qa.get(f"/calls/{call.call_id}").text
