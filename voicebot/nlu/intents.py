"""``understand()``: one caller answer -> an ``Understanding`` (intent, confidence, slots).

Priority, highest first (the first that fires wins; later detections are listed in
``slots["also"]``):
 1. do_not_call (strong phrases)   2. complaint (strong: 投诉, 举报 ...)   3. request_agent
 4. the value the question asks for (ID digits, birth date, callback time)
 5. do_not_call (weak: 骚扰 alone)  6. misleading_sale   7. complaint (other phrases)
 8. refuse_callback   9. wrong_person   10. busy   11. repeat_request   12. not_understood phrases
13. polarity: not_understood   14. question (interrogative words)   15. polarity: deny / affirm
16. weak refusal, a question by its final particle, a bare time, unasked digits or dates
17. none
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from voicebot.nlu.callback_time import find_callback_time
from voicebot.nlu.matching import Hit, Utterance, negated_before
from voicebot.nlu.normalize import normalize_text
from voicebot.nlu.numbers import parse_date, parse_digits
from voicebot.nlu.polarity import judge, leading_answer
from voicebot.nlu.rules import looks_hallucinated, repair, rules
from voicebot.nlu.segment import tokens
from voicebot.nlu.segment import warm_up as warm_segmenter
from voicebot.nlu.sound import judge_by_sound
from voicebot.nlu.types import AnswerKind, Expectation, Intent, Understanding

_NEGATORS = ("不", "没", "不是", "并非", "没有")
_PAUSE = re.compile(r"[,，。.!！?？;；、…]+")


@dataclass(frozen=True)
class _Answer:
    raw: str
    norm: str
    utt: Utterance
    kind: AnswerKind
    expect: Expectation | None
    asked: bool  # said as a question (a question mark in typed or Whisper text)
    now: datetime | None
    clauses: tuple[str, ...]  # normalized, repaired, split where the speaker paused


@dataclass(frozen=True)
class _Found:
    intent: Intent
    confidence: float
    slots: dict[str, str]


def _score(hit: Hit | None, base: float) -> float:
    if hit is None:
        return 0.0
    return round(base * (0.8 if hit.how == "pinyin" else 1.0), 2)


def _phrase(name: str, intent: Intent, base: float) -> Callable[[_Answer], _Found | None]:
    def detect(a: _Answer) -> _Found | None:
        hit = rules().match(name, a.utt)
        return _Found(intent, _score(hit, base), {}) if hit else None

    return detect


def _expected_value(a: _Answer) -> _Found | None:
    if a.kind is AnswerKind.ID_DIGITS and (d := parse_digits(a.norm)) is not None:
        return _Found(Intent.ID_DIGITS, d.confidence, {"digits": d.digits})
    if a.kind is AnswerKind.BIRTH_DATE and (day := parse_date(a.norm)) is not None:
        return _Found(Intent.BIRTH_DATE, 0.95, {"date": day})
    if a.kind is AnswerKind.CALLBACK_TIME and (t := find_callback_time(a.norm, a.now)):
        return _Found(Intent.BUSY, 0.9 if t.resolved else 0.75, _time_slots(a))
    return None


def _misleading(a: _Answer) -> _Found | None:
    m = rules().misleading
    if (hit := m.strong.match(a.utt)) is not None:
        return _Found(Intent.MISLEADING_SALE, _score(hit, 0.95), {"claim": hit.phrase})
    if not any(cue in a.utt.text for cue in m.cues):
        return None
    for claim in m.claims.find_all(a.utt.text):
        if not negated_before(a.utt.text, claim.start, _NEGATORS) or claim.phrase.startswith("不"):
            return _Found(Intent.MISLEADING_SALE, 0.9, {"claim": claim.phrase})
    hit = m.claims.match(a.utt)  # a claim heard through homophones (存定其 for 存定期)
    if hit is not None and hit.how == "pinyin":
        return _Found(Intent.MISLEADING_SALE, _score(hit, 0.9), {"claim": hit.phrase})
    return None


def _busy(a: _Answer) -> _Found | None:
    hit = rules().match("busy", a.utt)
    return _Found(Intent.BUSY, _score(hit, 0.9), _time_slots(a)) if hit else None


def _time_slots(a: _Answer) -> dict[str, str]:
    found = find_callback_time(a.norm, a.now)
    return {"callback_time": found.value, "callback_text": found.words} if found else {}


def _repeat(a: _Answer) -> _Found | None:
    r = rules()
    bare = a.utt.text.rstrip("呢吧啊呀") or a.utt.text
    if bare in r.whole["whole"] or (a.asked and bare in r.whole["whole_if_question"]):
        return _Found(Intent.REPEAT_REQUEST, 0.85, {})
    hit = r.match("repeat_request", a.utt)
    return _Found(Intent.REPEAT_REQUEST, _score(hit, 0.9), {}) if hit else None


_EARLY: tuple[Callable[[_Answer], _Found | None], ...] = (
    _phrase("do_not_call", Intent.DO_NOT_CALL, 0.95),
    _phrase("complaint.strong", Intent.COMPLAINT, 0.95),
    _phrase("request_agent", Intent.REQUEST_AGENT, 0.9),
    _expected_value,
    _phrase("do_not_call.weak", Intent.DO_NOT_CALL, 0.8),
    _misleading,
    _phrase("complaint", Intent.COMPLAINT, 0.85),
    _phrase("refuse_callback", Intent.REFUSE_CALLBACK, 0.9),
    _phrase("wrong_person", Intent.WRONG_PERSON, 0.9),
    _busy,
    _repeat,
    _phrase("not_understood", Intent.NOT_UNDERSTOOD, 0.9),
)
_ALSO = (Intent.DO_NOT_CALL, Intent.COMPLAINT, Intent.REQUEST_AGENT, Intent.MISLEADING_SALE,
         Intent.REFUSE_CALLBACK, Intent.BUSY)


def _topic(text: str) -> dict[str, str]:
    utt = Utterance(text, "")
    for name, words in rules().question.topics:
        if words.match(utt):
            return {"topic": name}
    return {}


@lru_cache(maxsize=1)
def _neutral_re() -> re.Pattern[str]:
    """Politeness phrases, with the 吗 that may close them (是的，有什么事吗 -> 是的)."""
    phrases = "|".join(map(re.escape, rules().question.neutral))
    return re.compile(f"(?:{phrases})[吗呢]?")


def _late(a: _Answer) -> _Found:
    """Polarity, questions and the weak fallbacks, on the text without politeness phrases."""
    q = rules().question
    clauses = [c for c in (_neutral_re().sub("", clause) for clause in a.clauses) if c]
    text = "".join(clauses)
    utt = Utterance.of("|".join(clauses))  # | keeps negation inside its clause
    words = [w for c in clauses for w in (*tokens(c), "|")]
    polarity = judge(words, utt, a.kind, a.expect) if text else None
    if polarity and polarity.intent is Intent.NOT_UNDERSTOOD:
        return _Found(Intent.NOT_UNDERSTOOD, polarity.confidence, {})
    if text and q.cues.match(utt) is not None:
        return _Found(Intent.QUESTION, 0.85, _topic(text))
    if clauses and clauses[-1].endswith("吗"):
        # 可以提前取出来吗 asks; 知道知道，退保会有损失吗 answers first and then wonders
        earlier = clauses[:-1]
        words = [w for c in earlier for w in (*tokens(c), "|")]
        if not earlier and (lead := leading_answer(tokens(clauses[0]))):
            earlier, words = ["".join(lead)], [*lead, "|"]  # vosk: 知道 知道 退保 会 有 损失 吗
        first = judge(words, Utterance.of("|".join(earlier)), a.kind, a.expect) if earlier else None
        if first is None or first.intent is None:
            return _Found(Intent.QUESTION, 0.7, _topic(text))
        return _Found(first.intent, first.confidence, {})
    if polarity and polarity.intent is not None:
        return _Found(polarity.intent, polarity.confidence, {})
    if (hit := rules().match("refuse_callback.weak", a.utt)) is not None:
        return _Found(Intent.REFUSE_CALLBACK, _score(hit, 0.65), {})
    if text and (a.asked or text.endswith(q.final)):
        return _Found(Intent.QUESTION, 0.6, _topic(text))
    if (day := parse_date(a.norm)) is not None:
        return _Found(Intent.BIRTH_DATE, 0.7, {"date": day})
    if (digits := parse_digits(a.norm, fuzzy=False)) is not None:
        return _Found(Intent.ID_DIGITS, round(digits.confidence * 0.7, 2), {"digits": digits.digits})
    if find_callback_time(a.norm, a.now) is not None:
        return _Found(Intent.BUSY, 0.6, _time_slots(a))
    heard = judge_by_sound(text, a.kind) if text else None
    if heard is not None and heard.intent is not None:
        return _Found(heard.intent, heard.confidence, {})
    return _Found(Intent.NONE, 0.3, {})


def understand(text: str, expect: Expectation | None = None, *,
               now: datetime | None = None) -> Understanding:
    """Understand one caller answer to the question described by ``expect`` (YES_NO if None)."""
    if not text or not text.strip():
        return Understanding(Intent.SILENCE, 1.0, text, "")
    norm = normalize_text(text)
    if not norm:
        return Understanding(Intent.SILENCE, 0.9, text, "")
    if looks_hallucinated(norm):
        return Understanding(Intent.SILENCE, 0.6, text, norm, {"asr": "hallucination"})
    kind = expect.kind if expect else AnswerKind.YES_NO
    asked = "?" in text or "？" in text
    clauses = tuple(c for c in (repair(normalize_text(p)) for p in _PAUSE.split(text)) if c)
    answer = _Answer(text, norm, Utterance.of(repair(norm)), kind, expect, asked, now, clauses)
    found: _Found | None = None
    also: list[str] = []
    for detect in _EARLY:
        hit = detect(answer)
        if hit is None:
            continue
        if found is None:
            found = hit
        elif hit.intent in _ALSO and hit.intent is not found.intent:
            also.append(hit.intent.value)
    if found is None:
        found = _late(answer)
    slots = dict(found.slots)
    if also:
        slots["also"] = ",".join(dict.fromkeys(also))
    return Understanding(found.intent, found.confidence, text, norm, slots)



def warm_up() -> None:
    """Load lexicons, jieba, zhconv and pypinyin now (service start), not on the first answer."""
    warm_segmenter()
    for kind in AnswerKind:  # every kind's rules, every detector, digits and Traditional forms
        understand("對，後四位是1985X，不是不清楚", Expectation(kind=kind))
    understand("明天下午三点再打吧，他说是存款")
