"""Expected phrases become vosk grammar phrases of vocabulary words."""

from __future__ import annotations

import json

from voicebot.asr.grammar import UNK, build_grammar, grammar_json, phrase_words, segment

VOCAB = {"不", "清楚", "不清", "是", "的", "是的", "不是", "知道", "了"}


def in_vocab(word: str) -> bool:
    return word in VOCAB


def test_segment_prefers_fewest_words() -> None:
    assert segment("是的", in_vocab) == ["是的"]
    assert segment("不清楚", in_vocab) == ["不", "清楚"]
    assert segment("知道了", in_vocab) == ["知道", "了"]
    assert segment("明白", in_vocab) is None


def test_phrases_split_on_spaces_and_punctuation() -> None:
    assert phrase_words("是的，不清楚。", in_vocab) == ["是的", "不", "清楚"]
    assert phrase_words("不 是", in_vocab) == ["不", "是"]
    assert phrase_words("，。", in_vocab) is None


def test_build_grammar_drops_unknown_phrases_and_adds_unk() -> None:
    kept, dropped = build_grammar(["是的", "不清楚", "明白了", "是的"], in_vocab, has_unk=True)
    assert kept == ["是的", "不 清楚", UNK]
    assert dropped == ["明白了"]
    assert build_grammar(["明白"], in_vocab, has_unk=True) == ([], ["明白"])
    assert build_grammar(["是的"], in_vocab, has_unk=False)[0] == ["是的"]


def test_grammar_json_keeps_utf8() -> None:
    text = grammar_json(["不 清楚", UNK])
    assert "不 清楚" in text and json.loads(text) == ["不 清楚", UNK]


def test_real_korean_vocabulary(ko_engine: object) -> None:
    from voicebot.asr.vosk import VoskEngine

    assert isinstance(ko_engine, VoskEngine)
    grammar = ko_engine.grammar_for(["네 맞습니다", "아니요", "zzqq"])
    assert grammar is not None
    phrases = json.loads(grammar)
    assert phrases[:2] == ["네 맞 습니다", "아니요"]  # 맞습니다 is not one vocabulary word
    assert ko_engine.has_unk is False and UNK not in phrases  # this model has no [unk] word
    assert ko_engine.grammar_for(["zzqq"]) is None
