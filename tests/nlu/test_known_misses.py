"""Answers the first version misread: a named non-holder, 骚扰 misheard, a wrong belief stated,
vosk text without punctuation, and callback times relative to a timezone-aware clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from voicebot.nlu.callback_time import find_callback_time
from voicebot.nlu.intents import understand
from voicebot.nlu.types import AnswerKind, Expectation, Intent

YES_NO = Expectation(kind=AnswerKind.YES_NO)
IDENTITY = Expectation(kind=AnswerKind.IDENTITY)
WHEN = Expectation(kind=AnswerKind.CALLBACK_TIME)


@pytest.mark.parametrize("expect", [IDENTITY, YES_NO])
@pytest.mark.parametrize("text", ["我不是张三", "我不是张先生", "不是王女士", "我 不是 李明 你 打错 了",
                                  "我並不是劉先生", "我不是张三本人"])
def test_naming_someone_else_is_wrong_person(text: str, expect: Expectation) -> None:
    assert understand(text, expect).intent is Intent.WRONG_PERSON


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我不是很清楚", Intent.NOT_UNDERSTOOD),  # 很 is no name
        ("我不是马上就能去看", Intent.DENY),  # 马 is a surname, 马上 is "at once"
        ("我不是不知道", Intent.AFFIRM),
        ("不是", Intent.DENY),
    ],
)
def test_not_a_name(text: str, expected: Intent) -> None:
    assert understand(text, YES_NO).intent is expected


@pytest.mark.parametrize("text", ["别再招咬我了", "別在燒饒我了", "不要再少扰我了", "别 再 招 咬 我 了",
                                  "别在打了", "别在打电话了", "别在跟我打电话了", "你们这是骚扰电话"])
@pytest.mark.parametrize("expect", [YES_NO, IDENTITY])
def test_do_not_call_heard_wrong(text: str, expect: Expectation) -> None:
    assert understand(text, expect).intent is Intent.DO_NOT_CALL


@pytest.mark.parametrize("text", ["别再招呼我了", "别再找找看了", "不要报告", "别着急"])
def test_do_not_call_by_sound_needs_the_shape(text: str) -> None:
    assert understand(text, YES_NO).intent is not Intent.DO_NOT_CALL


@pytest.mark.parametrize("text", ["我以为犹豫期是三十天", "我还以为犹豫期是三十天", "我以为只要交五年",
                                  "我一直以为犹豫期有一个月", "以为是十天呢", "我 还 以为 是 二十 天"])
def test_a_wrong_belief_is_not_understood(text: str) -> None:
    assert understand(text, YES_NO).intent is Intent.NOT_UNDERSTOOD


def test_a_corrected_belief_affirms_and_a_sales_claim_stays_misleading() -> None:
    assert understand("我以为是三十天，原来是十五天，知道了", YES_NO).intent is Intent.AFFIRM
    assert understand("我以为是存款", YES_NO).intent is Intent.MISLEADING_SALE


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("没有 谁 也 没 给 我 看 过", Intent.DENY),  # no comma after 没有: still not a double negation
        ("没有谁也没给我看过", Intent.DENY),
        ("没有 我 没 看 过", Intent.DENY),
        ("没有 没有 我 也 没 签", Intent.DENY),
        ("没有 我 不 知道", Intent.NOT_UNDERSTOOD),
        ("不是 我 不 清楚", Intent.NOT_UNDERSTOOD),
        ("没有 不 明白 的", Intent.AFFIRM),  # a real double negation stays one
        ("我 不是 不 知道", Intent.AFFIRM),
        ("不是 不 清楚", Intent.AFFIRM),
        ("没 跟 我 说 过", Intent.NOT_UNDERSTOOD),
        ("知道 知道 退保 会 有 损失 吗", Intent.AFFIRM),  # answers, then wonders
        ("可以 提前 取 出来 吗", Intent.QUESTION),  # 可以 here asks
        ("别 再 给 我 打 电话 了", Intent.DO_NOT_CALL),
        ("我 在 开车 晚点 再 打", Intent.BUSY),
    ],
)
def test_vosk_text_without_punctuation(text: str, expected: Intent) -> None:
    assert understand(text, YES_NO).intent is expected


def test_politeness_question_after_yes_at_identity() -> None:
    assert understand("是的 有 什么 事 吗", IDENTITY).intent is Intent.AFFIRM


SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    ("said", "naive", "aware"),
    [
        ("明天下午三点", "2026-03-03T15:00", "2026-03-03T15:00+08:00"),
        ("三点", "2026-03-02T15:00", "2026-03-02T15:00+08:00"),  # raised TypeError with aware now
        ("过半个小时", "2026-03-02T10:30", "2026-03-02T10:30+08:00"),
        ("下周一", "2026-03-09", "2026-03-09"),  # a calendar day has no offset
        ("晚点", "晚点", "晚点"),
    ],
)
def test_callback_time_carries_the_offset_of_an_aware_now(said: str, naive: str, aware: str) -> None:
    plain = understand(said, WHEN, now=datetime(2026, 3, 2, 10, 0))
    zoned = understand(said, WHEN, now=datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI))
    assert plain.slots["callback_time"] == naive
    assert zoned.slots["callback_time"] == aware
    if "T" in aware:  # the aware value names one instant
        assert datetime.fromisoformat(aware).utcoffset() == timedelta(hours=8)


def test_relative_callback_time_is_elapsed_time_across_dst() -> None:
    berlin = ZoneInfo("Europe/Berlin")  # clocks go 02:00 -> 03:00 on 2026-03-29
    now = datetime(2026, 3, 29, 1, 30, tzinfo=berlin)
    found = find_callback_time("过一个小时", now)
    assert found is not None and found.value == "2026-03-29T03:30+02:00"
    assert datetime.fromisoformat(found.value) - now == timedelta(hours=1)
    in_utc = find_callback_time("过一个小时", now.astimezone(UTC))  # the same instant, said in UTC
    assert in_utc is not None and in_utc.value == "2026-03-29T01:30+00:00"
