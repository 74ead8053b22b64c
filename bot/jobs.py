"""The bot's jobs: customer-service messages (never sent while answering a push) and the sweeps
that forget old receipts and dialogs."""

from __future__ import annotations

import logging

from app import periodic
from app.wechat.errors import WeChatError
from app.wechat.gateway import get_gateway
from bot import dedupe, dialogs, menus

log = logging.getLogger(__name__)

INVALID_ACCOUNT_TYPE = 40200
# The follower blocked the account, or left the 48-hour window: nothing to retry.
_UNDELIVERABLE = frozenset({43004, 45015, 45047})


def send_text(openid: str, text: str) -> None:
    """A customer-service text message to a follower (within 48 h of their last message)."""
    try:
        get_gateway().send_text(openid, text)
    except WeChatError as exc:
        if exc.errcode in _UNDELIVERABLE:
            log.info("customer-service text to %s not delivered: %s", openid, exc)
            return
        raise


def send_main_menu(openid: str, elder: bool) -> None:
    """The main menu as a msgmenu (tappable lines); as text when the account cannot send one."""
    gateway = get_gateway()
    try:
        gateway.send_menu(openid, "请点选要办的事，或回复数字：", menus.msgmenu_items(elder),
                          "也可以直接说话")
        return
    except WeChatError as exc:
        if exc.errcode in _UNDELIVERABLE:
            log.info("menu to %s not delivered: %s", openid, exc)
            return
        if exc.errcode != INVALID_ACCOUNT_TYPE:
            raise
        log.warning("this official account cannot send msgmenu (40200); menus are text from now")
        menus.record_msgmenu_refused()
    send_text(openid, menus.main_menu_text(elder))


@periodic.every(minutes=10)
def sweep_bot_state() -> None:
    """Forget push receipts past the retry window, dialogs idle for a week and submissions
    filed (or refused) a month ago."""
    from bot import submissions  # which sends its answers through this module

    receipts = dedupe.sweep_expired_receipts()
    forgotten = dialogs.sweep_forgotten_dialogs()
    filed = submissions.sweep_old_submissions()
    if receipts or forgotten or filed:
        log.info("bot sweep: %d push receipts, %d dialogs, %d submissions removed", receipts,
                 forgotten, filed)
