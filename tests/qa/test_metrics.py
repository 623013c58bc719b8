from __future__ import annotations

import pytest

from voicebot.qa.metrics import Confusion, cer, normalize, pooled_cer


def test_normalize_brings_recogniser_output_to_one_form() -> None:
    assert normalize("對呀，是我。") == "对呀是我"
    assert normalize("嗯，1234") == "一二三四"
    assert normalize("后六位是幺幺零五四x") == "后六位是一一零五四X"
    assert normalize("  啊 , 没问题!") == "没问题"


def test_cer_counts_edits_against_the_reference() -> None:
    assert cer("是的呀。", "吃的呀").cer == pytest.approx(1 / 3)
    assert cer("我了解。", "我了解").cer == 0.0
    assert cer("不是。", "").cer == 1.0
    assert cer("对", "对对对对").cer == 3.0  # invented text can exceed 1
    assert cer("", "").cer is None
    assert pooled_cer([cer("一二三四", "一二三"), cer("好", "好")]) == pytest.approx(1 / 5)


def test_confusion_matrix() -> None:
    c = Confusion()
    for expected, got in [("affirm", "affirm"), ("affirm", "none"), ("deny", "deny")]:
        c.add(expected, got)
    assert c.labels == ["affirm", "deny", "none"]
    assert c.matrix() == [[1, 0, 1], [0, 1, 0], [0, 0, 0]]
    assert c.accuracy == pytest.approx(2 / 3)
