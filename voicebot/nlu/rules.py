"""The phrase sets of ``intents.toml`` and ``asr.toml``, compiled once."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from voicebot.nlu.lexicon import Lexicon, default_lexicon
from voicebot.nlu.matching import Hit, PhraseSet, Utterance


@dataclass(frozen=True)
class MisleadingRules:
    cues: tuple[str, ...]
    claims: PhraseSet
    strong: PhraseSet


@dataclass(frozen=True)
class QuestionRules:
    cues: PhraseSet
    final: tuple[str, ...]
    neutral: tuple[str, ...]
    topics: tuple[tuple[str, PhraseSet], ...]


@dataclass(frozen=True)
class Rules:
    sets: dict[str, PhraseSet]  # "do_not_call", "do_not_call.weak", "complaint.strong", ...
    whole: dict[str, frozenset[str]]  # "repeat_request.whole", ".whole_if_question"
    misleading: MisleadingRules
    question: QuestionRules
    aliases: tuple[tuple[re.Pattern[str], str], ...]
    hallucination_markers: tuple[str, ...]
    hallucination_min_chars: int

    def match(self, name: str, utt: Utterance) -> Hit | None:
        phrases = self.sets.get(name)
        return phrases.match(utt) if phrases else None


def _sets(lex: Lexicon) -> dict[str, PhraseSet]:
    sets: dict[str, PhraseSet] = {}
    for section in lex.sections("intents"):
        phrases = lex.strs("intents", f"{section}.phrases")
        patterns = lex.strs("intents", f"{section}.patterns")
        sounds = lex.strs("intents", f"{section}.sounds")
        if phrases or patterns or sounds:
            sets[section] = PhraseSet(phrases, patterns, sounds=sounds)
        for tier in ("weak", "strong"):
            if tier_phrases := lex.strs("intents", f"{section}.{tier}"):
                sets[f"{section}.{tier}"] = PhraseSet(tier_phrases)
    return sets


@lru_cache(maxsize=1)
def rules() -> Rules:
    lex = default_lexicon()
    topics = lex.get("intents", "question.topics", {})
    return Rules(
        sets=_sets(lex),
        whole={
            key: frozenset(lex.strs("intents", f"repeat_request.{key}"))
            for key in ("whole", "whole_if_question")
        },
        misleading=MisleadingRules(
            cues=tuple(lex.strs("intents", "misleading_sale.cues")),
            claims=PhraseSet(lex.strs("intents", "misleading_sale.claims")),
            strong=PhraseSet(lex.strs("intents", "misleading_sale.strong"),
                             sounds=lex.strs("intents", "misleading_sale.sounds")),
        ),
        question=QuestionRules(
            cues=PhraseSet(lex.strs("intents", "question.cues"),
                           lex.strs("intents", "question.patterns"), pinyin=False),
            final=tuple(lex.strs("intents", "question.final")),
            neutral=tuple(sorted(lex.strs("intents", "question.neutral"), key=len, reverse=True)),
            topics=tuple((name, PhraseSet(words, pinyin=False)) for name, words in topics.items()),
        ),
        aliases=tuple((re.compile(p), r) for p, r in lex.get("asr", "aliases", {}).items()),
        hallucination_markers=tuple(lex.strs("asr", "hallucination.markers")),
        hallucination_min_chars=lex.get("asr", "hallucination.min_chars", 24),
    )


def repair(text: str) -> str:
    """Undo known recogniser confusions (a private copy for matching only)."""
    for pattern, replacement in rules().aliases:
        text = pattern.sub(replacement, text)
    return text


def looks_hallucinated(norm: str) -> bool:
    """Whisper on line noise: credits (作词 作曲) or a long loop of a few characters."""
    r = rules()
    rest = norm
    for marker in r.hallucination_markers:
        rest = rest.replace(marker, "")
    if len(rest) * 2 <= len(norm):
        return True
    return len(norm) >= r.hallucination_min_chars and len(set(norm)) <= max(3, len(norm) // 8)
