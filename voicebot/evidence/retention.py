"""How long a call's evidence is kept (可回溯办法 第十三条): 5 years after the contract ends
for policies of a year or less, 10 years otherwise; an open complaint holds it, and a closed
one keeps it at least 2 years after the complaint ended."""

from __future__ import annotations

from datetime import date

from voicebot.store.models import Call, Policy


def _add_months(d: date, months: int) -> date:
    month = d.month - 1 + months
    year, month = d.year + month // 12, month % 12 + 1
    for day in (d.day, 30, 29, 28):  # the last day of a shorter month
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _add_years(d: date, years: int) -> date:
    return _add_months(d, 12 * years)


def keep_until(policy: Policy | None, call_day: date, complaint_closed_on: date | None = None
               ) -> date:
    """The day after which the evidence may be purged (complaint still open: see may_purge)."""
    years = 5 if policy is not None and policy.term_months is not None and policy.term_months <= 12 else 10
    end = policy.contract_end if policy is not None and policy.contract_end else None
    if end is None and policy is not None and policy.issued_on and policy.term_months:
        end = _add_months(policy.issued_on, policy.term_months)
    # Without a known contract end, count from the call (never shorter than the rule allows
    # for a contract that ended that day); operations can extend it once the end is known.
    until = _add_years(max(end or call_day, call_day), years)
    if complaint_closed_on is not None:
        until = max(until, _add_years(complaint_closed_on, 2))
    return until


def may_purge(call: Call, today: date) -> tuple[bool, str]:
    if call.purged_at is not None:
        return False, "already purged"
    if call.seq is None:
        return False, "not sealed"
    if call.complaint_open:
        return False, "complaint open"
    if call.keep_until is None:
        return False, "no keep-until date"
    if call.keep_until >= today:
        return False, f"kept until {call.keep_until}"
    return True, f"kept until {call.keep_until}"
