"""Which policy and script a call is about, from what the gateway passed (customParameters /
the metadata frame): an inline policy, a policy file, a callback task id or a policy number."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from voicebot.dialogs.loader import load_script
from voicebot.dialogs.policy import Policy, load_policy
from voicebot.dialogs.schema import Script
from voicebot.errors import PolicyError
from voicebot.store.db import Database

DEFAULT_SCRIPT = "new_policy"


@dataclass(frozen=True)
class CallContext:
    policy: Policy
    script: Script
    script_name: str
    phone: str  # the number called (for the do-not-call check and the record)
    task_id: int | None = None
    policy_id: int | None = None


def resolve_context(params: dict[str, str], caller: str, db: Database | None,
                    *, default_script: str = DEFAULT_SCRIPT) -> CallContext:
    """Raises PolicyError / ScriptError with what was missing or wrong."""
    script_name = params.get("script", "")
    task_id = _int(params.get("task_id"))
    policy_id: int | None = None
    if params.get("policy_json"):
        try:
            record = json.loads(params["policy_json"])
        except json.JSONDecodeError as exc:
            raise PolicyError(f"policy_json is not JSON: {exc}", hint="pass one JSON object") from exc
        if not isinstance(record, dict):
            raise PolicyError("policy_json must be one JSON object", hint="wrap the fields in {...}")
        policy = Policy.from_dict(record, source="call context")
    elif params.get("policy_path"):
        policy = load_policy(Path(params["policy_path"]))
    else:
        record, task_script, policy_id = _from_store(db, task_id, params.get("policy_no", ""))
        script_name = script_name or task_script
        policy = Policy.from_dict(record, source="call context")
    script = load_script(script_name or default_script)
    return CallContext(policy, script, script_name or default_script,
                       phone=caller or policy.holder_phone, task_id=task_id, policy_id=policy_id)


def _from_store(db: Database | None, task_id: int | None, policy_no: str
                ) -> tuple[dict[str, Any], str, int | None]:
    from voicebot.campaigns.dispatch import policy_record
    from voicebot.store import policies, tasks

    if db is None or (task_id is None and not policy_no):
        raise PolicyError(
            "the gateway passed no call context",
            hint="pass task_id, policy_no, policy_path or policy_json as a custom parameter",
        )
    with db.session() as s:
        if task_id is not None:
            task = tasks.get(s, task_id)
            if task is None:
                raise PolicyError(f"no callback task {task_id}", hint="check the task id the dialer passed")
            return policy_record(task.policy, task), task.script, task.policy_id
        row = policies.by_number(s, policy_no)
        if row is None:
            raise PolicyError(f"no policy {policy_no}", hint="import it first (voicebot tasks import)")
        no_task = SimpleNamespace(detail={}, kind="")  # a policy called without a task
        return policy_record(row, no_task), "", row.id  # type: ignore[arg-type]


def _int(value: str | None) -> int | None:
    return int(value) if value and value.strip().isdigit() else None
