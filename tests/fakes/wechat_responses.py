"""Helpers for faking WeChat in-process with `responses` (reference/wechat.md §4.3 A)."""

from __future__ import annotations

import json

import responses
from flask import Flask

API = "https://api.weixin.qq.com"
STABLE_TOKEN_URL = f"{API}/cgi-bin/stable_token"

MP_APP_ID = "wxminiprogram0001"
MP_SECRET = "mini-secret"
OA_APP_ID = "wxofficialacct001"
OA_SECRET = "oa-secret"


def wechat_app(**config) -> Flask:
    """A bare Flask app with both WeChat apps configured, enough for `from_config(app)`."""
    app = Flask(__name__)
    app.config.update({
        "WECHAT_MP_APP_ID": MP_APP_ID,
        "WECHAT_MP_SECRET": MP_SECRET,
        "WECHAT_OA_APP_ID": OA_APP_ID,
        "WECHAT_OA_SECRET": OA_SECRET,
        "WECHAT_API_BASE": None,
        "WECHAT_TIMEOUT_SECONDS": 5,
        "REDIS_URL": None,
        **config,
    })
    return app


def add_stable_token(rsps: responses.RequestsMock, token: str = "TOKEN",
                     expires_in: int = 7200) -> None:
    rsps.post(STABLE_TOKEN_URL, json={"access_token": token, "expires_in": expires_in})


def add_json(rsps: responses.RequestsMock, method: str, path: str, payload: dict,
             status: int = 200) -> None:
    """Answer `method` on `API + path` (any query string) with `payload`."""
    rsps.add(method, f"{API}{path}", json=payload, status=status)


def calls_to(rsps: responses.RequestsMock, path: str) -> list:
    """The recorded calls whose URL path is `path`."""
    return [call for call in rsps.calls if call.request.path_url.split("?")[0] == path]


def json_body(call) -> dict:
    body = call.request.body
    return json.loads(body.decode("utf-8") if isinstance(body, bytes) else body)


def mount_fake_wechat(rsps: responses.RequestsMock, fake) -> None:
    """Answer every call to api.weixin.qq.com in-process with the fake WeChat's WSGI app.

    The same `FakeWeChat` (tests/fakes/wechat_server.py) then serves in-process tests through
    `responses` and cross-process tests over HTTP: one fake, two transports.
    """
    import re
    from urllib.parse import urlsplit

    from werkzeug.test import Client

    client = Client(fake)

    def dispatch(request):
        url = urlsplit(request.url)
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode("utf-8")
        answer = client.open(url.path, method=request.method, query_string=url.query, data=body,
                             headers=dict(request.headers))
        return answer.status_code, dict(answer.headers), answer.get_data()

    pattern = re.compile(r"https://api\.weixin\.qq\.com/.*")
    for method in ("GET", "POST"):
        rsps.add_callback(method, pattern, callback=dispatch)
