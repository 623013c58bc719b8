"""The 12 shared whole-call scenarios over a real server and a simulated gateway, Whisper-base.

Whisper-base mishears some fixtures (the fixture README lists them), so the goal is at least
10 of 12 with the expected outcome and problem items over Twilio, and a subset over audio_fork.
Each scenario is its own test (for the report); the tally test asserts the goal.
"""

from __future__ import annotations

import pytest

from voicebot.gateway.simulator import SimResult

from .conftest import SCENARIOS, Bot, problem_numbers

pytestmark = pytest.mark.slow
RESULTS: dict[str, bool] = {}
# Short scenarios of clean answers. audio_fork has no marks, so its simulated caller cannot tell
# that the bot did not catch an answer and never says one again: a longer call drifts off its
# script on the first answer Whisper-base mishears. do_not_call_mid_call cannot run twice on one
# server: its first run blocklisted the number.
AUDIOFORK_SUBSET = ["busy_at_start", "refuses_callback_q2", "asks_for_agent_q3"]


def matches(name: str, result: SimResult) -> bool:
    scenario = SCENARIOS[name]
    return result.outcome == scenario.expected_outcome and problem_numbers(result) == sorted(
        scenario.expected_problem_items)


@pytest.mark.parametrize("name", sorted(SCENARIOS))
async def test_scenario_over_twilio(bot: Bot, name: str) -> None:
    result = await bot.call(SCENARIOS[name])
    RESULTS[name] = matches(name, result)
    if not RESULTS[name]:
        print(bot.describe(result))
    assert result.record is not None, "the server kept no call record"
    assert result.record["recording"].endswith("recording.wav")
    assert result.ended_by in ("bot_hangup", "transfer"), bot.describe(result)
    print(f"{name}: {result.outcome} problems={problem_numbers(result)} "
          f"expected {SCENARIOS[name].expected_outcome} {SCENARIOS[name].expected_problem_items}")


def test_at_least_10_of_12_scenarios_end_as_expected() -> None:
    if len(RESULTS) < len(SCENARIOS):
        pytest.skip("runs after the per-scenario tests (run the whole module)")
    failed = sorted(n for n, ok in RESULTS.items() if not ok)
    passed = len(SCENARIOS) - len(failed)
    print(f"scenarios over twilio: {passed}/{len(SCENARIOS)} as expected; failed: {failed}")
    assert passed >= 10, f"failed: {failed}"


@pytest.mark.parametrize("name", AUDIOFORK_SUBSET)
async def test_scenario_over_audiofork(bot: Bot, name: str) -> None:
    result = await bot.call(SCENARIOS[name], protocol="audiofork")
    assert matches(name, result), bot.describe(result)
    assert result.record and result.record["recording"]
