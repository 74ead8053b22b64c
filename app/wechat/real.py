"""The production gateway: WeChat's HTTP APIs through wechatpy 1.8.18 (reference/wechat.md).

Two optional clients: the mini-program (login, phone number, content checks, subscribe messages)
and the official account (customer-service, template messages, media, menu, user info). Every
wechatpy, requests and JSON failure leaves this module as `WeChatError` or `WeChatUnavailable`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager

import requests
from flask import Flask
from wechatpy.exceptions import WeChatClientException

from app.config import ConfigError
from app.wechat.clients import WECHAT_API_ORIGIN, StableTokenClient, make_client
from app.wechat.errors import WeChatError, WeChatUnavailable
from app.wechat.gateway import Gateway, MiniProgramSession, TextVerdict
from app.wechat.limits import CUSTOM_TEXT_MAX_BYTES, chunks, fit_utf8

log = logging.getLogger(__name__)

RISKY_CONTENT = 87014
INVALID_MEDIA_ID = 40007
_SEVERITY = {"pass": 0, "review": 1, "risky": 2}
# Query values that must never reach a log line or an exception message.
_SECRET_PARAMS = re.compile(r"(access_token|secret|code)=[^&\s'\"]+")


def _redact(text: str) -> str:
    return _SECRET_PARAMS.sub(r"\1=***", text)


@contextmanager
def _translated(action: str) -> Iterator[None]:
    """Turn wechatpy and requests failures into `WeChatError` / `WeChatUnavailable`."""
    try:
        yield
    except WeChatError:
        raise
    except WeChatClientException as exc:
        if exc.errcode is not None:
            raise WeChatError(int(exc.errcode), str(exc.errmsg or "")) from None
        status = exc.response.status_code if exc.response is not None else None
        if status is not None and 400 <= status < 500:
            raise WeChatError(None, f"{action}: HTTP {status}") from None
        raise WeChatUnavailable(f"{action}: HTTP {status}") from None
    except requests.RequestException as exc:
        # Timeouts, refused connections and undecodable answers; the message can hold the URL
        # with its access_token or secret, hence the redaction (and `from None`).
        raise WeChatUnavailable(f"{action}: {type(exc).__name__}: {_redact(str(exc))}") from None


def _json(result, action: str) -> dict:
    # wechatpy hands back the raw response when the body is not JSON.
    if not isinstance(result, dict):
        raise WeChatUnavailable(f"{action}: WeChat's answer is not JSON")
    return result


def _values(data: dict[str, str]) -> dict[str, dict[str, str]]:
    """Template and subscribe message data in WeChat's shape: {"key": {"value": "…"}}."""
    return {key: {"value": value} for key, value in data.items()}


