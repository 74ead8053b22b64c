"""wechatpy clients built the way Linli needs them (reference/wechat.md §2.1, §4.3).

wechatpy 1.8.18 fetches tokens from /cgi-bin/token (every process gets a different token and
they invalidate each other), waits forever by default and retries a 40001 answer by unbounded
recursion. `StableTokenClient` fixes those three: it uses /cgi-bin/stable_token (the same token
for every caller while it is valid), puts a timeout on every call, and refreshes-and-retries a
token error exactly once.

`make_client()` is the one way to build a client: it picks the token storage (Redis when the app
has it, else process memory) and, in tests only, reroutes every call to a local fake server.
"""

from __future__ import annotations

import logging
import time
from urllib.parse import urlsplit, urlunsplit

import redis as redis_lib
import requests
from requests.adapters import HTTPAdapter
from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException
from wechatpy.session import SessionStorage
from wechatpy.session.memorystorage import MemoryStorage
from wechatpy.session.redisstorage import RedisStorage

from app.wechat.errors import TOKEN_ERRCODES

log = logging.getLogger(__name__)

WECHAT_API_ORIGIN = "https://api.weixin.qq.com/"
REDIS_PREFIX = "wechatpy"
# Refresh this many seconds before WeChat's expiry, so no call goes out with a dying token.
TOKEN_REFRESH_MARGIN = 60


class StableTokenClient(WeChatClient):
    """A `WeChatClient` that uses the stable access token, timeouts and one bounded retry."""

    TOKEN_URL = WECHAT_API_ORIGIN + "cgi-bin/stable_token"

    def __init__(self, appid: str, secret: str, *, session: SessionStorage | None = None,
                 timeout: float = 5):
        # auto_retry=False: wechatpy's own retry recurses without limit (§2.1); `_request`
        # below retries once instead.
        super().__init__(appid, secret, session=session, timeout=timeout, auto_retry=False)

    def fetch_access_token(self, force_refresh: bool = False) -> dict:
        """Get the stable access token from WeChat and store it; returns WeChat's answer.

        `force_refresh=True` makes WeChat issue a new token and is limited to 20 calls a day,
        so Linli's automatic retry never uses it; it is there for an operator.
        """
        log.info("fetching the stable access token for %s", self.appid)
        response = self._http.post(self.TOKEN_URL, timeout=self.timeout, json={
            "grant_type": "client_credential",
            "appid": self.appid,
            "secret": self.secret,
            "force_refresh": force_refresh,
        })
        try:
            response.raise_for_status()
        except requests.HTTPError as exc:
            raise WeChatClientException(None, f"HTTP {response.status_code}", client=self,
                                        request=response.request, response=response) from exc
        data = response.json()
        if data.get("errcode"):
            raise WeChatClientException(int(data["errcode"]), data.get("errmsg", ""), client=self,
                                        request=response.request, response=response)
        if not data.get("access_token"):
            raise WeChatClientException(None, "no access_token in WeChat's answer", client=self,
                                        request=response.request, response=response)
        expires_in = int(data.get("expires_in", 7200))
        self.expires_at = int(time.time()) + expires_in
        self._store_token(data["access_token"], expires_in)
        return data

    @property
    def access_token(self) -> str:
        """The stored token while it is fresh, else a newly fetched one."""
        token = self._load_token()
        near_expiry = (self.expires_at is not None
                       and self.expires_at - time.time() <= TOKEN_REFRESH_MARGIN)
        if token and not near_expiry:
            return token
        return self.fetch_access_token()["access_token"]

    def _load_token(self) -> str | None:
        try:
            return self.session.get(self.access_token_key)
        except redis_lib.RedisError as exc:
            # Stable tokens are the same for every caller, so fetching one is always safe.
            log.warning("could not read the WeChat token from Redis, fetching it: %s", exc)
            return None

    def _store_token(self, token: str, expires_in: int) -> None:
        # The stored copy expires early, so processes that did not fetch it (and so have no
        # `expires_at`, wechatpy issue #684) also refresh before WeChat's expiry.
        ttl = max(expires_in - TOKEN_REFRESH_MARGIN, 1)
        try:
            self.session.set(self.access_token_key, token, ttl)
        except redis_lib.RedisError as exc:
            log.warning("could not store the WeChat token in Redis: %s", exc)

    def _request(self, method, url_or_endpoint, **kwargs):
        # wechatpy fills params["access_token"] in place, so each attempt gets its own copy.
        params = kwargs.get("params") or {}
        token_is_ours = "access_token" not in params
        try:
            return super()._request(method, url_or_endpoint, **{**kwargs, "params": dict(params)})
        except WeChatClientException as exc:
            if not token_is_ours or exc.errcode not in TOKEN_ERRCODES:
                raise
            log.info("WeChat refused the access token (%s); fetching it again, retrying once",
                     exc.errcode)
        token = self.fetch_access_token()["access_token"]
        retry_params = {**params, "access_token": token}
        return super()._request(method, url_or_endpoint, **{**kwargs, "params": retry_params})


class RerouteAdapter(HTTPAdapter):
    """Sends every request to `base` (scheme and host), keeping path and query: tests only."""

    def __init__(self, base: str, **kwargs):
        super().__init__(**kwargs)
        self._base = urlsplit(base)

    def send(self, request, **kwargs):
        url = urlsplit(request.url)
        request.url = urlunsplit((self._base.scheme, self._base.netloc, url.path, url.query,
                                  url.fragment))
        return super().send(request, **kwargs)


def make_client(appid: str, secret: str, *, redis: redis_lib.Redis | None = None,
                api_base: str | None = None, timeout: float = 5) -> StableTokenClient:
    """A client for one WeChat app (mini-program or official account).

    The token is kept in `redis` (shared by every process) when given, else in this process's
    memory, which is also correct because the stable token is the same for every process.
    `api_base` (WECHAT_API_BASE, tests only) reroutes every call to a local fake server.
    """
    session = RedisStorage(redis, prefix=REDIS_PREFIX) if redis is not None else MemoryStorage()
    client = StableTokenClient(appid, secret, session=session, timeout=timeout)
    if api_base:
        client._http.mount(WECHAT_API_ORIGIN, RerouteAdapter(api_base))
    return client
