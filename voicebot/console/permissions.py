"""Who may do what in the console: one table, read by every page and by the tests.

Decisions (PIPL minimum necessity; 可回溯办法 第十二、十四条 restrict and log access):

* **admin** — everything: recordings, unmasked personal data, exports, users, audit log.
* **qa** — reviews calls: hears recordings (every play is audited), writes notes and the
  reviewed mark, exports evidence bundles (audited). Sees personal data *masked*: checking the
  bot's behaviour does not need full ID or phone numbers.
* **agent** — works escalated calls (agent desk, issue 7). Sees the call list and statistics
  with masked data; hears the recording and sees unmasked data only for a call they hold
  (``Call.agent_user_id``), because they must verify the customer on that call.
"""

from __future__ import annotations

from enum import StrEnum

from voicebot.store.models import Role


class Perm(StrEnum):
    VIEW_CALLS = "view_calls"
    HEAR_RECORDINGS = "hear_recordings"
    SEE_UNMASKED = "see_unmasked"
    REVIEW = "review"  # notes and the reviewed mark
    EXPORT = "export"
    VIEW_STATS = "view_stats"
    ADMIN = "admin"  # users, audit log
    AGENT_DESK = "agent_desk"


GRANTS: dict[Role, frozenset[Perm]] = {
    Role.ADMIN: frozenset(Perm),
    Role.QA: frozenset({
        Perm.VIEW_CALLS, Perm.HEAR_RECORDINGS, Perm.REVIEW, Perm.EXPORT, Perm.VIEW_STATS,
    }),
    Role.AGENT: frozenset({Perm.VIEW_CALLS, Perm.VIEW_STATS, Perm.AGENT_DESK}),
}

# Granted to an agent for the one call they hold.
HOLDER_GRANTS: frozenset[Perm] = frozenset({Perm.HEAR_RECORDINGS, Perm.SEE_UNMASKED})


def allowed(role: str, perm: Perm, *, holds_call: bool = False) -> bool:
    try:
        grants = GRANTS[Role(role)]
    except ValueError:
        return False  # an unknown role in the database gets nothing
    if perm in grants:
        return True
    return holds_call and Role(role) is Role.AGENT and perm in HOLDER_GRANTS
