"""Channel choice: subscribe message, the official account's 订阅通知, template message, then
customer-service text, else skipped with the reason; staff notifications stay in-app."""

from datetime import timedelta

import sqlalchemy as sa

from app import clock
from app.extensions import db
from app.notifications import notify
from app.notifications.models import Notification, SubscriptionGrant
from tests.factories import (
    REPORT_OA_SUBSCRIBE_TEMPLATE,
    REPORT_OA_TEMPLATE,
    REPORT_SUBSCRIBE_TEMPLATE,
    ResidentFactory,
    StaffFactory,
    SubscriptionGrantFactory,
)
from tests.notifications.conftest import (
    OA_SUBSCRIBE,
    SUBSCRIBE,
    TEMPLATE,
    TEXT,
    chatting,
    follower,
    sent,
)


def grant_of(resident) -> int:
    return db.session.scalar(sa.select(SubscriptionGrant.remaining)
                             .where(SubscriptionGrant.resident_id == resident.id))


def test_a_resident_with_a_grant_gets_a_subscribe_message(record, wechat):
    resident = ResidentFactory()
    SubscriptionGrantFactory(resident_id=resident.id)
    notification = record(resident)
    assert (notification.status, notification.channel) == ("sent", "subscribe")
    [call] = wechat.calls(SUBSCRIBE)
    assert call.json["touser"] == resident.mp_openid
    assert call.json["template_id"] == REPORT_SUBSCRIBE_TEMPLATE
    assert call.json["page"] == "pages/reports/detail?id=7"
    assert call.json["data"] == {
        "character_string1": {"value": "SSP-20261124-0007"},
        "thing2": {"value": "路灯损坏"},
        "phrase3": {"value": "已受理"},
        "time4": {"value": "2026年11月24日 10:00"},
        "thing5": {"value": "您反映的路灯损坏问题已受理，工作人员会…"},
    }
    assert sent(wechat) == 1


def test_each_subscribe_message_uses_one_grant(record, wechat):
    resident = ResidentFactory()
    SubscriptionGrantFactory(resident_id=resident.id, remaining=2)
    channels = [record(resident).channel for _ in range(3)]
    assert channels == ["subscribe", "subscribe", None]
    assert sent(wechat, SUBSCRIBE) == 2
    assert grant_of(resident) == 0


def test_a_grant_for_another_template_is_not_used(record, wechat):
    resident = ResidentFactory()
    SubscriptionGrantFactory(resident_id=resident.id, template_id="EXAMPLE-mp-poll-notice")
    notification = record(resident)
    assert notification.status == "skipped"
    assert sent(wechat) == 0


def test_without_a_grant_a_follower_gets_a_template_message(record, wechat, app):
    resident = follower()
    notification = record(resident)
    assert (notification.status, notification.channel) == ("sent", "template")
    [call] = wechat.calls(TEMPLATE)
    assert call.json["touser"] == resident.oa_openid
    assert call.json["template_id"] == REPORT_OA_TEMPLATE
    assert call.json["miniprogram"] == {"appid": app.config["WECHAT_MP_APP_ID"],
                                        "pagepath": "pages/reports/detail?id=7"}
    assert call.json["data"]["phrase3"] == {"value": "已受理"}
    assert notification.wechat_msgid == "1"


def test_a_subscribe_grant_comes_before_the_template_message(record, wechat):
    resident = follower()
    SubscriptionGrantFactory(resident_id=resident.id)
    assert record(resident).channel == "subscribe"
    assert sent(wechat, TEMPLATE) == 0


def test_a_resident_who_unfollowed_gets_no_template_message(record, wechat):
    resident = follower()
    resident.oa_subscribed = False
    db.session.commit()
    notification = record(resident)
    assert notification.status == "skipped"
    assert "does not follow the official account" in notification.last_error


def test_a_resident_who_wrote_to_the_bot_within_48_hours_gets_a_text(record, wechat):
    resident = chatting(hours_ago=47)
    notification = record(resident, kind="bot.reminder", text="您的信件已有回复，请在小程序中查看。")
    assert (notification.status, notification.channel) == ("sent", "text")
    [call] = wechat.calls(TEXT)
    assert call.json == {"touser": resident.oa_openid, "msgtype": "text",
                         "text": {"content": "您的信件已有回复，请在小程序中查看。"}}


def test_a_kind_without_templates_reaches_a_follower_by_text_in_the_window(record, wechat):
    resident = follower(last_bot_message_at=clock.now() - timedelta(hours=1))
    notification = record(resident, kind="bot.reminder")
    assert notification.channel == "text"
    assert sent(wechat) == 1


def test_after_48_hours_no_text_is_sent_and_the_row_is_skipped_with_the_reason(record, wechat):
    resident = chatting(hours_ago=49, oa_subscribed=False)
    notification = record(resident)
    assert notification.status == "skipped"
    assert notification.last_error == (
        "no channel: no subscribe grant; no official-account subscription; "
        "does not follow the official account; no longer follows the official account")
    assert sent(wechat) == 0


def test_a_follower_who_wrote_more_than_48_hours_ago_gets_no_text(record, wechat):
    resident = chatting(hours_ago=49)
    notification = record(resident, kind="bot.reminder")
    assert notification.status == "skipped"
    assert notification.last_error.endswith("no bot message in the last 48 hours")
    assert sent(wechat) == 0


