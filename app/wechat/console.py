"""The development gateway: logs what would go to WeChat instead of sending it.

Used when neither WECHAT_MP_APP_ID nor WECHAT_OA_APP_ID is configured. Login codes of the form
`dev:<name>` sign in a stable fake resident, `dev:<11-digit mobile>` answers a phone-number
request, and text is checked against the small word list in app/wechat/wordlist.py.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import logging
import re

from app.wechat.errors import WeChatError
from app.wechat.gateway import Gateway, MiniProgramSession, TextVerdict
from app.wechat.limits import CUSTOM_TEXT_MAX_BYTES, fit_utf8
from app.wechat.wordlist import REVIEW_WORDS, RISKY_WORDS

log = logging.getLogger("linli.wechat.console")

DEV_PREFIX = "dev:"
INVALID_CODE = 40029
EXPIRED_MEDIA_PREFIX = "expired"
_DEV_PHONE = re.compile(r"dev:(1\d{10})")


def dev_openid(name: str) -> str:
    """The fake openid the console gateway gives the login code `dev:<name>`."""
    return "dev_" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:24]


def _placeholder_photo() -> bytes:
    """A 640×480 JPEG of soft grey bands (what a photo of a wall looks like, roughly)."""
    from PIL import Image

    image = Image.new("RGB", (640, 480))
    image.putdata([(120 + (y // 40) * 8, 120 + (x // 64) * 6, 128) for y in range(480)
                   for x in range(640)])
    output = io.BytesIO()
    image.save(output, "JPEG", quality=80)
    return output.getvalue()


class ConsoleGateway(Gateway):
    """Answers like WeChat would, from local rules, and logs every message it would send."""

    def __init__(self) -> None:
        self._msgids = itertools.count(1)

    # --- mini-program -------------------------------------------------------------------
    def code_to_session(self, code: str) -> MiniProgramSession:
        name = code[len(DEV_PREFIX):] if code.startswith(DEV_PREFIX) else ""
        if not name:
            raise WeChatError(INVALID_CODE, "console gateway accepts only dev:<name> codes")
        openid = dev_openid(name)
        return MiniProgramSession(openid=openid, unionid=None, session_key=f"dev-key-{openid}")

    def get_phone_number(self, code: str) -> str:
        match = _DEV_PHONE.fullmatch(code)
        if match is None:
            raise WeChatError(INVALID_CODE, "console gateway accepts only dev:<mobile> codes")
        return match.group(1)

    def check_text(self, text: str, *, openid: str | None = None, scene: int = 2) -> TextVerdict:
        lowered = text.lower()
        if any(word in lowered for word in RISKY_WORDS):
            return TextVerdict("risky")
        if any(word in lowered for word in REVIEW_WORDS):
            return TextVerdict("review")
        return TextVerdict("pass")

    def send_subscribe_message(self, openid: str, template_id: str, data: dict[str, str],
                               page: str | None = None) -> None:
        log.info("would send subscribe message %s to %s (page %s): %s", template_id, openid,
                 page, data)

    # --- official account ----------------------------------------------------------------
    def send_template_message(self, openid: str, template_id: str, data: dict[str, str],
                              url: str | None = None,
                              miniprogram: dict | None = None) -> str | None:
        msgid = f"console-{next(self._msgids)}"
        log.info("would send template message %s (msgid %s) to %s (url %s, miniprogram %s): %s",
                 template_id, msgid, openid, url, miniprogram, data)
        return msgid

    def send_oa_subscribe_message(self, openid: str, template_id: str, data: dict[str, str],
                                  miniprogram: dict | None = None) -> None:
        log.info("would send official-account subscribe message %s to %s (miniprogram %s): %s",
                 template_id, openid, miniprogram, data)

    def send_text(self, openid: str, text: str) -> None:
        log.info("would send text to %s: %s", openid, fit_utf8(text, CUSTOM_TEXT_MAX_BYTES))

    def send_menu(self, openid: str, head: str, items: list[tuple[str, str]], tail: str) -> None:
        lines = "\n".join(f"  [{item_id}] {content}" for item_id, content in items)
        log.info("would send menu to %s:\n%s\n%s\n%s", openid, head, lines, tail)

    def download_media(self, media_id: str) -> bytes:
        """A plain placeholder photo, so that the bot's 随手拍 can be tried in development
        (`flask bot chat`, "image"); a media id starting with "expired" plays WeChat's 40007."""
        if media_id.lower().startswith(EXPIRED_MEDIA_PREFIX):
            raise WeChatError(40007, "invalid media_id")
        log.info("would download media %s: a placeholder photo instead", media_id)
        return _placeholder_photo()

    def create_menu(self, menu: dict) -> None:
        log.info("would create the official-account menu: %s", menu)

    def get_unionid(self, oa_openid: str) -> str | None:
        return None
