"""A fake WeChat API server on 127.0.0.1, for tests that cross processes (rq worker, gunicorn).

Point the app at it with `WECHAT_API_BASE=fake.base_url`: the real gateway then sends every
call there (app/wechat/clients.py, RerouteAdapter). In-process tests can use `responses` instead.

    with running_fake_wechat() as fake:
        ...  # run the code under test with WECHAT_API_BASE = fake.base_url
        assert fake.calls("/cgi-bin/message/custom/send")[0].json["touser"] == "oUSER"

What it answers (WeChat's shapes, reference/wechat.md):
- /cgi-bin/stable_token (POST JSON) and /cgi-bin/token (GET): the current token of that appid,
  "TOKEN-<appid>-<n>". `rotate_tokens()` makes every current token stale: API calls carrying a
  stale token get 40001, a missing token 41001.
- /sns/jscode2session (no token needed): js_code "ok:<openid>" or "ok:<openid>:<unionid>"
  succeeds; "used" answers 40163 (code already used); anything else 40029 (invalid code).
- /wxa/business/getuserphonenumber: code "phone:<digits>" answers those digits; else 40029.
- /wxa/msg_sec_check: v2 (version 2) answers result.suggest/label, v1 answers 87014 for risky
  text. The verdict comes from `text_verdicts` ({substring: "review" | "risky" or
  (suggest, label)}): the worst verdict whose substring occurs in the content; else pass.
- /cgi-bin/message/custom/send, /cgi-bin/message/subscribe/send (mini-program) and
  /cgi-bin/message/subscribe/bizsend (official account): errcode 0.
- /cgi-bin/message/template/send: errcode 0 and a new msgid (1, 2, …).
- /cgi-bin/media/get: the bytes registered in `media[media_id]`, else a 40007 JSON body.
- /cgi-bin/menu/create: stores the body in `menu`.
- /cgi-bin/user/info: subscribe 1 and the unionid registered in `unionids[openid]`, if any.
- any other path: HTTP 404.

`fail_next(path, errcode=…)` answers that errcode for the next calls to path; `status=500`
answers an HTTP error instead. Every request is recorded (failed ones too) in `requests`.
When `apps` ({appid: secret}) is given, token and login calls check appid (40013) and secret
(40125); by default any appid and secret are accepted.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

SEVERITY = {"pass": 0, "review": 1, "risky": 2}
DEFAULT_LABELS = {"pass": 100, "review": 21000, "risky": 20001}


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    query: dict[str, str]
    json: Any
    body: bytes


@dataclass
class _Failure:
    errcode: int | None
    status: int | None
    times: int


def _answer(payload: dict, status: int = 200) -> Response:
    return Response(json.dumps(payload, ensure_ascii=False), status=status,
                    content_type="application/json; charset=utf-8")


def _error(errcode: int, errmsg: str) -> Response:
    # WeChat answers errors with HTTP 200 and a JSON body.
    return _answer({"errcode": errcode, "errmsg": errmsg})


OK = {"errcode": 0, "errmsg": "ok"}


class FakeWeChat:
    """The fake's state and its WSGI app; see the module docstring for what it answers."""

    def __init__(self, apps: dict[str, str] | None = None):
        self.apps = apps
        self.base_url = ""
        self.requests: list[RecordedRequest] = []
        self.media: dict[str, bytes] = {}
        self.text_verdicts: dict[str, str | tuple[str, int]] = {}
        self.unionids: dict[str, str] = {}
        self.menu: dict | None = None
        self._lock = threading.Lock()
        self._failures: dict[str, _Failure] = {}
        self._token_generation: dict[str, int] = {}
        self._msgids = itertools.count(1)
        self._routes: dict[str, tuple[bool, Callable[[Request, Any], Response]]] = {
            # path: (needs an access token, handler)
            "/cgi-bin/stable_token": (False, self._stable_token),
            "/cgi-bin/token": (False, self._classic_token),
            "/sns/jscode2session": (False, self._jscode2session),
            "/wxa/business/getuserphonenumber": (True, self._phone_number),
            "/wxa/msg_sec_check": (True, self._msg_sec_check),
            "/cgi-bin/message/custom/send": (True, self._ok),
            "/cgi-bin/message/subscribe/send": (True, self._ok),
            "/cgi-bin/message/subscribe/bizsend": (True, self._ok),
            "/cgi-bin/message/template/send": (True, self._template_send),
            "/cgi-bin/media/get": (True, self._media_get),
            "/cgi-bin/menu/create": (True, self._menu_create),
            "/cgi-bin/user/info": (True, self._user_info),
        }

    # --- what tests use ---------------------------------------------------------------------
    def calls(self, path: str) -> list[RecordedRequest]:
        """The recorded requests to `path`, oldest first."""
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def fail_next(self, path: str, errcode: int | None = None, status: int | None = None,
                  times: int = 1) -> None:
        """Answer the next `times` calls to `path` with `errcode` (HTTP 200) or HTTP `status`."""
        if (errcode is None) == (status is None):
            raise ValueError("give exactly one of errcode and status")
        with self._lock:
            self._failures[path] = _Failure(errcode, status, times)

    def rotate_tokens(self) -> None:
        """Issue new tokens: calls with a token handed out before now get 40001."""
        with self._lock:
            for appid in self._token_generation:
                self._token_generation[appid] += 1

    def current_token(self, appid: str) -> str:
        with self._lock:
            return self._token(appid)

    # --- the WSGI app -----------------------------------------------------------------------
    def __call__(self, environ, start_response):
        request = Request(environ)
        body = request.get_data()
        try:
            payload = json.loads(body) if body else None
        except ValueError:
            payload = None
        record = RecordedRequest(request.method, request.path, dict(request.args.items()),
                                 payload, body)
        with self._lock:
            self.requests.append(record)
            response = self._injected_failure(request.path)
            if response is None:
                response = self._route(request, payload)
        return response(environ, start_response)

    def _injected_failure(self, path: str) -> Response | None:
        failure = self._failures.get(path)
        if failure is None:
            return None
        failure.times -= 1
        if failure.times <= 0:
            del self._failures[path]
        if failure.status is not None:
            return Response("fake WeChat failure", status=failure.status)
        return _error(failure.errcode, "fake WeChat failure")

    def _route(self, request: Request, payload: Any) -> Response:
        route = self._routes.get(request.path)
        if route is None:
            return Response("no such endpoint", status=404)
        needs_token, handler = route
        if needs_token:
            token = request.args.get("access_token")
            if not token:
                return _error(41001, "access_token missing")
            # Tokens name their appid, so a token this fake would issue now is valid even if
            # it was fetched from an earlier fake (the app keeps its token between tests).
            appid = token.removeprefix("TOKEN-").rpartition("-")[0]
            if not token.startswith("TOKEN-") or not appid or token != self._token(appid):
                return _error(40001, "invalid credential, access_token is invalid or not latest")
        return handler(request, payload)

    def _token(self, appid: str) -> str:
        generation = self._token_generation.setdefault(appid, 1)
        return f"TOKEN-{appid}-{generation}"

    def _credentials_error(self, appid: str | None, secret: str | None) -> Response | None:
        if self.apps is None:
            return None
        if appid not in self.apps:
            return _error(40013, "invalid appid")
        if self.apps[appid] != secret:
            return _error(40125, "invalid appsecret")
        return None

    # --- endpoints ---------------------------------------------------------------------------
    def _issue_token(self, appid: str | None, secret: str | None) -> Response:
        error = self._credentials_error(appid, secret)
        if error is not None:
            return error
        if not appid:
            return _error(40013, "invalid appid")
        return _answer({"access_token": self._token(appid), "expires_in": 7200})

    def _stable_token(self, request: Request, payload: Any) -> Response:
        payload = payload or {}
        if payload.get("grant_type") != "client_credential":
            return _error(40002, "invalid grant_type")
        if payload.get("force_refresh") and payload.get("appid") in self._token_generation:
            self._token_generation[payload["appid"]] += 1
        return self._issue_token(payload.get("appid"), payload.get("secret"))

    def _classic_token(self, request: Request, payload: Any) -> Response:
        return self._issue_token(request.args.get("appid"), request.args.get("secret"))

    def _jscode2session(self, request: Request, payload: Any) -> Response:
        error = self._credentials_error(request.args.get("appid"), request.args.get("secret"))
        if error is not None:
            return error
        code = request.args.get("js_code", "")
        if code == "used":
            return _error(40163, "code been used")
        parts = code.split(":")
        if parts[0] != "ok" or len(parts) not in (2, 3) or not parts[1]:
            return _error(40029, "invalid code")
        answer = {"openid": parts[1], "session_key": f"session-key-{parts[1]}"}
        if len(parts) == 3 and parts[2]:
            answer["unionid"] = parts[2]
        return _answer(answer)

    def _phone_number(self, request: Request, payload: Any) -> Response:
        code = (payload or {}).get("code", "")
        if not code.startswith("phone:") or not code[6:].isdigit():
            return _error(40029, "invalid code")
        digits = code[6:]
        return _answer({**OK, "phone_info": {"phoneNumber": digits, "purePhoneNumber": digits,
                                             "countryCode": "86"}})

    def _verdict(self, content: str) -> tuple[str, int]:
        worst = ("pass", DEFAULT_LABELS["pass"])
        for substring, verdict in self.text_verdicts.items():
            if substring not in content:
                continue
            suggest, label = (verdict, DEFAULT_LABELS[verdict]) if isinstance(verdict, str) \
                else verdict
            if SEVERITY[suggest] > SEVERITY[worst[0]]:
                worst = (suggest, label)
        return worst

    def _msg_sec_check(self, request: Request, payload: Any) -> Response:
        payload = payload or {}
        suggest, label = self._verdict(payload.get("content", ""))
        if payload.get("version") == 2:
            if not payload.get("openid"):
                return _error(40003, "invalid openid")
            return _answer({**OK, "result": {"suggest": suggest, "label": label},
                            "detail": [{"strategy": "content_model", "errcode": 0,
                                        "suggest": suggest, "label": label}],
                            "trace_id": "fake-trace"})
        if suggest == "risky":
            return _error(87014, "risky content")
        return _answer(OK)

    def _ok(self, request: Request, payload: Any) -> Response:
        return _answer(OK)

    def _template_send(self, request: Request, payload: Any) -> Response:
        return _answer({**OK, "msgid": next(self._msgids)})

    def _media_get(self, request: Request, payload: Any) -> Response:
        content = self.media.get(request.args.get("media_id", ""))
        if content is None:
            # WeChat sends this error as text/plain, not application/json.
            return Response(json.dumps({"errcode": 40007, "errmsg": "invalid media_id"}),
                            content_type="text/plain")
        return Response(content, content_type="application/octet-stream",
                        headers={"Content-Disposition": 'attachment; filename="media"'})

    def _menu_create(self, request: Request, payload: Any) -> Response:
        self.menu = payload
        return _answer(OK)

    def _user_info(self, request: Request, payload: Any) -> Response:
        openid = request.args.get("openid", "")
        answer = {"subscribe": 1, "openid": openid}
        if openid in self.unionids:
            answer["unionid"] = self.unionids[openid]
        return _answer(answer)


class _QuietHandler(WSGIRequestHandler):
    def log(self, type, message, *args):
        pass


@contextmanager
def running_fake_wechat(apps: dict[str, str] | None = None) -> Iterator[FakeWeChat]:
    """Serve a `FakeWeChat` on 127.0.0.1 (a free port) for the duration of the block."""
    fake = FakeWeChat(apps)
    server = make_server("127.0.0.1", 0, fake, threaded=True, request_handler=_QuietHandler)
    # A short poll interval keeps shutdown (once per test) quick.
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              name="fake-wechat", daemon=True)
    thread.start()
    fake.base_url = f"http://127.0.0.1:{server.server_port}"
    try:
        yield fake
    finally:
        server.shutdown()
        thread.join()
        server.server_close()
