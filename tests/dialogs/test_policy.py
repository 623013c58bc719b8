from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from voicebot.dialogs.commands import Say
from voicebot.dialogs.loader import load_script
from voicebot.dialogs.machine import Dialog
from voicebot.dialogs.policy import POLICY_DIR, Policy, load_policy
from voicebot.errors import PolicyError

BASE: dict[str, Any] = json.loads((POLICY_DIR / "new_policy.json").read_text("utf-8"))


def record(**changes: Any) -> dict[str, Any]:
    data = dict(BASE)
    for key, value in changes.items():
        if value is ...:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def test_every_shipped_example_loads_by_name_and_path() -> None:
    names = sorted(p.stem for p in POLICY_DIR.glob("*.json"))
    assert len(names) == 8
    for name in names:
        assert load_policy(name).policy_no == load_policy(POLICY_DIR / f"{name}.json").policy_no


def test_fields_and_derived_facts() -> None:
    p = Policy.from_dict(BASE)
    assert p.contract_date.isoformat() == "2026-11-10"
    assert p.premium_yuan == 12000.0
    assert p.title == "先生" and p.surname == "张"
    assert p.age == 55  # born 1970-11-30, contract 2026-11-10
    assert p.matches_id("1234") and p.matches_id("301234") and not p.matches_id("1243")
    assert not p.matches_id("34")  # too short to identify anyone
    # one extra recognised digit at an edge (是 heard as 四, a stray digit after) still matches…
    assert p.matches_id("41234") and p.matches_id("12345") and p.matches_id("4301234")
    # …but not a wrong digit inside, nor two extra
    assert not p.matches_id("12534") and not p.matches_id("412345") and not p.matches_id("51243")
    assert p.matches_birth("1970-11-30") and not p.matches_birth("1970-11-03")
    assert p.summary()["phone"] == "138****0001"
    assert "110105" not in json.dumps(p.summary())  # the ID number is masked


def test_gender_and_double_surnames() -> None:
    p = Policy.from_dict(record(holder_name="欧阳娜娜", holder_gender="female"))
    assert (p.title, p.surname) == ("女士", "欧阳")


def test_id_tail_only_and_x_check_character() -> None:
    p = Policy.from_dict(record(holder_id_number=..., holder_id_last="1530X"))
    assert p.matches_id("530x") and p.matches_id("1530X")


def test_null_means_default() -> None:
    assert Policy.from_dict(record(cooling_off_days=None)).cooling_off_days == 15


@pytest.mark.parametrize(("changes", "field"), [
    ({"holder_gender": "m"}, "holder_gender"),
    ({"holder_name": ...}, "holder_name"),
    ({"contract_date": "10/11/2026"}, "contract_date"),
    ({"premium_yuan": "12000"}, "premium_yuan"),
    ({"payment_years": 2.5}, "payment_years"),
    ({"payment_frequency": "yearly"}, "payment_frequency"),
    ({"channel": "shop"}, "channel"),
    ({"product_type": "magic"}, "product_type"),
    ({"holder_id_number": "11010519701130123"}, "holder_id_number"),
    ({"holder_id_number": "1101051970113012AB"}, "holder_id_number"),
    ({"holder_id_number": ..., "holder_birth_date": ...}, "holder_id_number"),
    ({"premium_yuan": -5}, "premium_yuan"),
    ({"holder_nmae": "张三"}, "holder_nmae"),
    ({"transaction": "loan"}, "transaction"),
])
def test_bad_records_name_the_field(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(PolicyError) as err:
        Policy.from_dict(record(**changes), source="t.json")
    assert f"'{field}'" in err.value.message and "t.json" in err.value.message
    assert err.value.code == "VB210" and err.value.hint


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="not found"):
        load_policy(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(PolicyError, match="cannot read"):
        load_policy(bad)
    bad.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(PolicyError, match="one JSON object"):
        load_policy(bad)


def test_a_field_the_script_needs_is_reported_when_the_dialog_is_built() -> None:
    lacking = Policy.from_dict(record(premium_yuan=...))
    with pytest.raises(PolicyError) as err:
        Dialog(load_script("new_policy"), lacking, call_id="t")
    assert "premium_yuan" in err.value.message and "q7_payment" in err.value.message


def test_a_skipped_question_needs_no_fields() -> None:
    # single premium: item 7 (payment period and frequency) is not asked, so no payment_years
    single = Policy.from_dict(record(payment_frequency="single", payment_years=...))
    d = Dialog(load_script("new_policy"), single, call_id="t")
    last = d.start()[-1]
    assert isinstance(last, Say) and last.prompt_id == "identity"
