"""Playing WeChat's side of the official-account protocol: signed (and encrypted) pushes.

The tests, `flask bot chat` and the benchmark all talk to /wechat through `WeChatPusher`, so the
endpoint's real verification and decryption run exactly as they do for WeChat
(reference/wechat.md §4.3 C and §6):

    pusher = WeChatPusher(token, appid=…, aes_key=…, openid="oUSER")
    push = pusher.text("二", mode="aes")          # or .voice(), .image(), .location(), .event()
    response = client.post(push.url("/wechat"), data=push.body)   # same push again = a retry
    pusher.reply_text(response.data, push)         # the reply's Content, decrypted if needed

Modes: "plain" (signature only), "aes" (safe mode: the XML encrypted, msg_signature over it) and
"compatible" (the plaintext fields and the encrypted copy in one body).
"""

from __future__ import annotations

import hashlib
import itertools
import secrets
import time
from dataclasses import dataclass
from urllib.parse import urlencode
from xml.sax.saxutils import escape

import xmltodict
from wechatpy.crypto import WeChatCrypto

MODES = ("plain", "aes", "compatible")
# MsgIds are unique per account, across followers: one counter for every pusher of a process,
# starting from the clock so that separate runs against one server do not repeat each other.
_MSG_IDS = itertools.count(time.time_ns() // 1000)


def signature(*parts: str) -> str:
    """WeChat's signature: SHA-1 of the sorted parts, concatenated (token, timestamp, nonce[, Encrypt])."""
    return hashlib.sha1("".join(sorted(parts)).encode("utf-8")).hexdigest()


def _cdata(value: str) -> str:
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


@dataclass(frozen=True)
class Push:
    """One push as WeChat sends it: query parameters and body. Re-sending it is a retry."""

    query: dict[str, str]
    body: bytes
    xml: str  # the plaintext message
    mode: str
    msg_id: int | None = None
    create_time: int = 0

    def url(self, base: str = "/wechat") -> str:
        return f"{base}?{urlencode(self.query)}"


@dataclass
class WeChatPusher:
    """Builds pushes from one follower (`openid`) to one official account."""

    token: str
    appid: str | None = None
    aes_key: str | None = None
    openid: str = "oUSER0001"
    account: str = "gh_linli000001"

    # --- messages ---------------------------------------------------------------------------
    def text(self, content: str, *, mode: str = "plain", bizmsgmenuid: str | None = None,
             **options) -> Push:
        extra = f"<Content>{_cdata(content)}</Content>"
        if bizmsgmenuid is not None:
            extra += f"<bizmsgmenuid>{escape(bizmsgmenuid)}</bizmsgmenuid>"
        return self._message("text", extra, mode=mode, **options)

    def voice(self, recognition: str | None, *, mode: str = "plain", **options) -> Push:
        """A voice message; `recognition` None leaves the Recognition field out entirely."""
        extra = (f"<MediaId>{_cdata('voice-' + secrets.token_hex(6))}</MediaId>"
                 f"<Format>{_cdata('amr')}</Format>")
        if recognition is not None:
            extra += f"<Recognition>{_cdata(recognition)}</Recognition>"
        return self._message("voice", extra, mode=mode, **options)

    def image(self, media_id: str | None = None, *, mode: str = "plain", **options) -> Push:
        media_id = media_id or "image-" + secrets.token_hex(6)
        extra = (f"<PicUrl>{_cdata('http://mmbiz.qpic.cn/' + media_id)}</PicUrl>"
                 f"<MediaId>{_cdata(media_id)}</MediaId>")
        return self._message("image", extra, mode=mode, **options)

    def location(self, lat: float, lng: float, label: str = "", *, mode: str = "plain",
                 **options) -> Push:
        extra = (f"<Location_X>{lat}</Location_X><Location_Y>{lng}</Location_Y>"
                 f"<Scale>15</Scale><Label>{_cdata(label)}</Label>")
        return self._message("location", extra, mode=mode, **options)

    def event(self, event: str, *, mode: str = "plain", create_time: int | None = None,
              fields: str = "", **options) -> Push:
        """An event push (no MsgId: WeChat's retries repeat FromUserName + CreateTime).

        `fields` is extra XML inside <xml>, e.g. "<EventKey><![CDATA[report]]></EventKey>".
        """
        extra = f"<Event>{_cdata(event)}</Event>{fields}"
        return self._push("event", extra, mode=mode, msg_id=None, create_time=create_time,
                          **options)

    def click(self, key: str, **options) -> Push:
        return self.event("CLICK", fields=f"<EventKey>{_cdata(key)}</EventKey>", **options)

    def _message(self, msg_type: str, extra: str, *, mode: str, msg_id: int | None = None,
                 **options) -> Push:
        return self._push(msg_type, extra, mode=mode, msg_id=msg_id or next(_MSG_IDS),
                          **options)

    def _push(self, msg_type: str, extra: str, *, mode: str, msg_id: int | None,
              create_time: int | None = None, timestamp: str | None = None,
              nonce: str | None = None, appid: str | None = None,
              aes_key: str | None = None) -> Push:
        if mode not in MODES:
            raise ValueError(f"mode is one of {MODES}, not {mode!r}")
        create_time = create_time or int(time.time())
        xml = (f"<xml><ToUserName>{_cdata(self.account)}</ToUserName>"
               f"<FromUserName>{_cdata(self.openid)}</FromUserName>"
               f"<CreateTime>{create_time}</CreateTime>"
               f"<MsgType>{_cdata(msg_type)}</MsgType>{extra}"
               + (f"<MsgId>{msg_id}</MsgId>" if msg_id is not None else "")
               + "</xml>")
        return self.wrap(xml, mode=mode, msg_id=msg_id, create_time=create_time,
                         timestamp=timestamp, nonce=nonce, appid=appid, aes_key=aes_key)

    # --- the envelope -----------------------------------------------------------------------
    def wrap(self, xml: str, *, mode: str = "plain", msg_id: int | None = None,
             create_time: int = 0, timestamp: str | None = None, nonce: str | None = None,
             appid: str | None = None, aes_key: str | None = None) -> Push:
        """Sign (and encrypt) any XML body the way WeChat does.

        `appid` and `aes_key` override the pusher's for one push (to forge a push for another
        account or with another key).
        """
        timestamp = timestamp or str(int(time.time()))
        nonce = nonce or str(secrets.randbelow(10 ** 9))
        query = {"signature": signature(self.token, timestamp, nonce), "timestamp": timestamp,
                 "nonce": nonce, "openid": self.openid}
        if mode == "plain":
            return Push(query, xml.encode("utf-8"), xml, mode, msg_id, create_time)
        crypto = self._crypto(appid, aes_key)
        envelope = xmltodict.parse(crypto.encrypt_message(xml, nonce, timestamp))["xml"]
        encrypted = envelope["Encrypt"]
        query |= {"encrypt_type": "aes", "msg_signature": envelope["MsgSignature"]}
        if mode == "aes":
            body = (f"<xml><ToUserName>{_cdata(self.account)}</ToUserName>"
                    f"<Encrypt>{_cdata(encrypted)}</Encrypt></xml>")
        else:
            body = xml.replace("</xml>", f"<Encrypt>{_cdata(encrypted)}</Encrypt></xml>")
        return Push(query, body.encode("utf-8"), xml, mode, msg_id, create_time)

    def verification(self, echostr: str = "echo-12345", *, timestamp: str | None = None,
                     nonce: str | None = None) -> dict[str, str]:
        """The query of WeChat's GET that verifies the server URL."""
        timestamp = timestamp or str(int(time.time()))
        nonce = nonce or str(secrets.randbelow(10 ** 9))
        return {"signature": signature(self.token, timestamp, nonce), "timestamp": timestamp,
                "nonce": nonce, "echostr": echostr}

    def _crypto(self, appid: str | None = None, aes_key: str | None = None) -> WeChatCrypto:
        appid = appid or self.appid
        aes_key = aes_key or self.aes_key
        if not appid or not aes_key:
            raise ValueError("safe mode needs the appid and the EncodingAESKey")
        return WeChatCrypto(self.token, aes_key, appid)

    # --- the reply ----------------------------------------------------------------------------
    def reply_xml(self, body: bytes | str, push: Push) -> str:
        """The reply's plaintext XML ("" for "success" or an empty body), decrypting an
        encrypted reply after checking its signature, as WeChat does."""
        text = body.decode("utf-8") if isinstance(body, bytes) else body
        if text in ("", "success"):
            return ""
        if push.mode == "plain":
            return text
        envelope = xmltodict.parse(text)["xml"]
        return self._crypto().decrypt_message(text, envelope["MsgSignature"],
                                              envelope["TimeStamp"], envelope["Nonce"])

    def reply_text(self, body: bytes | str, push: Push) -> str:
        """The Content of a text reply ("" when there is none)."""
        xml = self.reply_xml(body, push)
        if not xml:
            return ""
        return xmltodict.parse(xml)["xml"].get("Content") or ""
