"""Events: following, leaving, menu taps, reported locations, delivery results, grants."""

from __future__ import annotations

import sqlalchemy as sa

from app.accounts.models import Resident
from app.extensions import db
from bot import events
from bot.models import BotDialog
from tests.bot.conftest import FOLLOWER, count
from tests.factories import ResidentFactory

POPUP_ONE = ("<SubscribeMsgPopupEvent><List><TemplateId><![CDATA[TPL-REPORT]]></TemplateId>"
             "<SubscribeStatusString><![CDATA[accept]]></SubscribeStatusString>"
             "<PopupScene>2</PopupScene></List></SubscribeMsgPopupEvent>")
POPUP_TWO = ("<SubscribeMsgPopupEvent>"
             "<List><TemplateId><![CDATA[TPL-A]]></TemplateId>"
             "<SubscribeStatusString><![CDATA[accept]]></SubscribeStatusString>"
             "<PopupScene>2</PopupScene></List>"
             "<List><TemplateId><![CDATA[TPL-B]]></TemplateId>"
             "<SubscribeStatusString><![CDATA[reject]]></SubscribeStatusString>"
             "<PopupScene>2</PopupScene></List></SubscribeMsgPopupEvent>")


def follower() -> Resident | None:
    return db.session.scalar(sa.select(Resident).where(Resident.oa_openid == FOLLOWER))


def test_following_gets_a_welcome_and_the_menu(chat):
    reply = chat.reply(chat.pusher.event("subscribe"))

    assert reply.startswith("欢迎关注！")
    assert reply.splitlines()[-1] == "0 帮助"
    assert follower().oa_subscribed is True


def test_following_by_qr_code_is_welcomed_too(chat):
    push = chat.pusher.event("subscribe", fields="<EventKey><![CDATA[qrscene_hp]]></EventKey>"
                                                 "<Ticket><![CDATA[T]]></Ticket>")

    assert chat.reply(push).startswith("欢迎关注！")


def test_returning_follower_in_elder_mode_gets_the_short_welcome(chat):
    ResidentFactory(oa_openid=FOLLOWER, elder_mode=True, oa_subscribed=False)

    reply = chat.reply(chat.pusher.event("subscribe"))

    assert reply.startswith("欢迎您！")
    assert follower().oa_subscribed is True


def test_leaving_marks_the_resident_unsubscribed_and_needs_no_answer(chat):
    ResidentFactory(oa_openid=FOLLOWER, oa_subscribed=True)

    response = chat.send(chat.pusher.event("unsubscribe"))

    assert response.data == b"success"
    assert follower().oa_subscribed is False


def test_leaving_does_not_open_the_customer_service_window(chat, clock):
    ResidentFactory(oa_openid=FOLLOWER, oa_subscribed=True, last_bot_message_at=None)

    chat.send(chat.pusher.event("unsubscribe"))

    assert follower().last_bot_message_at is None


def test_leaving_by_a_stranger_creates_no_record(chat):
    chat.send(chat.pusher.event("unsubscribe"))

    assert count(Resident) == 0


def test_menu_click_is_read_as_the_intent_named_by_its_key(chat):
    assert chat.reply(chat.pusher.click("report")).startswith("请发一张问题的照片")


def test_menu_click_with_another_key_is_read_as_words(chat):
    assert chat.reply(chat.pusher.click("查进度")).startswith("您还没有反映过问题")


def test_menu_click_opens_the_customer_service_window(chat, clock):
    chat.reply(chat.pusher.click("help"))

    assert follower().last_bot_message_at == clock.moment


def test_reported_location_is_remembered_without_an_answer(chat):
    chat.say("你好")
    push = chat.pusher.event("LOCATION", fields="<Latitude>30.6541</Latitude>"
                                                "<Longitude>104.0823</Longitude>"
                                                "<Precision>65.0</Precision>")

    response = chat.send(push)

    assert response.data == b"success"
    location = db.session.scalar(sa.select(BotDialog.last_location))
    assert (location["lat"], location["lng"]) == (30.6541, 104.0823)


def test_view_click_is_ignored(chat):
    push = chat.pusher.event("VIEW", fields="<EventKey><![CDATA[https://linli.test]]></EventKey>")

    assert chat.send(push).data == b"success"
    assert count(Resident) == 0


def test_template_delivery_result_goes_to_the_hook(chat, monkeypatch):
    seen = []
    monkeypatch.setattr(events, "template_send_finished", lambda **kw: seen.append(kw))
    push = chat.pusher.event("TEMPLATESENDJOBFINISH",
                             fields="<MsgID>200163836</MsgID>"
                                    "<Status><![CDATA[failed:user block]]></Status>")

    assert chat.send(push).data == b"success"
    assert seen == [{"openid": FOLLOWER, "msgid": "200163836", "status": "failed:user block"}]


def test_subscribe_message_grant_is_read_from_the_raw_event(chat, monkeypatch):
    seen = []
    monkeypatch.setattr(events, "subscribe_message_event", lambda **kw: seen.append(kw))

    response = chat.send(chat.pusher.event("subscribe_msg_popup_event", fields=POPUP_ONE))

    assert response.data == b"success"
    assert seen == [{"openid": FOLLOWER, "event": "subscribe_msg_popup_event",
                     "items": [{"template_id": "TPL-REPORT", "status": "accept",
                                "scene": "2"}]}]


def test_subscribe_message_event_with_several_templates_gives_each(chat, monkeypatch):
    seen = []
    monkeypatch.setattr(events, "subscribe_message_event", lambda **kw: seen.append(kw))

    chat.send(chat.pusher.event("subscribe_msg_popup_event", fields=POPUP_TWO))

    assert [(item["template_id"], item["status"]) for item in seen[0]["items"]] == [
        ("TPL-A", "accept"), ("TPL-B", "reject")]


def test_retried_grant_event_reaches_the_hook_once(chat, monkeypatch):
    seen = []
    monkeypatch.setattr(events, "subscribe_message_event", lambda **kw: seen.append(kw))
    push = chat.pusher.event("subscribe_msg_popup_event", fields=POPUP_ONE)

    for _ in range(3):
        chat.send(push)

    assert len(seen) == 1


def test_malformed_grant_event_gives_no_items():
    assert events.subscribe_message_items({"SubscribeMsgPopupEvent": "junk"},
                                          "subscribe_msg_popup_event") == []
