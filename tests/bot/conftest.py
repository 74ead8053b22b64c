"""Driving /wechat as WeChat does: signed, optionally encrypted pushes from a follower."""

from __future__ import annotations

import pytest

from app import jobs
from bot.pusher import Push, WeChatPusher

FOLLOWER = "oFOLLOWER0001"


class Chat:
    """One follower talking to the bot through the Flask test client."""

    def __init__(self, client, pusher: WeChatPusher):
        self.client = client
        self.pusher = pusher

    def send(self, push: Push):
        """Deliver a push (again, for a retry) and return the HTTP response."""
        return self.client.post(push.url("/wechat"), data=push.body,
                                content_type="text/xml")

    def reply(self, push: Push) -> str:
        response = self.send(push)
        assert response.status_code == 200, response.data
        return self.pusher.reply_text(response.data, push)

    def say(self, text: str, **options) -> str:
        return self.reply(self.pusher.text(text, **options))

    def speak(self, recognition: str | None, **options) -> str:
        return self.reply(self.pusher.voice(recognition, **options))


def make_pusher(app, openid: str = FOLLOWER) -> WeChatPusher:
    config = app.config
    return WeChatPusher(config["WECHAT_OA_TOKEN"], appid=config["WECHAT_OA_APP_ID"],
                        aes_key=config["WECHAT_OA_AES_KEY"], openid=openid)


@pytest.fixture
def pusher(app) -> WeChatPusher:
    return make_pusher(app)


@pytest.fixture
def chat(client, pusher) -> Chat:
    return Chat(client, pusher)


@pytest.fixture
def other_chat(app, client) -> Chat:
    """A second follower."""
    return Chat(client, make_pusher(app, "oFOLLOWER0002"))


class HeldJobs:
    """Jobs enqueued while this is active are held, not run or queued, until `run()`."""

    def __init__(self, app, monkeypatch):
        self.app = app
        self.held: list = []
        self._dispatch = jobs._dispatch
        monkeypatch.setattr(jobs, "_dispatch", lambda app, requests: self.held.extend(requests))

    @property
    def names(self) -> list[str]:
        return [func.__qualname__ for func, *_ in self.held]

    def run(self) -> None:
        held, self.held = self.held, []
        self._dispatch(self.app, held)
        jobs.run_queued_jobs(self.app)


@pytest.fixture
def held_jobs(app, monkeypatch) -> HeldJobs:
    return HeldJobs(app, monkeypatch)
