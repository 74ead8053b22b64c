"""The production gateway's calls, request bodies and error mapping, against `responses`."""

from __future__ import annotations

import json

import pytest
from flask import Flask

from app.config import ConfigError
from app.wechat.console import ConsoleGateway
from app.wechat.errors import WeChatError, WeChatUnavailable
from app.wechat.gateway import MiniProgramSession, TextVerdict, get_gateway
from app.wechat.real import WeChatGateway
from tests.fakes.wechat_responses import (
    API,
    MP_APP_ID,
    MP_SECRET,
    add_json,
    add_stable_token,
    calls_to,
    json_body,
    wechat_app,
)

OK = {"errcode": 0, "errmsg": "ok"}
SEC_CHECK = "/wxa/msg_sec_check"


def v2_answer(suggest: str, label: int) -> dict:
    return {**OK, "result": {"suggest": suggest, "label": label}, "detail": [],
            "trace_id": "t"}


# --- configuration ----------------------------------------------------------------------------

def test_get_gateway_is_real_when_wechat_is_configured():
    app = wechat_app()
    with app.app_context():
        assert isinstance(get_gateway(), WeChatGateway)


def test_get_gateway_is_console_without_wechat_configuration():
    app = Flask(__name__)
    with app.app_context():
        assert isinstance(get_gateway(), ConsoleGateway)


def test_official_account_call_without_official_account_raises_unavailable(rsps):
    gateway = WeChatGateway.from_config(wechat_app(WECHAT_OA_APP_ID=None))

    with pytest.raises(WeChatUnavailable, match="official account not configured"):
        gateway.send_text("oUSER", "你好")
    assert not rsps.calls


def test_mini_program_call_without_mini_program_raises_unavailable(rsps):
    gateway = WeChatGateway.from_config(wechat_app(WECHAT_MP_APP_ID=None))

    with pytest.raises(WeChatUnavailable, match="mini-program not configured"):
        gateway.code_to_session("CODE")


def test_app_id_without_secret_is_a_configuration_error():
    with pytest.raises(ConfigError, match="WECHAT_MP_SECRET"):
        WeChatGateway.from_config(wechat_app(WECHAT_MP_SECRET=None))


# --- login --------------------------------------------------------------------------------------

def test_code_to_session_returns_the_session_without_fetching_a_token(rsps, gateway):
    add_json(rsps, "GET", "/sns/jscode2session",
             {"openid": "oMINI", "session_key": "SK", "unionid": "UNION"})

    session = gateway.code_to_session("CODE")

    assert session == MiniProgramSession(openid="oMINI", unionid="UNION", session_key="SK")
    assert len(rsps.calls) == 1
    query = rsps.calls[0].request.params
    assert query == {"appid": MP_APP_ID, "secret": MP_SECRET, "js_code": "CODE",
                     "grant_type": "authorization_code"}


def test_code_to_session_without_unionid_gives_none(rsps, gateway):
    add_json(rsps, "GET", "/sns/jscode2session", {"openid": "oMINI", "session_key": "SK"})

    assert gateway.code_to_session("CODE").unionid is None


@pytest.mark.parametrize("errcode", [40029, 40163])
def test_code_to_session_invalid_or_used_code_raises_that_errcode(rsps, gateway, errcode):
    add_json(rsps, "GET", "/sns/jscode2session", {"errcode": errcode, "errmsg": "bad code"})

    with pytest.raises(WeChatError) as raised:
        gateway.code_to_session("CODE")

    assert raised.value.errcode == errcode


def test_get_phone_number_returns_the_pure_phone_number(rsps, gateway):
    add_stable_token(rsps)
    add_json(rsps, "POST", "/wxa/business/getuserphonenumber",
             {**OK, "phone_info": {"phoneNumber": "+86 13800138000",
                                   "purePhoneNumber": "13800138000", "countryCode": "86"}})

    assert gateway.get_phone_number("PHONECODE") == "13800138000"
    call = calls_to(rsps, "/wxa/business/getuserphonenumber")[0]
    assert json_body(call) == {"code": "PHONECODE"}
    assert "access_token=TOKEN" in call.request.url


