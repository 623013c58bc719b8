"""understand(): negation, question-dependent answers, priorities, recogniser errors."""

from __future__ import annotations

from datetime import datetime

import pytest

from voicebot.nlu.intents import understand, warm_up
from voicebot.nlu.types import AnswerKind, Expectation, Intent

YES_NO = Expectation(kind=AnswerKind.YES_NO)
IDENTITY = Expectation(kind=AnswerKind.IDENTITY)


def intent(text: str, expect: Expectation | None = YES_NO) -> Intent:
    return understand(text, expect).intent


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("清楚", Intent.AFFIRM),
        ("不清楚", Intent.NOT_UNDERSTOOD),
        ("不太清楚", Intent.NOT_UNDERSTOOD),
        ("不是很了解", Intent.NOT_UNDERSTOOD),
        ("不是不清楚", Intent.AFFIRM),  # double negation
        ("没有不明白的", Intent.AFFIRM),
        ("我不是不知道", Intent.AFFIRM),
        ("都明白，没什么不清楚的", Intent.AFFIRM),
        ("不是", Intent.DENY),
        ("不是不是", Intent.DENY),  # repetition is emphasis, not double negation
        ("不对不对", Intent.DENY),
        ("没有", Intent.DENY),
        ("没问题", Intent.AFFIRM),  # 没 here is no negation of an answer
        ("不是我签的", Intent.DENY),
        ("是业务员代签的", Intent.DENY),
        ("看过了", Intent.AFFIRM),
        ("没看过", Intent.DENY),
        ("搞不懂", Intent.NOT_UNDERSTOOD),
        ("没人跟我说过这个", Intent.NOT_UNDERSTOOD),
        ("业务员没讲过这些", Intent.NOT_UNDERSTOOD),
        ("没有啊，谁也没给我看过", Intent.DENY),  # the pause keeps 没有 out of the next clause
        ("不 太 清 楚", Intent.NOT_UNDERSTOOD),  # vosk spacing
        ("不曉得", Intent.NOT_UNDERSTOOD),  # Traditional
    ],
)
def test_negation(text: str, expected: Intent) -> None:
    assert intent(text) is expected


def test_what_affirms_depends_on_the_question() -> None:
    assert intent("清楚", YES_NO) is Intent.AFFIRM
    assert intent("清楚", IDENTITY) is Intent.NONE  # knowing is no answer to "are you X?"
    assert intent("是我", IDENTITY) is Intent.AFFIRM
    assert intent("我就是", IDENTITY) is Intent.AFFIRM
    assert intent("不是我", IDENTITY) is Intent.WRONG_PERSON
    assert intent("不是", IDENTITY) is Intent.WRONG_PERSON
    assert intent("不是", YES_NO) is Intent.DENY
    assert intent("我是他老婆", IDENTITY) is Intent.WRONG_PERSON
    assert intent("不是本人签的", YES_NO) is Intent.DENY


def test_slots_follow_the_expected_answer() -> None:
    digits = understand("后四位是幺三五叉", Expectation(kind=AnswerKind.ID_DIGITS))
    assert digits.intent is Intent.ID_DIGITS and digits.slots["digits"] == "135X"
    born = understand("八五年三月十二", Expectation(kind=AnswerKind.BIRTH_DATE))
    assert born.intent is Intent.BIRTH_DATE and born.slots["date"] == "1985-03-12"
    when = understand("明天下午三点", Expectation(kind=AnswerKind.CALLBACK_TIME),
                      now=datetime(2026, 3, 2, 10, 0))
    assert when.intent is Intent.BUSY and when.slots["callback_time"] == "2026-03-03T15:00"
    # The same digits at a yes/no question are still read, with lower confidence.
    unasked = understand("三七二一", YES_NO)
    assert unasked.intent is Intent.ID_DIGITS and unasked.confidence < digits.confidence


