"""Read the rows of a CSV, JSON / JSON Lines or Excel file as (line number, {column: value}).

Line numbers are what a person sees when opening the file: the header is line 1 of a table,
and a JSON record's line is the line its ``{`` is on.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from voicebot.errors import ImportRowsError

Row = tuple[int, dict[str, Any]]
FORMATS = ("csv", "json", "jsonl", "xlsx")


def detect_format(path: Path, fmt: str | None = None) -> str:
    fmt = (fmt or path.suffix.lstrip(".")).lower()
    if fmt in ("tsv", "txt"):
        fmt = "csv"
    if fmt == "ndjson":
        fmt = "jsonl"
    if fmt not in FORMATS:
        raise ImportRowsError(f"cannot tell the format of {path.name}", [],
                              hint=f"name the file .csv, .json, .jsonl or .xlsx, or pass --format ({', '.join(FORMATS)})")
    return fmt


def _text(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return data.decode("gb18030")  # core systems in China often export GBK
        except UnicodeDecodeError as exc:
            raise ImportRowsError(f"{path.name} is neither UTF-8 nor GB18030 text", [],
                                  hint="save the file as UTF-8") from exc


def read_csv(path: Path) -> Iterator[Row]:
    text = _text(path)
    first = text.split("\n", 1)[0]
    # the header decides the delimiter (csv.Sniffer guesses wrong on quoted amounts)
    delimiter = max(",\t;", key=first.count) if first.count(",") == 0 else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    start = 1
    for cells in reader:
        line, start = start, reader.line_num + 1
        if header is None:
            header = [c.strip() for c in cells]
            continue
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            yield line, {"__error__": f"has {len(cells)} columns, the header has {len(header)}"}
            continue
        yield line, dict(zip(header, cells, strict=True))
    if header is None:
        raise ImportRowsError(f"{path.name} is empty", [(1, "no header row")], hint="the first row names the columns")


def read_json(path: Path) -> Iterator[Row]:
    text = _text(path)
    decoder = json.JSONDecoder()
    pos = _skip(text, 0)
    wrapped = text.startswith("{", pos)
    if wrapped:  # {"rows": [...]} or {"policies": [...]}
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ImportRowsError(f"{path.name} is not valid JSON", [(exc.lineno, exc.msg)]) from exc
        key = next((k for k in ("rows", "policies", "events", "tasks") if isinstance(doc.get(k), list)), None)
        if key is None:
            raise ImportRowsError(f"{path.name}: expected a list of records", [(1, "no rows/policies list")],
                                  hint='write [{...}, {...}] or {"rows": [...]}')
        pos = _skip(text, text.index("[", text.index(f'"{key}"')))
    if not text.startswith("[", pos):
        raise ImportRowsError(f"{path.name}: expected a list of records", [(_line(text, pos), "not a JSON list")],
                              hint='write [{...}, {...}]')
    pos = _skip(text, pos + 1)
    while pos < len(text) and text[pos] != "]":
        line = _line(text, pos)
        try:
            value, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            raise ImportRowsError(f"{path.name} is not valid JSON", [(exc.lineno, exc.msg)]) from exc
        yield line, value if isinstance(value, dict) else {"__error__": "is not a JSON object"}
        pos = _skip(text, pos)
        if pos < len(text) and text[pos] == ",":
            pos = _skip(text, pos + 1)


def read_jsonl(path: Path) -> Iterator[Row]:
    for n, raw in enumerate(_text(path).splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            value = json.loads(raw)
        except json.JSONDecodeError as exc:
            yield n, {"__error__": f"is not valid JSON: {exc.msg}"}
            continue
        yield n, value if isinstance(value, dict) else {"__error__": "is not a JSON object"}


def read_xlsx(path: Path, sheet: str | None = None) -> Iterator[Row]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise ImportRowsError(f"{path.name} is not an Excel .xlsx workbook: {exc}", [],
                              hint="save it as .xlsx (Excel 2007 or later)") from exc
    try:
        ws = book[sheet] if sheet else book.worksheets[0]
        header: list[str] | None = None
        for n, cells in enumerate(ws.iter_rows(values_only=True), start=1):
            if header is None:
                header = ["" if c is None else str(c).strip() for c in cells]
                continue
            if all(c is None or str(c).strip() == "" for c in cells):
                continue
            yield n, {h: c for h, c in zip(header, cells, strict=False) if h}
    finally:
        book.close()


def read_rows(path: Path, fmt: str | None = None) -> Iterator[Row]:
    kind = detect_format(path, fmt)
    if not path.is_file():
        raise ImportRowsError(f"{path} does not exist", [], hint="check the path")
    readers = {"csv": read_csv, "json": read_json, "jsonl": read_jsonl, "xlsx": read_xlsx}
    yield from readers[kind](path)


def _skip(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    return pos


def _line(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1