class WeChatGateway(Gateway):
    """Linli's calls to WeChat, on a mini-program client and an official-account client."""

    def __init__(self, *, mini_program: StableTokenClient | None = None,
                 official_account: StableTokenClient | None = None):
        self._mini_program = mini_program
        self._official_account = official_account

    @classmethod
    def from_config(cls, app: Flask) -> WeChatGateway:
        """Build the clients the app's configuration describes (either may be absent)."""
        config = app.config
        redis = None
        if config.get("REDIS_URL"):
            from app.jobs import redis_connection

            redis = redis_connection(app)
        options = {"redis": redis, "api_base": config.get("WECHAT_API_BASE"),
                   "timeout": config.get("WECHAT_TIMEOUT_SECONDS", 5)}
        clients = {}
        for name, prefix in (("mini_program", "WECHAT_MP"), ("official_account", "WECHAT_OA")):
            appid = config.get(f"{prefix}_APP_ID")
            if not appid:
                continue
            secret = config.get(f"{prefix}_SECRET")
            if not secret:
                raise ConfigError(f"{prefix}_SECRET is required when {prefix}_APP_ID is set")
            clients[name] = make_client(appid, secret, **options)
        return cls(**clients)

    @property
    def mini_program(self) -> StableTokenClient:
        if self._mini_program is None:
            raise WeChatUnavailable("mini-program not configured")
        return self._mini_program

    @property
    def official_account(self) -> StableTokenClient:
        if self._official_account is None:
            raise WeChatUnavailable("official account not configured")
        return self._official_account

    # --- mini-program -------------------------------------------------------------------
    def code_to_session(self, code: str) -> MiniProgramSession:
        client = self.mini_program
        with _translated("code_to_session"):
            # access_token=None: wechatpy would otherwise fetch a token this call does not use
            # (requests drops None-valued params), §3.1.
            result = _json(client.get("sns/jscode2session", api_base_url=WECHAT_API_ORIGIN,
                                      params={"appid": client.appid, "secret": client.secret,
                                              "js_code": code,
                                              "grant_type": "authorization_code",
                                              "access_token": None}), "code_to_session")
        if not result.get("openid") or not result.get("session_key"):
            raise WeChatError(None, "code_to_session: no openid in WeChat's answer")
        return MiniProgramSession(openid=result["openid"], unionid=result.get("unionid") or None,
                                  session_key=result["session_key"])

    def get_phone_number(self, code: str) -> str:
        client = self.mini_program
        with _translated("get_phone_number"):
            result = _json(client.post("wxa/business/getuserphonenumber",
                                       api_base_url=WECHAT_API_ORIGIN, data={"code": code}),
                           "get_phone_number")
        phone = (result.get("phone_info") or {}).get("purePhoneNumber")
        if not phone:
            raise WeChatError(None, "get_phone_number: no purePhoneNumber in WeChat's answer")
        return str(phone)

    def check_text(self, text: str, *, openid: str | None = None, scene: int = 2) -> TextVerdict:
        worst: TextVerdict | None = None
        for piece in chunks(text):
            verdict = (self._check_text_v2(piece, openid, scene) if openid
                       else self._check_text_v1(piece))
            if worst is None or _SEVERITY[verdict.suggest] > _SEVERITY[worst.suggest]:
                worst = verdict
            if worst.suggest == "risky":
                break
        return worst or TextVerdict("pass")

    def _check_text_v2(self, text: str, openid: str, scene: int) -> TextVerdict:
        client = self.mini_program
        with _translated("check_text"):
            # wechatpy 1.8.18 only knows v1, §3.4.
            answer = _json(client.post("wxa/msg_sec_check", api_base_url=WECHAT_API_ORIGIN,
                                       data={"content": text, "version": 2, "openid": openid,
                                             "scene": scene}), "check_text")
        result = answer.get("result") or {}
        suggest = result.get("suggest")
        label = result.get("label")
        label = int(label) if label is not None and str(label).isdigit() else None
        if suggest not in _SEVERITY:
            # An answer Linli does not understand goes to a moderator rather than through.
            log.warning("msg_sec_check gave an unknown suggestion %r; treating it as review",
                        suggest)
            suggest = "review"
        return TextVerdict(suggest, label)

    def _check_text_v1(self, text: str) -> TextVerdict:
        client = self.mini_program
        try:
            with _translated("check_text"):
                client.wxa.check_text_security(text)
        except WeChatError as exc:
            if exc.errcode == RISKY_CONTENT:
                return TextVerdict("risky", None)
            raise
        return TextVerdict("pass", None)

    def send_subscribe_message(self, openid: str, template_id: str, data: dict[str, str],
                               page: str | None = None) -> None:
        client = self.mini_program
        with _translated("send_subscribe_message"):
            client.wxa.send_subscribe_message(openid, template_id, _values(data), page=page)

    # --- official account ----------------------------------------------------------------
    def send_template_message(self, openid: str, template_id: str, data: dict[str, str],
                              url: str | None = None,
                              miniprogram: dict | None = None) -> str | None:
        client = self.official_account
        with _translated("send_template_message"):
            result = _json(client.message.send_template(openid, template_id, _values(data),
                                                        url=url, mini_program=miniprogram),
                           "send_template_message")
        msgid = result.get("msgid")
        return str(msgid) if msgid is not None else None

    def send_oa_subscribe_message(self, openid: str, template_id: str, data: dict[str, str],
                                  miniprogram: dict | None = None) -> None:
        client = self.official_account
        with _translated("send_oa_subscribe_message"):
            client.message.send_subscribe_message(openid, template_id, _values(data),
                                                  miniprogram=miniprogram)

    def send_text(self, openid: str, text: str) -> None:
        client = self.official_account
        content = fit_utf8(text, CUSTOM_TEXT_MAX_BYTES)
        if content != text:
            log.warning("customer-service text to %s cut to %d bytes", openid,
                        CUSTOM_TEXT_MAX_BYTES)
        with _translated("send_text"):
            client.message.send_text(openid, content)

    def send_menu(self, openid: str, head: str, items: list[tuple[str, str]], tail: str) -> None:
        client = self.official_account
        msgmenu = {
            "head_content": head,
            "list": [{"id": str(item_id), "content": content} for item_id, content in items],
            "tail_content": tail,
        }
        with _translated("send_menu"):
            client.message.send_msg_menu(openid, msgmenu)

    def download_media(self, media_id: str) -> bytes:
        client = self.official_account
        with _translated("download_media"):
            # A JSON error body ({"errcode": 40007, …}) is raised by wechatpy as an error; any
            # other JSON (a video's {"video_url": …}) is not the bytes Linli asked for.
            result = client.media.download(media_id)
        if isinstance(result, dict):
            raise WeChatError(None, "download_media: WeChat answered JSON, not media")
        if not result.content:
            raise WeChatError(None, "download_media: WeChat answered an empty body")
        return result.content

    def create_menu(self, menu: dict) -> None:
        client = self.official_account
        with _translated("create_menu"):
            client.menu.create(menu)

    def get_unionid(self, oa_openid: str) -> str | None:
        client = self.official_account
        with _translated("get_unionid"):
            result = _json(client.user.get(oa_openid), "get_unionid")
        return result.get("unionid") or None
