"""`flask notifications retry-failed` and `flask notifications stats`."""

from app.extensions import db
from app.notifications.models import Notification
from tests.factories import NotificationFactory, ResidentFactory
from tests.notifications.conftest import follower, sent


def failed_row(resident, **kwargs) -> Notification:
    return NotificationFactory(resident_id=resident.id, status="failed", attempts=6,
                               ruled_out="template:40037", last_error="template: 40037", **kwargs)


def test_retry_failed_sends_failed_notifications_again_on_every_channel(runner, wechat,
                                                                       run_jobs):
    notification = failed_row(follower())
    result = runner.invoke(args=["notifications", "retry-failed"])
    assert result.exit_code == 0, result.output
    assert "queued 1 failed notifications again" in result.output
    run_jobs()
    db.session.refresh(notification)
    assert (notification.status, notification.channel, notification.attempts) == \
        ("sent", "template", 1)
    assert notification.ruled_out is None
    assert sent(wechat) == 1


def test_retry_failed_can_keep_to_one_kind(runner, wechat, run_jobs):
    report = failed_row(follower(), kind="report.accepted")
    poll = failed_row(follower(), kind="poll.closed")
    result = runner.invoke(args=["notifications", "retry-failed", "--kind", "poll."])
    assert "queued 1 failed" in result.output
    run_jobs()
    db.session.refresh(report)
    db.session.refresh(poll)
    assert (report.status, poll.status) == ("failed", "sent")


def test_stats_prints_counts_by_status(runner, clock):
    resident = ResidentFactory()
    NotificationFactory(resident_id=resident.id, status="sent")
    NotificationFactory(resident_id=resident.id, status="failed")
    NotificationFactory(resident_id=resident.id, next_attempt_at=clock.moment.replace(year=2030))
    clock.advance(hours=2)
    result = runner.invoke(args=["notifications", "stats"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "pending  1" in lines and "sent     1" in lines and "failed   1" in lines
    assert "oldest pending: 2:00:00 ago" in lines
