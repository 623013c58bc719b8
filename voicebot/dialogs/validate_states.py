"""Checks on the states of a script: fields, handlers, targets, prompts and reachability."""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING, Any

from voicebot.dialogs.outcome import Outcome
from voicebot.dialogs.policy import CONDITIONS
from voicebot.dialogs.schema import (
    CHECK_RESULTS,
    FLAG_KINDS,
    FOLLOW_UPS,
    STATE_KINDS,
    Handler,
    StateSpec,
    Step,
)
from voicebot.nlu.types import AnswerKind, Intent

if TYPE_CHECKING:
    from voicebot.dialogs.validate import _Checker

STATE_FIELDS = {
    "ask": {"kind", "say", "no", "use", "expect", "next", "explain", "correct", "key", "check", "when",
            "affirm_words", "deny_words", "on"},
    "say": {"kind", "say", "next", "when"},
    "end": {"kind", "say", "outcome", "follow_up", "problem"},
    "handoff": {"kind", "say"},
}
HANDLER_KEYS = {str(i) for i in Intent} | {"other"}
CHECKS = {"identity"}


def _words(c: _Checker, raw: dict[str, Any], name: str, path: tuple[str, ...]) -> tuple[str, ...]:
    value = raw.get(name, [])
    if not isinstance(value, list) or not all(isinstance(w, str) for w in value):
        c.error((*path, name), "must be a list of words")
        return ()
    return tuple(value)


def _handler_set(c: _Checker, name: str) -> dict[str, tuple[Handler, tuple[str, ...]]]:
    cache: dict[str, dict[str, tuple[Handler, tuple[str, ...]]]] = c.__dict__.setdefault("_sets", {})
    if name not in cache:
        raw = c.data.get("handlers", {}).get(name, {})
        cache[name] = {key: (c.handler(value, ("handlers", name, key)), ("handlers", name, key))
                       for key, value in raw.items()}
    return cache[name]


def parse_state(c: _Checker, sid: str, raw: dict[str, Any]) -> StateSpec:
    path = ("states", sid)
    kind = raw.get("kind")
    if kind not in STATE_KINDS:
        c.error((*path, "kind"), f"unknown kind {kind!r}; use {', '.join(sorted(STATE_KINDS))}")
        return StateSpec(sid, "end", outcome="interrupted")
    for extra in set(raw) - STATE_FIELDS[kind]:
        c.error((*path, extra), f"unknown field for a {kind} state; fields: {', '.join(sorted(STATE_FIELDS[kind]))}")
    prompt_id = c.template(sid, raw["say"], (*path, "say")) if "say" in raw else None
    if prompt_id is None and kind in ("ask", "say"):
        c.error((*path, "say"), f"a {kind} state needs a prompt (say = \"…\")")
    if kind == "end":
        return _end_state(c, sid, raw, prompt_id)
    if kind != "ask":
        return StateSpec(sid, kind, prompt_id, next=raw.get("next"), when=raw.get("when", ""))
    expect = None
    try:
        expect = AnswerKind(raw.get("expect", "yes_no"))  # the usual mandated item
    except ValueError:
        c.error((*path, "expect"), f"unknown answer kind {raw.get('expect')!r}; use {', '.join(AnswerKind)}")
    no = raw.get("no")
    if no is not None and (not isinstance(no, int) or isinstance(no, bool) or no < 1):
        c.error((*path, "no"), "the question number must be a whole number ≥ 1")
        no = None
    check, when, key = raw.get("check", ""), raw.get("when", ""), raw.get("key", "")
    if check and check not in CHECKS:
        c.error((*path, "check"), f"unknown check {check!r}; use {', '.join(sorted(CHECKS))}")
    if when and when not in CONDITIONS:
        c.error((*path, "when"), f"unknown condition {when!r}; conditions: {', '.join(sorted(CONDITIONS))}")
    if key and isinstance(raw.get("say"), str) and key not in raw["say"]:
        c.error((*path, "key"), f"key words {key!r} do not occur in the prompt")
    explain = c.template(f"{sid}.explain", raw["explain"], (*path, "explain")) if "explain" in raw else None
    correct = c.template(f"{sid}.correct", raw["correct"], (*path, "correct")) if "correct" in raw else None
    handlers = _handlers(c, sid, raw, check)
    return StateSpec(
        sid, kind, prompt_id, no=no, expect=expect, next=raw.get("next"), explain_id=explain,
        correct_id=correct, key=key, check=check, when=when,
        affirm_words=_words(c, raw, "affirm_words", path), deny_words=_words(c, raw, "deny_words", path),
        handlers=handlers,
    )


