"""WeChat's retries: the same push has exactly one effect and always gets the same reply."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import redis
import sqlalchemy as sa

from app import jobs, periodic
from app.extensions import db
from bot import conversation, dedupe
from bot.models import BotDialog, CallbackRequest, PushReceipt
from tests.bot.conftest import ask_for_callback, count, receipt_count


@pytest.fixture
def at_phone_step(chat, regions):
    ask_for_callback(chat)
    return chat


def test_three_deliveries_of_a_message_record_one_callback_and_get_identical_replies(
        at_phone_step):
    chat = at_phone_step
    push = chat.pusher.text("13800138000")

    responses = [chat.send(push) for _ in range(3)]

    assert count(CallbackRequest) == 1
    assert len({response.data for response in responses}) == 1
    assert "已登记回电" in chat.pusher.reply_text(responses[0].data, push)


def test_retried_safe_mode_push_gets_the_same_reply_freshly_encrypted(at_phone_step):
    chat = at_phone_step
    push = chat.pusher.text("13800138000", mode="aes")

    first, second = chat.send(push), chat.send(push)

    assert count(CallbackRequest) == 1
    assert chat.pusher.reply_xml(first.data, push) == chat.pusher.reply_xml(second.data, push)


def test_retried_step_moves_the_dialog_once(chat, regions):
    chat.say("5")
    push = chat.pusher.text("和平社区")
    first = chat.send(push).data
    retry = chat.send(push).data

    # Handled twice, the retry would have been read as an answer to the offer ("1 或 2").
    assert retry == first
    assert db.session.scalar(sa.select(BotDialog.step)) == "offer"


def test_retried_event_is_recognised_by_sender_and_creation_time(chat):
    push = chat.pusher.event("subscribe", create_time=1795000000)

    replies = {chat.send(push).data for _ in range(3)}

    assert len(replies) == 1
    assert receipt_count() == 1


def test_two_events_in_the_same_second_are_both_handled(chat):
    chat.send(chat.pusher.event("subscribe", create_time=1795000000))
    chat.send(chat.pusher.event(
        "LOCATION", create_time=1795000000,
        fields="<Latitude>30.654</Latitude><Longitude>104.082</Longitude>"
               "<Precision>30</Precision>"))

    assert receipt_count() == 2
    assert db.session.scalar(sa.select(BotDialog.last_location))["lat"] == 30.654


def test_messages_with_different_msgids_are_each_handled(chat):
    chat.say("你好")
    chat.say("你好")

    assert receipt_count() == 2


@pytest.mark.parametrize("receipts", ["configured", "database"])
def test_three_concurrent_deliveries_have_one_effect_and_identical_replies(
        app, request, receipts, at_phone_step):
    # "configured": Redis when REDIS_URL is set (the PostgreSQL + Redis run), else the database.
    if receipts == "database":
        request.getfixturevalue("database_dedupe")
    chat = at_phone_step
    push = chat.pusher.text("13800138000")
    db.session.commit()
    barrier = threading.Barrier(3)
    bodies: list[bytes] = []

    def deliver():
        with app.app_context():
            client = app.test_client()
            barrier.wait()
            response = client.post(push.url(), data=push.body, content_type="text/xml")
            bodies.append(response.data if response.status_code == 200 else b"error")

    threads = [threading.Thread(target=deliver) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert count(CallbackRequest) == 1
    assert len(bodies) == 3 and len(set(bodies)) == 1
    assert "已登记回电" in chat.pusher.reply_text(bodies[0], push)


def test_a_push_that_fails_is_answered_with_an_apology_and_so_are_its_retries(chat,
                                                                            monkeypatch):
    def broken(turn):
        raise RuntimeError("bug")

    monkeypatch.setattr(conversation, "_respond", broken)
    push = chat.pusher.text("你好")

    first, second = chat.reply(push), chat.reply(push)

    assert first == second == "系统有点忙，请稍后再发一次。回复0返回菜单。"
    assert count(BotDialog) == 0


class _RedisDown:
    def __getattr__(self, name):
        def fail(*args, **kwargs):
            raise redis.ConnectionError("Redis is down")

        return fail


def test_retries_are_deduped_in_the_database_when_redis_is_down(at_phone_step, app,
                                                                 monkeypatch, held_jobs):
    chat = at_phone_step
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/0")
    monkeypatch.setattr(jobs, "redis_connection", lambda *args, **kwargs: _RedisDown())
    push = chat.pusher.text("13800138000")

    replies = {chat.send(push).data for _ in range(3)}

    assert len(replies) == 1
    assert count(CallbackRequest) == 1
    assert f"msg:{push.query['openid']}:{push.msg_id}" in db.session.scalars(sa.select(PushReceipt.key)).all()


@pytest.mark.redis
def test_with_redis_the_receipt_is_a_redis_key_holding_the_reply(chat, app):
    push = chat.pusher.text("你好")
    response = chat.send(push)

    key = f"linli:bot:push:msg:{chat.pusher.openid}:{push.msg_id}"
    assert jobs.redis_connection(app).get(key) == b"R" + response.data
    assert 0 < jobs.redis_connection(app).ttl(key) <= 300
    assert count(PushReceipt) == 0


def test_push_key_is_the_msgid_for_messages_and_sender_time_event_for_events():
    assert dedupe.push_key({"MsgId": "123", "FromUserName": "oA"}) == "msg:oA:123"
    assert dedupe.push_key({"FromUserName": "oA", "CreateTime": "17", "MsgType": "event",
                            "Event": "subscribe"}) == "evt:oA:17:subscribe"


def test_sweep_forgets_receipts_past_the_retry_window(database_dedupe, chat, clock, app):
    chat.say("你好")
    clock.advance(seconds=dedupe.WINDOW_SECONDS + 1)

    periodic.run_all_now(app)

    assert count(PushReceipt) == 0


def test_sweep_keeps_receipts_within_the_window_and_recent_dialogs(database_dedupe, chat,
                                                                   clock, app):
    chat.say("你好")
    clock.advance(seconds=dedupe.WINDOW_SECONDS - 10)

    periodic.run_all_now(app)

    assert count(BotDialog) == 1
    assert count(PushReceipt) == 1


def test_sweep_forgets_dialogs_untouched_for_a_week(chat, clock, app):
    chat.say("你好")
    clock.advance(days=7, minutes=1)

    periodic.run_all_now(app)

    assert count(BotDialog) == 0


def test_receipt_expiry_is_the_window_from_the_first_arrival(database_dedupe, chat, clock):
    chat.say("你好")

    receipt = db.session.scalar(sa.select(PushReceipt))
    assert receipt.expires_at - receipt.created_at == timedelta(seconds=dedupe.WINDOW_SECONDS)
