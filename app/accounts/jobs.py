"""Account jobs: what needs WeChat and so cannot run while the bot answers a push."""

from __future__ import annotations

import logging

from app.accounts import service
from app.accounts.models import Resident
from app.extensions import db
from app.wechat.errors import WeChatError, WeChatUnavailable
from app.wechat.gateway import get_gateway

log = logging.getLogger(__name__)


def link_official_account(resident_id: int) -> None:
    """Ask WeChat for a new follower's unionid and join their mini-program record if any.

    WeChat gives the unionid only when the official account and the mini-program are bound to
    one open-platform account; without it the follower links with a binding code instead.
    """
    resident = db.session.get(Resident, resident_id)
    if resident is None or resident.oa_openid is None or resident.unionid is not None:
        return
    try:
        unionid = get_gateway().get_unionid(resident.oa_openid)
    except WeChatUnavailable:
        raise  # rq retries it later
    except WeChatError as exc:
        log.warning("no unionid for resident %s: %s", resident_id, exc)
        return
    if unionid:
        service.attach_unionid(resident_id, unionid)
