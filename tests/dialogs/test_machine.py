"""The Dialog API with answers built directly as Understanding objects (no NLU involved)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from voicebot.dialogs.commands import Command, EndCall, Escalate, Flag, Say
from voicebot.dialogs.machine import Dialog, DialogError
from voicebot.dialogs.outcome import Outcome
from voicebot.dialogs.policy import Policy
from voicebot.dialogs.schema import Script
from voicebot.nlu.types import AnswerKind, Intent, Understanding

from .helpers import NOW, fixed_clock


def U(intent: Intent, text: str = "", **slots: str) -> Understanding:  # noqa: N802
    return Understanding(intent, 0.9, text or str(intent), slots=slots)


AFFIRM, DENY, NU = U(Intent.AFFIRM, "是的"), U(Intent.DENY, "没有"), U(Intent.NOT_UNDERSTOOD, "不清楚")
DIGITS = U(Intent.ID_DIGITS, "一二三四", digits="1234")


def said(commands: list[Command]) -> list[str]:
    return [c.prompt_id for c in commands if isinstance(c, Say)]


def verified(script: Script, policy: Policy, **kw: int) -> Dialog:
    d = Dialog(script, policy, call_id="t1", clock=fixed_clock, **kw)
    assert said(d.start()) == ["greeting", "identity"]
    assert said(d.handle(AFFIRM)) == ["verify_id"]
    assert said(d.handle(DIGITS)) == ["q2_signed"]
    return d


def test_start_greets_and_asks_identity_with_expectation(new_policy: Script, policy: Policy) -> None:
    d = Dialog(new_policy, policy, call_id="t1", clock=fixed_clock)
    assert d.expectation is None and d.current_question_id is None
    out = d.start()
    ask = out[-1]
    assert isinstance(ask, Say) and ask.text == "请问您是投保人张三先生本人吗？"
    assert ask.question_id == "identity" and ask.dynamic and ask.expects is not None
    assert ask.key_from == ask.text.index("本人吗") + 3
    assert d.expectation is not None and d.expectation.kind is AnswerKind.IDENTITY
    with pytest.raises(DialogError):
        d.start()


def test_all_affirmed_completes(new_policy: Script, policy: Policy) -> None:
    d = verified(new_policy, policy)
    assert d.expectation is not None and "签了" in d.expectation.affirm_words
    for qid in ["q3_read", "q4_coverage", "q5_surrender", "q6_cooling_off", "q7_payment"]:
        assert said(d.handle(AFFIRM)) == [qid]
    out = d.handle(AFFIRM)
    assert said(out) == ["closing"] and out[-1] == EndCall(Outcome.COMPLETED, "closing")
    assert d.finished and d.handle(AFFIRM) == [] and d.expectation is None
    rec = d.record()
    assert rec.outcome is Outcome.COMPLETED and rec.problem_items == []
    assert [a.question_no for a in rec.answers] == [1, 1, 2, 3, 4, 5, 6, 7]
    assert rec.answers[2].prompt_text.startswith("这份安心福终身寿险") and rec.answers[2].at == NOW.isoformat()


def test_not_understood_explains_once_then_problem(new_policy: Script, policy: Policy) -> None:
    d = verified(new_policy, policy)
    assert said(d.handle(NU)) == ["q2_signed.explain", "q2_signed"]
    assert said(d.handle(NU)) == ["q3_read"]
    d.handle(AFFIRM)
    assert said(d.handle(DENY)) == ["q5_surrender"]  # deny: recorded at once, no explanation
    rec = d.record()
    assert [(p.question_no, p.reason) for p in rec.problem_items] == [(2, "not_understood"), (4, "deny")]


def test_repeat_and_silence_do_not_use_up_the_explanation(new_policy: Script, policy: Policy) -> None:
    d = verified(new_policy, policy)
    assert said(d.handle(U(Intent.REPEAT_REQUEST))) == ["q2_signed"]
    assert said(d.handle_silence()) == ["reprompt", "q2_signed"]
    assert said(d.handle(NU)) == ["q2_signed.explain", "q2_signed"]
    assert said(d.handle(AFFIRM)) == ["q3_read"]
    assert d.record().problem_items == []


def test_reask_after_cut_off_is_not_counted(new_policy: Script, policy: Policy) -> None:
    d = verified(new_policy, policy)
    for _ in range(5):
        assert said(d.reask()) == ["q2_signed"]
    assert said(d.handle(U(Intent.REPEAT_REQUEST))) == ["q2_signed"]
    assert len(d.record().answers) == 3  # re-asks are not answers


def test_too_many_repeat_requests_make_a_problem_item(new_policy: Script, policy: Policy) -> None:
    d = verified(new_policy, policy)
    d.handle(U(Intent.REPEAT_REQUEST))
    d.handle(U(Intent.REPEAT_REQUEST))
    assert said(d.handle(U(Intent.REPEAT_REQUEST))) == ["q3_read"]
    assert d.record().problem_items[0].reason == "repeat_request"


def test_silence_limit_ends_no_answer(new_policy: Script, policy: Policy) -> None:
    d = verified(new_policy, policy)
    assert said(d.handle_silence()) == ["reprompt", "q2_signed"]
    assert said(d.handle_silence()) == ["reprompt", "q2_signed"]
    out = d.handle_silence()
    assert said(out) == ["no_answer"] and out[-1] == EndCall(Outcome.NO_ANSWER, "no_answer")
    assert d.record().outcome is Outcome.NO_ANSWER


def test_dtmf_on_yes_no_questions(new_policy: Script, policy: Policy) -> None:
    d = Dialog(new_policy, policy, call_id="t1", clock=fixed_clock)
    d.start()
    assert said(d.handle_dtmf("1")) == ["verify_id"]
    for digit in "123":  # ID digits by keypad, four keys make one answer
        assert d.handle_dtmf(digit) == []
    assert said(d.handle_dtmf("4")) == ["q2_signed"]
    assert said(d.handle_dtmf("2")) == ["q3_read"]
    assert said(d.handle_dtmf("7")) == ["pardon", "q3_read"]  # no meaning on a yes/no question
    out = d.handle_dtmf("0")
    assert said(out) == ["transfer"] and any(isinstance(c, Escalate) for c in out)
    rec = d.record()
    assert [(a.intent, a.via) for a in rec.answers] == [
        ("affirm", "dtmf"), ("id_digits", "dtmf"), ("deny", "dtmf"), ("none", "dtmf"), ("request_agent", "dtmf")]
    assert rec.problem_items[0].question_no == 2


def test_identity_retries_then_failure(new_policy: Script, policy: Policy) -> None:
    d = Dialog(new_policy, policy, call_id="t1", clock=fixed_clock)
    d.start()
    d.handle(AFFIRM)
    wrong = U(Intent.ID_DIGITS, "四三二一", digits="4321")
    assert said(d.handle(wrong)) == ["id_mismatch", "verify_id"]
    assert said(d.handle(wrong)) == ["id_mismatch", "verify_id"]
    out = d.handle(wrong)
    assert said(out) == ["identity_failed"] and out[-1] == EndCall(Outcome.WRONG_PERSON, "identity_failed")
    assert d.record().problem_items[0].reason == "identity_failed"


def test_birth_date_is_the_alternative(new_policy: Script, policy: Policy) -> None:
    d = Dialog(new_policy, policy, call_id="t1", clock=fixed_clock)
    d.start()
    d.handle(AFFIRM)
    assert said(d.handle(U(Intent.NOT_UNDERSTOOD, "我记不清了"))) == ["verify_birth"]
    assert d.expectation is not None and d.expectation.kind is AnswerKind.BIRTH_DATE
    assert said(d.handle(U(Intent.BIRTH_DATE, "七零年十一月三十号", date="1970-11-30"))) == ["q2_signed"]


def test_no_policy_data_before_identity_is_verified(new_policy: Script, policy: Policy) -> None:
    d = Dialog(new_policy, policy, call_id="t1", clock=fixed_clock)
    d.start()
    assert said(d.handle(U(Intent.QUESTION, "保费是多少", topic="premium"))) == ["verify_first", "identity"]


def test_questions_outside_the_script(new_policy: Script, policy: Policy) -> None:
    d = verified(new_policy, policy)
    out = d.handle(U(Intent.QUESTION, "保费是多少", topic="premium"))
    assert said(out) == ["answer.premium", "q2_signed"]
    assert isinstance(out[0], Say) and out[0].text == "您这份保单的保费是年交一万二千元，交费期间十年。"
    assert said(d.handle(U(Intent.QUESTION, "犹豫期是几天？"))) == ["answer.cooling_off", "q2_signed"]  # by keyword
    assert said(d.handle(U(Intent.QUESTION, "出事了怎么理赔", topic="claim"))) == ["offer_agent", "q2_signed"]


def test_misleading_sale_flags_explains_and_continues(new_policy: Script, policy: Policy) -> None:
    d = verified(new_policy, policy)
    out = d.handle(U(Intent.MISLEADING_SALE, "他说保本保息随时能取"))
    assert out[0] == Flag("compliance", "他说保本保息随时能取")
    assert said(out) == ["correct_misleading", "q2_signed"]
    for _ in range(6):
        d.handle(AFFIRM)
    rec = d.record()
    assert rec.outcome is Outcome.COMPLIANCE_FLAG and rec.follow_ups.letter_or_visit
    assert rec.follow_ups.compliance_flags[0]["words"] == "他说保本保息随时能取"
    assert rec.follow_ups.compliance_flags[0]["question_no"] == "2"


def test_do_not_call_until_uses_the_given_days(new_policy: Script, policy: Policy) -> None:
    d = verified(new_policy, policy, dnc_days=400)
    out = d.handle(U(Intent.DO_NOT_CALL, "别再打了"))
    until = (NOW.date() + timedelta(days=400)).isoformat()
    assert out[0] == Flag("do_not_call", until)
    assert said(out) == ["do_not_call_end"] and out[-1] == EndCall(Outcome.DO_NOT_CALL, "do_not_call_end")
    assert d.record().follow_ups.do_not_call_until == until


def test_busy_with_and_without_a_time(new_policy: Script, policy: Policy) -> None:
    d = verified(new_policy, policy)
    out = d.handle(U(Intent.BUSY, "我在开会，明天下午三点再打", callback_time="2026-11-21T15:00"))
    assert out[0] == Flag("callback_time", "2026-11-21T15:00") and said(out) == ["callback_end"]
    d2 = verified(new_policy, policy)
    assert said(d2.handle(U(Intent.BUSY, "我在开车"))) == ["callback_when"]
    assert said(d2.handle(U(Intent.NONE, "晚上八点以后吧"))) == ["callback_end"]
    assert d2.record().follow_ups.callback_at == "晚上八点"
    assert d2.record().outcome is Outcome.CALLBACK_LATER


def test_hangup_outcomes(new_policy: Script, policy: Policy) -> None:
    d = verified(new_policy, policy)
    assert d.hangup()[-1] == EndCall(Outcome.INTERRUPTED, "caller hung up")
    d2 = verified(new_policy, policy)
    d2.handle(U(Intent.BUSY, "在忙"))
    assert d2.hangup()[-1] == EndCall(Outcome.CALLBACK_LATER, "caller hung up")  # asked when: still later


def test_agent_hooks(new_policy: Script, policy: Policy) -> None:
    d = verified(new_policy, policy)
    d.handle(DENY)
    out = d.handle(U(Intent.COMPLAINT, "我要投诉你们业务员"))
    assert out[-1] == Escalate("complaint: 我要投诉你们业务员") and d.handed_off
    assert d.expectation is None and d.handle(AFFIRM) == []
    snap = d.snapshot()
    json.dumps(snap)  # JSON-able for the agent desk
    assert snap["escalation_reason"] == "complaint: 我要投诉你们业务员" and snap["handed_off"]
    assert snap["policy"]["id_tail"] == "1234" and "110105197011301234" not in json.dumps(snap)
    assert [p["question_no"] for p in snap["problem_items"]] == [2]
    assert d.record().outcome is Outcome.ESCALATED  # provisional while the agent talks
    with pytest.raises(DialogError):
        d.resume_at("greeting")
    assert said(d.resume_at("q4_coverage")) == ["q4_coverage"] and not d.handed_off
    assert said(d.handle(AFFIRM)) == ["q5_surrender"]
    assert d.escalate("supervisor listening")[-1] == Escalate("supervisor listening")
    assert d.snapshot()["escalation_reason"] == "supervisor listening"
    out = d.close(Outcome.PROBLEM_CASE, by="agent 007", note="signature checked")
    assert out[-1] == EndCall(Outcome.PROBLEM_CASE, "closed by agent 007: signature checked")
    rec = d.record()
    assert rec.outcome is Outcome.PROBLEM_CASE and rec.follow_ups.letter_or_visit
    with pytest.raises(DialogError):
        d.resume_at("q5_surrender")
    assert d.close(Outcome.COMPLETED, by="x") == []


def test_escalate_from_the_desk_and_bad_outcome(new_policy: Script, policy: Policy) -> None:
    d = verified(new_policy, policy)
    out = d.escalate("supervisor pulled the call")
    assert out[-1] == Escalate("supervisor pulled the call")
    with pytest.raises(DialogError):
        d.close("great", by="agent")
    with pytest.raises(DialogError):
        d.handle(AFFIRM, via="carrier pigeon")


def test_single_premium_skips_item_7(new_policy: Script, policy: Policy) -> None:
    single = Policy.from_dict({"policy_no": "P1", "holder_name": "张三", "holder_gender": "male",
                               "product": "x", "contract_date": "2026-11-10", "holder_id_last": "1234",
                               "payment_frequency": "single", "term": "终身"})
    d = verified(new_policy, single)
    for _ in range(4):
        d.handle(AFFIRM)
    assert said(d.handle(AFFIRM)) == ["closing"]
    assert max(a.question_no or 0 for a in d.record().answers) == 6


def test_record_before_the_end_is_interrupted(new_policy: Script, policy: Policy) -> None:
    d = verified(new_policy, policy)
    rec = d.record()
    assert rec.outcome is Outcome.INTERRUPTED and rec.end_reason == "in progress"
    data = rec.to_dict()
    assert data["outcome"] == "interrupted" and json.dumps(data, ensure_ascii=False)
