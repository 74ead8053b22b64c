"""The real gateway against the fake WeChat server over HTTP, rerouted by WECHAT_API_BASE."""

from __future__ import annotations

import os
import subprocess
import sys

import fakeredis
import pytest

from app.config import PROJECT_ROOT
from app.jobs import redis_connection
from app.wechat.clients import make_client
from app.wechat.errors import WeChatError, WeChatUnavailable
from app.wechat.gateway import TextVerdict
from app.wechat.real import WeChatGateway
from tests.fakes.wechat_responses import MP_APP_ID, OA_APP_ID, OA_SECRET, wechat_app
from tests.fakes.wechat_server import running_fake_wechat

CUSTOM_SEND = "/cgi-bin/message/custom/send"


@pytest.fixture
def gateway(fake_wechat) -> WeChatGateway:
    return WeChatGateway.from_config(wechat_app(WECHAT_API_BASE=fake_wechat.base_url))


def test_every_call_is_rerouted_to_the_fake(fake_wechat, gateway):
    gateway.send_text("oOA", "你好")

    assert [r.path for r in fake_wechat.requests] == ["/cgi-bin/stable_token", CUSTOM_SEND]
    sent = fake_wechat.calls(CUSTOM_SEND)[0]
    assert sent.json == {"touser": "oOA", "msgtype": "text", "text": {"content": "你好"}}
    assert sent.query["access_token"] == fake_wechat.current_token(OA_APP_ID)


def test_login_codes(fake_wechat, gateway):
    session = gateway.code_to_session("ok:oMINI:UNION")

    assert (session.openid, session.unionid) == ("oMINI", "UNION")
    assert not fake_wechat.calls("/cgi-bin/stable_token")
    assert "access_token" not in fake_wechat.calls("/sns/jscode2session")[0].query
    with pytest.raises(WeChatError) as used:
        gateway.code_to_session("used")
    with pytest.raises(WeChatError) as invalid:
        gateway.code_to_session("whatever")
    assert (used.value.errcode, invalid.value.errcode) == (40163, 40029)


def test_rotated_token_is_refetched_and_the_call_retried(fake_wechat, gateway):
    gateway.send_text("oOA", "一")
    stale = fake_wechat.current_token(OA_APP_ID)
    fake_wechat.rotate_tokens()

    gateway.send_text("oOA", "二")

    tokens = [r.query["access_token"] for r in fake_wechat.calls(CUSTOM_SEND)]
    assert tokens == [stale, stale, fake_wechat.current_token(OA_APP_ID)]
    assert len(fake_wechat.calls("/cgi-bin/stable_token")) == 2


def test_persistent_40001_stops_after_two_attempts(fake_wechat, gateway):
    fake_wechat.fail_next(CUSTOM_SEND, errcode=40001, times=5)

    with pytest.raises(WeChatError) as raised:
        gateway.send_text("oOA", "你好")

    assert raised.value.errcode == 40001
    assert len(fake_wechat.calls(CUSTOM_SEND)) == 2


def test_http_500_raises_unavailable_and_the_next_call_succeeds(fake_wechat, gateway):
    fake_wechat.fail_next(CUSTOM_SEND, status=500)

    with pytest.raises(WeChatUnavailable):
        gateway.send_text("oOA", "你好")
    gateway.send_text("oOA", "你好")

    assert len(fake_wechat.calls(CUSTOM_SEND)) == 2


def test_text_verdicts_follow_the_registered_substrings(fake_wechat, gateway):
    fake_wechat.text_verdicts["广告"] = "review"
    fake_wechat.text_verdicts["骂人"] = ("risky", 20003)

    assert gateway.check_text("路灯坏了", openid="oMINI") == TextVerdict("pass", 100)
    assert gateway.check_text("这是广告", openid="oMINI") == TextVerdict("review", 21000)
    assert gateway.check_text("广告和骂人", openid="oMINI") == TextVerdict("risky", 20003)
    assert gateway.check_text("骂人").suggest == "risky"
    assert gateway.check_text("这是广告").suggest == "pass"  # v1 knows no review


