"""Load and validate the NLU lexicons (``voicebot/nlu/lexicon/*.toml``).

Every key a file may hold is declared in ``SCHEMA`` with its shape, so a typo or a bad regex is
a ``LexiconError`` naming the file and key at load time, never a silent miss at call time.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from voicebot.errors import VoicebotError
from voicebot.nlu.types import AnswerKind, Intent

LEXICON_DIR = Path(__file__).with_name("lexicon")

# Shapes: "strs" list of non-empty strings, "regexes" list of regex strings,
# "map" table of string -> string, "int_map" table of string -> integer, "regex_map" table of regex -> string,
# "table_strs" table of name -> list of strings, "int", "str".
SCHEMA: dict[str, dict[str, str]] = {
    "normalize": {
        "fillers.anywhere": "strs",
        "fillers.before_pause": "strs",
        "fillers.unknown_tokens": "strs",
    },
    "asr": {
        "aliases": "regex_map",
        "hallucination.markers": "strs",
        "hallucination.min_chars": "int",
        "sound.max_syllables": "int",
        "sound.trailing": "strs",
        "sound.negators": "strs",
    },
    "numbers": {
        "digits.chars": "map",
        "digits.x_words": "strs",
        "digits.x_after_digits": "strs",
        "digits.one_homophones": "strs",
        "digits.syllables": "map",
        "digits.noise": "regexes",
        "digits.min_len": "int",
        "digits.max_len": "int",
    },
    "polarity": {
        "negators": "strs",
        "compound_negators": "map",
        "scope": "strs",
        "completion": "strs",
        "heads": "table_strs",
        "bare_deny": "strs",
        "subjects": "strs",
        "subject_negators": "strs",
    },
    "answers": {
        "*.affirm_categories": "strs",
        "*.affirm": "strs",
        "*.deny": "strs",
        "*.deny_as": "str",
        "*.deny_as_heads": "strs",
    },
    "intents": {
        "*.phrases": "strs",
        "*.patterns": "regexes",
        "*.weak": "strs",
        "*.strong": "strs",
        "*.sounds": "regexes",
        "*.cues": "strs",
        "*.claims": "strs",
        "*.whole": "strs",
        "*.whole_if_question": "strs",
        "*.neutral": "strs",
        "*.final": "strs",
        "*.topics": "table_strs",
    },
    "time": {
        "time.days": "int_map",
        "time.parts": "map",
        "time.vague": "strs",
    },
    "jieba": {
        "words.insurance": "strs",
        "words.keep": "strs",
        "words.freq": "int",
    },
}


class LexiconError(VoicebotError):
    """A lexicon file is missing, unreadable, or has a key of the wrong shape."""

    code = "VB250"


@dataclass(frozen=True)
class Lexicon:
    """Validated lexicon data; ``get(file, "section.key")`` returns the checked value."""

    directory: Path
    data: dict[str, dict[str, Any]]

    def get(self, file: str, key: str, default: Any = None) -> Any:
        return self.data.get(file, {}).get(key, default)

    def strs(self, file: str, key: str) -> list[str]:
        value = self.get(file, key, [])
        return list(value)

    def sections(self, file: str) -> list[str]:
        """Section names of a file whose schema uses ``*`` (e.g. one section per intent)."""
        seen: list[str] = []
        for key in self.data.get(file, {}):
            section = key.split(".", 1)[0]
            if section not in seen:
                seen.append(section)
        return seen


def _flatten(table: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in table.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and not _is_leaf_table(path):
            flat.update(_flatten(value, path + "."))
        else:
            flat[path] = value
    return flat


# Tables that are values in themselves (maps), not sections.
_LEAF_TABLE_SUFFIXES = ("aliases", "digits.chars", "digits.syllables", "compound_negators",
                        "heads", ".topics", "time.days", "time.parts")


def _is_leaf_table(path: str) -> bool:
    return path.endswith(_LEAF_TABLE_SUFFIXES)


def _shape_for(schema: dict[str, str], key: str) -> str | None:
    if key in schema:
        return schema[key]
    if "." in key:
        _, rest = key.split(".", 1)
        return schema.get(f"*.{rest}")
    return None


def _check(file: Path, key: str, shape: str, value: Any) -> Any:
    def bad(why: str) -> LexiconError:
        return LexiconError(f"lexicon {file.name}: key {key!r} {why}",
                            hint=f"fix {file} (key {key}) and reload")

    def str_list(items: Any) -> list[str]:
        if not isinstance(items, list) or not all(isinstance(s, str) and s.strip() for s in items):
            raise bad("must be a list of non-empty strings")
        return items

    def compile_all(patterns: list[str]) -> list[str]:
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise bad(f"has a bad regex {pattern!r}: {exc}") from exc
        return patterns

    if shape == "strs":
        return tuple(str_list(value))
    if shape == "regexes":
        return tuple(compile_all(str_list(value)))
    if shape == "int_map":
        if not isinstance(value, dict) or not all(
            isinstance(k, str) and k and isinstance(v, int) and not isinstance(v, bool)
            for k, v in value.items()
        ):
            raise bad("must be a table of string = integer")
        return dict(value)
    if shape in ("map", "regex_map"):
        if not isinstance(value, dict) or not all(
            isinstance(k, str) and k and isinstance(v, str) for k, v in value.items()
        ):
            raise bad("must be a table of string = string")
        if shape == "regex_map":
            compile_all(list(value))
        return dict(value)
    if shape == "table_strs":
        if not isinstance(value, dict) or not value:
            raise bad("must be a non-empty table of name = [strings]")
        return {name: tuple(str_list(items)) for name, items in value.items()}
    if shape == "int":
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise bad("must be a non-negative integer")
        return value
    if shape == "str":
        if not isinstance(value, str) or not value:
            raise bad("must be a non-empty string")
        return value
    raise bad(f"has an unknown shape {shape}")  # a bug in SCHEMA, not in the file


def _load_file(path: Path, schema: dict[str, str]) -> dict[str, Any]:
    if not path.is_file():
        raise LexiconError(f"lexicon file {path.name} is missing from {path.parent}",
                           hint="restore it from the repository")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise LexiconError(f"lexicon {path.name} is not valid TOML: {exc}",
                           hint=f"fix the syntax of {path}") from exc
    checked: dict[str, Any] = {}
    for key, value in _flatten(raw).items():
        shape = _shape_for(schema, key)
        if shape is None:
            raise LexiconError(f"lexicon {path.name}: unknown key {key!r}",
                               hint=f"allowed keys: {', '.join(sorted(schema))}")
        checked[key] = _check(path, key, shape, value)
    return checked


def load_lexicon(directory: Path | None = None) -> Lexicon:
    """Read and validate every lexicon file; raises ``LexiconError`` with file and key."""
    base = directory or LEXICON_DIR
    data = {name: _load_file(base / f"{name}.toml", schema) for name, schema in SCHEMA.items()}
    _check_cross_refs(base, data)
    return Lexicon(base, data)


def _check_cross_refs(base: Path, data: dict[str, dict[str, Any]]) -> None:
    kinds = {k.value for k in AnswerKind}
    intents = {i.value for i in Intent}
    categories = set(data["polarity"].get("heads", {}))
    stray = set(data["polarity"].get("subject_negators", ())) - set(data["polarity"].get("negators", ()))
    if stray:
        raise LexiconError(f"lexicon polarity.toml: subject_negators {sorted(stray)} are not negators",
                           hint=f"add them to negators in {base / 'polarity.toml'}")
    for key, value in data["answers"].items():
        section = key.split(".", 1)[0]
        if section not in kinds:
            raise LexiconError(f"lexicon answers.toml: section {section!r} is not an AnswerKind",
                               hint=f"use one of {', '.join(sorted(kinds))} in {base / 'answers.toml'}")
        if key.endswith(".deny_as") and value not in intents:
            raise LexiconError(f"lexicon answers.toml: key {key!r} names unknown intent {value!r}",
                               hint=f"use an Intent value in {base / 'answers.toml'}")
        if key.endswith(".affirm_categories"):
            unknown = set(value) - categories
            if unknown:
                raise LexiconError(
                    f"lexicon answers.toml: key {key!r} names unknown head categories "
                    f"{sorted(unknown)}", hint=f"use categories from polarity.toml heads "
                    f"({', '.join(sorted(categories))}) in {base / 'answers.toml'}")


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    """The shipped lexicon, loaded and validated once per process."""
    return load_lexicon()
