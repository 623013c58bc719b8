"""Lexicon files: the shipped ones load; broken ones fail with file and key."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from voicebot.errors import VoicebotError
from voicebot.nlu.lexicon import LEXICON_DIR, LexiconError, default_lexicon, load_lexicon


@pytest.fixture
def lexdir(tmp_path: Path) -> Path:
    target = tmp_path / "lexicon"
    shutil.copytree(LEXICON_DIR, target)
    return target


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + "\n" + text + "\n", encoding="utf-8")


def test_shipped_lexicon_loads_once() -> None:
    lex = default_lexicon()
    assert lex is default_lexicon()  # cached
    assert "犹豫期" in lex.strs("jieba", "words.insurance")
    assert "do_not_call" in lex.sections("intents")


def test_copy_loads(lexdir: Path) -> None:
    assert load_lexicon(lexdir).data == default_lexicon().data


def test_error_is_a_voicebot_error_with_code(lexdir: Path) -> None:
    (lexdir / "intents.toml").write_text("[busy\nphrases = 1", encoding="utf-8")
    with pytest.raises(VoicebotError) as info:
        load_lexicon(lexdir)
    assert isinstance(info.value, LexiconError) and info.value.code == "VB250"
    assert "intents.toml" in str(info.value) and info.value.hint


def test_bad_regex_names_file_and_key(lexdir: Path) -> None:
    _append(lexdir / "intents.toml", '[silly]\npatterns = ["(unclosed"]')
    with pytest.raises(LexiconError, match=r"intents\.toml.*'silly\.patterns'.*bad regex"):
        load_lexicon(lexdir)


def test_wrong_shape(lexdir: Path) -> None:
    _append(lexdir / "normalize.toml", "[extra]")
    text = (lexdir / "polarity.toml").read_text(encoding="utf-8")
    (lexdir / "polarity.toml").write_text(text.replace('completion = ["了", "过", "的"]',
                                                       'completion = "了"'), encoding="utf-8")
    with pytest.raises(LexiconError, match=r"polarity\.toml.*'completion'.*list"):
        load_lexicon(lexdir)


def test_empty_phrase(lexdir: Path) -> None:
    _append(lexdir / "intents.toml", '[odd]\nphrases = ["ok", " "]')
    with pytest.raises(LexiconError, match=r"'odd\.phrases'.*non-empty"):
        load_lexicon(lexdir)


def test_unknown_key(lexdir: Path) -> None:
    _append(lexdir / "jieba.toml", "[stuff]\nwords = []")
    with pytest.raises(LexiconError, match=r"jieba\.toml: unknown key 'stuff\.words'"):
        load_lexicon(lexdir)


def test_missing_file(lexdir: Path) -> None:
    (lexdir / "answers.toml").unlink()
    with pytest.raises(LexiconError, match="answers.toml is missing"):
        load_lexicon(lexdir)


def test_answers_must_name_known_kinds_categories_and_intents(lexdir: Path) -> None:
    path = lexdir / "answers.toml"
    original = path.read_text(encoding="utf-8")
    path.write_text(original + '\n[maybe]\naffirm_categories = ["yes"]\n', encoding="utf-8")
    with pytest.raises(LexiconError, match="'maybe' is not an AnswerKind"):
        load_lexicon(lexdir)
    path.write_text(original.replace('affirm_categories = ["yes"]',
                                     'affirm_categories = ["vibes"]', 1), encoding="utf-8")
    with pytest.raises(LexiconError, match="unknown head categories"):
        load_lexicon(lexdir)
    path.write_text(original.replace('deny_as = "wrong_person"', 'deny_as = "wrong"'),
                    encoding="utf-8")
    with pytest.raises(LexiconError, match="unknown intent 'wrong'"):
        load_lexicon(lexdir)


def test_time_table_needs_integers(lexdir: Path) -> None:
    path = lexdir / "time.toml"
    path.write_text(path.read_text(encoding="utf-8").replace('"明天" = 1', '"明天" = "1"'),
                    encoding="utf-8")
    with pytest.raises(LexiconError, match=r"time\.toml.*'time\.days'.*integer"):
        load_lexicon(lexdir)


def test_subject_negators_must_be_negators(lexdir: Path) -> None:
    path = lexdir / "polarity.toml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        'subject_negators = ["谁也没"', 'subject_negators = ["谁也不"'), encoding="utf-8")
    with pytest.raises(LexiconError, match=r"subject_negators \['谁也不'\] are not negators"):
        load_lexicon(lexdir)


def test_bad_sound_regex_names_key(lexdir: Path) -> None:
    _append(lexdir / "intents.toml", '[busy2]\nsounds = ["(bie"]')
    with pytest.raises(LexiconError, match=r"intents\.toml.*'busy2\.sounds'.*bad regex"):
        load_lexicon(lexdir)
