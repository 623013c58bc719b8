"""Import policies and callback events (CSV, JSON, Excel) as validated :class:`CallbackEvent`s.

Every row is checked — kind, dates, amounts, phone, and that its due window can be worked out —
and all problems are reported together by line (:class:`ImportRowsError`); a file with any bad
row yields nothing, so nothing is ever half-imported. A missing or undiallable phone is not a
bad row: the event is kept with its :class:`PhoneStatus` and goes to the re-verification list.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from voicebot.campaigns.calendar import WorkCalendar
from voicebot.campaigns.phones import normalise_phone
from voicebot.campaigns.readers import read_rows
from voicebot.campaigns.records import CallbackEvent, CallbackKind
from voicebot.campaigns.rules import WindowRules
from voicebot.campaigns.windows import plan
from voicebot.errors import ImportRowsError, PolicyError

# Headers as insurers' core systems write them → our field names.
ALIASES = {
    "保单号": "policy_no", "回访类型": "kind", "类型": "kind", "投保人": "holder_name",
    "投保人姓名": "holder_name", "电话": "phone", "手机": "phone", "联系电话": "phone",
    "holder_phone": "phone", "证件号": "holder_id_no", "身份证号": "holder_id_no",
    "出生日期": "holder_birth", "年龄": "holder_age", "性别": "holder_gender",
    "被保险人": "insured_name", "产品": "product", "产品名称": "product", "险种类型": "product_kind",
    "product_type": "product_kind", "渠道": "channel", "缴费方式": "premium_mode", "保费": "premium",
    "犹豫期天数": "cooling_off_days", "缴费年期": "payment_years", "缴费频率": "payment_frequency", "保险期间月数": "term_months",
    "保险期间": "term_years", "承保日期": "contract_date", "合同生效日": "contract_date",
    "回执签收日": "receipt_date", "犹豫期截止日": "cooling_off_end", "宽限期截止日": "grace_end",
    "事件日期": "event_date", "金额": "amount", "代领人": "collected_by", "地区": "region",
    # the names voicebot.dialogs policy records use
    "holder_id_number": "holder_id_no", "holder_birth_date": "holder_birth", "premium_yuan": "premium",
    "amount_yuan": "amount", "transaction_date": "event_date", "collector_name": "collected_by",
}
KINDS = {
    "新单": "new_policy", "new": "new_policy", "宽限期前": "grace_before", "宽限期后": "grace_after",
    "失效": "lapse", "退保": "surrender", "理赔": "claim", **{k.value: k.value for k in CallbackKind},
}
PRODUCT_KINDS = {"传统": "traditional", "投连": "investment_linked", "万能": "universal",
                 "分红": "participating", "健康": "health", "年金": "annuity",
                 "investment-linked": "investment_linked"}
CHANNELS = {"个险": "agent", "代理人": "agent", "银保": "bank", "银行": "bank", "电销": "telesales",
            "phone": "telesales", "网销": "online", "互联网": "online", "经代": "broker", "团险": "group"}
PREMIUM_MODES = {"趸交": "single", "趸缴": "single", "期交": "periodic", "期缴": "periodic"}
ENUMS: dict[str, tuple[dict[str, str], tuple[str, ...]]] = {
    "product_kind": (PRODUCT_KINDS, ("traditional", "investment_linked", "universal", "participating",
                                     "health", "annuity")),
    "channel": (CHANNELS, ("agent", "bank", "broker", "online", "telesales", "group")),
    "premium_mode": (PREMIUM_MODES, ("single", "periodic")),
    "holder_gender": ({"男": "male", "女": "female", "m": "male", "f": "female"}, ("male", "female")),
}
DATES = ("holder_birth", "contract_date", "receipt_date", "cooling_off_end", "grace_end", "event_date")
TEXTS = ("holder_id_no", "insured_name", "product", "payment_frequency",
         "collected_by", "region")
_POLICY_NO = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-_/]{0,63}")
_CN_DATE = re.compile(r"(\d{4})\s*[年/.\-]\s*(\d{1,2})\s*[月/.\-]\s*(\d{1,2})\s*日?")


class RowError(ValueError):
    pass


def _column(name: str) -> str:
    key = str(name).strip()
    return ALIASES.get(key, key.lower().replace(" ", "_"))


def _str(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel keeps phone and policy numbers as floats
    return str(value).strip()


def parse_date(value: Any, name: str) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _str(value)
    if not text:
        return None
    m = _CN_DATE.fullmatch(text) or (re.fullmatch(r"(\d{4})(\d{2})(\d{2})", text))
    if m:
        try:
            day = date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError as exc:
            raise RowError(f"{name} {text!r} is not a real date ({exc})") from exc
        if not 1900 <= day.year <= 2100:
            raise RowError(f"{name} {text!r} is out of range")
        return day
    raise RowError(f"{name} {text!r} is not a date (write YYYY-MM-DD)")


def parse_amount(value: Any, name: str) -> Decimal | None:
    text = _str(value).replace(",", "").replace("，", "").replace("¥", "").replace("￥", "")
    text = text.removesuffix("元").strip()
    if not text:
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation as exc:
        raise RowError(f"{name} {_str(value)!r} is not an amount in yuan") from exc
    if not amount.is_finite() or amount < 0:
        raise RowError(f"{name} {_str(value)!r} must be zero or more")
    return amount


def parse_int(value: Any, name: str, high: int) -> int | None:
    text = _str(value)
    if not text:
        return None
    if not text.isdigit() or int(text) > high:
        raise RowError(f"{name} {text!r} must be a whole number from 0 to {high}")
    return int(text)


def parse_row(line: int, raw: dict[str, Any], today: date) -> CallbackEvent:
    if "__error__" in raw:
        raise RowError(str(raw["__error__"]))
    row = {_column(k): v for k, v in raw.items() if k is not None}
    policy_no = _str(row.pop("policy_no", ""))
    if not _POLICY_NO.fullmatch(policy_no):
        raise RowError(f"policy_no {policy_no!r} is missing or has characters other than letters, digits, - _ /")
    kind_text = _str(row.pop("kind", "")).lower()
    if kind_text not in KINDS:
        raise RowError(f"kind {kind_text!r} is not one of {', '.join(k.value for k in CallbackKind)}")
    holder = _str(row.pop("holder_name", ""))
    if not holder or len(holder) > 100:
        raise RowError("holder_name is missing or longer than 100 characters")
    phone_raw = _str(row.pop("phone", ""))
    phone, status = normalise_phone(phone_raw)
    fields: dict[str, Any] = {k: parse_date(row.pop(k, None), k) for k in DATES}
    if fields["holder_birth"] and fields["holder_birth"] > today:
        raise RowError(f"holder_birth {fields['holder_birth']} is in the future")
    for k, (aliases, allowed) in ENUMS.items():
        text = _str(row.pop(k, "")).lower()
        if text:
            text = aliases.get(text, text)
            if text not in allowed:
                raise RowError(f"{k} {text!r} is not one of {', '.join(allowed)}")
            fields[k] = text
    fields["premium"] = parse_amount(row.pop("premium", None), "premium")
    fields["amount"] = parse_amount(row.pop("amount", None), "amount")
    fields["holder_age"] = parse_int(row.pop("holder_age", None), "holder_age", 130)
    fields["cooling_off_days"] = parse_int(row.pop("cooling_off_days", None), "cooling_off_days", 366)
    fields["payment_years"] = parse_int(row.pop("payment_years", None), "payment_years", 100)
    months = parse_int(row.pop("term_months", None), "term_months", 1200)
    years = parse_int(row.pop("term_years", None), "term_years", 120)
    fields["term_months"] = months if months is not None else (years * 12 if years is not None else None)
    for k in TEXTS:
        fields[k] = _str(row.pop(k, ""))
    extra = {k: _str(v) for k, v in row.items() if _str(v)}
    return CallbackEvent(line=line, kind=CallbackKind(KINDS[kind_text]), policy_no=policy_no,
                         holder_name=holder, phone=phone, phone_status=status, phone_raw=phone_raw,
                         extra=extra, **fields)


def parse_file(path: str | Path, *, fmt: str | None = None, today: date | None = None,
               rules: WindowRules | None = None, calendar: WorkCalendar | None = None) -> list[CallbackEvent]:
    """All events of a file, or :class:`ImportRowsError` listing every bad row by line."""
    p = Path(path)
    today = today or date.today()
    rules = rules or WindowRules()
    calendar = calendar or WorkCalendar()
    events: list[CallbackEvent] = []
    bad: list[tuple[int, str]] = []
    seen: dict[tuple[str, str, str], int] = {}
    holders: dict[str, tuple[int, str, str]] = {}
    for line, raw in read_rows(p, fmt):
        try:
            ev = parse_row(line, raw, today)
            plan(ev, rules, calendar, today)  # the dates must give a window (CalendarError propagates)
        except (RowError, PolicyError) as exc:
            bad.append((line, getattr(exc, "message", str(exc))))
            continue
        if ev.key in seen:
            bad.append((line, f"same {ev.kind} event for policy {ev.policy_no} as line {seen[ev.key]}"))
            continue
        first = holders.setdefault(ev.policy_no, (line, ev.holder_name, ev.phone))
        if first[1:] != (ev.holder_name, ev.phone):
            bad.append((line, f"policy {ev.policy_no} has another holder or phone on line {first[0]}"))
            continue
        seen[ev.key] = line
        events.append(ev)
    if bad:
        raise ImportRowsError(
            f"{p.name}: {len(bad)} bad row(s); nothing was imported", bad,
            hint="fix the rows listed (line numbers as in the file) and import the whole file again")
    return events
