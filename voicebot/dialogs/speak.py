"""Policy values as a Chinese speaker says them (what the prompt renderer is given)."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import cn2an

FREQUENCIES: dict[str, str] = {
    "annual": "年交",
    "semiannual": "半年交",
    "quarterly": "季交",
    "monthly": "月交",
    "single": "趸交",
}

_HANZI_DIGITS = "〇一二三四五六七八九"


def say_date(value: date) -> str:
    """2026-12-03 → 2026年12月3日 (how dates are written for the synthesiser and read aloud)."""
    return f"{value.year}年{value.month}月{value.day}日"


def say_date_hanzi(value: date) -> str:
    """2026-12-03 → 二〇二六年十二月三日, for synthesisers that misread Arabic years."""
    year = "".join(_HANZI_DIGITS[int(c)] for c in str(value.year))
    return f"{year}年{cn2an.an2cn(value.month)}月{cn2an.an2cn(value.day)}日"


def say_number(value: int) -> str:
    """A cardinal as spoken: 2 → 两 only where speakers say it (两万, 两千), else cn2an's form."""
    text = str(cn2an.an2cn(value))
    if len(text) > 1 and text[0] == "二" and text[1] in "千万亿":
        text = "两" + text[1:]
    return text


def say_amount(yuan: float | int | Decimal) -> str:
    """12000 → 一万二千元; 3500.5 → 三千五百元五角; 0.08 → 八分."""
    cents = int((Decimal(str(yuan)) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if cents < 0:
        raise ValueError(f"negative amount {yuan}")
    whole, rest = divmod(cents, 100)
    jiao, fen = divmod(rest, 10)
    parts: list[str] = []
    if whole:
        parts.append(say_number(whole) + "元")
    if jiao:
        parts.append(cn2an.an2cn(jiao) + "角")
    if fen:
        if whole and not jiao:
            parts.append("零")
        parts.append(cn2an.an2cn(fen) + "分")
    return "".join(parts) or "零元"


def say_frequency(code: str) -> str:
    """annual → 年交 (the code must be one of FREQUENCIES)."""
    return FREQUENCIES[code]


def say_years(years: int) -> str:
    """10 → 十年."""
    return say_number(years) + "年"


def say_percent(rate: float) -> str:
    """1.75 → 百分之一点七五."""
    return "百分之" + str(cn2an.an2cn(format(Decimal(str(rate)).normalize(), "f")))