# --- content checks -------------------------------------------------------------------------

@pytest.mark.parametrize("suggest,label", [("pass", 100), ("review", 10001), ("risky", 20003)])
def test_v2_text_check_returns_wechats_verdict(rsps, gateway, suggest, label):
    add_stable_token(rsps)
    add_json(rsps, "POST", SEC_CHECK, v2_answer(suggest, label))

    verdict = gateway.check_text("路灯坏了", openid="oMINI", scene=3)

    assert verdict == TextVerdict(suggest, label)
    assert json_body(calls_to(rsps, SEC_CHECK)[0]) == {
        "content": "路灯坏了", "version": 2, "openid": "oMINI", "scene": 3}


def test_v1_text_check_passes_on_errcode_0(rsps, gateway):
    add_stable_token(rsps)
    add_json(rsps, "POST", SEC_CHECK, OK)

    assert gateway.check_text("路灯坏了") == TextVerdict("pass")
    assert json_body(calls_to(rsps, SEC_CHECK)[0]) == {"content": "路灯坏了"}


def test_v1_text_check_is_risky_on_87014(rsps, gateway):
    add_stable_token(rsps)
    add_json(rsps, "POST", SEC_CHECK, {"errcode": 87014, "errmsg": "risky content"})

    assert gateway.check_text("坏话").suggest == "risky"


def test_v1_text_check_other_errors_raise(rsps, gateway):
    add_stable_token(rsps)
    add_json(rsps, "POST", SEC_CHECK, {"errcode": -1, "errmsg": "system busy"})

    with pytest.raises(WeChatError) as raised:
        gateway.check_text("路灯坏了")

    assert raised.value.retryable


def test_unknown_v2_suggestion_is_treated_as_review(rsps, gateway):
    add_stable_token(rsps)
    add_json(rsps, "POST", SEC_CHECK, v2_answer("maybe", 21000))

    assert gateway.check_text("路灯坏了", openid="oMINI").suggest == "review"


def test_long_text_is_checked_in_chunks_and_the_worst_verdict_wins(rsps, gateway):
    add_stable_token(rsps)
    rsps.post(f"{API}{SEC_CHECK}", json=v2_answer("pass", 100))
    rsps.post(f"{API}{SEC_CHECK}", json=v2_answer("review", 10001))
    rsps.post(f"{API}{SEC_CHECK}", json=v2_answer("pass", 100))
    text = "甲" * 2500 + "乙" * 2500 + "丙" * 10

    verdict = gateway.check_text(text, openid="oMINI")

    contents = [json_body(call)["content"] for call in calls_to(rsps, SEC_CHECK)]
    assert contents == ["甲" * 2500, "乙" * 2500, "丙" * 10]
    assert verdict == TextVerdict("review", 10001)


def test_empty_text_passes_without_a_call(rsps, gateway):
    assert gateway.check_text("", openid="oMINI") == TextVerdict("pass")
    assert not rsps.calls


# --- messages --------------------------------------------------------------------------------

def test_subscribe_message_body(rsps, gateway):
    add_stable_token(rsps)
    add_json(rsps, "POST", "/cgi-bin/message/subscribe/send", OK)

    gateway.send_subscribe_message("oMINI", "TPL", {"thing1": "路灯损坏", "phrase2": "已受理"},
                                   page="pages/report/detail?id=7")

    call = calls_to(rsps, "/cgi-bin/message/subscribe/send")[0]
    assert json_body(call) == {
        "touser": "oMINI", "template_id": "TPL", "page": "pages/report/detail?id=7",
        "data": {"thing1": {"value": "路灯损坏"}, "phrase2": {"value": "已受理"}}}
    # wechatpy sends UTF-8 JSON without \u escapes.
    assert "路灯损坏".encode() in call.request.body


