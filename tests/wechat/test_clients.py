"""The stable-token client: token fetch, sharing through Redis, bounded retry, timeouts."""

from __future__ import annotations

import socket

import fakeredis
import pytest
import requests
from responses import matchers

from app.wechat.clients import make_client
from app.wechat.errors import WeChatError, WeChatUnavailable
from app.wechat.real import WeChatGateway
from tests.fakes.wechat_responses import (
    API,
    OA_APP_ID,
    OA_SECRET,
    STABLE_TOKEN_URL,
    add_json,
    add_stable_token,
    calls_to,
    json_body,
    wechat_app,
)

CUSTOM_SEND = "/cgi-bin/message/custom/send"
INVALID_TOKEN = {"errcode": 40001, "errmsg": "invalid credential"}


def gateway_with_redis(redis) -> WeChatGateway:
    # from_config reads REDIS_URL through app.jobs; here the Redis client is handed in directly.
    return WeChatGateway(official_account=make_client(OA_APP_ID, OA_SECRET, redis=redis))


def test_token_comes_from_stable_token_with_credentials_and_no_force_refresh(rsps, gateway):
    add_stable_token(rsps)
    add_json(rsps, "POST", CUSTOM_SEND, {"errcode": 0, "errmsg": "ok"})

    gateway.send_text("oUSER", "你好")

    assert json_body(calls_to(rsps, "/cgi-bin/stable_token")[0]) == {
        "grant_type": "client_credential", "appid": OA_APP_ID, "secret": OA_SECRET,
        "force_refresh": False,
    }
    assert "access_token=TOKEN" in calls_to(rsps, CUSTOM_SEND)[0].request.url
    assert not calls_to(rsps, "/cgi-bin/token")


def test_force_refresh_is_sent_when_asked(rsps):
    add_stable_token(rsps)
    client = make_client(OA_APP_ID, OA_SECRET)

    client.fetch_access_token(force_refresh=True)

    assert json_body(rsps.calls[0])["force_refresh"] is True


def test_token_is_fetched_once_and_reused(rsps, gateway):
    add_stable_token(rsps)
    add_json(rsps, "POST", CUSTOM_SEND, {"errcode": 0, "errmsg": "ok"})

    gateway.send_text("oUSER", "一")
    gateway.send_text("oUSER", "二")

    assert len(calls_to(rsps, "/cgi-bin/stable_token")) == 1


def test_token_in_redis_is_shared_between_gateways(rsps):
    add_stable_token(rsps, token="SHARED")
    add_json(rsps, "POST", CUSTOM_SEND, {"errcode": 0, "errmsg": "ok"})
    server = fakeredis.FakeServer()
    first = gateway_with_redis(fakeredis.FakeRedis(server=server))
    second = gateway_with_redis(fakeredis.FakeRedis(server=server))

    first.send_text("oUSER", "一")
    second.send_text("oUSER", "二")

    assert len(calls_to(rsps, "/cgi-bin/stable_token")) == 1
    assert all("access_token=SHARED" in call.request.url for call in calls_to(rsps, CUSTOM_SEND))


def test_token_is_stored_under_wechatpys_key_expiring_before_wechats_expiry(rsps):
    add_stable_token(rsps, expires_in=7200)
    redis = fakeredis.FakeRedis()

    make_client(OA_APP_ID, OA_SECRET, redis=redis).fetch_access_token()

    key = f"wechatpy:{OA_APP_ID}_access_token"
    assert redis.get(key) == b'"TOKEN"'
    assert 7000 < redis.ttl(key) <= 7140


def test_redis_down_does_not_fail_the_call(rsps):
    add_stable_token(rsps)
    add_json(rsps, "POST", CUSTOM_SEND, {"errcode": 0, "errmsg": "ok"})
    server = fakeredis.FakeServer()
    server.connected = False
    gateway = gateway_with_redis(fakeredis.FakeRedis(server=server))

    gateway.send_text("oUSER", "你好")
    gateway.send_text("oUSER", "你好")

    # Without storage every call fetches the (same) stable token.
    assert len(calls_to(rsps, "/cgi-bin/stable_token")) == 2
    assert len(calls_to(rsps, CUSTOM_SEND)) == 2


