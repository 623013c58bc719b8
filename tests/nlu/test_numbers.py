"""Digit strings, birth dates and callback times from spoken answers."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from voicebot.nlu.numbers import parse_callback_time, parse_date, parse_digits

NOW = datetime(2026, 3, 2, 10, 0)  # a Monday morning


@pytest.mark.parametrize(
    ("said", "digits"),
    [
        ("五六七八", "5678"),
        ("后四位是零八二七", "0827"),  # the 四 in 后四位 is not a digit of the answer
        ("最后四位，九九，零二", "9902"),
        ("身份证后六位是二零一九三六", "201936"),
        ("后六位是幺幺零五四叉", "11054X"),
        ("三二一五，最后是叉", "3215X"),
        ("八洞洞七", "8007"),
        ("两两五八", "2258"),
        ("1、2、3、4", "1234"),  # Whisper's Arabic digits with punctuation
        ("后四位是３７２１", "3721"),
        ("1 9 4 x", "194X"),
        ("四五八差", "458X"),  # Whisper's 差 for 叉 after digits
        ("我身份正后四位是七七三腰", "7731"),  # 腰 for 幺 next to digits
        ("是零三幺八", "0318"),
    ],
)
def test_digits(said: str, digits: str) -> None:
    found = parse_digits(said)
    assert found is not None and found.digits == digits


def test_digits_by_sound_is_low_confidence() -> None:
    found = parse_digits("搖傷武器")  # Whisper's hearing of 幺三五七
    assert found is not None and found.digits == "1357" and found.confidence <= 0.5
    assert parse_digits("搖傷武器", fuzzy=False) is None


@pytest.mark.parametrize("said", ["是的", "一二", "我不记得了", "", "差不多"])
def test_no_digits(said: str) -> None:
    assert parse_digits(said) is None


@pytest.mark.parametrize(
    ("said", "iso"),
    [
        ("一九八五年三月十二号", "1985-03-12"),
        ("八五年三月十二", "1985-03-12"),
        ("1985年3月12日", "1985-03-12"),
        ("85年3月12号", "1985-03-12"),
        ("七九年十一月三号", "1979-11-03"),
        ("嗯，二零零一年一月十九", "2001-01-19"),
        ("两千年三月三号", "2000-03-03"),
        ("我七四年的，三月六号", "1974-03-06"),
        ("1986.05.17", "1986-05-17"),
        ("19850607", "1985-06-07"),
        ("出生日期是一九七二年十二月二十五号", "1972-12-25"),
    ],
)
def test_dates(said: str, iso: str) -> None:
    assert parse_date(said, today=date(2026, 3, 2)) == iso


def test_two_digit_year_is_the_most_recent_past() -> None:
    assert parse_date("零一年一月一号", today=date(2026, 3, 2)) == "2001-01-01"
    assert parse_date("三零年一月一号", today=date(2026, 3, 2)) == "1930-01-01"


@pytest.mark.parametrize("said", ["一九八五年二月三十号", "三月十二号", "不记得了"])
def test_no_date(said: str) -> None:
    assert parse_date(said) is None


@pytest.mark.parametrize(
    ("said", "value"),
    [
        ("明天下午三点", "2026-03-03T15:00"),
        ("晚上八点以后", "2026-03-02T20:00"),
        ("下周一", "2026-03-09"),
        ("周五上午", "2026-03-06T10:00"),
        ("过一个小时再打", "2026-03-02T11:00"),
        ("半小时以后", "2026-03-02T10:30"),
        ("三点半", "2026-03-02T15:30"),  # a bare afternoon hour
        ("今天没空，明天上午十点打吧", "2026-03-03T10:00"),  # the later day is the callback
        ("中午一点", "2026-03-02T13:00"),
        ("八点", "2026-03-02T20:00"),  # 8:00 is past: tonight
        ("晚点再打", "晚点"),  # not resolvable: the words
        ("回头再说", "回头"),
    ],
)
def test_callback_times(said: str, value: str) -> None:
    assert parse_callback_time(said, NOW) == value


@pytest.mark.parametrize("said", ["你说慢一点", "我不清楚", "好的"])
def test_no_callback_time(said: str) -> None:
    assert parse_callback_time(said, NOW) is None
