from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from voicebot.dialogs.loader import SCRIPT_DIR, load_script, script_names
from voicebot.errors import ScriptError

WriteScript = Callable[[str, str], Path]

# A minimal valid script on top of the shipped common parts; tests break one thing at a time.
GOOD = """
[script]
name = "mini"
extends = "common"
first_question = "q2"

[states.q2]
kind = "ask"
no = 2
use = ["item"]
say = "您是否清楚{product}的保险责任？"
explain = "保险责任就是保险公司赔什么。"
next = "closing"
"""


def problems(write: WriteScript, text: str) -> str:
    with pytest.raises(ScriptError) as err:
        load_script(write("mini", text))
    assert err.value.code == "VB200"
    return err.value.message


def test_shipped_scripts_all_load() -> None:
    names = script_names()
    assert names == sorted(["new_policy", "investment_linked", "universal_participating", "bank_channel",
                            "dual_recording", "grace_before", "grace_after", "surrender_claim"])
    for name in names:
        script = load_script(name)
        assert script.name == name
        assert script.files[-1].endswith("common.toml")


def test_the_minimal_script_is_valid(write_script: WriteScript) -> None:
    script = load_script(write_script("mini", GOOD))
    assert [q.id for q in script.questions() if q.no == 2] == ["q2"]


def test_new_policy_items_in_the_mandated_order() -> None:
    script = load_script("new_policy")
    chain, sid = [], "q2_signed"
    while sid != "closing":
        chain.append((sid, script.states[sid].no))
        sid = script.states[sid].next or ""
    assert [no for _, no in chain] == [2, 3, 4, 5, 6, 7]
    assert script.states["verify_id"].handlers["verified"].do[0].arg == "q2_signed"
    assert script.states["identity"].handlers["affirm"].do[0].arg == "verify_id"


def test_prompts_list_every_prompt_with_dynamic_flag() -> None:
    prompts = {p.prompt_id: p for p in load_script("new_policy").prompts()}
    assert prompts["identity"].dynamic and "{holder}" in prompts["identity"].template
    assert not prompts["q3_read"].dynamic
    assert not prompts["closing"].dynamic and "四零零" in prompts["closing"].template  # constant filled
    assert {"q2_signed.explain", "q5_surrender.correct", "answer.premium", "reprompt",
            "outcome.problem_case"} <= set(prompts)


def test_unknown_target(write_script: WriteScript) -> None:
    text = problems(write_script, GOOD.replace('next = "closing"', 'next = "q3"'))
    assert "mini.toml:" in text and "states.q2.next: unknown target 'q3'" in text


def test_unknown_target_in_a_handler_with_line(write_script: WriteScript) -> None:
    text = problems(write_script, GOOD + 'on.deny = ["problem", "q9"]\n')
    assert "mini.toml:14 states.q2.on.deny: unknown target 'q9'" in text


def test_missing_first_question_alias(write_script: WriteScript) -> None:
    text = problems(write_script, GOOD.replace('first_question = "q2"', ""))
    assert "unknown target 'first_question' (set [script] first_question)" in text


def test_missing_prompt(write_script: WriteScript) -> None:
    text = problems(write_script, GOOD.replace('say = "您是否清楚{product}的保险责任？"\n', ""))
    assert "states.q2.say: a ask state needs a prompt" in text


def test_missing_explanation_for_explain_step(write_script: WriteScript) -> None:
    text = problems(write_script, GOOD.replace('explain = "保险责任就是保险公司赔什么。"\n', ""))
    assert "states.q2.explain: step explain is used" in text


def test_unknown_prompt_in_say_step(write_script: WriteScript) -> None:
    text = problems(write_script, GOOD + 'on.deny = ["say:sorry", "next"]\n')
    assert "unknown prompt 'sorry'" in text


def test_unknown_placeholder(write_script: WriteScript) -> None:
    text = problems(write_script, GOOD.replace("{product}", "{prodcut}"))
    assert "mini.toml:11 states.q2.say: unknown placeholder {prodcut}" in text


def test_unreachable_state(write_script: WriteScript) -> None:
    extra = '\n[states.orphan]\nkind = "end"\nsay = "再见。"\noutcome = "completed"\n'
    text = problems(write_script, GOOD + extra)
    assert "states.orphan: unreachable" in text


def test_waiting_state_without_no_input_handling(write_script: WriteScript) -> None:
    # a handler set without silence, used instead of the shared ones
    assert load_script(write_script("mini", GOOD + 'on.silence = "no_answer"\n'))  # a state may override
    broken = (SCRIPT_DIR / "common.toml").read_text("utf-8").replace(
        'silence = { upto = "silences", do = "reprompt", then = "no_answer" }\n', "")
    write_script("common", broken)  # found beside the script before the shipped one
    message = problems(write_script, GOOD)
    assert "states.q2.on.silence: waits for an answer but has no silence (no-input) handling" in message
    assert "common.toml" in message  # the shared state is blamed in its own file


def test_more_kinds_of_mistakes(write_script: WriteScript) -> None:
    text = problems(write_script, GOOD.replace('kind = "ask"', 'kind = "ask"\nexpect = "maybe"\nwhen = "rainy"\nexlpain = "x"')
                    + 'on.maybe = "next"\non.affirm = { upto = "patience", do = "next", then = "next" }\n'
                    + 'on.deny = ["next", "problem"]\non.not_understood = ["problem"]\n')
    for expected in ("unknown answer kind 'maybe'", "unknown condition 'rainy'",
                     "states.q2.exlpain: unknown field", "unknown answer 'maybe'", "unknown limit 'patience'",
                     "moves on, so the steps after it would never run", "does not say where to go"):
        assert expected in text


def test_bad_outcome_and_follow_up(write_script: WriteScript) -> None:
    extra = '\n[states.closing]\noutcome = "happy"\nfollow_up = ["postcard"]\n'
    text = problems(write_script, GOOD + extra)
    assert "unknown outcome 'happy'" in text and "unknown follow-up 'postcard'" in text


def test_every_problem_is_listed_at_once(write_script: WriteScript) -> None:
    text = problems(write_script, GOOD.replace("{product}", "{x}").replace('next = "closing"', 'next = "nowhere"'))
    assert "3 problem(s)" in text and "unknown placeholder {x}" in text and "states.closing: unreachable" in text


def test_file_level_errors(write_script: WriteScript, tmp_path: Path) -> None:
    with pytest.raises(ScriptError, match="not valid TOML"):
        load_script(write_script("broken", "[script\nname="))
    with pytest.raises(ScriptError, match="not found"):
        load_script("no_such_script")
    write_script("a", '[script]\nname = "a"\nextends = "b"\n')
    write_script("b", '[script]\nname = "b"\nextends = "a"\n')
    with pytest.raises(ScriptError, match="loop"):
        load_script(tmp_path / "a.toml")
