"""Turn a merged script table into a Script, checking everything before a call uses it."""

from __future__ import annotations

import re
from typing import Any

from voicebot.dialogs.loader import KeyPath, Sources
from voicebot.dialogs.outcome import Outcome
from voicebot.dialogs.policy import PLACEHOLDERS
from voicebot.dialogs.schema import (
    ACTIONS,
    ARG_ACTIONS,
    FOLLOW_UPS,
    MOVES,
    RULE_CONDITIONS,
    AnswerSpec,
    Handler,
    OutcomeRule,
    Script,
    Step,
)
from voicebot.dialogs.validate_states import check_graph, parse_state
from voicebot.errors import ScriptError

SECTIONS = {"script", "constants", "limits", "prompts", "answers", "handlers", "outcome_rules", "states"}
ALIASES = ("first_question",)
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


class _Checker:
    def __init__(self, data: dict[str, Any], sources: Sources) -> None:
        self.data, self.sources = data, sources
        self.errors: list[str] = []
        self.templates: dict[str, str] = {}
        self.constants = {k: str(v) for k, v in data.get("constants", {}).items()}
        meta = data.get("script", {})
        self.aliases = {a: meta[a] for a in ALIASES if isinstance(meta.get(a), str)}
        self.limits: dict[str, int] = {}

    def error(self, path: KeyPath, message: str) -> None:
        self.errors.append(f"{self.sources.where(path)} {'.'.join(path)}: {message}")

    # ---- prompts ----------------------------------------------------------------------------
    def template(self, prompt_id: str, text: Any, path: KeyPath) -> str | None:
        if not isinstance(text, str) or not text.strip():
            self.error(path, "a prompt must be non-empty text")
            return None

        def fill(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in self.constants:
                return self.constants[name]
            if name not in PLACEHOLDERS:
                self.error(path, f"unknown placeholder {{{name}}}; policy fields: {', '.join(sorted(PLACEHOLDERS))}"
                           f"; constants: {', '.join(sorted(self.constants)) or 'none'}")
            return match.group(0)

        filled = _PLACEHOLDER.sub(fill, text)
        if "{" in _PLACEHOLDER.sub("", filled) or "}" in _PLACEHOLDER.sub("", filled):
            self.error(path, "unbalanced { or } in prompt")
        self.templates[prompt_id] = filled
        return prompt_id

    # ---- steps and handlers ------------------------------------------------------------------
    def steps(self, value: Any, path: KeyPath) -> tuple[Step, ...]:
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not items or not all(isinstance(i, str) for i in items):
            self.error(path, "expected a step name or a list of steps")
            return ()
        steps: list[Step] = []
        for item in items:
            verb, _, arg = item.partition(":")
            if verb in ARG_ACTIONS:
                if not arg:
                    self.error(path, f"step {item!r} needs an argument ({verb}:…)")
                steps.append(Step(verb, arg))
            elif verb in MOVES or verb in ACTIONS:
                steps.append(Step(verb))
            else:
                steps.append(Step("goto", str(self.aliases.get(item, item))))
        for step in steps[:-1]:
            if step.moves:
                self.error(path, f"step {step} moves on, so the steps after it would never run")
        if steps and not steps[-1].moves:
            self.error(path, f"the last step {steps[-1]} does not say where to go (end with next, repeat, a state, …)")
        return tuple(steps)

    def handler(self, value: Any, path: KeyPath) -> Handler:
        if not isinstance(value, dict):
            return Handler(self.steps(value, path))
        unknown = set(value) - {"upto", "do", "then"}
        if unknown:
            self.error(path, f"unknown keys {sorted(unknown)} (use upto, do, then)")
        upto = value.get("upto")
        if isinstance(upto, str):
            if upto not in self.limits:
                self.error((*path, "upto"), f"unknown limit {upto!r}; limits: {', '.join(sorted(self.limits))}")
            upto = self.limits.get(upto, 0)
        elif not isinstance(upto, int) or isinstance(upto, bool) or upto < 0:
            self.error((*path, "upto"), "upto must be a limit name or a whole number ≥ 0")
            upto = 0
        if "do" not in value or "then" not in value:
            self.error(path, "a limited handler needs both do and then")
            return Handler(())
        return Handler(self.steps(value["do"], (*path, "do")), upto, self.steps(value["then"], (*path, "then")))


def build(data: dict[str, Any], sources: Sources) -> Script:
    c = _Checker(data, sources)
    for section in set(data) - SECTIONS:
        c.error((section,), f"unknown section; sections are {', '.join(sorted(SECTIONS))}")
    meta = data.get("script", {})
    for key in ("name", "start", "handoff"):
        if not isinstance(meta.get(key), str):
            c.error(("script", key), "is required (text)")
    for name, value in data.get("limits", {}).items():
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            c.limits[name] = value
        else:
            c.error(("limits", name), "a limit must be a whole number ≥ 0")
    for name, value in c.constants.items():
        if "{" in value:
            c.error(("constants", name), "a constant cannot contain placeholders")
    for pid, text in data.get("prompts", {}).items():
        c.template(pid, text, ("prompts", pid))
    answers = []
    for topic, spec in data.get("answers", {}).items():
        keywords = spec.get("keywords", []) if isinstance(spec, dict) else []
        if not isinstance(spec, dict) or not keywords or not all(isinstance(k, str) for k in keywords):
            c.error(("answers", topic), "needs keywords (a list of words) and say")
            continue
        pid = c.template(f"answer.{topic}", spec.get("say"), ("answers", topic, "say"))
        answers.append(AnswerSpec(topic, tuple(keywords), pid or ""))
    rules = _rules(c, data.get("outcome_rules", []))
    raw_states = data.get("states", {})
    states = {sid: parse_state(c, sid, raw) for sid, raw in raw_states.items() if isinstance(raw, dict)}
    for sid, raw in raw_states.items():
        if not isinstance(raw, dict):
            c.error(("states", sid), "a state must be a table")
    check_graph(c, states, meta, bool(rules))
    if c.errors:
        name = meta.get("name", sources.chain[0][0].stem)
        raise ScriptError(
            f"script {name} has {len(c.errors)} problem(s):\n  " + "\n  ".join(c.errors),
            hint="fix each listed key; see the comments at the top of scripts/common.toml",
        )
    return Script(
        name=meta["name"], title=str(meta.get("title", meta["name"])),
        files=tuple(str(p) for p, _ in sources.chain), start=meta["start"], handoff=meta["handoff"],
        states=states, templates=c.templates, limits=c.limits, answers=tuple(answers),
        outcome_rules=tuple(rules),
    )


def _rules(c: _Checker, raw: Any) -> list[OutcomeRule]:
    rules: list[OutcomeRule] = []
    if not isinstance(raw, list):
        c.error(("outcome_rules",), "write outcome rules as [[outcome_rules]] tables")
        return rules
    for i, rule in enumerate(raw):
        path = ("outcome_rules", str(i))
        cond = rule.get("if", "")
        if cond and cond not in RULE_CONDITIONS:
            c.error((*path, "if"), f"unknown condition {cond!r}; use {', '.join(sorted(RULE_CONDITIONS))}")
        outcome = rule.get("outcome")
        if outcome not in Outcome.__members__.values():
            c.error((*path, "outcome"), f"unknown outcome {outcome!r}; outcomes: {', '.join(Outcome)}")
            continue
        follow = tuple(rule.get("follow_up", ()))
        for item in set(follow) - FOLLOW_UPS:
            c.error((*path, "follow_up"), f"unknown follow-up {item!r}; use {', '.join(sorted(FOLLOW_UPS))}")
        pid = c.template(f"outcome.{outcome}", rule["say"], (*path, "say")) if "say" in rule else None
        rules.append(OutcomeRule(Outcome(outcome), cond, pid, follow))
    if rules and rules[-1].condition:
        c.error(("outcome_rules", str(len(rules) - 1)), "the last outcome rule must have no if (the default)")
    return rules