def test_invalid_token_is_refetched_once_and_the_call_retried(rsps, gateway):
    rsps.post(STABLE_TOKEN_URL, json={"access_token": "OLD", "expires_in": 7200})
    rsps.post(STABLE_TOKEN_URL, json={"access_token": "NEW", "expires_in": 7200})
    rsps.post(f"{API}{CUSTOM_SEND}", json=INVALID_TOKEN,
              match=[matchers.query_param_matcher({"access_token": "OLD"})])
    rsps.post(f"{API}{CUSTOM_SEND}", json={"errcode": 0, "errmsg": "ok"},
              match=[matchers.query_param_matcher({"access_token": "NEW"})])

    gateway.send_text("oUSER", "你好")

    sends = calls_to(rsps, CUSTOM_SEND)
    assert len(sends) == 2
    assert json_body(sends[0]) == json_body(sends[1])
    assert len(calls_to(rsps, "/cgi-bin/stable_token")) == 2


@pytest.mark.parametrize("errcode", [40001, 40014, 42001])
def test_persistent_token_error_stops_after_two_attempts(rsps, gateway, errcode):
    add_stable_token(rsps)
    add_json(rsps, "POST", CUSTOM_SEND, {"errcode": errcode, "errmsg": "token"})

    with pytest.raises(WeChatError) as raised:
        gateway.send_text("oUSER", "你好")

    assert raised.value.errcode == errcode
    assert len(calls_to(rsps, CUSTOM_SEND)) == 2
    assert len(calls_to(rsps, "/cgi-bin/stable_token")) == 2


def test_other_errors_are_not_retried(rsps, gateway):
    add_stable_token(rsps)
    add_json(rsps, "POST", CUSTOM_SEND, {"errcode": 45015, "errmsg": "out of time limit"})

    with pytest.raises(WeChatError) as raised:
        gateway.send_text("oUSER", "你好")

    assert raised.value.errcode == 45015
    assert len(calls_to(rsps, CUSTOM_SEND)) == 1


def test_timeout_is_passed_on_token_fetch_and_api_call(rsps):
    add_stable_token(rsps)
    add_json(rsps, "POST", CUSTOM_SEND, {"errcode": 0, "errmsg": "ok"})
    gateway = WeChatGateway.from_config(wechat_app(WECHAT_TIMEOUT_SECONDS=3))

    gateway.send_text("oUSER", "你好")

    assert [call.request.req_kwargs["timeout"] for call in rsps.calls] == [3, 3]


def test_network_error_raises_wechat_unavailable(rsps, gateway):
    add_stable_token(rsps)
    rsps.post(f"{API}{CUSTOM_SEND}", body=requests.ConnectionError("connection refused"))

    with pytest.raises(WeChatUnavailable):
        gateway.send_text("oUSER", "你好")


def test_network_error_while_fetching_the_token_raises_wechat_unavailable(rsps, gateway):
    rsps.post(STABLE_TOKEN_URL, body=requests.ConnectTimeout("timed out"))

    with pytest.raises(WeChatUnavailable):
        gateway.send_text("oUSER", "你好")


def test_token_endpoint_error_raises_wechat_error(rsps, gateway):
    rsps.post(STABLE_TOKEN_URL, json={"errcode": 40125, "errmsg": "invalid appsecret"})

    with pytest.raises(WeChatError) as raised:
        gateway.send_text("oUSER", "你好")

    assert raised.value.errcode == 40125
    assert not raised.value.retryable


def test_silent_server_times_out_as_wechat_unavailable():
    # A socket that accepts connections and never answers: only a timeout ends the wait.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        base = f"http://127.0.0.1:{silent.getsockname()[1]}"
        gateway = WeChatGateway(
            official_account=make_client(OA_APP_ID, OA_SECRET, api_base=base, timeout=0.2))

        with pytest.raises(WeChatUnavailable) as raised:
            gateway.send_text("oUSER", "你好")

    assert "Timeout" in raised.value.errmsg


def test_error_messages_do_not_carry_the_secret(rsps, gateway):
    rsps.get(f"{API}/sns/jscode2session", body=requests.ConnectionError(
        f"{API}/sns/jscode2session?appid=wx&secret=mini-secret&js_code=CODE failed"))

    with pytest.raises(WeChatUnavailable) as raised:
        gateway.code_to_session("CODE")

    assert "mini-secret" not in str(raised.value)
    assert "CODE" not in str(raised.value)
