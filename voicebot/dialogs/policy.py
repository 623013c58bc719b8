"""The policy record a callback is about, loaded from JSON (or a database row as a dict)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from voicebot.dialogs import speak
from voicebot.errors import PolicyError

POLICY_DIR = Path(__file__).parent / "policies"

GENDERS = {"male": "先生", "female": "女士"}
CHANNELS = {"agent", "bank", "broker", "online", "telesales", "group"}
PRODUCT_TYPES = {"traditional", "investment_linked", "universal", "participating", "health", "annuity"}
TRANSACTIONS = {"surrender": "退保", "claim": "理赔"}
# Two-character surnames, so that 欧阳娜娜 becomes 欧阳女士 and not 欧女士.
_DOUBLE_SURNAMES = ("欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "慕容", "令狐", "夏侯", "尉迟",
                    "公孙", "长孙", "宇文", "司徒", "端木", "独孤", "南宫", "西门", "澹台", "呼延")


@dataclass(frozen=True)
class Policy:
    policy_no: str
    holder_name: str
    holder_gender: str  # male | female
    product: str
    contract_date: date
    holder_id_number: str = ""  # full ID number, or
    holder_id_last: str = ""  # only its last 4-6 characters
    holder_birth_date: date | None = None
    holder_phone: str = ""
    holder_age: int | None = None  # at the contract date; computed from the birth date if absent
    insured_name: str = ""  # defaults to the holder
    product_type: str = "traditional"
    channel: str = "agent"
    premium_yuan: float | None = None
    payment_frequency: str = "annual"
    payment_years: int | None = None
    term: str = ""  # 终身 / 二十年 / 至70周岁
    cooling_off_days: int = 15
    cooling_off_end: date | None = None
    due_date: date | None = None  # premium due date (grace-period calls)
    grace_end: date | None = None
    transaction: str = ""  # surrender | claim
    transaction_date: date | None = None
    amount_yuan: float | None = None  # surrender value or claim paid
    collector_name: str = ""  # someone other than the customer collected the money (代领)
    guaranteed_rate: float | None = None  # universal life minimum credited rate, percent
    bank_name: str = ""
    agent_name: str = ""

    # ---- loading ---------------------------------------------------------------------------
    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str = "policy") -> Policy:
        known = {f.name: f for f in fields(cls)}
        values: dict[str, Any] = {}
        for key, raw in data.items():
            if key not in known:
                raise PolicyError(f"{source}: unknown field {key!r}",
                                  hint=f"known fields: {', '.join(sorted(known))}")
            if raw is not None:  # null means "not known": the field keeps its default
                values[key] = _convert(key, raw, str(known[key].type), source)
        for key in ("policy_no", "holder_name", "holder_gender", "product", "contract_date"):
            if not values.get(key):
                raise PolicyError(f"{source}: field {key!r} is required", hint=f"add {key} to the record")
        policy = cls(**values)
        policy._check(source)
        return policy

    def _check(self, source: str) -> None:
        def bad(name: str, why: str) -> PolicyError:
            return PolicyError(f"{source}: field {name!r} {why}", hint=f"fix {name} in the record")

        if self.holder_gender not in GENDERS:
            raise bad("holder_gender", f"is {self.holder_gender!r}; use male or female")
        if self.channel not in CHANNELS:
            raise bad("channel", f"is {self.channel!r}; use one of {sorted(CHANNELS)}")
        if self.product_type not in PRODUCT_TYPES:
            raise bad("product_type", f"is {self.product_type!r}; use one of {sorted(PRODUCT_TYPES)}")
        if self.payment_frequency not in speak.FREQUENCIES:
            raise bad("payment_frequency", f"is {self.payment_frequency!r}; use one of {sorted(speak.FREQUENCIES)}")
        if self.transaction and self.transaction not in TRANSACTIONS:
            raise bad("transaction", f"is {self.transaction!r}; use surrender or claim")
        if not (self.holder_id_number or self.holder_id_last or self.holder_birth_date):
            raise bad("holder_id_number", "is missing (and so are holder_id_last and holder_birth_date): identity cannot be verified")
        for name in ("holder_id_number", "holder_id_last"):
            value = getattr(self, name)
            if value and not (value[:-1].isdigit() and (value[-1].isdigit() or value[-1] in "xX")):
                raise bad(name, "must be digits (the last may be X)")
        if self.holder_id_number and len(self.holder_id_number) not in (15, 18):
            raise bad("holder_id_number", f"has {len(self.holder_id_number)} characters, not 15 or 18")
        if self.holder_id_last and not 4 <= len(self.holder_id_last) <= 6:
            raise bad("holder_id_last", "must hold the last 4 to 6 characters")
        for name in ("premium_yuan", "amount_yuan", "payment_years", "holder_age", "cooling_off_days"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise bad(name, "must not be negative")

    # ---- derived facts ----------------------------------------------------------------------
    @property
    def id_tail(self) -> str:
        return (self.holder_id_number or self.holder_id_last).upper()

    @property
    def age(self) -> int | None:
        if self.holder_age is not None:
            return self.holder_age
        if self.holder_birth_date is None:
            return None
        born, on = self.holder_birth_date, self.contract_date
        return on.year - born.year - ((on.month, on.day) < (born.month, born.day))

    @property
    def title(self) -> str:
        return GENDERS[self.holder_gender]

    @property
    def surname(self) -> str:
        name = self.holder_name
        return name[:2] if name.startswith(_DOUBLE_SURNAMES) else name[:1]

    @property
    def cooling_off_until(self) -> date:
        return self.cooling_off_end or self.contract_date + timedelta(days=self.cooling_off_days)

    def matches_id(self, digits: str) -> bool:
        """True when ``digits`` (4-6 characters, X allowed) are the tail of the holder's ID."""
        digits = digits.upper()
        if 4 <= len(digits) <= 6 and len(digits) <= len(self.id_tail) and self.id_tail.endswith(digits):
            return True
        # One digit too many for "the last four/six": recognisers add a syllable at an edge
        # (是 heard as 四 before the digits, a stray digit after them). Accept when the asked-for
        # tail stands whole at the start or the end; anything else is asked again.
        if len(digits) in (5, 7):
            tail = self.id_tail[-(len(digits) - 1):]
            return digits[1:] == tail or digits[:-1] == tail
        return False

    def matches_birth(self, iso: str) -> bool:
        return self.holder_birth_date is not None and self.holder_birth_date.isoformat() == iso

    def summary(self) -> dict[str, Any]:
        """What an agent may see: the ID number masked to its last four characters."""
        return {
            "policy_no": self.policy_no, "holder": self.holder_name + self.title,
            "id_tail": self.id_tail[-4:], "phone": _mask(self.holder_phone),
            "product": self.product, "product_type": self.product_type, "channel": self.channel,
            "premium_yuan": self.premium_yuan, "payment_frequency": self.payment_frequency,
            "payment_years": self.payment_years, "contract_date": self.contract_date.isoformat(),
            "cooling_off_end": self.cooling_off_until.isoformat(), "holder_age": self.age,
        }


