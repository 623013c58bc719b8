"""Turn prompt text into what the espeak-ng Mandarin voice reads best.

espeak-ng's ``cmn-latn-pinyin`` voice looks characters up in its own dictionary, which has no
word context: it reads 银行 as yin xing and 重新 as zhong xin. pypinyin picks readings by word,
so by default the voice is given tone-numbered pinyin (``yin2 hang2``), punctuation kept for
the pauses. Arabic numerals are spelled out first (years digit by digit, other numbers as
quantities) because neither espeak-ng nor pypinyin reads ``2026年`` as a speaker would.
"""

from __future__ import annotations

import re

from pypinyin import Style, lazy_pinyin

from voicebot.nlu.normalize import arabic_to_chinese

TEXT_MODES = ("pinyin", "chars")
# Bump when the conversion changes: the version is part of every cache key.
SPEAKABLE_VERSION = 2

_HAN = re.compile(r"[\u3400-\u9fff]")


def spell_numbers(text: str) -> str:
    """Arabic numerals as spoken (the NLU's rules): 2026年 → 二零二六年, 15天 → 十五天,
    4008208820 → 四零零八二零八八二零."""
    return arabic_to_chinese(text)


def to_pinyin(text: str) -> str:
    """Tone-numbered pinyin (neutral tone as 5), syllables separated by spaces."""
    parts = lazy_pinyin(text, style=Style.TONE3, neutral_tone_with_five=True, errors=lambda s: s)
    out: list[str] = []
    for part in parts:
        if out and part and not (part[0].isalnum() and out[-1][-1:].isalnum()):
            out.append(part)  # punctuation glued to the syllable before it
        else:
            out.append(" " + part if out else part)
    return "".join(out).strip()


def speakable(text: str, mode: str = "pinyin") -> str:
    """The string handed to the synthesiser for ``text`` in ``mode`` (pinyin | chars)."""
    if mode not in TEXT_MODES:
        raise ValueError(f"unknown text mode {mode!r}; choose one of {', '.join(TEXT_MODES)}")
    spelled = spell_numbers(text.strip())
    if mode == "chars" or not _HAN.search(spelled):
        return spelled
    return to_pinyin(spelled)
