"""Read a callback script: its TOML file, the files it extends, merged; errors point at file:line."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from voicebot.dialogs.schema import Script
from voicebot.errors import ScriptError

SCRIPT_DIR = Path(__file__).parent / "scripts"
KeyPath = tuple[str, ...]


def script_names() -> list[str]:
    """The shipped business scripts (files that are only extended, like common, excluded)."""
    return sorted(p.stem for p in SCRIPT_DIR.glob("*.toml") if p.stem != "common")


def load_script(name_or_path: str | Path) -> Script:
    """Load, merge and completely validate a script; raise ScriptError listing every problem."""
    from voicebot.dialogs.validate import build  # build imports Sources from here

    chain = _read_chain(_resolve(name_or_path, SCRIPT_DIR), [])
    merged: dict[str, Any] = {}
    for _path, data in reversed(chain):
        merged = _merge(merged, data)
    return build(merged, Sources(tuple(chain)))


def _resolve(name: str | Path, base: Path) -> Path:
    path = Path(name)
    candidates = [path] if path.suffix else []
    candidates += [base / f"{name}.toml", SCRIPT_DIR / f"{name}.toml"]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise ScriptError(f"script {name} not found",
                      hint=f"give a .toml path or one of: {', '.join(script_names())}")


def _read_chain(path: Path, seen: list[Path]) -> list[tuple[Path, dict[str, Any]]]:
    if path.resolve() in seen:
        raise ScriptError(f"{path}: extends itself in a loop ({' → '.join(p.name for p in seen)})",
                          hint="remove the circular extends")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ScriptError(f"{path}: not valid TOML: {exc}", hint="fix the syntax at that line") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ScriptError(f"{path}: cannot read: {exc}", hint="check the file") from exc
    parent = data.get("script", {}).get("extends")
    chain = [(path, data)]
    if parent:
        if not isinstance(parent, str):
            raise ScriptError(f"{path}: script.extends must be one script name", hint='extends = "common"')
        chain += _read_chain(_resolve(parent, path.parent), [*seen, path.resolve()])
    return chain


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """Tables merge key by key (a script overrides single fields of a shared state); other values replace."""
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


@dataclass(frozen=True)
class Sources:
    """Where each key came from, so an error can say file:line and the key path."""

    chain: tuple[tuple[Path, dict[str, Any]], ...]

    def where(self, path: KeyPath) -> str:
        for file, data in self.chain:  # the script itself first: it overrides its parents
            if _has(data, path):
                line = _find_line(file, path)
                return f"{file.name}:{line}" if line else file.name
        for depth in range(len(path) - 1, 0, -1):  # a key that is missing: blame its table
            for file, data in self.chain:
                if _has(data, path[:depth]):
                    line = _find_line(file, path[:depth])
                    return f"{file.name}:{line}" if line else file.name
        return self.chain[0][0].name


def _has(data: Any, path: KeyPath) -> bool:
    for key in path:
        if isinstance(data, dict) and key in data:
            data = data[key]
        elif isinstance(data, list) and key.isdigit() and int(key) < len(data):
            data = data[int(key)]
        else:
            return False
    return True


_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-\".]+)\s*=")


def _split(dotted: str) -> KeyPath:
    return tuple(part.strip().strip('"') for part in dotted.split("."))


def _find_line(file: Path, path: KeyPath) -> int | None:
    """The line that defines ``path`` (or the nearest enclosing table)."""
    best, best_len = None, 0
    table: KeyPath = ()
    arrays: dict[KeyPath, int] = {}
    for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1):
        header = _HEADER.match(line)
        if header:
            table = _split(header.group(2))
            if header.group(1) == "[[":
                arrays[table] = arrays.get(table, -1) + 1
                table = (*table, str(arrays[table]))
            here = table
        elif (key := _KEY.match(line)) and not line.lstrip().startswith("#"):
            here = (*table, *_split(key.group(1)))
        else:
            continue
        common = len(here) if path[: len(here)] == here else 0
        if common > best_len:
            best, best_len = number, common
    return best
