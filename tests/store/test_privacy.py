"""Masking of ID and phone numbers for logs and for users without the right role."""

from __future__ import annotations

import logging

import pytest

from voicebot.privacy import (
    MaskingFilter,
    install_log_masking,
    mask_id,
    mask_phone,
    mask_text,
    show_phone,
)


def test_masks_keep_only_the_ends() -> None:
    assert mask_id("110105199001011234") == "110105********1234"
    assert mask_id("11010519900101123X") == "110105********123X"
    assert mask_phone("13800000001") == "138****0001"
    assert mask_phone("+86 138-0000-0001") == "138****0001"


@pytest.mark.parametrize(("text", "want"), [
    ("身份证110105199001011234，电话13800000001", "身份证110105********1234，电话138****0001"),
    ("call +86 138-0000-0001 now", "call 138****0001 now"),
    ("座机010-12345678", "座机010****5678"),
    ("policy P0123456789 stays", "policy P0123456789 stays"),
])
def test_free_text_is_masked(text: str, want: str) -> None:
    assert mask_text(text) == want


def test_only_admins_see_full_numbers() -> None:
    assert show_phone("13800000001", "admin") == "13800000001"
    assert show_phone("13800000001", "qa") == "138****0001"
    assert show_phone("13800000001", None) == "138****0001"


def test_log_records_are_masked(caplog: pytest.LogCaptureFixture) -> None:
    log = logging.getLogger("voicebot.test.privacy")
    caplog.handler.addFilter(MaskingFilter())
    with caplog.at_level(logging.INFO):
        log.info("calling %s for holder %s", "13800000001", "110105199001011234")
    assert caplog.messages == ["calling 138****0001 for holder 110105********1234"]
    root = logging.getLogger()
    handler = logging.StreamHandler()
    root.addHandler(handler)
    try:
        install_log_masking()
        assert any(isinstance(f, MaskingFilter) for f in handler.filters)
    finally:
        root.removeHandler(handler)
