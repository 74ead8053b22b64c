"""The development gateway: dev login codes, the local word list, logged sends."""

from __future__ import annotations

import logging

import pytest

from app.wechat.console import ConsoleGateway, dev_openid
from app.wechat.errors import WeChatError
from app.wechat.gateway import TextVerdict
from app.wechat.wordlist import REVIEW_WORDS, RISKY_WORDS


@pytest.fixture
def console() -> ConsoleGateway:
    return ConsoleGateway()


def test_dev_code_gives_a_stable_openid_per_name(console):
    first = console.code_to_session("dev:zhangayi")
    again = console.code_to_session("dev:zhangayi")
    other = console.code_to_session("dev:lishushu")

    assert first.openid == again.openid == dev_openid("zhangayi")
    assert first.openid.startswith("dev_") and len(first.openid) == 28
    assert other.openid != first.openid
    assert first.unionid is None


@pytest.mark.parametrize("code", ["real-wechat-code", "dev:", ""])
def test_other_login_codes_are_invalid(console, code):
    with pytest.raises(WeChatError) as raised:
        console.code_to_session(code)

    assert raised.value.errcode == 40029


def test_dev_phone_code_gives_that_number(console):
    assert console.get_phone_number("dev:13800138000") == "13800138000"


@pytest.mark.parametrize("code", ["13800138000", "dev:12345", "dev:1380013800x"])
def test_other_phone_codes_are_invalid(console, code):
    with pytest.raises(WeChatError) as raised:
        console.get_phone_number(code)

    assert raised.value.errcode == 40029


def test_plain_text_passes(console):
    assert console.check_text("小区东门路灯坏了") == TextVerdict("pass")


def test_text_with_a_risky_word_is_risky(console):
    word = sorted(RISKY_WORDS)[0]
    assert console.check_text(f"你{word}吧", openid="dev_x").suggest == "risky"


def test_text_with_a_review_word_needs_review(console):
    word = sorted(REVIEW_WORDS)[0]
    assert console.check_text(f"有事{word}").suggest == "review"


def test_risky_beats_review(console):
    text = sorted(REVIEW_WORDS)[0] + sorted(RISKY_WORDS)[0]
    assert console.check_text(text).suggest == "risky"


def test_sends_are_logged(console, caplog):
    caplog.set_level(logging.INFO, logger="linli.wechat.console")

    console.send_text("oOA", "已收到您的报事")
    console.send_menu("oOA", "请选择：", [("101", "1 报事报修")], "也可以说数字")
    console.send_subscribe_message("oMINI", "TPL", {"thing1": "路灯"})
    console.send_oa_subscribe_message("oOA", "TPL-OA", {"thing1": "路灯"})

    logged = caplog.text
    assert "已收到您的报事" in logged
    assert "1 报事报修" in logged
    assert "TPL" in logged
    assert "TPL-OA" in logged


def test_template_message_returns_a_fresh_fake_msgid(console):
    first = console.send_template_message("oOA", "TPL", {"thing1": "路灯"})
    second = console.send_template_message("oOA", "TPL", {"thing1": "路灯"})

    assert first and second and first != second


def test_download_media_gives_a_placeholder_photo_the_upload_pipeline_accepts(console, app):
    from app.uploads.pipeline import process_photo

    photo = process_photo(console.download_media("MEDIA"), max_bytes=10_000_000,
                          max_pixels=50_000_000)

    assert (photo.width, photo.height) == (640, 480)


def test_download_media_of_an_expired_id_is_40007(console):
    with pytest.raises(WeChatError) as raised:
        console.download_media("expired-MEDIA")

    assert raised.value.errcode == 40007


def test_get_unionid_is_none(console):
    assert console.get_unionid("oOA") is None
