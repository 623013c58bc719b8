"""Fill a script's prompt templates from one policy record (once, when the dialog is built)."""

from __future__ import annotations

import re

from voicebot.dialogs.policy import CONDITIONS, PLACEHOLDERS, Policy
from voicebot.dialogs.schema import Script
from voicebot.errors import PolicyError

_PLACEHOLDER = re.compile(r"\{(\w+)\}")
# The record field behind placeholders whose names differ from it (for error messages).
FIELD_OF = {"premium": "premium_yuan", "amount": "amount_yuan", "collector": "collector_name",
            "frequency": "payment_frequency", "holder": "holder_name", "holder_surname": "holder_name"}


def active_states(script: Script, policy: Policy) -> set[str]:
    """States this policy goes through (a state whose ``when`` is false is skipped)."""
    return {s.id for s in script.states.values() if not s.when or CONDITIONS[s.when](policy)}


def render_prompts(script: Script, policy: Policy) -> dict[str, str]:
    """prompt id → text. A prompt of a skipped state, or an answer the record cannot give, is left
    out; any other prompt that needs a field the record lacks is a PolicyError naming the field."""
    active = active_states(script, policy)
    texts: dict[str, str] = {}
    for pid, template in script.templates.items():
        missing: list[str] = []

        def fill(match: re.Match[str], missing: list[str] = missing) -> str:
            value = PLACEHOLDERS[match.group(1)](policy)
            if value is None:
                missing.append(match.group(1))
                return ""
            return value

        text = _PLACEHOLDER.sub(fill, template)
        owner = pid.split(".")[0]
        if not missing:
            texts[pid] = text
        elif pid.startswith("answer.") or (owner in script.states and owner not in active):
            continue
        else:
            name = missing[0]
            field = FIELD_OF.get(name, name)
            raise PolicyError(
                f"policy {policy.policy_no}: field {field!r} is needed by prompt {pid} of script {script.name}",
                hint=f"add {field} to the policy record (it fills {{{name}}})",
            )
    return texts
