"""When the bot hands a call to a person, beyond what the script itself decides.

The script already escalates on complaints, requests for a person (speech or key 0) and
questions re-asked too often (``then = "transfer"``). Two rules need the whole call, not one
question: customers aged 60 or more who keep struggling, and repeated failures to understand
spread over several questions (each question alone stays under its re-ask limit).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# What counts as the customer struggling with a question.
STRUGGLE_INTENTS = frozenset({"not_understood", "repeat_request", "none", "silence"})


@dataclass(frozen=True)
class EscalationRules:
    elderly_age: int = 60
    elderly_struggles: int = 2  # struggled answers before an elderly customer gets a person
    failures: int = 4  # struggled answers in one call before anyone gets a person


def struggles(snapshot: dict[str, Any]) -> int:
    """Answers so far that show the customer struggling (from ``Dialog.snapshot()``)."""
    return sum(1 for a in snapshot.get("answers", []) if a.get("intent") in STRUGGLE_INTENTS)


def escalation_reason(snapshot: dict[str, Any], rules: EscalationRules) -> str | None:
    """Why this call should go to a person now, or None. Calls already with a person or
    finished never qualify."""
    if snapshot.get("handed_off") or snapshot.get("finished"):
        return None
    count = struggles(snapshot)
    age = (snapshot.get("policy") or {}).get("holder_age")
    if isinstance(age, int) and age >= rules.elderly_age and count >= rules.elderly_struggles:
        return f"elderly customer ({age}) struggling: {count} answers not understood"
    if count >= rules.failures:
        return f"repeated failures to understand: {count} answers"
    return None
