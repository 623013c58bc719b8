"""Due windows: for each callback event, the earliest and latest day to call, its priority and
the dialog script to run (rules in ``shared/brief/product.md``).

- new policy (over one year): inside the cooling-off period, from the day after the policy was
  received to the end of the period (民法典 第201条: the start day is not counted);
- grace period, before: at least ``grace_notice_workdays`` (15) working days before it ends;
- grace period, after / lapse: within 15 working days after the end (or the lapse);
- surrender or claim of 1,000 yuan or more: within a few working days after the payment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from voicebot.campaigns.calendar import WorkCalendar
from voicebot.campaigns.records import CallbackEvent, CallbackKind
from voicebot.campaigns.rules import WindowRules
from voicebot.errors import PolicyError

# Scripts the dialogs package ships (voicebot/dialogs/scripts); names are the contract.
SCRIPTS = ("new_policy", "investment_linked", "universal_participating", "bank_channel",
           "dual_recording", "grace_before", "grace_after", "surrender_claim")


@dataclass(frozen=True)
class DuePlan:
    kind: CallbackKind
    script: str
    earliest: date
    latest: date
    priority: int
    why: str  # one line a supervisor can check against the rules
    gaps: tuple[str, ...] = ()  # item groups the script lacks for this sale (see script_gaps)


@dataclass(frozen=True)
class NotRequired:
    """The event needs no callback (e.g. a one-year policy, a claim under 1,000 yuan)."""

    reason: str


def holder_age(ev: CallbackEvent, today: date) -> int | None:
    """Age when the policy was bought (what decides 双录), else today."""
    if ev.holder_age is not None:
        return ev.holder_age
    if ev.holder_birth is None:
        return None
    at = ev.contract_date or ev.receipt_date or today
    b = ev.holder_birth
    return at.year - b.year - ((at.month, at.day) < (b.month, b.day))


def needs_dual_recording(ev: CallbackEvent, rules: WindowRules, today: date) -> bool:
    """双录 sales: investment-linked, bank channel over one year, buyers aged 60+ (可回溯办法)."""
    age = holder_age(ev, today)
    over_one_year = ev.term_months is None or ev.term_months > 12
    return (ev.product_kind == "investment_linked"
            or (ev.channel == "bank" and over_one_year)
            or (age is not None and age >= rules.elderly_age))


def choose_script(ev: CallbackEvent, rules: WindowRules, today: date) -> str:
    """The script for an event. New policies: the product-specific script where the product has
    its own items (投连, 万能/分红: those items cannot be dropped), else ``dual_recording`` for
    双录 sales (it carries the bank "insurance, not a deposit" item too), else ``new_policy``.
    Where the chosen script lacks the 双录 questions, :func:`script_gaps` names them."""
    if ev.kind is CallbackKind.GRACE_BEFORE:
        return "grace_before"
    if ev.kind in (CallbackKind.GRACE_AFTER, CallbackKind.LAPSE):
        return "grace_after"
    if ev.kind in (CallbackKind.SURRENDER, CallbackKind.CLAIM):
        return "surrender_claim"
    if ev.product_kind == "investment_linked":
        return "investment_linked"
    if ev.product_kind in ("universal", "participating"):
        return "universal_participating"
    if needs_dual_recording(ev, rules, today):
        return "dual_recording"
    return "bank_channel" if ev.channel == "bank" else "new_policy"


def script_gaps(ev: CallbackEvent, script: str, rules: WindowRules, today: date) -> tuple[str, ...]:
    """Item groups the sale needs that the chosen script does not ask (shown to supervisors)."""
    if ev.kind is CallbackKind.NEW_POLICY and script in ("investment_linked", "universal_participating") \
            and needs_dual_recording(ev, rules, today):
        return ("dual_recording",)
    return ()


def _need(value: date | None, name: str, ev: CallbackEvent) -> date:
    if value is None:
        raise PolicyError(f"{ev.kind} callback for policy {ev.policy_no} needs {name}",
                          hint=f"fill the {name} column")
    return value


def plan(ev: CallbackEvent, rules: WindowRules, cal: WorkCalendar, today: date) -> DuePlan | NotRequired:
    """The due window for one event; raises :class:`PolicyError` when a date it needs is missing
    or the dates contradict each other."""
    k = ev.kind
    if k is CallbackKind.NEW_POLICY:
        if ev.term_months is not None and ev.term_months <= 12:
            return NotRequired("policy of one year or less: no callback mandated")
        start = ev.receipt_date or ev.contract_date
        start = _need(start, "receipt_date or contract_date", ev)
        end = ev.cooling_off_end or start + timedelta(days=ev.cooling_off_days or rules.cooling_off_days)
        if end < start:
            raise PolicyError(f"policy {ev.policy_no}: cooling-off ends {end} before it starts {start}",
                              hint="check receipt_date and cooling_off_end")
        earliest = min(start + timedelta(days=rules.new_policy_start_offset_days), end)
        why = f"cooling-off period {start}..{end}"
        latest = end
    elif k is CallbackKind.GRACE_BEFORE:
        grace_end = _need(ev.grace_end, "grace_end", ev)
        latest = cal.add_workdays(grace_end, -rules.grace_notice_workdays)
        earliest = cal.add_workdays(latest, -rules.grace_before_lead_workdays)
        why = f"≥{rules.grace_notice_workdays} working days before grace end {grace_end}"
    elif k in (CallbackKind.GRACE_AFTER, CallbackKind.LAPSE):
        if k is CallbackKind.LAPSE and ev.event_date is not None:
            anchor, n, what = ev.event_date, rules.lapse_workdays, "lapse"
        else:
            anchor, n, what = _need(ev.grace_end, "grace_end", ev), rules.grace_after_workdays, "grace end"
        earliest = cal.next_workday(anchor + timedelta(days=1))
        latest = cal.add_workdays(anchor, n)
        why = f"within {n} working days after {what} {anchor}"
    else:
        happened = _need(ev.event_date, "event_date", ev)
        if ev.amount is None:
            raise PolicyError(f"{k} callback for policy {ev.policy_no} needs amount", hint="fill amount (yuan)")
        if ev.amount < rules.surrender_claim_min_yuan:
            return NotRequired(f"{k} of {ev.amount} yuan is under {rules.surrender_claim_min_yuan}")
        earliest = cal.next_workday(happened + timedelta(days=1))
        latest = cal.add_workdays(happened, rules.event_followup_workdays)
        why = f"within {rules.event_followup_workdays} working days after {k} on {happened}"
    script = choose_script(ev, rules, today)
    return DuePlan(k, script, earliest, latest, rules.priorities[str(k)], why,
                   script_gaps(ev, script, rules, today))
