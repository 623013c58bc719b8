"""Phrase matching: exact substrings, regexes, and toneless fuzzy pinyin for homophones.

A recogniser that writes 回房 for 回访 or 克服人员 for 客服人员 still matches through pinyin;
only phrases of three syllables or more are compared that way (shorter ones have too many
homophones and match across word boundaries), and such hits score lower than exact ones.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from voicebot.nlu.normalize import fuzzy_pinyin

EXACT = 0.95
PATTERN = 0.9
PINYIN = 0.75
# Two-syllable phrases match by sound across word boundaries too often (期十 ~ 气死).
MIN_PINYIN_SYLLABLES = 3
_HAN = re.compile(r"^[\u3400-\u9fff]+$")


@dataclass(frozen=True)
class Hit:
    phrase: str  # the lexicon phrase (or pattern) that matched
    start: int  # where in the text (-1 for pinyin hits: syllables, not characters)
    score: float
    how: str  # "exact" | "pattern" | "pinyin"


@dataclass(frozen=True)
class Utterance:
    """One answer prepared once for all matchers."""

    text: str  # normalized (and ASR-alias repaired) text
    pinyin: str  # " syl syl syl " fuzzy pinyin with guard spaces

    @classmethod
    def of(cls, text: str) -> Utterance:
        return cls(text, f" {' '.join(fuzzy_pinyin(text))} ")


@lru_cache(maxsize=4096)
def _phrase_key(phrase: str) -> str | None:
    if len(phrase) < MIN_PINYIN_SYLLABLES or not _HAN.match(phrase):
        return None
    return f" {' '.join(fuzzy_pinyin(phrase))} "


class PhraseSet:
    """Phrases (substring + pinyin) and regex patterns for one intent or tier."""

    def __init__(self, phrases: Iterable[str] = (), patterns: Iterable[str] = (), *,
                 pinyin: bool = True, sounds: Iterable[str] = ()) -> None:
        self.phrases = tuple(sorted(set(phrases), key=len, reverse=True))
        self.patterns = tuple(re.compile(p) for p in patterns)
        self.keys = tuple((p, k) for p in self.phrases if pinyin and (k := _phrase_key(p)))
        # Regexes over the fuzzy pinyin (" bie zai sao rao wo le "): a sentence shape whose
        # words the recogniser may have spelled with any characters (骚扰 -> 招咬).
        self.sounds = tuple(re.compile(p) for p in sounds)

    def __bool__(self) -> bool:
        return bool(self.phrases or self.patterns or self.sounds)

    def match(self, utt: Utterance) -> Hit | None:
        """The best hit: exact phrases first (longest), then patterns, then pinyin."""
        for phrase in self.phrases:
            pos = utt.text.find(phrase)
            if pos >= 0:
                return Hit(phrase, pos, EXACT, "exact")
        for pattern in self.patterns:
            if (m := pattern.search(utt.text)) is not None:
                return Hit(pattern.pattern, m.start(), PATTERN, "pattern")
        for phrase, key in self.keys:
            if key in utt.pinyin:
                return Hit(phrase, -1, PINYIN, "pinyin")
        for sound in self.sounds:
            if sound.search(utt.pinyin) is not None:
                return Hit(sound.pattern, -1, PINYIN, "pinyin")
        return None

    def find_all(self, text: str) -> list[Hit]:
        """Every exact phrase occurrence (for checks that need positions, e.g. negation)."""
        hits = []
        for phrase in self.phrases:
            start = text.find(phrase)
            while start >= 0:
                hits.append(Hit(phrase, start, EXACT, "exact"))
                start = text.find(phrase, start + 1)
        return sorted(hits, key=lambda h: h.start)


def negated_before(text: str, start: int, negators: Iterable[str]) -> bool:
    """True when the characters right before ``start`` end with a negator (不是我, 没说过)."""
    before = text[max(0, start - 3):start]
    return any(before.endswith(n) for n in negators)
