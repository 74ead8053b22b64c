"""Exactly once: the same event records one row, a doubled job sends once, the sweep delivers
what was recorded while jobs were lost and recovers rows a stopped worker left behind."""

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.notifications import notify
from app.notifications.delivery import deliver
from app.notifications.jobs import enqueue_delivery
from app.notifications.models import Notification
from tests.factories import NotificationFactory, ResidentFactory
from tests.notifications.conftest import TEMPLATE, follower, sent


def test_the_same_event_twice_yields_one_row_and_one_message(wechat, run_jobs):
    resident = follower()
    for _ in range(2):
        notify(kind="report.accepted", dedupe_key=f"report:7:accepted:resident:{resident.id}",
               text="您反映的问题已受理", resident_id=resident.id,
               fields={"number": "SSP-1", "thing": "路灯", "phrase": "已受理"})
        db.session.commit()
        run_jobs()
    assert db.session.scalar(sa.select(sa.func.count(Notification.id))) == 1
    assert sent(wechat) == 1


def test_a_doubled_job_sends_once(wechat, run_jobs):
    resident = follower()
    notification = NotificationFactory(resident_id=resident.id)
    enqueue_delivery(notification.id)
    enqueue_delivery(notification.id)
    db.session.commit()
    run_jobs()
    db.session.refresh(notification)
    assert (notification.status, notification.attempts) == ("sent", 1)
    assert sent(wechat) == 1


def test_a_job_for_a_delivered_row_does_nothing(record, wechat):
    notification = record(follower())
    assert deliver(notification.id) is None
    assert sent(wechat) == 1


def test_a_job_before_the_backoff_is_over_does_nothing(wechat, clock):
    notification = NotificationFactory(resident_id=follower().id,
                                       next_attempt_at=clock.moment + timedelta(minutes=1))
    assert deliver(notification.id) is None
    assert sent(wechat) == 0


@pytest.mark.postgres
def test_concurrent_jobs_for_one_row_send_once(app, wechat):
    notification_id = NotificationFactory(resident_id=follower().id).id
    db.session.commit()
    threads_count = 8
    barrier = threading.Barrier(threads_count)
    outcomes = []

    def run():
        with app.app_context():
            barrier.wait()
            outcomes.append(deliver(notification_id))

    threads = [threading.Thread(target=run) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes, key=str) == [None] * (threads_count - 1) + ["sent"]
    assert sent(wechat, TEMPLATE) == 1


# --- the sweep -----------------------------------------------------------------------------------

def test_the_sweep_delivers_rows_whose_job_was_lost(sweep, wechat, clock):
    rows = [NotificationFactory(resident_id=follower().id) for _ in range(3)]
    clock.advance(minutes=2)
    sweep()
    assert [db.session.get(Notification, row.id).status for row in rows] == ["sent"] * 3
    assert sent(wechat) == 3
    clock.advance(minutes=10)
    sweep()
    assert sent(wechat) == 3


def test_the_sweep_leaves_a_fresh_row_to_its_own_job(sweep, wechat, clock):
    notification = NotificationFactory(resident_id=follower().id)
    clock.advance(seconds=90)
    sweep()
    db.session.refresh(notification)
    assert notification.status == "pending"
    assert sent(wechat) == 0


def test_the_sweep_queues_a_row_again_only_after_a_pause(sweep, wechat, clock, monkeypatch):
    from app.notifications import jobs as notification_jobs

    queued = []
    monkeypatch.setattr(notification_jobs, "enqueue_delivery", queued.append)
    notification = NotificationFactory(resident_id=follower().id)
    clock.advance(minutes=2)
    sweep()
    sweep()
    clock.advance(minutes=2)
    sweep()
    assert queued == [notification.id, notification.id]


def test_a_row_left_sending_by_a_stopped_worker_is_sent_after_the_claim_timeout(
        sweep, wechat, clock):
    notification = NotificationFactory(resident_id=follower().id, status="sending", attempts=1,
                                       claimed_at=clock.moment)
    clock.advance(minutes=9)
    sweep()
    db.session.refresh(notification)
    assert notification.status == "sending"
    clock.advance(minutes=2)
    sweep()
    db.session.refresh(notification)
    assert (notification.status, notification.attempts) == ("sent", 2)
    assert sent(wechat) == 1


def test_a_row_left_sending_without_attempts_left_is_failed(sweep, wechat, clock, app):
    max_attempts = app.config["NOTIFICATION_MAX_ATTEMPTS"]
    notification = NotificationFactory(resident_id=ResidentFactory().id, status="sending",
                                       attempts=max_attempts, claimed_at=clock.moment)
    clock.advance(minutes=11)
    sweep()
    db.session.refresh(notification)
    assert notification.status == "failed"
    assert notification.last_error == "the worker stopped while sending"
