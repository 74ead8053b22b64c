"""A development stand-in for WeChat's content check, used only by the console gateway.

This is not a moderation list: it holds a handful of obvious phrases so that a developer (and
the tests) can see the pass / review / risky paths without WeChat. Production text is checked by
WeChat's msg_sec_check. Matching is by substring, case-insensitive.
"""

from __future__ import annotations

# Refused outright: abuse and fraud.
RISKY_WORDS = frozenset({
    "傻逼",
    "去死",
    "代开发票",
    "刷单返利",
    "办理假证",
})

# Held for a moderator: advertising and contact-harvesting phrases.
REVIEW_WORDS = frozenset({
    "加微信",
    "兼职日结",
    "免费领取",
    "低息贷款",
    "点击链接",
})
