"""Import of policies and callback events: every bad row reported by its line, nothing kept."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook

from voicebot.campaigns.importer import parse_file
from voicebot.campaigns.records import CallbackKind, PhoneStatus
from voicebot.errors import ImportRowsError

TODAY = date(2026, 11, 22)
HEADER = "policy_no,kind,holder_name,phone,receipt_date,term_years,product_kind,channel,grace_end,event_date,amount"


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding=encoding)
    return p


def test_good_csv(tmp_path: Path) -> None:
    p = write(tmp_path, "ok.csv", "\n".join([
        HEADER,
        "P001,new_policy,张三,138 1234 5678,2026-11-20,10,traditional,agent,,,",
        "P002,grace_before,李四,+86 139-1234-5678,,,,,2026/12/31,,",
        'P003,claim,王五,,,,,,,2026年11月20日,"1,200.50"',
        "P004,surrender,赵六,12345,,,,,,20261120,¥3000元",
    ]) + "\n")
    events = parse_file(p, today=TODAY)
    assert [e.line for e in events] == [2, 3, 4, 5]
    e1, e2, e3, e4 = events
    assert (e1.kind, e1.phone, e1.phone_status, e1.term_months) == (
        CallbackKind.NEW_POLICY, "13812345678", PhoneStatus.OK, 120)
    assert (e2.phone, e2.grace_end) == ("13912345678", date(2026, 12, 31))
    assert (e3.phone_status, e3.amount, e3.event_date) == (PhoneStatus.MISSING, Decimal("1200.50"), date(2026, 11, 20))
    assert (e4.phone_status, e4.amount) == (PhoneStatus.INVALID, Decimal(3000))


def test_bad_csv_rows_reported_by_line(tmp_path: Path) -> None:
    p = write(tmp_path, "bad.csv", "\n".join([
        HEADER,
        "P001,new_policy,张三,13812345678,2026-11-20,10,,,,,",
        'P002,new_policy,"李\n四",13812345679,,10,,,,,',  # a quoted field over two lines; no date
        "P003,grace_after,王五,13812345670,,,,,2026-02-30,,",
        "P004,claim,赵六,13812345671,,,,,,2026-11-20,-5",
        "P005,lapse,钱七,13812345672",
        "P006,new_policy,孙八,13812345673,2026-11-20,10,crypto,,,,",
        "P001,new_policy,张三,13812345678,2026-11-20,10,,,,,",
        "P007,grace_before,周九,13812345674,,,,,,,",
        "P 8,new_policy,吴十,13812345675,2026-11-20,10,,,,,",
    ]) + "\n")
    with pytest.raises(ImportRowsError) as info:
        parse_file(p, today=TODAY)
    lines = dict(info.value.rows)
    assert sorted(lines) == [3, 5, 6, 7, 8, 9, 10, 11]
    assert "receipt_date or contract_date" in lines[3]
    assert "2026-02-30" in lines[5]
    assert "zero or more" in lines[6]
    assert "columns" in lines[7]
    assert "crypto" in lines[8]
    assert "as line 2" in lines[9]
    assert "grace_end" in lines[10]
    assert "policy_no" in lines[11]
    assert "nothing was imported" in info.value.message


def test_gbk_csv_with_chinese_headers(tmp_path: Path) -> None:
    text = "保单号,回访类型,投保人,手机,回执签收日,保险期间,险种类型,渠道\nP9,新单,张三,13812345678,2026-11-20,5,投连,银保\n"
    p = tmp_path / "gbk.csv"
    p.write_bytes(text.encode("gbk"))
    (e,) = parse_file(p, today=TODAY)
    assert (e.holder_name, e.kind, e.product_kind, e.channel) == ("张三", CallbackKind.NEW_POLICY, "investment_linked", "bank")


def test_json_lines_numbers_point_at_the_record(tmp_path: Path) -> None:
    good = {"policy_no": "P1", "kind": "claim", "holder_name": "张三", "phone": "13812345678",
            "event_date": "2026-11-20", "amount": 5000}
    bad = dict(good, policy_no="P2", event_date="yesterday")
    text = "[\n  " + json.dumps(good, ensure_ascii=False) + ",\n\n  " + json.dumps(bad, ensure_ascii=False) + "\n]\n"
    p = write(tmp_path, "e.json", text)
    with pytest.raises(ImportRowsError) as info:
        parse_file(p, today=TODAY)
    assert info.value.rows == [(4, "event_date 'yesterday' is not a date (write YYYY-MM-DD)")]
    p2 = write(tmp_path, "w.json", json.dumps({"rows": [good]}))
    assert [e.policy_no for e in parse_file(p2, today=TODAY)] == ["P1"]
    p3 = write(tmp_path, "e.jsonl", json.dumps(good) + "\n" + "[1]\n" + json.dumps(bad) + "\n")
    with pytest.raises(ImportRowsError) as info3:
        parse_file(p3, today=TODAY)
    assert [n for n, _ in info3.value.rows] == [2, 3]


def test_xlsx_with_date_cells_and_numeric_phones(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["policy_no", "kind", "holder_name", "phone", "receipt_date", "term_years", "holder_birth"])
    ws.append(["P1", "new_policy", "张三", 13812345678, datetime(2026, 11, 20), 10, datetime(1950, 5, 1)])
    ws.append([None, None, None, None, None, None, None])  # blank rows are skipped
    ws.append(["P2", "new_policy", "李四", 13812345679, "not a date", 10, None])
    ws.append(["P3", "new_policy", "王五", 13812345670, datetime(2026, 11, 20), 10, datetime(2030, 1, 1)])
    path = tmp_path / "policies.xlsx"
    wb.save(path)
    with pytest.raises(ImportRowsError) as info:
        parse_file(path, today=TODAY)
    assert [n for n, _ in info.value.rows] == [4, 5]
    assert "future" in info.value.rows[1][1]
    ws.delete_rows(4, 2)
    wb.save(path)
    (e,) = parse_file(path, today=TODAY)
    assert (e.phone, e.receipt_date, e.holder_birth) == ("13812345678", date(2026, 11, 20), date(1950, 5, 1))


def test_unknown_format_and_empty_file(tmp_path: Path) -> None:
    with pytest.raises(ImportRowsError, match="format"):
        parse_file(write(tmp_path, "x.pdf", "x"), today=TODAY)
    with pytest.raises(ImportRowsError, match="empty"):
        parse_file(write(tmp_path, "x.csv", ""), today=TODAY)
    with pytest.raises(ImportRowsError, match="Excel"):
        parse_file(write(tmp_path, "x.xlsx", "not a zip"), today=TODAY)
