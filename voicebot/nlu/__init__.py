"""Chinese answer understanding: normalisation and intent matching.

Public API (import the modules directly; this package imports nothing heavy):
- ``voicebot.nlu.intents.understand(text, expect=None, *, now=None) -> Understanding``
  and ``warm_up()`` (load lexicons, jieba, zhconv, pypinyin at service start);
- ``voicebot.nlu.normalize``: ``normalize_text``, ``to_pinyin``, ``arabic_to_chinese``;
- ``voicebot.nlu.numbers``: ``parse_digits``, ``parse_date``, ``parse_callback_time``;
- ``voicebot.nlu.types``: the contract (Intent, AnswerKind, Expectation, Understanding).
Lexicons (phrases, negators, fillers, jieba words) live in ``voicebot/nlu/lexicon/*.toml``.
"""
