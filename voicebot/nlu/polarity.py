"""Affirm / deny / not understood from words and their negations, per kind of question.

Each head word (清楚, 签, 是 ...) takes the negators right before it (skipping scope words such as
很, 太, 我); an even count cancels out (不是不清楚 -> affirm), an odd count negates (不太清楚).
A chain stops at a subject (我, 人) or a negator with its own subject (谁也没) between two negators:
没有我没看过 and 没有谁也没给我看过 are an answer and then a clause, even without a pause
(vosk writes no punctuation), not a double negation.
Negated knowledge -> not_understood, negated facts and yes-words -> deny; what affirms depends
on the question (``answers.toml``): 清楚 answers 是否清楚, 是我 answers the identity question.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from voicebot.nlu.lexicon import default_lexicon
from voicebot.nlu.matching import PhraseSet, Utterance, negated_before
from voicebot.nlu.normalize import fuzzy_pinyin
from voicebot.nlu.types import AnswerKind, Expectation, Intent

_UNDERSTANDING = ("knowledge", "explain")
_NEEDS_COMPLETION = ("fact", "explain")
_BACKCHANNEL = {"嗯", "哦", "嗯嗯", "哦哦"}


@dataclass(frozen=True)
class Head:
    word: str
    category: str  # a polarity.toml heads category, "bare" (a lone 不) or "phrase"
    negations: int
    completed: bool  # 了/过/的 after a fact (签了, 看过, 是我签的)
    index: int = -1  # token position (-1 for phrase heads)

    @property
    def negated(self) -> bool:
        return self.negations % 2 == 1


@dataclass(frozen=True)
class Polarity:
    intent: Intent | None
    confidence: float
    heads: tuple[Head, ...] = ()


@dataclass(frozen=True)
class _Tables:
    category: dict[str, str]
    by_sound: dict[tuple[str, ...], str]
    negators: frozenset[str]
    compound: dict[str, str]
    scope: frozenset[str]
    completion: frozenset[str]
    bare_deny: frozenset[str]
    subjects: frozenset[str]
    subject_negators: frozenset[str]


@lru_cache(maxsize=1)
def _tables() -> _Tables:
    lex = default_lexicon()
    category = {w: cat for cat, words in lex.get("polarity", "heads").items() for w in words}
    by_sound = {fuzzy_pinyin(w): c for w, c in category.items() if len(w) >= 2}
    return _Tables(
        category=category,
        by_sound=by_sound,
        negators=frozenset(lex.strs("polarity", "negators")),
        compound=dict(lex.get("polarity", "compound_negators", {})),
        scope=frozenset(lex.strs("polarity", "scope")),
        completion=frozenset(lex.strs("polarity", "completion")),
        bare_deny=frozenset(lex.strs("polarity", "bare_deny")),
        subjects=frozenset(lex.strs("polarity", "subjects")),
        subject_negators=frozenset(lex.strs("polarity", "subject_negators")),
    )


@dataclass(frozen=True)
class KindRules:
    affirm_categories: frozenset[str]
    affirm: PhraseSet
    deny: PhraseSet
    deny_as: Intent | None
    deny_as_heads: frozenset[str]


@lru_cache(maxsize=16)
def kind_rules(kind: AnswerKind) -> KindRules:
    lex = default_lexicon()
    section = kind.value
    deny_as = lex.get("answers", f"{section}.deny_as")
    return KindRules(
        affirm_categories=frozenset(lex.strs("answers", f"{section}.affirm_categories")),
        affirm=PhraseSet(lex.strs("answers", f"{section}.affirm"), pinyin=False),
        deny=PhraseSet(lex.strs("answers", f"{section}.deny"), pinyin=False),
        deny_as=Intent(deny_as) if deny_as else None,
        deny_as_heads=frozenset(lex.strs("answers", f"{section}.deny_as_heads")),
    )


def _category(token: str, t: _Tables) -> str | None:
    if token in t.category:
        return t.category[token]
    if len(token) >= 2:  # 清除 for 清楚: same sound, recogniser's spelling
        return t.by_sound.get(fuzzy_pinyin(token))
    return None


def word_heads(tokens: list[str]) -> list[Head]:
    """Heads with their negation counts, scanning right to left so chains nest correctly."""
    t = _tables()
    heads: list[Head] = []
    consumed: set[int] = set()
    for j in range(len(tokens) - 1, -1, -1):
        if j in consumed:
            continue
        token = tokens[j]
        category, word, negations = _category(token, t), token, 0
        if category is None and len(token) > 1 and token[-1] in "了过":  # 听说过 = 听说 + 过
            category = t.category.get(token[:-1])
        if category is None and token in t.compound:  # 不是 / 没有 with nothing after them
            word, negations = t.compound[token], 1
            category = t.category.get(word, "yes")
        elif category is None:
            if token in t.negators or token in t.bare_deny:
                heads.append(Head(token, "bare", 1, False, j))
            continue
        new_clause = False  # a subject after a counted negator starts the negator's own clause
        for k in range(j - 1, -1, -1):
            before = tokens[k]
            if before == token and negations:  # 不是不是 is emphasis, not double negation
                break
            if before in t.negators or before in t.compound:
                if new_clause:  # 没有 我没看过 / 没有 谁也没给我看: an answer, then a clause
                    break
                negations += 1
                consumed.add(k)
                new_clause = before in t.subject_negators
            elif before not in t.scope:
                break
            elif negations and before in t.subjects:
                new_clause = True
        nxt = tokens[j + 1] if j + 1 < len(tokens) else ""
        completed = nxt in t.completion or token[-1] in "了过"
        heads.append(Head(word, category, negations, completed, j))
    return _drop_reported(heads[::-1], tokens)


_CONTRAST = frozenset({"但是", "可是", "不过", "但", "就是", "只是", "|"})


def _drop_reported(heads: list[Head], tokens: list[str]) -> list[Head]:
    """我知道这不是存款: a negation after a positive 知道 in its clause is the content known."""
    kept: list[Head] = []
    knows_from: int | None = None
    for head in heads:
        if knows_from is not None and any(t in _CONTRAST for t in tokens[knows_from:head.index]):
            knows_from = None
        if head.category == "knowledge" and not head.negated:
            knows_from = head.index
        elif knows_from is not None and head.negated and head.category not in _UNDERSTANDING:
            continue
        kept.append(head)
    return kept


def _phrase_heads(utt: Utterance, rules: KindRules, expect: Expectation | None) -> list[Head]:
    negators = _tables().negators
    heads: list[Head] = []
    extra_affirm = PhraseSet(expect.affirm_words, pinyin=False) if expect else PhraseSet()
    extra_deny = PhraseSet(expect.deny_words, pinyin=False) if expect else PhraseSet()
    for phrases, sign in ((rules.affirm, 0), (extra_affirm, 0), (rules.deny, 1), (extra_deny, 1)):
        for hit in phrases.find_all(utt.text):
            negated = negated_before(utt.text, hit.start, negators)
            heads.append(Head(hit.phrase, "phrase" if sign == 0 else "deny_phrase",
                              sign + int(negated), True))
    return heads


def judge(tokens: list[str], utt: Utterance, kind: AnswerKind,
          expect: Expectation | None = None) -> Polarity:
    """Affirm, deny (or the kind's deny_as), not_understood, or None when no head decides."""
    rules = kind_rules(kind)
    heads = word_heads(tokens) + _phrase_heads(utt, rules, expect)
    if not heads:
        return Polarity(None, 0.0)
    positive = [h for h in heads if not h.negated and _affirms(h, rules)]
    not_understood = [h for h in heads if h.negated and h.category in _UNDERSTANDING]
    denied = [h for h in heads if h.negated and h.category not in _UNDERSTANDING]
    mixed = 0.7
    if not_understood:
        return Polarity(Intent.NOT_UNDERSTOOD, mixed if positive else 0.9, tuple(heads))
    if denied:
        intent = Intent.DENY
        if rules.deny_as and any(
            h.category == "deny_phrase" or h.word in rules.deny_as_heads for h in denied
        ):
            intent = rules.deny_as
        return Polarity(intent, mixed if positive else 0.9, tuple(heads))
    if positive:
        lone = all(h.word in _BACKCHANNEL for h in positive) and utt.text in _BACKCHANNEL
        return Polarity(Intent.AFFIRM, 0.6 if lone else 0.9, tuple(heads))
    return Polarity(None, 0.0, tuple(heads))


def _affirms(head: Head, rules: KindRules) -> bool:
    if head.category == "phrase":
        return True
    if head.category not in rules.affirm_categories:
        return False
    return head.completed or head.category not in _NEEDS_COMPLETION


def leading_answer(tokens: list[str]) -> list[str]:
    """The answer words a pause-free answer starts with (知道 知道 | 退保 会 有 损失 吗).

    Only an answer that is plainly finished counts: a repeated word (知道 知道, 对对 对) or one
    closed by 的/了/啊 (是的, 清楚 的): 可以 提前 取 吗 asks whether one can, it does not say yes.
    """
    t = _tables()
    n = 0
    while n < len(tokens) and (tokens[n] in t.completion or tokens[n] in _CLOSERS
                               or t.category.get(tokens[n]) in _LEADING):
        n += 1
    lead, rest = tokens[:n], tokens[n:]
    if not lead or len([w for w in rest if w not in _CLOSERS and w != "吗"]) < 2:
        return []
    heads = [w for w in lead if w in t.category]
    repeated = len(heads) >= 2 or any(len(w) == 2 and w[0] == w[1] for w in heads)
    closed = lead[-1] in t.completion or lead[-1] in _CLOSERS or lead[-1][-1] in "的了啊呀"
    return lead if heads and (repeated or closed) else []


_LEADING = frozenset({"yes", "knowledge"})
_CLOSERS = frozenset({"啊", "呀", "哈", "嘛"})
