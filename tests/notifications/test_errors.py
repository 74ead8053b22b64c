"""WeChat's errors mapped as reference/wechat.md §2.6 says: retry with backoff, fall to the next
channel, or fail."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.notifications.delivery import RETRY_MAX_SECONDS, retry_delay
from app.notifications.models import SubscriptionGrant
from tests.factories import REPORT_OA_SUBSCRIBE_TEMPLATE, ResidentFactory, SubscriptionGrantFactory
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


def subscriber():
    resident = ResidentFactory()
    SubscriptionGrantFactory(resident_id=resident.id)
    return resident


# --- retryable ----------------------------------------------------------------------------------

@pytest.mark.parametrize("failure", [{"errcode": -1}, {"errcode": 45009}, {"errcode": 45011},
                                     {"status": 502}])
def test_a_retryable_error_keeps_the_row_pending_with_backoff(failure, record, wechat, clock):
    resident = subscriber()
    wechat.fail_next(SUBSCRIBE, **failure)
    notification = record(resident)
    assert (notification.status, notification.attempts) == ("pending", 1)
    assert notification.next_attempt_at == clock.moment + timedelta(minutes=1)
    assert notification.last_error.startswith("subscribe: ")
    assert notification.ruled_out is None


def test_a_retryable_error_gives_the_grant_back(record, wechat, clock):
    resident = subscriber()
    wechat.fail_next(SUBSCRIBE, errcode=-1)
    record(resident)
    assert grant_of(resident) == 1


def test_a_network_error_is_retried(record, wechat, clock, monkeypatch):
    import requests

    def refuse(*args, **kwargs):
        raise requests.ConnectionError("connection refused")

    resident = follower()
    record(resident, kind="poll.closed")  # fetches the token first
    monkeypatch.setattr("requests.Session.send", refuse)
    notification = record(resident, kind="poll.closed")
    assert notification.status == "pending"
    assert "unreachable" in notification.last_error


def test_the_retry_is_sent_by_the_sweep_once_the_backoff_is_over(record, sweep, wechat, clock):
    resident = subscriber()
    wechat.fail_next(SUBSCRIBE, errcode=-1)
    notification = record(resident)
    clock.advance(seconds=59)
    sweep()
    assert sent(wechat, SUBSCRIBE) == 1
    clock.advance(seconds=1)
    sweep()
    db.session.refresh(notification)
    assert (notification.status, notification.attempts) == ("sent", 2)
    assert sent(wechat, SUBSCRIBE) == 2
    assert grant_of(resident) == 0


def test_backoff_doubles_from_a_minute_up_to_an_hour():
    delays = [retry_delay(attempt).total_seconds() for attempt in range(1, 10)]
    assert delays == [60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]
    assert max(retry_delay(n).total_seconds() for n in range(1, 100)) == RETRY_MAX_SECONDS


def test_a_row_that_keeps_failing_is_failed_after_the_last_attempt(record, sweep, wechat, clock,
                                                                  app):
    max_attempts = app.config["NOTIFICATION_MAX_ATTEMPTS"]
    resident = follower()
    wechat.fail_next(TEMPLATE, errcode=-1, times=100)
    notification = record(resident)
    gaps = []
    while notification.status == "pending":
        gap = notification.next_attempt_at - clock.moment
        gaps.append(gap.total_seconds())
        clock.advance(seconds=gap.total_seconds())
        sweep()
        db.session.refresh(notification)
    assert notification.status == "failed"
    assert notification.attempts == max_attempts == 6
    assert gaps == [60, 120, 240, 480, 960]
    assert sent(wechat, TEMPLATE) == max_attempts
    clock.advance(hours=5)
    sweep()
    assert sent(wechat, TEMPLATE) == max_attempts


# --- permanent: fall to the next channel ---------------------------------------------------------

def test_43101_marks_the_grants_used_up_and_falls_to_a_template_message(record, wechat):
    resident = follower()
    SubscriptionGrantFactory(resident_id=resident.id, remaining=3)
    wechat.fail_next(SUBSCRIBE, errcode=43101)
    notification = record(resident)
    assert (notification.status, notification.channel) == ("sent", "template")
    assert notification.ruled_out == "subscribe:43101"
    assert grant_of(resident) == 0
    assert (sent(wechat, SUBSCRIBE), sent(wechat, TEMPLATE)) == (1, 1)


@pytest.mark.parametrize("errcode", [40003, 47003])
def test_a_refused_subscribe_message_gives_the_grant_back_and_falls_through(errcode, record,
                                                                           wechat):
    resident = follower()
    SubscriptionGrantFactory(resident_id=resident.id)
    wechat.fail_next(SUBSCRIBE, errcode=errcode)
    notification = record(resident)
    assert notification.channel == "template"
    assert notification.ruled_out == f"subscribe:{errcode}"
    assert grant_of(resident) == 1


@pytest.mark.parametrize("errcode", [43101, 43004, 40003, 47003])
def test_a_refused_template_message_falls_to_a_text(errcode, record, wechat):
    resident = chatting()
    resident.oa_subscribed = True
    db.session.commit()
    wechat.fail_next(TEMPLATE, errcode=errcode)
    notification = record(resident)
    assert (notification.status, notification.channel) == ("sent", "text")
    assert notification.ruled_out == f"template:{errcode}"


def test_45015_on_a_text_rules_it_out_and_fails_the_row_without_a_fallback(record, wechat):
    resident = chatting()
    wechat.fail_next(TEXT, errcode=45015)
    notification = record(resident, kind="bot.reminder")
    assert notification.status == "failed"
    assert notification.ruled_out == "text:45015"
    assert sent(wechat, TEMPLATE) == 0


def test_a_refused_template_then_45015_on_the_text_fails_the_row(record, wechat):
    resident = chatting()
    wechat.fail_next(TEMPLATE, errcode=43004)
    wechat.fail_next(TEXT, errcode=45015)
    notification = record(resident)
    assert notification.status == "failed"
    assert notification.ruled_out == "template:43004,text:45015"
    assert notification.last_error.startswith("text: 45015")


@pytest.mark.parametrize("errcode", [43101, 43004])
def test_a_refused_official_account_subscribe_message_falls_to_a_template(errcode, record,
                                                                         wechat):
    resident = follower()
    SubscriptionGrantFactory(resident_id=resident.id, template_id=REPORT_OA_SUBSCRIBE_TEMPLATE)
    wechat.fail_next(OA_SUBSCRIBE, errcode=errcode)
    notification = record(resident)
    assert (notification.status, notification.channel) == ("sent", "template")
    assert notification.ruled_out == f"oa_subscribe:{errcode}"
    assert grant_of(resident) == (0 if errcode == 43101 else 1)


def test_a_refused_text_without_a_fallback_fails_the_row(record, wechat):
    resident = chatting()
    wechat.fail_next(TEXT, errcode=45047)
    notification = record(resident, kind="bot.reminder")
    assert notification.status == "failed"
    assert notification.last_error.startswith("text: 45047")


@pytest.mark.parametrize("errcode", [43101, 43004, 40003, 47003])
def test_a_permanent_error_is_never_retried(errcode, record, sweep, wechat, clock):
    resident = follower()
    wechat.fail_next(TEMPLATE, errcode=errcode)
    notification = record(resident)
    assert (notification.status, notification.attempts) == ("failed", 1)
    clock.advance(hours=3)
    sweep()
    assert sent(wechat, TEMPLATE) == 1


def test_a_retryable_error_after_a_refusal_retries_only_the_channels_left(record, sweep, wechat,
                                                                         clock):
    resident = follower()
    SubscriptionGrantFactory(resident_id=resident.id)
    wechat.fail_next(SUBSCRIBE, errcode=43101)
    wechat.fail_next(TEMPLATE, errcode=-1)
    notification = record(resident)
    assert (notification.status, notification.ruled_out) == ("pending", "subscribe:43101")
    db.session.execute(sa.update(SubscriptionGrant).values(remaining=5))
    db.session.commit()
    clock.advance(minutes=1)
    sweep()
    db.session.refresh(notification)
    assert (notification.status, notification.channel) == ("sent", "template")
    assert sent(wechat, SUBSCRIBE) == 1


def test_a_row_whose_channels_were_refused_earlier_fails_when_none_is_left(record, sweep,
                                                                          wechat, clock):
    resident = follower()
    SubscriptionGrantFactory(resident_id=resident.id)
    wechat.fail_next(SUBSCRIBE, errcode=43101)
    wechat.fail_next(TEMPLATE, errcode=-1)
    notification = record(resident)
    resident.oa_subscribed = False
    db.session.commit()
    clock.advance(minutes=1)
    sweep()
    db.session.refresh(notification)
    assert notification.status == "failed"
    assert notification.last_error == (
        "no channel left: subscribe ruled out; no official-account subscription; does not "
        "follow the official account; no longer follows the official account")
