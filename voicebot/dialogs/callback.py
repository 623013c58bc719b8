"""Find when a busy customer asked to be called back, in their own words."""

from __future__ import annotations

import re

_NUM = "零一二三四五六七八九十两半几0-9"
_TIME = re.compile(
    "|".join([
        r"大?后天|明天|今天|明早|明晚|今晚|今儿|明儿",
        r"下+(个)?(周|星期|礼拜)[一二三四五六日天]?|(周|星期|礼拜)[一二三四五六日天]|周末|月底|月初",
        r"早上|上午|中午|下午|傍晚|晚上|晚些|晚点|晚一点|一会儿?|待会儿?|等会儿?|改天|过几天|过两天",
        rf"[{_NUM}]{{1,3}}\s*[点:：]\s*([{_NUM}]{{1,3}}分?|半|一刻|三刻)?",
        rf"过?[{_NUM}]{{1,3}}个?(小时|钟头|分钟|天)(以?后|之后)?",
        r"\d{1,2}[号日]",
    ])
)


def callback_time(text: str) -> str | None:
    """The stretch of ``text`` that says when to call back (明天下午三点), or None."""
    matches = list(_TIME.finditer(text))
    if not matches:
        return None
    return text[matches[0].start(): matches[-1].end()].strip("，,。 ")


# Words that say "later" without saying when: the bot still asks for a time.
VAGUE = frozenset({"回头", "晚点", "晚一点", "晚些", "改天", "一会", "一会儿", "待会", "待会儿", "等会",
                   "等会儿", "过几天", "过两天", "有空", "有时间"})


def is_definite(when: str) -> bool:
    """True for a time a scheduler can use (ISO from the NLU, or words beyond a vague "later")."""
    return bool(when) and when.strip() not in VAGUE