def test_official_account_subscribe_message_goes_to_bizsend(rsps, gateway):
    add_stable_token(rsps)
    add_json(rsps, "POST", "/cgi-bin/message/subscribe/bizsend", OK)

    gateway.send_oa_subscribe_message(
        "oOA", "TPL-OA", {"thing1": "路灯损坏"},
        miniprogram={"appid": MP_APP_ID, "pagepath": "pages/reports/detail?id=7"})

    call = calls_to(rsps, "/cgi-bin/message/subscribe/bizsend")[0]
    assert json_body(call) == {
        "touser": "oOA", "template_id": "TPL-OA", "data": {"thing1": {"value": "路灯损坏"}},
        "miniprogram": {"appid": MP_APP_ID, "pagepath": "pages/reports/detail?id=7"}}


def test_template_message_body_and_msgid(rsps, gateway):
    add_stable_token(rsps)
    add_json(rsps, "POST", "/cgi-bin/message/template/send", {**OK, "msgid": 200228332})

    msgid = gateway.send_template_message(
        "oOA", "TPL", {"thing1": "路灯损坏"}, url="https://linli.test/r/7",
        miniprogram={"appid": MP_APP_ID, "pagepath": "pages/index/index"})

    assert msgid == "200228332"
    assert json_body(calls_to(rsps, "/cgi-bin/message/template/send")[0]) == {
        "touser": "oOA", "template_id": "TPL", "url": "https://linli.test/r/7",
        "miniprogram": {"appid": MP_APP_ID, "pagepath": "pages/index/index"},
        "data": {"thing1": {"value": "路灯损坏"}}}


def test_template_message_leaves_out_absent_url_and_miniprogram(rsps, gateway):
    add_stable_token(rsps)
    add_json(rsps, "POST", "/cgi-bin/message/template/send", {**OK, "msgid": 1})

    gateway.send_template_message("oOA", "TPL", {"thing1": "路灯"})

    body = json_body(calls_to(rsps, "/cgi-bin/message/template/send")[0])
    assert "url" not in body and "miniprogram" not in body


def test_send_text_body(rsps, gateway):
    add_stable_token(rsps)
    add_json(rsps, "POST", "/cgi-bin/message/custom/send", OK)

    gateway.send_text("oOA", "已收到您的报事")

    call = calls_to(rsps, "/cgi-bin/message/custom/send")[0]
    assert json_body(call) == {"touser": "oOA", "msgtype": "text",
                               "text": {"content": "已收到您的报事"}}
    assert "已收到您的报事".encode() in call.request.body


def test_send_text_cuts_long_text_to_2048_bytes_on_a_character_boundary(rsps, gateway):
    add_stable_token(rsps)
    add_json(rsps, "POST", "/cgi-bin/message/custom/send", OK)

    gateway.send_text("oOA", "a" + "邻" * 1000)

    content = json_body(calls_to(rsps, "/cgi-bin/message/custom/send")[0])["text"]["content"]
    assert len(content.encode("utf-8")) <= 2048
    assert content == "a" + "邻" * 681 + "…"


def test_send_menu_body_is_a_msgmenu(rsps, gateway):
    add_stable_token(rsps)
    add_json(rsps, "POST", "/cgi-bin/message/custom/send", OK)

    gateway.send_menu("oOA", "请选择要办理的事项：", [("101", "1 报事报修"), ("102", "2 查询进度")],
                      "也可以直接说出数字")

    assert json_body(calls_to(rsps, "/cgi-bin/message/custom/send")[0]) == {
        "touser": "oOA", "msgtype": "msgmenu",
        "msgmenu": {"head_content": "请选择要办理的事项：",
                    "list": [{"id": "101", "content": "1 报事报修"},
                             {"id": "102", "content": "2 查询进度"}],
                    "tail_content": "也可以直接说出数字"}}


def test_outside_the_48_hour_window_raises_45015(rsps, gateway):
    add_stable_token(rsps)
    add_json(rsps, "POST", "/cgi-bin/message/custom/send",
             {"errcode": 45015, "errmsg": "response out of time limit"})

    with pytest.raises(WeChatError) as raised:
        gateway.send_text("oOA", "你好")

    assert raised.value.errcode == 45015
    assert raised.value.errmsg == "response out of time limit"


# --- media, menu, user -------------------------------------------------------------------------