def test_script_words_extend_the_question() -> None:
    expect = Expectation(kind=AnswerKind.YES_NO, affirm_words=("收到了",), deny_words=("代领",))
    assert intent("钱已经收到了", expect) is Intent.AFFIRM
    assert intent("是我儿子代领的", expect) is Intent.DENY


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我不需要，以后别再打了", Intent.DO_NOT_CALL),  # beats refusing
        ("别再骚扰我了", Intent.DO_NOT_CALL),
        ("我要投诉你们骚扰", Intent.COMPLAINT),  # a complaint naming harassment
        ("我不接受回访", Intent.REFUSE_CALLBACK),
        ("他说这是存款", Intent.MISLEADING_SALE),
        ("对，他说是保本的", Intent.MISLEADING_SALE),  # beats affirm
        ("不是，他说是存款", Intent.MISLEADING_SALE),  # beats deny
        ("我知道这不是存款", Intent.AFFIRM),  # a denied claim with no one reported saying it
        ("转人工", Intent.REQUEST_AGENT),
        ("在人工", Intent.REQUEST_AGENT),  # Whisper's hearing of 转人工
        ("我要找员工客服", Intent.REQUEST_AGENT),
        ("你们业务员态度太差了", Intent.COMPLAINT),
        ("我在开车", Intent.BUSY),
        ("你打错了", Intent.WRONG_PERSON),
        ("你说什么？", Intent.REPEAT_REQUEST),
        ("啊？", Intent.REPEAT_REQUEST),
        ("保费是多少", Intent.QUESTION),
        ("犹豫期是什么，我不清楚", Intent.NOT_UNDERSTOOD),  # not knowing beats asking
        ("可以提前取出来吗", Intent.QUESTION),
        ("知道知道，退保会有损失吗", Intent.AFFIRM),  # answers first, then wonders
    ],
)
def test_priorities(text: str, expected: Intent) -> None:
    assert intent(text) is expected


def test_also_lists_lower_priority_intents() -> None:
    u = understand("我要投诉，以后别给我打电话了")
    assert u.intent is Intent.DO_NOT_CALL and "complaint" in u.slots["also"]


def test_question_topic() -> None:
    assert understand("退保要扣多少钱").slots["topic"] == "surrender"
    assert understand("犹豫期有几天").slots["topic"] == "cooling_off"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("吃的呀", Intent.AFFIRM),  # 是 at the start heard as 吃
        ("事的", Intent.AFFIRM),
        ("清除", Intent.AFFIRM),  # 清楚 spelled by sound
        ("我不接受回房", Intent.REFUSE_CALLBACK),  # 回访 by sound
        ("別再燒咬我了", Intent.DO_NOT_CALL),  # 骚扰 heard as 燒咬
        ("每人跟我說過就對了", Intent.NOT_UNDERSTOOD),  # 没人跟我说过 by sound
    ],
)
def test_recogniser_errors(text: str, expected: Intent) -> None:
    assert intent(text) is expected


def test_homophones_do_not_overreach() -> None:
    assert intent("香蕉苹果") is Intent.NONE
    assert intent("犹豫期十五天，我知道的") is Intent.AFFIRM  # 期十 is not 气死 (complaint)
    assert understand("北京").confidence < 0.5


@pytest.mark.parametrize("text", ["", "   ", "。", "[unk]"])
def test_silence(text: str) -> None:
    assert intent(text) is Intent.SILENCE


def test_whisper_noise_hallucination_is_silence() -> None:
    u = understand("作词 作曲 作曲 作曲 作曲 作曲 作曲 作曲 作曲 作曲 作曲 作曲 作曲")
    assert u.intent is Intent.SILENCE and u.slots["asr"] == "hallucination"


def test_lone_backchannel_is_a_weak_affirm() -> None:
    u = understand("嗯")
    assert u.intent is Intent.AFFIRM and u.confidence < 0.7
    assert understand("对的").confidence > u.confidence


def test_understanding_carries_text_and_normalized() -> None:
    u = understand("對，是我簽的", YES_NO)
    assert u.text == "對，是我簽的" and u.normalized == "对是我签的"


def test_no_expectation_means_yes_no() -> None:
    assert intent("清楚", None) is Intent.AFFIRM


def test_warm_up_then_same_answers() -> None:
    before = understand("嗯，这个我不太明白", YES_NO)
    warm_up()
    assert understand("嗯，这个我不太明白", YES_NO) == before


def test_short_answer_by_whole_sound() -> None:
    heard = understand("新處境", YES_NO)  # Whisper's 清楚的 on the telephone band
    assert heard.intent is Intent.AFFIRM and heard.confidence <= 0.5
    assert intent("新處境", IDENTITY) is Intent.NONE  # knowing still does not answer "are you X?"
    assert intent("新处境的问题很复杂，我们以后再讨论吧") is not Intent.AFFIRM  # long: no sound match
