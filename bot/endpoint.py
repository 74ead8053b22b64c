"""The official account's server URL, /wechat: verification and pushes from WeChat.

- GET: server verification (signature over token, timestamp, nonce; the echostr echoed back).
- POST: a message or event, in plaintext mode or in safe/compatible mode (encrypt_type=aes,
  AES-encrypted body with its own msg_signature; the reply is encrypted the same way).

A request that is not from WeChat gets 403 without touching any data: a wrong signature or
msg_signature, ciphertext that does not decrypt with our EncodingAESKey, or our appid missing
from it. An unreadable body gets 400. Without WECHAT_OA_TOKEN the endpoint answers 503; safe
mode also needs WECHAT_OA_APP_ID and WECHAT_OA_AES_KEY (403 without them: nothing can be
verified). What to answer is decided in bot/pushes.py.
"""

from __future__ import annotations

import logging
from xml.parsers.expat import ExpatError

import xmltodict
from flask import Blueprint, Response, current_app, request
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidSignatureException
from wechatpy.utils import check_signature

from app.errors import BadRequest, Forbidden, PayloadTooLarge, Unavailable
from app.extensions import csrf
from bot import pushes

log = logging.getLogger(__name__)

bp = Blueprint("wechat", __name__)
csrf.exempt(bp)

# WeChat's pushes are a few hundred bytes; nothing legitimate comes near this.
MAX_PUSH_BYTES = 64 * 1024


def _token() -> str:
    token = current_app.config.get("WECHAT_OA_TOKEN")
    if not token:
        raise Unavailable("公众号未配置（WECHAT_OA_TOKEN）")
    return token


def _verify_signature(token: str) -> None:
    args = request.args
    try:
        check_signature(token, args.get("signature", ""), args.get("timestamp", ""),
                        args.get("nonce", ""))
    except InvalidSignatureException:
        raise Forbidden("签名不正确") from None


def _crypto() -> WeChatCrypto:
    """The safe-mode cipher of this account (built once per app from its settings)."""
    crypto = current_app.extensions.get("bot_crypto")
    if crypto is None:
        config = current_app.config
        if not config.get("WECHAT_OA_APP_ID") or not config.get("WECHAT_OA_AES_KEY"):
            raise Forbidden("未配置安全模式（WECHAT_OA_APP_ID、WECHAT_OA_AES_KEY）")
        try:
            crypto = WeChatCrypto(config["WECHAT_OA_TOKEN"], config["WECHAT_OA_AES_KEY"],
                                  config["WECHAT_OA_APP_ID"])
        except (AssertionError, ValueError, TypeError):
            log.error("WECHAT_OA_AES_KEY is not a valid EncodingAESKey (43 characters)")
            raise Unavailable("公众号安全模式配置有误") from None
        current_app.extensions["bot_crypto"] = crypto
    return crypto


def _decrypt(body: bytes) -> str:
    crypto = _crypto()
    try:
        envelope = xmltodict.parse(body)["xml"]
        encrypted = envelope["Encrypt"]
    except (ExpatError, KeyError, TypeError, ValueError):
        raise BadRequest("消息格式不正确") from None
    if not isinstance(encrypted, str):
        raise BadRequest("消息格式不正确")
    args = request.args
    try:
        return crypto.decrypt_message({"Encrypt": encrypted}, args.get("msg_signature", ""),
                                      args.get("timestamp", ""), args.get("nonce", ""))
    except InvalidSignatureException:
        raise Forbidden("消息签名不正确") from None
    except Exception:
        # InvalidAppIdException (not our appid), and whatever garbage a wrong key yields
        # (bad padding, lengths, encodings): in every case the push is not for us.
        raise Forbidden("消息无法解密") from None


def _parse(xml: str | bytes):
    try:
        message = parse_message(xml)
    except (ExpatError, KeyError, TypeError, ValueError, AttributeError):
        raise BadRequest("消息格式不正确") from None
    if message is None or not isinstance(message._data, dict):
        raise BadRequest("消息格式不正确")
    source = message._data.get("FromUserName")
    if not isinstance(source, str) or not 0 < len(source) <= 64:
        raise BadRequest("消息格式不正确")
    return message


@bp.get("/wechat")
def verify():
    """WeChat checks the server URL: echo echostr when the signature is right."""
    _verify_signature(_token())
    return Response(request.args.get("echostr", ""), mimetype="text/plain")


@bp.post("/wechat")
def receive():
    """A message or event from WeChat; answered within WeChat's 5 seconds."""
    _verify_signature(_token())
    if (request.content_length or 0) > MAX_PUSH_BYTES:
        raise PayloadTooLarge()
    body = request.get_data(cache=False)
    if len(body) > MAX_PUSH_BYTES:
        raise PayloadTooLarge()
    mode = request.args.get("encrypt_type", "raw") or "raw"
    if mode not in ("raw", "aes"):
        raise BadRequest("不支持的加密方式")
    encrypted = mode == "aes"
    message = _parse(_decrypt(body) if encrypted else body)
    reply = pushes.handle(message)
    if not reply:
        return Response("success", mimetype="text/plain")
    if encrypted:
        reply = _crypto().encrypt_message(reply, request.args.get("nonce", ""),
                                          request.args.get("timestamp", "") or None)
    return Response(reply, mimetype="application/xml")
