"""TEMPLATESENDJOBFINISH events (forwarded by the bot) update the delivery status."""

from app.extensions import db
from app.notifications import record_template_delivery, retry_failed
from tests.notifications.conftest import TEMPLATE, follower, sent


def test_a_successful_delivery_is_recorded(record):
    notification = record(follower())
    assert record_template_delivery(notification.wechat_msgid, "success") is True
    db.session.refresh(notification)
    assert (notification.status, notification.delivery_status) == ("sent", "success")


def test_a_blocked_delivery_fails_the_row(record):
    notification = record(follower())
    record_template_delivery(int(notification.wechat_msgid), "failed:user block")
    db.session.refresh(notification)
    assert notification.status == "failed"
    assert notification.delivery_status == "failed:user block"
    assert notification.last_error == "template: delivery failed:user block"


def test_the_same_event_twice_changes_nothing_more(record):
    notification = record(follower())
    record_template_delivery(notification.wechat_msgid, "failed: system failed")
    record_template_delivery(notification.wechat_msgid, "failed: system failed")
    db.session.refresh(notification)
    assert (notification.status, notification.attempts) == ("failed", 1)


def test_an_unknown_msgid_is_reported(record):
    assert record_template_delivery("424242", "success") is False


def test_a_failed_delivery_can_be_sent_again(record, wechat, run_jobs):
    notification = record(follower())
    record_template_delivery(notification.wechat_msgid, "failed: system failed")
    assert retry_failed() == 1
    run_jobs()
    db.session.refresh(notification)
    assert (notification.status, notification.delivery_status) == ("sent", None)
    assert notification.wechat_msgid == "2"
    assert sent(wechat, TEMPLATE) == 2
