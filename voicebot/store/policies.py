"""Importing policies (JSON list or CSV) into the database, in one transaction.

Records use the dialogs' policy format (:class:`voicebot.dialogs.policy.Policy`), plus two
optional retention fields, ``term_months`` and ``contract_end``. Every bad record is reported
by line (CSV) or position (JSON) and nothing is imported. One phone number shared by
different policyholders is a risk signal (Shandong guideline art. 9: an agent may have put in
their own number): the import lists every such phone with its holders.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from voicebot.dialogs.policy import Policy as PolicyRecord
from voicebot.dnc.numbers import normalize_number
from voicebot.errors import DncError, ImportRowsError, PolicyError, VoicebotError
from voicebot.store import audit
from voicebot.store.db import Database
from voicebot.store.models import Policy

RETENTION_FIELDS = ("term_months", "contract_end")


@dataclass
class SharedPhone:
    phone: str
    holders: list[dict[str, str]]  # {policy_no, holder_name, holder_id_no}


@dataclass
class PolicyImport:
    created: int = 0
    updated: int = 0
    shared_phones: list[SharedPhone] = field(default_factory=list)


def read_records(path: Path) -> list[tuple[int, dict[str, Any]]]:
    """(line or position, record) pairs from a .json list or a .csv file with a header."""
    try:
        if path.suffix.lower() == ".json":
            data = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(data, list):
                raise ImportRowsError(f"{path.name}: expected a JSON list of policies", [(1, "not a list")])
            return [(i + 1, dict(r) if isinstance(r, dict) else {"?": r}) for i, r in enumerate(data)]
        with path.open(encoding="utf-8-sig", newline="") as f:
            reader = csv.DictReader(f)
            return [(reader.line_num, {k: v for k, v in row.items() if v not in ("", None)})
                    for row in reader]
    except (OSError, ValueError) as exc:
        raise PolicyError(f"cannot read policies from {path}: {exc}",
                          hint="give a JSON list or a CSV file with a header row") from exc


def _columns(rec: dict[str, Any], where: str) -> dict[str, Any]:
    extra = {k: rec.pop(k) for k in RETENTION_FIELDS if k in rec}
    p = PolicyRecord.from_dict(rec, where)
    business = p.transaction or ("renewal" if p.grace_end or p.due_date else "new")
    return {
        "policy_no": p.policy_no, "holder_name": p.holder_name,
        "holder_id_no": p.holder_id_number or p.holder_id_last,
        "holder_phone": normalize_number(p.holder_phone) if p.holder_phone else "",
        "holder_birth": p.holder_birth_date, "insured_name": p.insured_name or p.holder_name,
        "product": p.product, "business_type": business, "product_kind": p.product_type,
        "channel": p.channel,
        "premium_mode": "periodic" if (p.payment_years or 0) > 1 else "single",
        "term_months": int(extra["term_months"]) if extra.get("term_months") else None,
        "issued_on": p.contract_date,
        "contract_end": date.fromisoformat(str(extra["contract_end"])) if extra.get("contract_end") else None,
        "extra": json.loads(json.dumps(rec, default=str, ensure_ascii=False)),
    }


def import_policies(db: Database, path: Path, *, actor: str) -> PolicyImport:
    parsed: list[dict[str, Any]] = []
    errors: list[tuple[int, str]] = []
    for line, rec in read_records(Path(path)):
        try:
            parsed.append(_columns(dict(rec), f"line {line}"))
        except (VoicebotError, ValueError, TypeError) as exc:
            msg = exc.message if isinstance(exc, (PolicyError, DncError)) else str(exc)
            errors.append((line, msg))
    if errors:
        raise ImportRowsError(f"{Path(path).name}: {len(errors)} bad records; nothing was imported",
                              errors, hint="fix the records listed and import again")
    result = PolicyImport()
    with db.session() as s:
        for cols in parsed:
            row = s.scalar(select(Policy).where(Policy.policy_no == cols["policy_no"]))
            if row is None:
                s.add(Policy(**cols))
                result.created += 1
            else:
                for k, v in cols.items():
                    setattr(row, k, v)
                result.updated += 1
        s.flush()
        phones = {c["holder_phone"] for c in parsed if c["holder_phone"]}
        result.shared_phones = [sp for sp in shared_phones(s) if sp.phone in phones]
        audit.record(s, actor, "policies.import", Path(path).name, created=result.created,
                     updated=result.updated, shared_phones=len(result.shared_phones))
    return result


def shared_phones(s: Session) -> list[SharedPhone]:
    """Phones on policies of more than one policyholder (told apart by ID, else by name)."""
    holder = func.coalesce(func.nullif(Policy.holder_id_no, ""), Policy.holder_name)
    dup = (select(Policy.holder_phone).where(Policy.holder_phone != "")
           .group_by(Policy.holder_phone).having(func.count(func.distinct(holder)) > 1))
    rows = s.scalars(select(Policy).where(Policy.holder_phone.in_(dup))
                     .order_by(Policy.holder_phone, Policy.policy_no))
    out: dict[str, SharedPhone] = {}
    for p in rows:
        out.setdefault(p.holder_phone, SharedPhone(p.holder_phone, [])).holders.append(
            {"policy_no": p.policy_no, "holder_name": p.holder_name, "holder_id_no": p.holder_id_no})
    return list(out.values())


def by_number(s: Session, policy_no: str) -> Policy | None:
    return s.scalar(select(Policy).where(Policy.policy_no == policy_no))