def test_download_media_returns_the_bytes(rsps, gateway):
    add_stable_token(rsps)
    jpeg = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4
    rsps.get(f"{API}/cgi-bin/media/get", body=jpeg, content_type="image/jpeg")

    assert gateway.download_media("MEDIA") == jpeg
    assert calls_to(rsps, "/cgi-bin/media/get")[0].request.params["media_id"] == "MEDIA"


def test_download_media_json_error_body_raises_its_errcode(rsps, gateway):
    add_stable_token(rsps)
    rsps.get(f"{API}/cgi-bin/media/get", content_type="text/plain",
             body=json.dumps({"errcode": 40007, "errmsg": "invalid media_id"}))

    with pytest.raises(WeChatError) as raised:
        gateway.download_media("OLD")

    assert raised.value.errcode == 40007


def test_download_media_json_without_errcode_is_not_media(rsps, gateway):
    add_stable_token(rsps)
    add_json(rsps, "GET", "/cgi-bin/media/get", {"video_url": "http://example.test/v.mp4"})

    with pytest.raises(WeChatError, match="not media"):
        gateway.download_media("VIDEO")


def test_create_menu_posts_the_menu_unchanged(rsps, gateway):
    add_stable_token(rsps)
    add_json(rsps, "POST", "/cgi-bin/menu/create", OK)
    menu = {"button": [{"type": "click", "name": "我要报事", "key": "REPORT"}]}

    gateway.create_menu(menu)

    assert json_body(calls_to(rsps, "/cgi-bin/menu/create")[0]) == menu


def test_get_unionid_reads_user_info(rsps, gateway):
    add_stable_token(rsps)
    add_json(rsps, "GET", "/cgi-bin/user/info", {"subscribe": 1, "openid": "oOA",
                                                  "unionid": "UNION"})

    assert gateway.get_unionid("oOA") == "UNION"
    assert calls_to(rsps, "/cgi-bin/user/info")[0].request.params["openid"] == "oOA"


def test_get_unionid_is_none_when_wechat_gives_none(rsps, gateway):
    add_stable_token(rsps)
    add_json(rsps, "GET", "/cgi-bin/user/info", {"subscribe": 0, "openid": "oOA"})

    assert gateway.get_unionid("oOA") is None


# --- error mapping -----------------------------------------------------------------------------

def test_api_quota_reached_raises_wechat_error_45009(rsps, gateway):
    add_stable_token(rsps)
    add_json(rsps, "POST", "/cgi-bin/message/custom/send",
             {"errcode": 45009, "errmsg": "reach max api daily quota limit"})

    with pytest.raises(WeChatError) as raised:
        gateway.send_text("oOA", "你好")

    assert raised.value.errcode == 45009
    assert type(raised.value) is WeChatError


def test_http_500_raises_wechat_unavailable(rsps, gateway):
    add_stable_token(rsps)
    rsps.post(f"{API}/cgi-bin/message/custom/send", body="bad gateway", status=502)

    with pytest.raises(WeChatUnavailable):
        gateway.send_text("oOA", "你好")


def test_http_404_raises_a_non_retryable_wechat_error(rsps, gateway):
    add_stable_token(rsps)
    rsps.post(f"{API}/cgi-bin/message/custom/send", body="not found", status=404)

    with pytest.raises(WeChatError) as raised:
        gateway.send_text("oOA", "你好")

    assert not isinstance(raised.value, WeChatUnavailable)
    assert not raised.value.retryable


def test_non_json_answer_raises_wechat_unavailable(rsps, gateway):
    add_stable_token(rsps)
    rsps.post(f"{API}/cgi-bin/message/template/send", body="<html>proxy error</html>")

    with pytest.raises(WeChatUnavailable, match="not JSON"):
        gateway.send_template_message("oOA", "TPL", {"thing1": "路灯"})


def test_non_json_token_answer_raises_wechat_unavailable(rsps, gateway):
    rsps.post(f"{API}/cgi-bin/stable_token", body="<html>proxy error</html>")

    with pytest.raises(WeChatUnavailable):
        gateway.send_text("oOA", "你好")
