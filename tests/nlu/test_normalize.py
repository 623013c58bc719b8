"""normalize_text / to_pinyin on what vosk, Whisper and people actually produce."""

from __future__ import annotations

import pytest

from voicebot.nlu.normalize import (
    arabic_to_chinese,
    fuzzy_pinyin,
    normalize_text,
    spoken_int,
    to_pinyin,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("不 清楚", "不清楚"),  # vosk puts spaces between words
        ("對,是我", "对是我"),  # Whisper's Traditional characters and ASCII comma
        ("沒問題！", "没问题"),
        ("ＯＫ，好的！", "OK好的"),  # full-width forms
        ("[unk] 是 的", "是的"),  # vosk's unknown-word token
        ("嗯，我就是，你说吧。", "我就是你说吧"),  # fillers gone
        ("哎呀，我在开车", "我在开车"),
        ("那个，业务员没讲过这些。", "业务员没讲过这些"),  # 那个 before a pause is a filler
        ("那个字不是我签的", "那个字不是我签的"),  # ... but not when it means "that"
    ],
)
def test_text_forms(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1、2、3、4", "一二三四"),  # a digit string read one by one
        ("3215 最后是探", "三二一五最后是探"),
        ("1985年3月12號", "一九八五年三月十二号"),  # year digit by digit, month/day cardinal
        ("85年3月12号", "八五年三月十二号"),
        ("交10年", "交十年"),  # a period of years is a cardinal
        ("12,000元", "一万二千元"),
        ("1985.3.12", "一九八五年三月十二日"),
        ("下午3点", "下午三点"),
        ("幺三五七", "一三五七"),  # 幺 is the spoken 1
        ("后四位是1 9 4 x", "后四位是一九四X"),
        ("三二一五叉", "三二一五X"),  # 叉 after digits is the ID check character
        ("艾克斯", "X"),
    ],
)
def test_digits_unified_to_chinese(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected


def test_lone_backchannel_survives() -> None:
    # A bare 嗯 is an answer (affirm) and a bare 啊？ asks for a repeat: not "nothing said".
    assert normalize_text("嗯") == "嗯"
    assert normalize_text("嗯嗯嗯") == "嗯"
    assert normalize_text("啊？") == "啊"
    assert normalize_text("那个……") == "那个"


def test_nothing_said() -> None:
    assert normalize_text("") == ""
    assert normalize_text("  。 ") == ""


def test_idempotent() -> None:
    for raw in ("對,是我簽的", "1985年3月12號", "嗯，三二一五叉", "不 太 清 楚"):
        once = normalize_text(raw)
        assert normalize_text(once) == once


def test_arabic_to_chinese_keeps_other_text() -> None:
    assert arabic_to_chinese("保费12000元，交20年") == "保费一万二千元，交二十年"


def test_pinyin_is_toneless_and_fuzzy() -> None:
    assert to_pinyin("不清楚") == "bu qing chu"
    assert to_pinyin("清除") == to_pinyin("清楚")  # a homophone the recogniser writes
    assert fuzzy_pinyin("回房") == fuzzy_pinyin("回访")
    assert fuzzy_pinyin("搖傷") == fuzzy_pinyin("幺三")  # sh/s and ang/an merged


@pytest.mark.parametrize(("words", "value"), [("五", 5), ("十", 10), ("十二", 12), ("二十五", 25),
                                              ("三十一", 31), ("零五", 5), ("一百", None), ("", None)])
def test_spoken_int(words: str, value: int | None) -> None:
    assert spoken_int(words) == value
