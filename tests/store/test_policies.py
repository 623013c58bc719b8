"""Policy import: one transaction, bad records by line, phones shared by different holders."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from voicebot.errors import ImportRowsError
from voicebot.store import Database
from voicebot.store.policies import import_policies, shared_phones


def policy(no: str, name: str, id_no: str, phone: str, **more: Any) -> dict[str, Any]:
    return {"policy_no": no, "holder_name": name, "holder_gender": "female", "product": "安康终身寿险",
            "contract_date": "2025-03-01", "holder_id_number": id_no, "holder_phone": phone, **more}


def test_json_import_flags_a_phone_shared_by_different_holders(
        store_db: Database, tmp_path: Path) -> None:
    f = tmp_path / "p.json"
    f.write_text(json.dumps([
        policy("P1", "王芳", "110105199001011234", "+86 138 0000 0001", term_months=240),
        policy("P2", "李娜", "110105198502023456", "13800000001"),  # the same phone: flagged
        policy("P3", "王芳", "110105199001011234", "13900000009"),
        policy("P4", "王芳", "110105199001011234", "13900000009"),  # same holder twice: fine
    ], ensure_ascii=False), encoding="utf-8")
    result = import_policies(store_db, f, actor="ops")
    assert (result.created, result.updated) == (4, 0)
    assert [(sp.phone, [h["policy_no"] for h in sp.holders]) for sp in result.shared_phones] == [
        ("13800000001", ["P1", "P2"])]
    with store_db.session() as s:
        assert len(shared_phones(s)) == 1
    again = import_policies(store_db, f, actor="ops")
    assert (again.created, again.updated) == (0, 4)


def test_csv_with_bad_records_imports_nothing(store_db: Database, tmp_path: Path) -> None:
    f = tmp_path / "p.csv"
    f.write_text(
        "policy_no,holder_name,holder_gender,product,contract_date,holder_id_number,holder_phone\n"
        "P1,王芳,female,寿险,2025-03-01,110105199001011234,13800000001\n"
        "P2,李娜,robot,寿险,2025-03-01,110105198502023456,13800000002\n"
        "P3,张伟,male,寿险,2025-03-01,110105198502023456,12345\n", encoding="utf-8")
    with pytest.raises(ImportRowsError) as err:
        import_policies(store_db, f, actor="ops")
    assert [line for line, _ in err.value.rows] == [3, 4]
    with store_db.session() as s:
        assert shared_phones(s) == []
        from voicebot.store.policies import by_number
        assert by_number(s, "P1") is None
