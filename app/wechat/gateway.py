"""The WeChat gateway: the only code in Linli that talks to WeChat's HTTP APIs.

`get_gateway()` returns the implementation the configuration selects:
- `WeChatGateway` (app/wechat/real.py), built on wechatpy 1.8.18 with the wrappers of
  reference/wechat.md (stable token, timeouts, bounded token retry, v2 content checks);
- `ConsoleGateway` (app/wechat/console.py) in development when WeChat is not configured: it logs
  what it would send, accepts `dev:<name>` login codes and checks text against a local word list.

Both raise `WeChatError` / `WeChatUnavailable` (app/wechat/errors.py) and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from flask import current_app


@dataclass(frozen=True)
class MiniProgramSession:
    openid: str
    unionid: str | None
    session_key: str


@dataclass(frozen=True)
class TextVerdict:
    """A content check's answer: pass, review (a moderator decides) or risky (refused)."""

    suggest: Literal["pass", "review", "risky"]
    label: int | None = None

    @property
    def passed(self) -> bool:
        return self.suggest == "pass"


class Gateway:
    """What Linli asks of WeChat. Both implementations provide every method."""

    # --- mini-program -------------------------------------------------------------------
    def code_to_session(self, code: str) -> MiniProgramSession:
        raise NotImplementedError

    def get_phone_number(self, code: str) -> str:
        """The phone number behind a getPhoneNumber code (digits only, no country code)."""
        raise NotImplementedError

    def check_text(self, text: str, *, openid: str | None = None, scene: int = 2) -> TextVerdict:
        """Content security: v2 when a mini-program openid is given, else v1."""
        raise NotImplementedError

    def send_subscribe_message(self, openid: str, template_id: str, data: dict[str, str],
                               page: str | None = None) -> None:
        raise NotImplementedError

    # --- official account ----------------------------------------------------------------
    def send_template_message(self, openid: str, template_id: str, data: dict[str, str],
                              url: str | None = None,
                              miniprogram: dict | None = None) -> str | None:
        """Send a template message; returns WeChat's msgid (matched by TEMPLATESENDJOBFINISH)."""
        raise NotImplementedError

    def send_oa_subscribe_message(self, openid: str, template_id: str, data: dict[str, str],
                                  miniprogram: dict | None = None) -> None:
        """A 服务号订阅通知 (message/subscribe/bizsend): one use of a grant the follower gave in
        the account's subscribe popup."""
        raise NotImplementedError

    def send_text(self, openid: str, text: str) -> None:
        """A customer-service text message (only within 48 h of the user's last message)."""
        raise NotImplementedError

    def send_menu(self, openid: str, head: str, items: list[tuple[str, str]], tail: str) -> None:
        """A customer-service msgmenu: tappable (id, text) items."""
        raise NotImplementedError

    def download_media(self, media_id: str) -> bytes:
        """A user's temporary media (photo, voice); WeChat keeps it 3 days."""
        raise NotImplementedError

    def create_menu(self, menu: dict) -> None:
        raise NotImplementedError

    def get_unionid(self, oa_openid: str) -> str | None:
        """The unionid of an official-account follower, when WeChat gives it."""
        raise NotImplementedError


def get_gateway() -> Gateway:
    """The gateway for the current app (built once per app, cheap to call)."""
    app = current_app._get_current_object()
    gateway = app.extensions.get("wechat_gateway")
    if gateway is None:
        from app.wechat.console import ConsoleGateway
        from app.wechat.real import WeChatGateway

        if app.config.get("WECHAT_MP_APP_ID") or app.config.get("WECHAT_OA_APP_ID"):
            gateway = WeChatGateway.from_config(app)
        else:
            gateway = ConsoleGateway()
        app.extensions["wechat_gateway"] = gateway
    return gateway