def _handlers(c: _Checker, sid: str, raw: dict[str, Any], check: str) -> dict[str, Handler]:
    path = ("states", sid)
    use = raw.get("use", [])
    if not isinstance(use, list):
        c.error((*path, "use"), "use must be a list of handler sets")
        use = []
    merged: dict[str, tuple[Handler, tuple[str, ...]]] = {}
    for name in ["always", *use]:
        if name not in c.data.get("handlers", {}):
            c.error((*path, "use"), f"unknown handler set {name!r}")
            continue
        merged.update(_handler_set(c, name))
    on = raw.get("on", {})
    if not isinstance(on, dict):
        c.error((*path, "on"), "on must be a table of answer → what to do")
        on = {}
    for key, value in on.items():
        merged[key] = (c.handler(value, (*path, "on", key)), (*path, "on", key))
    allowed = HANDLER_KEYS | (set(CHECK_RESULTS) if check else set())
    for key, (_, where) in merged.items():
        if key not in allowed:
            c.error(where, f"unknown answer {key!r}; answers: {', '.join(sorted(allowed))}")
    if "silence" not in merged:
        c.error((*path, "on", "silence"), "waits for an answer but has no silence (no-input) handling")
    if "other" not in merged:
        c.error((*path, "on", "other"), "waits for an answer but has no fallback for other answers")
    for result in CHECK_RESULTS if check else ():
        if result not in merged:
            c.error((*path, "on", result), f"a checking state must say what happens when {result}")
    c.__dict__.setdefault("_where", {}).update({(sid, k): w for k, (_, w) in merged.items()})
    return {key: handler for key, (handler, _) in merged.items()}


def _end_state(c: _Checker, sid: str, raw: dict[str, Any], prompt_id: str | None) -> StateSpec:
    path = ("states", sid)
    outcome = raw.get("outcome")
    if outcome != "auto" and outcome not in Outcome.__members__.values():
        c.error((*path, "outcome"), f"unknown outcome {outcome!r}; use auto or one of {', '.join(Outcome)}")
    follow = raw.get("follow_up", [])
    for item in set(follow) - FOLLOW_UPS:
        c.error((*path, "follow_up"), f"unknown follow-up {item!r}; use {', '.join(sorted(FOLLOW_UPS))}")
    return StateSpec(sid, "end", prompt_id, outcome=str(outcome), follow_up=tuple(follow),
                     problem=str(raw.get("problem", "")))


def _check_step(c: _Checker, states: dict[str, StateSpec], state: StateSpec, step: Step,
                where: tuple[str, ...]) -> None:
    if step.verb in ("goto", "if_time") and step.arg not in states:
        hint = " (set [script] first_question)" if step.arg == "first_question" else ""
        c.error(where, f"unknown target {step.arg!r}{hint}")
    elif step.verb == "say" and step.arg not in c.templates:
        c.error(where, f"unknown prompt {step.arg!r} (add it to [prompts])")
    elif step.verb == "flag" and step.arg not in FLAG_KINDS:
        c.error(where, f"unknown flag {step.arg!r}; use {', '.join(sorted(FLAG_KINDS))}")
    elif step.verb == "next" and not state.next:
        c.error(("states", state.id, "next"), f"step next is used ({'.'.join(where)}) but the state has no next")
    elif step.verb == "explain" and not state.explain_id:
        c.error(("states", state.id, "explain"), f"step explain is used ({'.'.join(where)}) but there is no explanation")
    elif step.verb == "correct" and not (state.correct_id or "correct_misleading" in c.templates):
        c.error(("states", state.id, "correct"), "step correct needs a correct prompt here or prompts.correct_misleading")
    elif step.verb == "reprompt" and "reprompt" not in c.templates:
        c.error(where, "step reprompt needs prompts.reprompt")
    elif step.verb == "answer" and "offer_agent" not in c.templates:
        c.error(where, "step answer needs prompts.offer_agent (said when there is no answer)")


def check_graph(c: _Checker, states: dict[str, StateSpec], meta: dict[str, Any], has_rules: bool) -> None:
    start, handoff = meta.get("start"), meta.get("handoff")
    if isinstance(start, str) and start not in states:
        c.error(("script", "start"), f"unknown start state {start!r}")
    if isinstance(handoff, str) and (handoff not in states or states[handoff].kind != "handoff"):
        c.error(("script", "handoff"), f"{handoff!r} is not a handoff state")
    where: dict[tuple[str, str], tuple[str, ...]] = c.__dict__.get("_where", {})
    edges: dict[str, set[str]] = {}
    for state in states.values():
        targets = edges.setdefault(state.id, set())
        if state.kind in ("ask", "say") and state.next:
            if state.next not in states:
                c.error(("states", state.id, "next"), f"unknown target {state.next!r}")
            targets.add(state.next)
        if state.kind == "say" and not state.next:
            c.error(("states", state.id, "next"), "a say state needs next")
        if state.when and not state.next:
            c.error(("states", state.id, "next"), "a state with when needs next (where a skipped state leads)")
        if state.outcome == "auto" and not has_rules:
            c.error(("states", state.id, "outcome"), "outcome auto needs [[outcome_rules]]")
        for key, handler in state.handlers.items():
            for step in (*handler.do, *handler.then):
                _check_step(c, states, state, step, where.get((state.id, key), ("states", state.id, "on", key)))
                if step.verb in ("goto", "if_time"):
                    targets.add(step.arg)
    roots = [s for s in (start, handoff) if isinstance(s, str) and s in states]
    seen, queue = set(roots), deque(roots)
    while queue:
        for target in edges.get(queue.popleft(), ()):
            if target in states and target not in seen:
                seen.add(target)
                queue.append(target)
    if roots:
        for sid in states:
            if sid not in seen:
                c.error(("states", sid), f"unreachable: no answer or next leads here from {start!r}")