def test_a_resident_who_left_the_account_gets_no_text_even_within_48_hours(record, wechat):
    resident = chatting(hours_ago=1, oa_subscribed=False)
    notification = record(resident, kind="bot.reminder")
    assert notification.status == "skipped"
    assert notification.last_error.endswith("no longer follows the official account")
    assert sent(wechat) == 0


def test_a_resident_who_left_the_account_gets_no_template_message_either(record, wechat):
    resident = chatting(hours_ago=1, oa_subscribed=False)
    notification = record(resident)
    assert notification.status == "skipped"
    assert "does not follow the official account" in notification.last_error
    assert sent(wechat) == 0


# --- the official account's 订阅通知 (grants from its subscribe popup) -------------------------

def test_an_official_account_subscribe_grant_comes_before_a_template_message(record, wechat,
                                                                            app):
    resident = follower()
    SubscriptionGrantFactory(resident_id=resident.id, template_id=REPORT_OA_SUBSCRIBE_TEMPLATE)
    notification = record(resident)
    assert (notification.status, notification.channel) == ("sent", "oa_subscribe")
    [call] = wechat.calls(OA_SUBSCRIBE)
    assert call.json["touser"] == resident.oa_openid
    assert call.json["template_id"] == REPORT_OA_SUBSCRIBE_TEMPLATE
    assert call.json["miniprogram"] == {"appid": app.config["WECHAT_MP_APP_ID"],
                                        "pagepath": "pages/reports/detail?id=7"}
    assert call.json["data"]["phrase3"] == {"value": "已受理"}
    assert sent(wechat, TEMPLATE) == 0
    assert grant_of(resident) == 0


def test_an_official_account_grant_is_not_used_for_someone_who_left_the_account(record, wechat):
    resident = follower()
    resident.oa_subscribed = False
    db.session.commit()
    SubscriptionGrantFactory(resident_id=resident.id, template_id=REPORT_OA_SUBSCRIBE_TEMPLATE)
    notification = record(resident)
    assert notification.status == "skipped"
    assert grant_of(resident) == 1


def test_a_mini_program_grant_comes_before_an_official_account_grant(record, wechat):
    resident = follower()
    SubscriptionGrantFactory(resident_id=resident.id)
    SubscriptionGrantFactory(resident_id=resident.id, template_id=REPORT_OA_SUBSCRIBE_TEMPLATE)
    assert record(resident).channel == "subscribe"
    assert sent(wechat, OA_SUBSCRIBE) == 0


def test_a_skipped_notification_is_still_in_the_in_app_list(record, client, auth_headers):
    resident = ResidentFactory()
    notification = record(resident)
    assert notification.status == "skipped"
    response = client.get("/api/v1/notifications", headers=auth_headers(resident))
    assert [item["id"] for item in response.json["items"]] == [notification.id]


def test_a_long_text_is_cut_to_wechats_2048_bytes(record, wechat):
    resident = chatting()
    record(resident, kind="bot.reminder", text="请" * 1000)
    content = wechat.calls(TEXT)[0].json["text"]["content"]
    assert len(content.encode("utf-8")) <= 2048
    assert content.endswith("…")


def test_template_values_are_fitted_to_their_key_types(record, wechat):
    resident = ResidentFactory()
    SubscriptionGrantFactory(resident_id=resident.id)
    record(resident, fields={"number": "SSP-20261124-0007 （第二次）",
                             "thing": "小区东门路灯\n损坏已经三天了晚上出门很不方便希望尽快修好",
                             "phrase": "OK 已派单处理", "time": "2026-11-24T02:00:00+00:00"})
    data = wechat.calls(SUBSCRIBE)[0].json["data"]
    assert data["character_string1"] == {"value": "SSP-20261124-0007"}
    assert data["thing2"] == {"value": "小区东门路灯 损坏已经三天了晚上出门很…"}
    assert data["phrase3"] == {"value": "已派单处理"}
    assert data["time4"] == {"value": "2026年11月24日 10:00"}


def test_a_value_that_cannot_fit_any_template_fails_without_using_the_grant(record, wechat):
    resident = follower()
    SubscriptionGrantFactory(resident_id=resident.id)
    notification = record(resident, fields={"number": "SSP-1", "thing": "路灯", "phrase": "OK",
                                            "time": "2026-11-24T10:00:00+08:00"})
    assert notification.status == "failed"
    assert notification.ruled_out == "subscribe:data,template:data"
    assert "phrase3" in notification.last_error
    assert sent(wechat) == 0
    assert grant_of(resident) == 1


def test_a_value_that_cannot_fit_the_template_falls_to_a_text(record, wechat):
    resident = chatting()
    resident.oa_subscribed = True
    db.session.commit()
    notification = record(resident, fields={"phrase": "OK"})
    assert notification.channel == "text"
    assert sent(wechat) == 1


def test_staff_notifications_are_in_app_only(regions, wechat, run_jobs):
    staff = StaffFactory(region=regions.community)
    notification_id = notify(kind="report.overdue", dedupe_key="report:1:overdue", text="有报事超时",
                             staff_id=staff.id)
    db.session.commit()
    run_jobs()
    notification = db.session.get(Notification, notification_id)
    assert (notification.status, notification.last_error) == ("skipped", "staff: in-app only")
    assert sent(wechat) == 0
