"""Notification jobs: deliver one outbox row; the sweep that re-enqueues what is still pending."""

from __future__ import annotations

from app import jobs, periodic
from app.extensions import db
from app.notifications import delivery


def deliver_notification(notification_id: int) -> None:
    """Deliver one outbox row (a no-op when it is already delivered or another job has it)."""
    delivery.deliver(notification_id)


def enqueue_delivery(notification_id: int) -> None:
    """Deliver the row after the current transaction commits. Backoff is the outbox's own
    (next_attempt_at and the sweep), so rq does not retry the job as well."""
    jobs.enqueue(deliver_notification, notification_id, retries=0)


@periodic.every(minutes=1)
def sweep_outbox() -> None:
    """Recover rows left `sending` by a stopped worker, then enqueue every due pending row:
    those written while Redis was down, retries whose backoff is over, lost jobs."""
    delivery.recover_stuck()
    while True:
        ids = delivery.take_due()
        for notification_id in ids:
            enqueue_delivery(notification_id)
        db.session.commit()
        if len(ids) < delivery.SWEEP_BATCH:
            break
