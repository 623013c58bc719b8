"""A printable letter/visit questionnaire for a customer who refused the callback (or could not
be reached): the script's questions the bot could not ask, for the policyholder to answer and
sign (a visit or letter by non-sales staff, product.md)."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from voicebot.campaigns.dispatch import policy_record, task_or_error
from voicebot.privacy import mask_phone
from voicebot.store.db import Database
from voicebot.store.models import CallbackAttempt

_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_FIELD = {"premium": "premium_yuan", "amount": "amount_yuan", "collector": "collector_name",
          "frequency": "payment_frequency", "holder": "holder_name"}


@dataclass
class Questionnaire:
    task_id: int
    policy_no: str
    holder: str
    phone_masked: str
    script: str
    title: str
    questions: list[tuple[int | None, str]]  # (item number, question text)

    def text(self) -> str:
        lines = [f"{self.title} — 书面回访问卷", f"保单号：{self.policy_no}  投保人：{self.holder}  "
                 f"电话：{self.phone_masked}", ""]
        for i, (no, q) in enumerate(self.questions, start=1):
            lines.append(f"{i}. {f'（第{no}项）' if no else ''}{q}")
            lines.append("   □ 是    □ 否    □ 不清楚")
        lines += ["", "投保人签名：____________    日期：____年__月__日"]
        return "\n".join(lines)

    def html(self) -> str:
        e = html.escape
        items = "".join(
            f"<li><p>{e(f'（第{no}项）' if no else '')}{e(q)}</p><p class=box>□ 是　□ 否　□ 不清楚</p></li>"
            for no, q in self.questions)
        return (
            "<!doctype html><html lang=zh-CN><meta charset=utf-8>"
            f"<title>{e(self.title)} {e(self.policy_no)}</title>"
            "<style>body{font:14pt serif;margin:2cm}li{margin:1em 0}.box{margin-left:2em}"
            "@media print{.noprint{display:none}}</style>"
            f"<h1>{e(self.title)} — 书面回访问卷</h1>"
            f"<p>保单号：{e(self.policy_no)}　投保人：{e(self.holder)}　电话：{e(self.phone_masked)}</p>"
            f"<ol>{items}</ol><p>投保人签名：____________　　日期：____年__月__日</p></html>")


def _questions(script_name: str, policy: dict[str, Any], answered: set[str]) -> tuple[str, list[tuple[int | None, str]]]:
    from voicebot.dialogs.loader import load_script

    script = load_script(script_name)
    texts: dict[str, str] = {}
    active = set(script.states)
    try:  # the dialog's own rendering (speaks dates and amounts the Chinese way)
        from voicebot.dialogs.policy import Policy
        from voicebot.dialogs.render import active_states, render_prompts

        p = Policy.from_dict(policy, source=f"policy {policy.get('policy_no')}")
        texts, active = render_prompts(script, p), active_states(script, p)
    except Exception:  # noqa: S110 - a record too thin for the dialog: blanks are filled by hand
        pass
    order: list[str] = []
    state = script.states.get(script.start)
    while state is not None and state.id not in order:
        order.append(state.id)
        state = script.states.get(state.next or "")
    order += [s for s in script.states if s not in order]
    out: list[tuple[int | None, str]] = []
    for sid in order:
        st = script.states[sid]
        if st.kind != "ask" or st.check == "identity" or sid in answered or sid not in active:
            continue
        if st.no in (None, 1) or not st.prompt_id:
            continue  # item 1 (is this the holder?) is answered by the holder's signature
        text = texts.get(st.prompt_id) or _PLACEHOLDER.sub(
            lambda m: str(policy.get(_FIELD.get(m.group(1), m.group(1)), "________")),
            script.templates.get(st.prompt_id, ""))
        out.append((st.no, text))
    return script.title, out


def questionnaire(db: Database, task_id: int) -> Questionnaire:
    with db.session() as s:
        task = task_or_error(s, task_id)
        policy = policy_record(task.policy, task)
        answered: set[str] = set()
        for detail in s.scalars(select(CallbackAttempt.detail).where(CallbackAttempt.task_id == task_id)):
            answered |= {a for a in (detail or {}).get("answered", []) if a}
        title, qs = _questions(task.script, policy, answered)
        return Questionnaire(task.id, task.policy.policy_no, task.policy.holder_name,
                             mask_phone(task.policy.holder_phone), task.script, title, qs)
