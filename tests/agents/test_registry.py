"""The registry's logic with a FakeTarget around a real Dialog: queue, lock, hand-back, end,
drops, escalation rules, transfers (one over a real HTTP hook), and a console on another loop."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import AsyncIterator

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from voicebot.agents import (
    AgentError,
    AgentRef,
    AgentRegistry,
    CallHeld,
    CallNotFound,
    DeskStatus,
    NotHolder,
    TransferUnavailable,
)
from voicebot.config import AgentSettings
from voicebot.dialogs.machine import DialogError
from voicebot.nlu.types import Intent, Understanding

from .fakes import FakeTarget, tone

ALICE = AgentRef(1, "alice", "Alice Wang")
BOB = AgentRef(2, "bob", "Bob Li")


def registered(reg: AgentRegistry, **kw: object) -> FakeTarget:
    target = FakeTarget(**kw)  # type: ignore[arg-type]
    target.live = reg.register(target)
    return target


def verify_identity(t: FakeTarget) -> None:
    t.answer(Intent.AFFIRM, "是我")
    digits = t.dialog.policy.id_tail[-4:]
    t.commands += t.dialog.handle(Understanding(Intent.ID_DIGITS, 1.0, digits, slots={"digits": digits}))
    assert t.dialog.current_question_id == "q2_signed"


async def settle() -> None:
    for _ in range(3):
        await asyncio.sleep(0)


async def test_queue_orders_waiting_first_and_streams_updates() -> None:
    reg = AgentRegistry()
    sub = reg.subscribe()
    first = await reg.next_update(sub)
    assert first == {"type": "queue", "calls": []}
    a = registered(reg, call_id="a")
    b = registered(reg, call_id="b")
    assert (await reg.next_update(sub))["call"]["call_id"] == "a"
    assert (await reg.next_update(sub))["call"]["call_id"] == "b"
    b.answer(Intent.REQUEST_AGENT, "我要转人工")
    rows = reg.queue()["calls"]
    assert [r["call_id"] for r in rows] == ["b", "a"]
    assert rows[0]["status"] == "waiting" and rows[0]["reason"].startswith("request_agent")
    updates = [await reg.next_update(sub) for _ in range(2)]
    last = updates[-1]["call"]
    assert last["status"] == "waiting"
    assert last["transcript"][-1] == {"speaker": "caller", "text": "我要转人工",
                                      "at_ms": last["transcript"][-1]["at_ms"]}
    assert last["context"]["policy"]["policy_no"] == a.dialog.policy.policy_no
    await reg.unregister("a")
    assert (await reg.next_update(sub)) == {"type": "removed", "call_id": "a"}
    sub.close()
    assert not reg._subs


async def test_a_slow_desk_gets_one_refresh_instead_of_everything() -> None:
    reg = AgentRegistry()
    sub = reg.subscribe()
    await reg.next_update(sub)
    t = registered(reg)
    for _ in range(300):  # more updates than the inbox holds
        reg.changed(t.live)  # type: ignore[arg-type]
    msg = await reg.next_update(sub)
    assert msg["type"] == "queue" and [r["call_id"] for r in msg["calls"]] == ["call-1"]


async def test_one_agent_holds_a_call_and_a_second_sees_who() -> None:
    reg = AgentRegistry()
    t = registered(reg)
    t.answer(Intent.COMPLAINT, "你们这个业务员太差了")
    view = await reg.take("call-1", ALICE)
    assert view["status"] == "with_agent" and view["holder_label"] == "Alice Wang"
    assert t.paused == 1 and t.escalations == []  # the script had escalated already
    with pytest.raises(CallHeld) as err:
        await reg.take("call-1", BOB)
    assert err.value.holder == "Alice Wang" and err.value.code == "VB712"
    assert (await reg.take("call-1", ALICE))["holder"]["user_id"] == 1  # again: no change
    with pytest.raises(NotHolder):
        await reg.hand_back("call-1", BOB, "q3_read")
    with pytest.raises(CallNotFound):
        await reg.take("nope", BOB)
    await reg.unregister("call-1")


async def test_concurrent_takes_give_the_call_to_exactly_one() -> None:
    reg = AgentRegistry()
    registered(reg).answer(Intent.REQUEST_AGENT, "转人工")
    agents = [AgentRef(i, f"a{i}") for i in range(8)]
    results = await asyncio.gather(*(reg.take("call-1", a) for a in agents), return_exceptions=True)
    winners = [r for r in results if isinstance(r, dict)]
    assert len(winners) == 1
    assert all(isinstance(r, CallHeld) and r.holder == winners[0]["holder_label"]
               for r in results if not isinstance(r, dict))
    await reg.unregister("call-1")


async def test_pulling_a_call_from_the_bot_escalates_it_first() -> None:
    reg = AgentRegistry()
    t = registered(reg)
    verify_identity(t)
    await reg.take("call-1", ALICE)
    assert t.escalations == ["taken over by Alice Wang"]
    assert t.dialog.handed_off and t.paused == 1
    await reg.unregister("call-1")


async def test_hand_back_resumes_the_script_at_the_chosen_question() -> None:
    reg = AgentRegistry()
    t = registered(reg)
    verify_identity(t)
    t.answer(Intent.REQUEST_AGENT, "转人工")
    await reg.take("call-1", ALICE)
    with pytest.raises(DialogError):
        await reg.hand_back("call-1", ALICE, "no_such_question")
    assert reg.calls()[0].holder == ALICE  # a bad choice keeps the call with the agent
    await reg.hand_back("call-1", ALICE, "q4_coverage")
    assert t.dialog.current_question_id == "q4_coverage" and not t.dialog.handed_off
    row = reg.queue()["calls"][0]
    assert row["status"] == "bot" and row["holder"] is None and row["reason"] == ""
    assert [h["what"] for h in reg.calls()[0].history] == ["took", "handed_back"]
    await reg.unregister("call-1")


async def test_end_sets_the_outcome_chosen_by_the_agent() -> None:
    reg = AgentRegistry()
    t = registered(reg)
    t.answer(Intent.COMPLAINT, "我要投诉")
    await reg.take("call-1", ALICE)
    with pytest.raises(AgentError, match="unknown outcome"):
        await reg.end("call-1", ALICE, "happy", "")
    await reg.end("call-1", ALICE, "problem_case", "客户不认可保障内容")
    assert t.closed == ("problem_case", "agent alice", "客户不认可保障内容")
    record = t.dialog.record()
    assert record.outcome == "problem_case" and "客户不认可保障内容" in record.end_reason
    with pytest.raises(CallNotFound):
        await reg.take("call-1", BOB)
    await reg.unregister("call-1")


async def test_agent_audio_is_resampled_to_the_call_and_caller_audio_reaches_the_agent() -> None:
    reg = AgentRegistry()
    t = registered(reg)
    t.answer(Intent.REQUEST_AGENT, "转人工")
    await reg.take("call-1", ALICE)
    bridge = await reg.connect_audio("call-1", ALICE, 16000)
    audio = tone(16000, 400)
    for i in range(0, len(audio), 640):  # 20 ms chunks, as a browser sends them
        await reg.agent_audio(bridge, audio[i:i + 640])
    # the band-limited resampler holds ~100 ms back; what came out is whole 20 ms frames at 8 kHz
    assert 12 <= len(t.played) <= 20 and all(len(f) == 320 for f in t.played)
    peak = max(abs(int.from_bytes(f[i:i + 2], "little", signed=True))
               for f in t.played for i in range(0, 320, 2))
    assert peak > 5000
    with pytest.raises(AgentError):
        await reg.agent_audio(bridge, b"\x00" * 3)
    t.live.caller_audio(b"\x01\x00" * 160)  # type: ignore[union-attr]
    assert await reg.caller_audio(bridge) == b"\x01\x00" * 160
    with pytest.raises(AgentError):
        await reg.connect_audio("call-1", ALICE, 11025)
    with pytest.raises(NotHolder):
        await reg.connect_audio("call-1", BOB, 16000)
    await reg.unregister("call-1")
    assert await reg.caller_audio(bridge) is None


async def test_a_dropped_browser_plays_the_holding_prompt_and_requeues() -> None:
    reg = AgentRegistry(AgentSettings(holding_prompt="请稍候"))
    t = registered(reg)
    t.answer(Intent.REQUEST_AGENT, "转人工")
    await reg.take("call-1", ALICE)
    bridge = await reg.connect_audio("call-1", ALICE, 8000)
    await reg.disconnect_audio(bridge)
    row = reg.queue()["calls"][0]
    assert row["status"] == "waiting" and row["holder"] is None
    assert t.said == ["请稍候"] and t.dialog.handed_off
    await reg.take("call-1", BOB)  # someone else can take it now
    await reg.disconnect_audio(bridge)  # the old socket's late close changes nothing
    assert reg.calls()[0].holder == BOB and t.said == ["请稍候"]
    await reg.unregister("call-1")


async def test_a_take_whose_audio_never_connects_returns_to_the_queue() -> None:
    reg = AgentRegistry(AgentSettings(audio_connect_timeout_s=0.05))
    t = registered(reg)
    t.answer(Intent.REQUEST_AGENT, "转人工")
    await reg.take("call-1", ALICE)
    await asyncio.sleep(0.15)
    assert reg.calls()[0].status is DeskStatus.WAITING and t.said
    await reg.unregister("call-1")


async def test_elderly_customers_who_struggle_are_escalated() -> None:
    reg = AgentRegistry()
    old = registered(reg, call_id="old", age=72)
    young = registered(reg, call_id="young", age=35)
    for t in (old, young):
        verify_identity(t)
        t.answer(Intent.NOT_UNDERSTOOD, "不清楚")
        await settle()
        t.answer(Intent.REPEAT_REQUEST, "没听清")
        await settle()
    assert old.escalations and "elderly customer (72)" in old.escalations[0]
    assert old.dialog.handed_off and reg.queue()["calls"][0]["call_id"] == "old"
    assert young.escalations == [] and not young.dialog.handed_off
    await reg.unregister("old")
    await reg.unregister("young")


async def test_repeated_failures_escalate_anyone() -> None:
    reg = AgentRegistry(AgentSettings(failures=3))
    t = registered(reg, age=30)
    verify_identity(t)
    for intent in (Intent.NOT_UNDERSTOOD, Intent.NONE, Intent.NOT_UNDERSTOOD):
        assert not t.escalations
        t.answer(intent, "嗯？")
        await settle()
    assert t.escalations and t.escalations[0].startswith("repeated failures")
    await reg.unregister("call-1")


async def test_transfer_through_the_gateway_or_refused_without_one() -> None:
    reg = AgentRegistry()
    t = registered(reg, call_id="fork", can_transfer=True)
    plain = registered(reg, call_id="plain")
    for x in (t, plain):
        x.answer(Intent.REQUEST_AGENT, "转人工")
        await reg.take(x.call_id, ALICE)
    await reg.transfer("fork", ALICE, "sip:queue@pbx")
    assert t.transfers == [("sip:queue@pbx", "agent Alice Wang")]
    assert t.closed == ("escalated", "agent alice", "transferred to sip:queue@pbx")
    with pytest.raises(TransferUnavailable):
        await reg.transfer("plain", ALICE, "sip:queue@pbx")
    assert plain.closed is None
    await reg.unregister("fork")
    await reg.unregister("plain")


@pytest.fixture
async def hook_server() -> AsyncIterator[tuple[str, list[dict[str, object]]]]:
    """A real HTTP service standing in for a deployment's Twilio transfer hook."""
    got: list[dict[str, object]] = []

    async def hook(request: Request) -> JSONResponse:
        if request.headers.get("authorization") != "Bearer s3cret":
            return JSONResponse({"error": "auth"}, status_code=401)
        got.append(json.loads(await request.body()))
        return JSONResponse({"ok": True})

    server = uvicorn.Server(uvicorn.Config(Starlette(routes=[Route("/transfer", hook, methods=["POST"])]),
                                           host="127.0.0.1", port=0, log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve())
    for _ in range(1000):
        if server.started:
            break
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}/transfer", got
    server.should_exit = True
    await task


