"""Last-resort matching of a short answer by its whole sound.

Whisper on the telephone band turns 清楚的 into 新處境: no word survives, but the sound is close
(q/x are both palatal, 的 at the end comes out as 境/燈/丹). When nothing else understood a
short answer, compare its fuzzy pinyin, with j/q/x merged, to the knowledge and yes words.
Such a match is reported with low confidence.
"""

from __future__ import annotations

from functools import lru_cache

from voicebot.nlu.lexicon import default_lexicon
from voicebot.nlu.normalize import fuzzy_pinyin
from voicebot.nlu.polarity import Polarity, kind_rules
from voicebot.nlu.types import AnswerKind, Intent

CONFIDENCE = 0.5
_CATEGORIES = ("knowledge", "yes")


def _palatal(syllables: tuple[str, ...]) -> tuple[str, ...]:
    return tuple("j" + s[1:] if s[:1] in ("q", "x") else s for s in syllables)


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[tuple[str, ...], str], int, frozenset[str], frozenset[str]]:
    lex = default_lexicon()
    heads = lex.get("polarity", "heads", {})
    by_sound: dict[tuple[str, ...], str] = {}
    for category in _CATEGORIES:
        for word in heads.get(category, ()):
            if len(word) >= 2:  # one syllable matches far too much by sound
                by_sound.setdefault(_palatal(fuzzy_pinyin(word)), category)
    return (by_sound, lex.get("asr", "sound.max_syllables", 4),
            frozenset(lex.strs("asr", "sound.trailing")), frozenset(lex.strs("asr", "sound.negators")))


def judge_by_sound(text: str, kind: AnswerKind) -> Polarity:
    """Affirm / not understood / deny for a short answer that sounds like an answer word."""
    by_sound, limit, trailing, negators = _tables()
    syllables = _palatal(fuzzy_pinyin(text))
    if not syllables or len(syllables) > limit:
        return Polarity(None, 0.0)
    negated = syllables[0] in negators
    core = syllables[1:] if negated else syllables
    candidates = [core] + ([core[:-1]] if len(core) > 1 and core[-1] in trailing else [])
    for sound in candidates:
        category = by_sound.get(sound)
        if category is None:
            continue
        if negated:
            intent = Intent.NOT_UNDERSTOOD if category == "knowledge" else Intent.DENY
            return Polarity(intent, CONFIDENCE)
        if category in kind_rules(kind).affirm_categories:
            return Polarity(Intent.AFFIRM, CONFIDENCE)
    return Polarity(None, 0.0)
