"""Screening user text before it is public (DESIGN §8; reference/practice.md).

One policy for every feature: WeChat's verdict `pass` publishes, `review` keeps the text but
holds it for a moderator, `risky` refuses it with a kind message. When WeChat cannot be asked
(outage, quota), the resident is not failed: the text is held for a moderator instead.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from app.accounts.models import Resident
from app.errors import Invalid
from app.wechat.errors import WeChatError
from app.wechat.gateway import get_gateway

log = logging.getLogger(__name__)

RISKY_MESSAGE = "内容包含不适宜公开的信息，请修改后再提交"

# WeChat's scenes: 1 资料, 2 评论, 3 论坛, 4 社交日志.
SCENE_PROFILE, SCENE_COMMENT, SCENE_FORUM, SCENE_SOCIAL = 1, 2, 3, 4


@dataclass(frozen=True)
class ContentVerdict:
    needs_review: bool
    label: int | None = None
    # Why a moderator is asked to look: "wechat_review" or "check_unavailable".
    reason: str = ""


def screen_text(*parts: str, resident: Resident | None = None, scene: int = SCENE_FORUM,
                field: str = "content") -> ContentVerdict:
    """Check user text; raise Invalid (422, naming `field`) when WeChat says it is risky."""
    text = "\n".join(part for part in parts if part)
    if not text.strip():
        return ContentVerdict(needs_review=False)
    openid = resident.mp_openid if resident is not None else None
    try:
        verdict = get_gateway().check_text(text, openid=openid, scene=scene)
    except WeChatError as exc:
        log.warning("content check unavailable, holding for a moderator: %s", exc)
        return ContentVerdict(needs_review=True, reason="check_unavailable")
    if verdict.suggest == "risky":
        raise Invalid(RISKY_MESSAGE, errors={field: [RISKY_MESSAGE]})
    if verdict.suggest == "review":
        return ContentVerdict(needs_review=True, label=verdict.label, reason="wechat_review")
    return ContentVerdict(needs_review=False, label=verdict.label)