async def test_script_transfers_escalations_through_the_http_hook(
        hook_server: tuple[str, list[dict[str, object]]]) -> None:
    url, got = hook_server
    reg = AgentRegistry(AgentSettings(transfer_hook_url=url, transfer_hook_token="s3cret",
                                      transfer_on_escalate="+861088880000"))
    t = registered(reg)
    t.answer(Intent.REQUEST_AGENT, "转人工")
    for _ in range(100):
        if t.closed:
            break
        await asyncio.sleep(0.02)
    assert got and got[0]["destination"] == "+861088880000" and got[0]["by"] == "script"
    assert got[0]["policy_no"] == t.dialog.policy.policy_no
    assert t.closed == ("escalated", "script", "transferred to +861088880000")
    assert reg.calls()[0].status is DeskStatus.TRANSFERRED
    await reg.unregister("call-1")

    bad = AgentRegistry(AgentSettings(transfer_hook_url=url, transfer_hook_token="wrong"))
    t2 = registered(bad)
    t2.answer(Intent.REQUEST_AGENT, "转人工")
    await bad.take("call-1", ALICE)
    with pytest.raises(TransferUnavailable, match="401"):
        await bad.transfer("call-1", ALICE, "+86100")
    assert t2.closed is None and bad.calls()[0].status is DeskStatus.WITH_AGENT
    await bad.unregister("call-1")


async def test_a_console_on_another_thread_drives_calls_on_the_call_loop() -> None:
    reg = AgentRegistry()
    t = registered(reg)
    t.answer(Intent.REQUEST_AGENT, "转人工")
    loop = asyncio.get_running_loop()
    result: dict[str, object] = {}

    def console_thread() -> None:
        async def work() -> None:
            sub = reg.subscribe()
            result["queue"] = await reg.next_update(sub)
            result["view"] = await reg.take("call-1", ALICE)
            result["loop_ok"] = asyncio.get_running_loop() is not loop

        asyncio.run(work())

    th = threading.Thread(target=console_thread)
    th.start()
    await asyncio.to_thread(th.join, 30)
    assert result["loop_ok"] and result["view"]["status"] == "with_agent"  # type: ignore[index]
    assert t.paused == 1
    await reg.unregister("call-1")
