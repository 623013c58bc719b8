"""Normalise what recognisers (vosk, Whisper) and people produce into one comparable form.

The result is Simplified Chinese, half-width, upper-case Latin letters, Chinese digits (Arabic
runs spelled the way they are spoken), no fillers, no punctuation and no spaces. Pure functions:
the speech side imports them too.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import zhconv
from cn2an import an2cn
from pypinyin import Style, lazy_pinyin

from voicebot.nlu.lexicon import default_lexicon

CN_DIGITS = "零一二三四五六七八九"
_PAUSE = r"[\s,，。.!！?？、;；:：…~～]"
# Numbers right before these are spoken as cardinals (3月 -> 三月, 15天 -> 十五天).
_CARDINAL_NEXT = set("月日号点时分秒岁天个块元万千百亿次倍周楼层小多%期位人年")
_KEEP = re.compile(r"[^\u3400-\u9fffA-Z0-9]")
_SEP_DATE = re.compile(r"(?<!\d)(\d{4}|\d{2})[./\-](\d{1,2})[./\-](\d{1,2})(?!\d)")
_DECIMAL = re.compile(r"(\d+)\.(\d+)(?=[万元块%千百亿])")
_DIGIT_SEP = re.compile(r"(?<=\d)[\s,，、.．\-–—·/]+(?=\d)")
_MONTH_AFTER_YEAR = re.compile(r"年\s*(\d{1,2}|[一二三四五六七八九十]{1,2})月")


def _spell_run(match: re.Match[str]) -> str:
    run, text, end = match.group(0), match.string, match.end()
    nxt = text[end:end + 1]
    prev = text[match.start() - 1:match.start()] if match.start() else ""
    digit_by_digit = "".join(CN_DIGITS[int(c)] for c in run)
    if len(run) > 9:
        return digit_by_digit
    if nxt == "年":
        spoken_year = len(run) == 4 or (
            len(run) == 2 and (_MONTH_AFTER_YEAR.match(text, end) is not None or int(run) >= 40))
        return digit_by_digit if spoken_year else str(an2cn(str(int(run))))
    if nxt in _CARDINAL_NEXT or prev == "第":
        return str(an2cn(str(int(run))))
    return digit_by_digit


def _date_with_separators(match: re.Match[str]) -> str:
    year, month, day = match.groups()
    if 1 <= int(month) <= 12 and 1 <= int(day) <= 31:
        return f"{year}年{month}月{day}日"
    return match.group(0)


def arabic_to_chinese(text: str) -> str:
    """Spell Arabic numerals as spoken: 1985年 -> 一九八五年, 12号 -> 十二号, 3215 -> 三二一五."""
    text = _SEP_DATE.sub(_date_with_separators, text)
    text = _DECIMAL.sub(lambda m: str(an2cn(m.group(0))), text)
    text = _DIGIT_SEP.sub("", text)  # Whisper writes digit strings as 1、2、3 or 2020-1936
    return re.sub(r"\d+", _spell_run, text)


@lru_cache(maxsize=1)
def _filler_patterns() -> tuple[re.Pattern[str], re.Pattern[str], tuple[str, ...]]:
    lex = default_lexicon()
    anywhere = sorted(lex.strs("normalize", "fillers.anywhere"), key=len, reverse=True)
    pause = sorted(lex.strs("normalize", "fillers.before_pause"), key=len, reverse=True)
    any_re = re.compile("|".join(map(re.escape, anywhere)))
    pause_re = re.compile(rf"(?:{'|'.join(map(re.escape, pause))})(?={_PAUSE}|$)")
    return any_re, pause_re, tuple(lex.strs("normalize", "fillers.unknown_tokens"))


def _drop_fillers(text: str) -> str:
    any_re, pause_re, _ = _filler_patterns()
    found = [m for m in (any_re.search(text), pause_re.search(text)) if m is not None]
    first = min(found, key=lambda m: m.start()) if found else None
    kept = _KEEP.sub("", any_re.sub("", pause_re.sub("", text)))
    if not kept and first is not None:
        return first.group(0)  # a lone 嗯 / 啊？ is an answer in itself
    return kept


def normalize_text(text: str) -> str:
    """Normalise one answer (see the module doc). Idempotent; '' for nothing said."""
    _, _, unknown = _filler_patterns()
    text = unicodedata.normalize("NFKC", text)
    for token in unknown:
        text = text.replace(token, " ")
    text = zhconv.convert(text, "zh-hans").upper()
    text = arabic_to_chinese(text)
    text = text.replace("幺", "一").replace("〇", "零")
    text = re.sub("艾克斯|埃克斯", "X", text)
    text = re.sub(rf"(?<=[{CN_DIGITS}])\s*叉", "X", text)
    return _drop_fillers(text)


SPOKEN_DIGITS = {c: i for i, c in enumerate(CN_DIGITS)} | {"两": 2}


def spoken_int(words: str) -> int | None:
    """A spoken cardinal up to 99 (十二, 二十五, 三十一, 五) or a short digit run (零五)."""
    if not words:
        return None
    if "十" not in words:
        if all(c in SPOKEN_DIGITS for c in words) and len(words) <= 2:
            return int("".join(str(SPOKEN_DIGITS[c]) for c in words))
        return None
    tens, _, ones = words.partition("十")
    if len(tens) > 1 or len(ones) > 1 or any(c not in SPOKEN_DIGITS for c in tens + ones):
        return None
    return (SPOKEN_DIGITS[tens] if tens else 1) * 10 + (SPOKEN_DIGITS[ones] if ones else 0)


def to_pinyin(text: str) -> str:
    """Toneless pinyin, one syllable per Han character, space-separated ("bu qing chu")."""
    parts: list[str] = []
    for chunk in lazy_pinyin(text, style=Style.NORMAL, errors="default"):
        parts.extend(chunk.split())
    return " ".join(parts)


def fuzzy_syllable(syllable: str) -> str:
    """Merge the distinctions callers and recognisers blur: zh/z ch/c sh/s, -ng/-n (not -ong)."""
    s = syllable.lower()
    if s[:2] in ("zh", "ch", "sh"):
        s = s[0] + s[2:]
    if s.endswith(("ang", "eng", "ing")):
        s = s[:-1]
    return s


def fuzzy_pinyin(text: str) -> tuple[str, ...]:
    """Toneless, fuzzy pinyin syllables of ``text`` for homophone-tolerant comparison."""
    return tuple(fuzzy_syllable(s) for s in to_pinyin(text).split())
