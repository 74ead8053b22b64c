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


# --- what the notifications service makes of them -------------------------------------------------

OA_TEMPLATE = "EXAMPLE-oa-sub-report-progress"


def popup(*items: tuple[str, str], event: str = "SubscribeMsgPopupEvent") -> str:
    entries = "".join(f"<List><TemplateId><![CDATA[{template_id}]]></TemplateId>"
                      f"<SubscribeStatusString><![CDATA[{status}]]></SubscribeStatusString>"
                      "<PopupScene>2</PopupScene></List>" for template_id, status in items)
    return f"<{event}>{entries}</{event}>"


def grants() -> dict[str, int]:
    from app.notifications.models import SubscriptionGrant

    return dict(db.session.execute(sa.select(SubscriptionGrant.template_id,
                                             SubscriptionGrant.remaining)).all())


def test_template_delivery_result_is_recorded_on_the_notification(chat):
    from app.notifications.models import Notification
    from tests.factories import NotificationFactory

    resident = ResidentFactory(oa_openid=FOLLOWER)
    NotificationFactory(resident_id=resident.id, status="sent", channel="template",
                        wechat_msgid="200163836")
    push = chat.pusher.event("TEMPLATESENDJOBFINISH",
                             fields="<MsgID>200163836</MsgID>"
                                    "<Status><![CDATA[failed:user block]]></Status>")

    assert chat.send(push).data == b"success"
    notification = db.session.scalar(sa.select(Notification))
    assert (notification.delivery_status, notification.status) == ("failed:user block", "failed")


def test_an_accept_in_the_accounts_subscribe_popup_is_one_grant_for_that_template(chat):
    chat.send(chat.pusher.event("subscribe_msg_popup_event",
                                fields=popup((OA_TEMPLATE, "accept"),
                                             ("EXAMPLE-oa-sub-poll-notice", "reject"))))

    assert grants() == {OA_TEMPLATE: 1}
    assert follower() is not None


def test_popup_accepts_for_mini_program_or_unknown_templates_are_ignored(chat):
    chat.send(chat.pusher.event("subscribe_msg_popup_event",
                                fields=popup(("EXAMPLE-mp-report-progress", "accept"),
                                             ("TPL-UNKNOWN", "accept"))))

    assert grants() == {}


def test_a_retried_popup_event_gives_one_grant(chat):
    push = chat.pusher.event("subscribe_msg_popup_event", fields=popup((OA_TEMPLATE, "accept")),
                             mode="aes")

    for _ in range(3):
        chat.send(push)

    assert grants() == {OA_TEMPLATE: 1}


def test_turning_the_notice_off_withdraws_its_unused_grants(chat):
    for second in (1, 2):  # two popups (events are told apart by their CreateTime)
        chat.send(chat.pusher.event("subscribe_msg_popup_event", create_time=1795000000 + second,
                                    fields=popup((OA_TEMPLATE, "accept"))))
    assert grants() == {OA_TEMPLATE: 2}

    chat.send(chat.pusher.event("subscribe_msg_change_event",
                                fields=popup((OA_TEMPLATE, "reject"),
                                             event="SubscribeMsgChangeEvent")))

    assert grants() == {OA_TEMPLATE: 0}
