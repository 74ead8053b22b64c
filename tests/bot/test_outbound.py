"""Answering a push never waits on WeChat: what needs WeChat's API runs as a job afterwards."""

from __future__ import annotations

import pytest

from bot.models import BotSetting
from tests.bot.conftest import FOLLOWER, count


def test_new_followers_unionid_is_fetched_by_a_job_not_while_answering(chat, wechat,
                                                                       held_jobs):
    reply = chat.say("你好")

    assert "1 随手拍" in reply
    assert wechat.requests == []
    assert held_jobs.names == ["link_official_account"]

    held_jobs.run()

    assert [call.query["openid"] for call in wechat.calls("/cgi-bin/user/info")] == [FOLLOWER]


@pytest.mark.redis
def test_with_rq_nothing_reaches_wechat_until_a_worker_runs_the_job(chat, wechat, run_jobs):
    chat.say("你好")

    assert wechat.requests == []

    run_jobs()

    assert wechat.calls("/cgi-bin/user/info")


def test_known_follower_causes_no_job_at_all(chat, held_jobs):
    chat.say("你好")
    held_jobs.run()

    chat.say("5")

    assert held_jobs.held == []


@pytest.fixture
def msgmenu(app, monkeypatch):
    monkeypatch.setitem(app.config, "BOT_USE_MSGMENU", True)


def menu_sends(wechat) -> list[dict]:
    return [call.json for call in wechat.calls("/cgi-bin/message/custom/send")]


def test_msgmenu_is_sent_by_a_job_after_the_short_passive_reply(msgmenu, chat, wechat,
                                                                held_jobs):
    reply = chat.say("你好")

    assert reply == "您好！回复0看使用说明。"
    assert menu_sends(wechat) == []

    held_jobs.run()

    [sent] = menu_sends(wechat)
    assert sent["touser"] == FOLLOWER and sent["msgtype"] == "msgmenu"
    assert [(item["id"], item["content"]) for item in sent["msgmenu"]["list"]] == [
        ("101", "1 随手拍"), ("102", "2 查进度"), ("103", "3 写信"), ("104", "4 投票"),
        ("105", "5 人工"), ("100", "0 帮助")]


def test_msgmenu_with_nothing_else_to_say_answers_success(msgmenu, chat, held_jobs):
    response = chat.send(chat.pusher.text("返回"))

    assert response.data == b"success"
    assert held_jobs.names == ["link_official_account", "send_main_menu"]


def test_account_refusing_msgmenu_gets_the_text_menu_and_text_menus_from_then_on(
        msgmenu, chat, wechat, held_jobs):
    wechat.fail_next("/cgi-bin/message/custom/send", errcode=40200)
    chat.say("你好")
    held_jobs.run()

    first, fallback = menu_sends(wechat)
    assert first["msgtype"] == "msgmenu"
    assert fallback["msgtype"] == "text" and "1 随手拍" in fallback["text"]["content"]
    assert count(BotSetting) == 1

    assert "1 随手拍" in chat.say("你好")
    assert held_jobs.held == []


def test_menu_to_a_follower_outside_the_48_hour_window_is_dropped(msgmenu, chat, wechat,
                                                                  held_jobs):
    wechat.fail_next("/cgi-bin/message/custom/send", errcode=45015)
    chat.say("你好")

    held_jobs.run()  # does not raise: there is nothing to retry

    assert len(menu_sends(wechat)) == 1
    assert count(BotSetting) == 0


def test_msgmenu_refusal_is_remembered_only_once(msgmenu, app):
    from bot import menus

    menus.record_msgmenu_refused()
    menus.record_msgmenu_refused()

    assert count(BotSetting) == 1
    assert menus.msgmenu_enabled() is False
