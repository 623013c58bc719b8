"""Word segmentation with jieba plus the project's words (insurance terms, answer words).

One private ``jieba.Tokenizer`` per process, built on first use (about a second) so that other
parts of the program using jieba's global tokenizer are not affected by our dictionary.
"""

from __future__ import annotations

import logging
from functools import lru_cache

import jieba

from voicebot.nlu.lexicon import Lexicon, default_lexicon

jieba.setLogLevel(logging.WARNING)


@lru_cache(maxsize=1)
def _tokenizer() -> jieba.Tokenizer:
    return build_tokenizer(default_lexicon())


def build_tokenizer(lex: Lexicon) -> jieba.Tokenizer:
    """A jieba tokenizer that knows the lexicon's words (insurance terms, heads, negators)."""
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    freq = lex.get("jieba", "words.freq", 200000)
    words = [*lex.strs("jieba", "words.insurance"), *lex.strs("jieba", "words.keep")]
    words += [w for w in lex.strs("polarity", "negators") if len(w) > 1]
    for heads in lex.get("polarity", "heads", {}).values():
        words += [w for w in heads if len(w) > 1]
    for word in dict.fromkeys(words):
        tokenizer.add_word(word, freq)
    return tokenizer


@lru_cache(maxsize=1)
def _split_tables() -> tuple[frozenset[str], frozenset[str]]:
    lex = default_lexicon()
    heads = {w for ws in lex.get("polarity", "heads", {}).values() for w in ws}
    keep = set(lex.strs("jieba", "words.keep")) | set(lex.strs("jieba", "words.insurance"))
    return frozenset(heads), frozenset(keep | heads | set(lex.strs("polarity", "negators")))


def _split_negation(token: str, heads: frozenset[str], whole: frozenset[str]) -> list[str]:
    """不清楚 -> 不 清楚, 搞不懂 -> 搞 不 懂: negation scope must see the negator as a word."""
    if token in whole or len(token) < 2:
        return [token]
    for i, ch in enumerate(token[:-1]):
        rest = token[i + 1:]
        if ch in "不没" and (rest in heads or (rest[-1] in "了过" and rest[:-1] in heads)):
            return [t for t in (token[:i], ch, token[i + 1:]) if t]
    return [token]


def tokens(text: str) -> list[str]:
    """Words of normalized text, negators split off their heads."""
    heads, whole = _split_tables()
    out: list[str] = []
    for token in _tokenizer().lcut(text, HMM=False):
        out.extend(_split_negation(token, heads, whole))
    return out


def warm_up() -> None:
    """Build the tokenizer now (startup) instead of on the first answer."""
    _tokenizer()
    tokens("不是不清楚")
