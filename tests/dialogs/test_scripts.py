"""Every shipped script reaches each of its outcomes, driven as text through the real NLU."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from voicebot.dialogs.loader import load_script, script_names
from voicebot.dialogs.machine import Dialog
from voicebot.dialogs.outcome import Outcome, OutcomeRecord
from voicebot.dialogs.policy import load_policy
from voicebot.dialogs.runner import Chat

from .helpers import fixed_clock

SCRIPTS = script_names()
DIGITS = {"new_policy": "一二三四", "investment_linked": "四五二六", "universal_participating": "三三幺叉",
          "bank_channel": "幺八二七", "dual_recording": "零零四三", "grace_before": "四四幺八",
          "grace_after": "六六二八", "surrender_claim": "零零幺七"}
# What a cooperative customer says to questions whose "yes" would not be the good answer.
GOOD = {"g2_reason": "最近手头有点紧，忘了交了。", "g3_premium_kept": "没有，我没给过别人。"}
# One question per script where "no" is a problem item.
PROBLEM_AT = {"grace_before": "g3_will_pay", "grace_after": "g4_reinstate", "surrender_claim": "s4_satisfied"}

Answerer = Callable[[str], str]


def play(name: str, answer: Answerer, *, limit: int = 40) -> tuple[OutcomeRecord, Chat]:
    chat = Chat(Dialog(load_script(name), load_policy(name), call_id=name, clock=fixed_clock))
    chat.start()
    for _ in range(limit):
        if chat.done:
            break
        qid = chat.dialog.current_question_id or ""
        chat.answer(answer(qid))
    if chat.dialog.handed_off:
        chat.close_escalated()
    assert chat.dialog.finished
    return chat.dialog.record(), chat


def cooperative(name: str, override: dict[str, str] | None = None) -> Answerer:
    def answer(qid: str) -> str:
        if override and qid in override:
            return override.pop(qid)
        if qid == "identity":
            return "是我本人。"
        if qid == "verify_id":
            return DIGITS[name]
        return GOOD.get(qid, "是的，清楚。")

    return answer


def first_item(name: str) -> str:
    return str(load_script(name).states["verify_id"].handlers["verified"].do[0].arg)


@pytest.mark.parametrize("name", SCRIPTS)
def test_completed(name: str) -> None:
    rec, _ = play(name, cooperative(name))
    assert rec.outcome is Outcome.COMPLETED, rec.answers
    assert rec.problem_items == [] and not rec.follow_ups.letter_or_visit
    numbers = sorted({a.question_no for a in rec.answers if a.question_no})
    assert numbers[0] == 1 and len(numbers) >= 3


@pytest.mark.parametrize("name", SCRIPTS)
def test_problem_case(name: str) -> None:
    qid = PROBLEM_AT.get(name, "q2_signed")
    rec, _ = play(name, cooperative(name, {qid: "不是，没有。"}))
    assert rec.outcome is Outcome.PROBLEM_CASE
    assert [p.question_id for p in rec.problem_items] == [qid] and rec.follow_ups.letter_or_visit


@pytest.mark.parametrize("name", SCRIPTS)
def test_compliance_flag_from_a_misleading_sale(name: str) -> None:
    item = first_item(name)
    rec, _ = play(name, cooperative(name, {item: "业务员跟我说这是存款，保本保息。"}))
    assert rec.outcome is Outcome.COMPLIANCE_FLAG
    assert rec.follow_ups.compliance_flags[0]["question_id"] == item


@pytest.mark.parametrize(("name", "qid", "said"), [
    ("grace_after", "g3_premium_kept", "对，钱交给业务员了，他说帮我交。"),
    ("surrender_claim", "s3_collected", "没有，他还没给我。"),
    ("surrender_claim", "s2_applied", "不是我申请的。"),
])
def test_compliance_flag_from_money_kept(name: str, qid: str, said: str) -> None:
    rec, _ = play(name, cooperative(name, {qid: said}))
    assert rec.outcome is Outcome.COMPLIANCE_FLAG
    flag = rec.follow_ups.compliance_flags[0]
    assert (flag["question_id"], flag["words"]) == (qid, said)


@pytest.mark.parametrize("name", SCRIPTS)
@pytest.mark.parametrize(("said", "outcome"), [
    ("不要再给我打电话了。", Outcome.DO_NOT_CALL),
    ("我不配合你们这个回访。", Outcome.REFUSED),
    ("我在开会，你明天下午再打吧。", Outcome.CALLBACK_LATER),
    ("帮我转人工。", Outcome.ESCALATED),
    ("我要投诉你们。", Outcome.ESCALATED),
])
def test_endings_shared_by_every_script(name: str, said: str, outcome: Outcome) -> None:
    item = first_item(name)
    rec, _ = play(name, cooperative(name, {item: said}))
    assert rec.outcome is outcome
    if outcome is Outcome.DO_NOT_CALL:
        assert rec.follow_ups.do_not_call_until == "2027-11-20"
    if outcome is Outcome.CALLBACK_LATER:
        assert rec.follow_ups.callback_at is not None and rec.follow_ups.callback_at.startswith("2026-11-21")
    if outcome is Outcome.REFUSED:
        assert rec.follow_ups.letter_or_visit


@pytest.mark.parametrize("name", SCRIPTS)
def test_wrong_person_no_answer_interrupted(name: str) -> None:
    rec, _ = play(name, cooperative(name, {"identity": "你打错了，我不是他。", "wrong_person_ask": ""}))
    assert rec.outcome is Outcome.WRONG_PERSON
    rec, _ = play(name, lambda qid: "")
    assert rec.outcome is Outcome.NO_ANSWER
    chat = Chat(Dialog(load_script(name), load_policy(name), call_id=name, clock=fixed_clock))
    chat.start()
    chat.answer("是我。")
    chat.hangup()
    assert chat.dialog.record().outcome is Outcome.INTERRUPTED


def test_universal_asks_rate_and_fees_but_not_dividends() -> None:
    rec, chat = play("universal_participating", cooperative("universal_participating"))
    asked = [t.prompt_id for t in chat.transcript if t.speaker == "bot"]
    assert "q8_universal_rate" in asked and "q9_universal_fees" in asked and "q8_dividend" not in asked
    rate = next(t.text for t in chat.transcript if t.prompt_id == "q8_universal_rate")
    assert "百分之一点七五" in rate


def test_dual_recording_for_a_bank_sale_to_an_older_customer() -> None:
    policy = load_policy("dual_recording")
    assert (policy.age or 0) >= 60 and policy.channel == "bank"
    rec, chat = play("dual_recording", cooperative("dual_recording"))
    assert [a.question_no for a in rec.answers if a.question_no and a.question_no > 7] == [8, 9, 10]


def test_surrender_amount_spoken() -> None:
    _, chat = play("surrender_claim", cooperative("surrender_claim"))
    text = next(t.text for t in chat.transcript if t.prompt_id == "s2_applied")
    assert "2026年11月5日" in text and "三万五千六百元" in text and "退保" in text