def test_media_download(fake_wechat, gateway):
    fake_wechat.media["PHOTO"] = b"\xff\xd8\xff\xe0photo-bytes"

    assert gateway.download_media("PHOTO") == b"\xff\xd8\xff\xe0photo-bytes"
    with pytest.raises(WeChatError) as raised:
        gateway.download_media("EXPIRED")
    assert raised.value.errcode == 40007


def test_messages_phone_menu_and_user_info(fake_wechat, gateway):
    fake_wechat.unionids["oOA"] = "UNION"

    assert gateway.get_phone_number("phone:13800138000") == "13800138000"
    assert gateway.send_template_message("oOA", "TPL", {"thing1": "路灯"}) == "1"
    gateway.send_subscribe_message("oMINI", "TPL", {"thing1": "路灯"})
    gateway.send_menu("oOA", "请选择：", [("101", "1 报事")], "")
    gateway.create_menu({"button": []})

    assert gateway.get_unionid("oOA") == "UNION"
    assert fake_wechat.menu == {"button": []}
    assert fake_wechat.calls("/cgi-bin/message/subscribe/send")[0].json["touser"] == "oMINI"
    assert fake_wechat.calls(CUSTOM_SEND)[0].json["msgtype"] == "msgmenu"
    # Each app got its own token.
    assert {r.json["appid"] for r in fake_wechat.calls("/cgi-bin/stable_token")} == {
        MP_APP_ID, OA_APP_ID}


def test_wrong_secret_is_refused_when_apps_are_registered():
    with running_fake_wechat(apps={OA_APP_ID: "right"}) as fake:
        client = make_client(OA_APP_ID, OA_SECRET, api_base=fake.base_url)
        gateway = WeChatGateway(official_account=client)

        with pytest.raises(WeChatError) as raised:
            gateway.send_text("oOA", "你好")

    assert raised.value.errcode == 40125


def test_gateways_sharing_redis_fetch_one_token_from_the_fake(fake_wechat):
    server = fakeredis.FakeServer()
    for _ in range(2):
        client = make_client(OA_APP_ID, OA_SECRET, redis=fakeredis.FakeRedis(server=server),
                             api_base=fake_wechat.base_url)
        WeChatGateway(official_account=client).send_text("oOA", "你好")

    assert len(fake_wechat.calls("/cgi-bin/stable_token")) == 1
    assert len(fake_wechat.calls(CUSTOM_SEND)) == 2


CHILD_SENDS_TEXT = """
import sys
from app.wechat.real import WeChatGateway
from tests.fakes.wechat_responses import wechat_app
gateway = WeChatGateway.from_config(wechat_app(WECHAT_API_BASE=sys.argv[1]))
gateway.send_text("oOA", "来自另一个进程")
"""


def test_another_process_reaches_the_fake_through_wechat_api_base(fake_wechat):
    subprocess.run([sys.executable, "-c", CHILD_SENDS_TEXT, fake_wechat.base_url],
                   cwd=PROJECT_ROOT, check=True, timeout=60)

    assert fake_wechat.calls(CUSTOM_SEND)[0].json["text"]["content"] == "来自另一个进程"


@pytest.mark.redis
@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis (set REDIS_URL)")
def test_apps_configured_with_redis_share_the_token(fake_wechat):
    config = {"WECHAT_API_BASE": fake_wechat.base_url, "REDIS_URL": os.environ["REDIS_URL"]}
    first, second = wechat_app(**config), wechat_app(**config)
    redis_connection(first).delete(f"wechatpy:{OA_APP_ID}_access_token")

    WeChatGateway.from_config(first).send_text("oOA", "一")
    WeChatGateway.from_config(second).send_text("oOA", "二")

    assert len(fake_wechat.calls("/cgi-bin/stable_token")) == 1
    redis_connection(first).delete(f"wechatpy:{OA_APP_ID}_access_token")
