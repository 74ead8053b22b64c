"""Errors from WeChat, classified the way callers need to act on them (reference/wechat.md §2.6)."""

from __future__ import annotations

# Worth retrying later with backoff: system busy and quota-per-minute limits.
RETRYABLE_ERRCODES = frozenset({-1, 45009, 45011})
# Invalid or already-used wx.login code.
INVALID_LOGIN_CODE_ERRCODES = frozenset({40029, 40163})
# Token invalid / not latest / expired: refetch once and retry.
TOKEN_ERRCODES = frozenset({40001, 40014, 42001})


class WeChatError(Exception):
    """WeChat answered with an error code."""

    def __init__(self, errcode: int | None, errmsg: str = ""):
        self.errcode = errcode
        self.errmsg = errmsg
        super().__init__(f"WeChat error {errcode}: {errmsg}")

    @property
    def retryable(self) -> bool:
        return self.errcode in RETRYABLE_ERRCODES


class WeChatUnavailable(WeChatError):
    """WeChat could not be reached (network error, timeout, HTTP 5xx); retry later."""

    def __init__(self, errmsg: str = "unreachable"):
        super().__init__(None, errmsg)

    @property
    def retryable(self) -> bool:
        return True