def _mask(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 8 else phone


def _convert(key: str, raw: Any, type_name: str, source: str) -> Any:
    def bad(why: str) -> PolicyError:
        return PolicyError(f"{source}: field {key!r} {why} (got {raw!r})", hint=f"fix {key} in the record")

    if "date" in type_name:
        if isinstance(raw, date):
            return raw
        try:
            return date.fromisoformat(str(raw))
        except ValueError:
            raise bad("must be a date like 2026-11-25") from None
    if type_name.startswith("int"):
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise bad("must be a whole number")
        return raw
    if type_name.startswith("float"):
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            raise bad("must be a number")
        return float(raw)
    if not isinstance(raw, str):
        raise bad("must be text")
    return raw.strip()


def load_policy(name_or_path: str | Path) -> Policy:
    """Load a policy record from a JSON file, or a shipped example by name (``new_policy``)."""
    path = Path(name_or_path)
    if not path.exists() and (POLICY_DIR / f"{name_or_path}.json").exists():
        path = POLICY_DIR / f"{name_or_path}.json"
    if not path.exists():
        shipped = ", ".join(sorted(p.stem for p in POLICY_DIR.glob("*.json")))
        raise PolicyError(f"policy file {name_or_path} not found", hint=f"give a JSON path or one of: {shipped}")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PolicyError(f"{path}: cannot read policy JSON: {exc}", hint="write one JSON object") from exc
    if not isinstance(data, dict):
        raise PolicyError(f"{path}: a policy must be one JSON object", hint="wrap the fields in {...}")
    return Policy.from_dict(data, source=str(path))


# Placeholders a script may use, each with how it is spoken; None means the record lacks it.
Speaker = Callable[[Policy], "str | None"]


def _opt(value: Any, fn: Callable[[Any], str]) -> str | None:
    return None if value in (None, "") else fn(value)


PLACEHOLDERS: dict[str, Speaker] = {
    "holder": lambda p: p.holder_name + p.title,  # 张三先生
    "holder_surname": lambda p: p.surname + p.title,  # 张先生
    "holder_name": lambda p: p.holder_name,
    "title": lambda p: p.title,
    "insured_name": lambda p: p.insured_name or p.holder_name,
    "product": lambda p: p.product,
    "premium": lambda p: _opt(p.premium_yuan, speak.say_amount),
    "frequency": lambda p: speak.say_frequency(p.payment_frequency),
    "payment_years": lambda p: _opt(p.payment_years, speak.say_years),
    "term": lambda p: p.term or None,
    "contract_date": lambda p: speak.say_date(p.contract_date),
    "cooling_off_days": lambda p: speak.say_number(p.cooling_off_days),
    "cooling_off_end": lambda p: speak.say_date(p.cooling_off_until),
    "due_date": lambda p: _opt(p.due_date, speak.say_date),
    "grace_end": lambda p: _opt(p.grace_end, speak.say_date),
    "transaction": lambda p: _opt(p.transaction, TRANSACTIONS.__getitem__),
    "transaction_date": lambda p: _opt(p.transaction_date, speak.say_date),
    "amount": lambda p: _opt(p.amount_yuan, speak.say_amount),
    "collector": lambda p: p.collector_name or None,
    "guaranteed_rate": lambda p: _opt(p.guaranteed_rate, speak.say_percent),
    "bank_name": lambda p: p.bank_name or None,
}

# Conditions a script's ``when`` may name (questions asked only for some policies).
CONDITIONS: dict[str, Callable[[Policy], bool]] = {
    "periodic": lambda p: p.payment_frequency != "single",
    "bank_channel": lambda p: p.channel == "bank",
    "elderly": lambda p: (p.age or 0) >= 60,
    "investment_linked": lambda p: p.product_type == "investment_linked",
    "universal": lambda p: p.product_type == "universal",
    "participating": lambda p: p.product_type == "participating",
    "collected_by_other": lambda p: bool(p.collector_name),
    "surrender": lambda p: p.transaction == "surrender",
    "claim": lambda p: p.transaction == "claim",
}


def speak_field(policy: Policy, name: str) -> str | None:
    return PLACEHOLDERS[name](policy)
