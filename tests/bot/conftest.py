"""Driving /wechat as WeChat does: signed, optionally encrypted pushes from a follower."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

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
        """Run the held jobs, and the jobs they enqueue, until none is left."""
        while self.held:
            held, self.held = self.held, []
            self._dispatch(self.app, held)
            jobs.run_queued_jobs(self.app)


@pytest.fixture
def held_jobs(app, monkeypatch) -> HeldJobs:
    return HeldJobs(app, monkeypatch)


def count(model) -> int:
    from app.extensions import db

    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def ask_for_callback(chat: Chat) -> None:
    """Drive flow 5 (人工) to the step that records a call-back request on the next message."""
    chat.say("5")
    chat.say("和平社区")
    reply = chat.say("1")
    assert "电话号码" in reply


def receipt_count() -> int:
    """Push receipts kept, in the database or (with Redis) as Redis keys."""
    from flask import current_app

    from app import jobs
    from bot.models import PushReceipt

    stored = count(PushReceipt)
    if current_app.config.get("REDIS_URL"):
        stored += len(jobs.redis_connection().keys("linli:bot:push:*"))
    return stored


@pytest.fixture
def database_dedupe(app, monkeypatch):
    """Dedupe (and jobs) as in the embedded default: no Redis, receipts in the database."""
    monkeypatch.setitem(app.config, "REDIS_URL", None)


CUSTOM_SEND = "/cgi-bin/message/custom/send"


def sent_texts(wechat) -> list[str]:
    """The customer-service texts the bot's jobs sent, oldest first."""
    return [call.json["text"]["content"] for call in wechat.calls(CUSTOM_SEND)
            if call.json.get("msgtype") == "text"]


def photo_bytes(seed: int = 1) -> bytes:
    """A small photo-like JPEG, as WeChat's media download would give it."""
    from tests.uploads.samples import encoded, photo_like

    return encoded(photo_like(400, 300, seed=seed), "JPEG", quality=85)
