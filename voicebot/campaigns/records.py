"""The one record every import row becomes: a policy and the event that calls for a callback."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum


class CallbackKind(StrEnum):
    NEW_POLICY = "new_policy"  # inside the cooling-off period (犹豫期)
    GRACE_BEFORE = "grace_before"  # renewal premium unpaid, grace period (宽限期) still running
    GRACE_AFTER = "grace_after"  # grace period over, still unpaid
    LAPSE = "lapse"  # policy lapsed (效力中止)
    SURRENDER = "surrender"  # 退保 of 1,000 yuan or more
    CLAIM = "claim"  # 理赔 of 1,000 yuan or more


class PhoneStatus(StrEnum):
    OK = "ok"
    MISSING = "missing"  # → re-verification list, never dialled
    INVALID = "invalid"  # not a mainland mobile or landline number → re-verification


@dataclass(frozen=True)
class CallbackEvent:
    line: int  # where it came from in the import file (1-based, header = 1 for tables)
    kind: CallbackKind
    policy_no: str
    holder_name: str
    phone: str  # normalised digits ("" when missing); the raw text is in phone_raw
    phone_status: PhoneStatus
    phone_raw: str = ""
    holder_id_no: str = ""
    holder_birth: date | None = None
    holder_age: int | None = None
    holder_gender: str = ""
    insured_name: str = ""
    product: str = ""
    product_kind: str = "traditional"  # traditional|investment_linked|universal|participating|…
    channel: str = "agent"  # agent|bank|broker|online|telesales|group (as voicebot.dialogs)
    premium_mode: str = "single"  # single|periodic
    premium: Decimal | None = None
    payment_years: int | None = None
    payment_frequency: str = ""
    term_months: int | None = None
    contract_date: date | None = None
    receipt_date: date | None = None  # 回执签收日: the cooling-off period runs from here
    cooling_off_end: date | None = None
    cooling_off_days: int | None = None  # when the record gives a length instead of an end
    grace_end: date | None = None
    event_date: date | None = None  # lapse, surrender or claim payment date
    amount: Decimal | None = None  # surrender value or claim paid, yuan
    collected_by: str = ""  # someone other than the customer collected the money (代领)
    region: str = ""  # calling-hours region (rules [hours.regions.*]); "" = default
    extra: dict[str, str] = field(default_factory=dict)  # columns we do not interpret

    @property
    def key(self) -> tuple[str, str, str]:
        """Identifies the event, so importing the same file twice creates no second task."""
        when = self.event_date or self.grace_end or self.receipt_date or self.contract_date
        return (self.policy_no, str(self.kind), when.isoformat() if when else "")
