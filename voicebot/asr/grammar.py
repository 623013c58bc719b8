"""Turn a question's expected phrases into a vosk grammar the model can decode.

A vosk grammar is a list of phrases of vocabulary words separated by spaces. Callers write
natural phrases ("不清楚", "네 맞습니다"), so each token missing from the vocabulary is split into
the longest vocabulary words that cover it; a phrase that cannot be covered is dropped (vosk would
otherwise drop the unknown word silently and decode a different phrase).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Sequence

log = logging.getLogger(__name__)

UNK = "[unk]"
_MAX_WORD_CHARS = 8
_PUNCT = re.compile(r"[\s，。！？、,.!?;；:：\"'“”‘’()（）]+")


def segment(token: str, in_vocab: Callable[[str], bool]) -> list[str] | None:
    """Split ``token`` into vocabulary words, longest first; None when some part is unknown."""
    if in_vocab(token):
        return [token]
    # best[i] = fewest words covering token[:i]
    best: list[list[str] | None] = [None] * (len(token) + 1)
    best[0] = []
    for i in range(len(token)):
        if best[i] is None:
            continue
        for j in range(min(len(token), i + _MAX_WORD_CHARS), i, -1):
            piece = token[i:j]
            prev = best[i]
            if prev is not None and in_vocab(piece):
                cand = [*prev, piece]
                if best[j] is None or len(cand) < len(best[j] or []):
                    best[j] = cand
    return best[len(token)]


def phrase_words(phrase: str, in_vocab: Callable[[str], bool]) -> list[str] | None:
    words: list[str] = []
    for token in _PUNCT.split(phrase.strip()):
        if not token:
            continue
        parts = segment(token, in_vocab)
        if parts is None:
            return None
        words += parts
    return words or None


def build_grammar(
    phrases: Sequence[str], in_vocab: Callable[[str], bool], *, has_unk: bool
) -> tuple[list[str], list[str]]:
    """(grammar phrases, phrases dropped). ``[unk]`` is appended when the model knows it."""
    kept: list[str] = []
    dropped: list[str] = []
    for phrase in phrases:
        words = phrase_words(phrase, in_vocab)
        if words is None:
            dropped.append(phrase)
            continue
        joined = " ".join(words)
        if joined not in kept:
            kept.append(joined)
    if dropped:
        log.info("grammar: %d phrase(s) not in the model vocabulary dropped: %s", len(dropped), dropped)
    if kept and has_unk:
        kept.append(UNK)
    return kept, dropped


def grammar_json(phrases: list[str]) -> str:
    # ensure_ascii=False matters: vosk matches the raw UTF-8 words, not \\u escapes
    return json.dumps(phrases, ensure_ascii=False)
