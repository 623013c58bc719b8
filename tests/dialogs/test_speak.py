from __future__ import annotations

from datetime import date

import pytest

from voicebot.dialogs.speak import (
    say_amount,
    say_date,
    say_date_hanzi,
    say_frequency,
    say_number,
    say_percent,
    say_years,
)


@pytest.mark.parametrize(("value", "spoken"), [
    (date(2026, 12, 3), "2026年12月3日"),
    (date(2026, 1, 25), "2026年1月25日"),
])
def test_dates_as_written_for_speech(value: date, spoken: str) -> None:
    assert say_date(value) == spoken


def test_dates_in_hanzi() -> None:
    assert say_date_hanzi(date(2026, 12, 3)) == "二〇二六年十二月三日"
    assert say_date_hanzi(date(2001, 10, 20)) == "二〇〇一年十月二十日"


@pytest.mark.parametrize(("yuan", "spoken"), [
    (12000, "一万二千元"),
    (20000, "两万元"),
    (2000, "两千元"),
    (1001, "一千零一元"),
    (250000, "二十五万元"),
    (3500.5, "三千五百元五角"),
    (1000.08, "一千元零八分"),
    (8500.55, "八千五百元五角五分"),
    (0.3, "三角"),
    (0, "零元"),
])
def test_amounts(yuan: float, spoken: str) -> None:
    assert say_amount(yuan) == spoken


def test_negative_amount_is_refused() -> None:
    with pytest.raises(ValueError):
        say_amount(-1)


def test_frequency_years_numbers_percent() -> None:
    assert say_frequency("annual") == "年交"
    assert say_frequency("monthly") == "月交"
    assert say_frequency("single") == "趸交"
    assert say_years(10) == "十年"
    assert say_years(20) == "二十年"
    assert say_number(15) == "十五"
    assert say_percent(1.75) == "百分之一点七五"
    assert say_percent(3) == "百分之三"
