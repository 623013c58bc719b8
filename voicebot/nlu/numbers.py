"""Numbers in spoken answers: ID-number tails read digit by digit, and birth dates.

Both take raw or normalized text (normalising is idempotent) and return ``None`` when the
answer holds no such value. Callback times live in ``callback_time`` (re-exported here).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

from voicebot.nlu.callback_time import parse_callback_time
from voicebot.nlu.lexicon import default_lexicon
from voicebot.nlu.normalize import (
    CN_DIGITS,
    SPOKEN_DIGITS,
    fuzzy_syllable,
    normalize_text,
    spoken_int,
    to_pinyin,
)

__all__ = ["DigitString", "parse_callback_time", "parse_date", "parse_digits", "spoken_int"]


@dataclass(frozen=True)
class DigitString:
    digits: str  # ASCII digits, "X" only as the last character
    confidence: float


@dataclass(frozen=True)
class _DigitTables:
    chars: dict[str, str]
    x_words: tuple[str, ...]
    x_after: frozenset[str]
    one_like: frozenset[str]
    noise: re.Pattern[str]
    syllables: dict[str, str]
    min_len: int
    max_len: int


@lru_cache(maxsize=1)
def _tables() -> _DigitTables:
    lex = default_lexicon()
    noise = sorted(lex.strs("numbers", "digits.noise"), key=len, reverse=True)
    return _DigitTables(
        chars=dict(lex.get("numbers", "digits.chars")),
        x_words=tuple(sorted(lex.strs("numbers", "digits.x_words"), key=len, reverse=True)),
        x_after=frozenset(lex.strs("numbers", "digits.x_after_digits")),
        one_like=frozenset(lex.strs("numbers", "digits.one_homophones")),
        noise=re.compile("|".join(f"(?:{p})" for p in noise)),
        syllables=dict(lex.get("numbers", "digits.syllables")),
        min_len=lex.get("numbers", "digits.min_len"),
        max_len=lex.get("numbers", "digits.max_len"),
    )


def _runs(text: str, t: _DigitTables) -> list[str]:
    """Maximal runs of digits (X allowed last), tolerating 幺 and 叉 mishearings in context."""
    for word in t.x_words:
        text = text.replace(word, "X")
    runs: list[str] = []
    current = ""
    for i, ch in enumerate(text):
        near_digit = (i > 0 and text[i - 1] in t.chars) or text[i + 1:i + 2] in t.chars
        if ch in t.chars and not current.endswith("X"):
            current += t.chars[ch]
        elif ch in t.one_like and near_digit and not current.endswith("X"):
            current += "1"
        elif (ch == "X" or ch in t.x_after) and len(current) >= 3 and not current.endswith("X"):
            current += "X"
        else:
            if current:
                runs.append(current)
            current = ""
    if current:
        runs.append(current)
    return runs


def parse_digits(text: str, *, fuzzy: bool = True) -> DigitString | None:
    """The digit string in an ID-tail answer ("后四位是幺三五叉" -> 135X), or None."""
    t = _tables()
    norm = normalize_text(text)
    stripped = t.noise.sub("", norm)
    runs = [r for r in _runs(stripped, t) if t.min_len <= len(r) <= t.max_len]
    if runs:
        best = max(runs, key=len)  # the longest; ties go to the first said
        leftover = len(stripped) - len(best)
        return DigitString(best, 0.95 if leftover <= 1 else 0.8)
    if not fuzzy:
        return None
    return _digits_by_sound(stripped, t)


def _digits_by_sound(text: str, t: _DigitTables) -> DigitString | None:
    """Every syllable sounds like a digit (搖傷武器 ~ 幺三五七): a low-confidence reading."""
    syllables = [fuzzy_syllable(s) for s in to_pinyin(text).split()]
    if len(syllables) not in (4, 6) or not all(s in t.syllables for s in syllables):
        return None
    digits = "".join(t.syllables[s] for s in syllables)
    if "X" in digits[:-1]:
        return None
    return DigitString(digits, 0.5)


_D = f"[{CN_DIGITS}两]"
_DATE = re.compile(
    rf"(?P<y>{_D}{{4}}|{_D}{{2}}|[两二]千[零{CN_DIGITS[1:]}十]*)年(?:的)?"
    rf"(?P<m>[{CN_DIGITS}十]{{1,2}})月(?:份)?"
    rf"(?P<d>[{CN_DIGITS}十]{{1,3}})(?:日|号)?"
)
_COMPACT = re.compile(rf"(?<![{CN_DIGITS}])(?P<y>[一二]{_D}{{3}})(?P<m>{_D}{{2}})(?P<d>{_D}{{2}})"
                      rf"(?![{CN_DIGITS}])")


def _year(words: str, today: date) -> int | None:
    if "千" in words:
        head, _, rest = words.partition("千")
        tail = rest.lstrip("零")
        value = spoken_int(tail) if tail else 0
        return None if value is None else 2000 + value
    digits = "".join(str(SPOKEN_DIGITS[c]) for c in words)
    if len(digits) == 4:
        return int(digits)
    yy = int(digits)  # two-digit year: the most recent past year ending in these digits
    return 2000 + yy if 2000 + yy <= today.year else 1900 + yy


def parse_date(text: str, *, today: date | None = None) -> str | None:
    """A full date said in the answer as YYYY-MM-DD (一九八五年三月十二号, 85年3月12号)."""
    norm = normalize_text(text)
    ref = today or datetime.now().date()
    for pattern in (_DATE, _COMPACT):
        for match in pattern.finditer(norm):
            year = _year(match["y"], ref)
            month, day = spoken_int(match["m"]), spoken_int(match["d"])
            if year is None or month is None or day is None:
                continue
            try:
                return date(year, month, day).isoformat()
            except ValueError:
                continue
    return None
