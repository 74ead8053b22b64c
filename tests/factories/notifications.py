"""Factories for outbox rows and subscribe-message grants."""

from __future__ import annotations

import factory

from app import clock
from app.notifications.models import Notification, NotificationStatus, SubscriptionGrant
from tests.factories.core import _Base

# The example templates (config/notification_templates.example.json) the tests run with.
REPORT_SUBSCRIBE_TEMPLATE = "EXAMPLE-mp-report-progress"
REPORT_OA_TEMPLATE = "EXAMPLE-oa-report-progress"
REPORT_OA_SUBSCRIBE_TEMPLATE = "EXAMPLE-oa-sub-report-progress"
REPORT_FIELDS = {"number": "SSP-20261124-0007", "thing": "路灯损坏", "phrase": "已受理",
                 "time": "2026-11-24T10:00:00+08:00"}


class NotificationFactory(_Base):
    """An outbox row written without its delivery job (as if the job was lost)."""

    class Meta:
        model = Notification

    kind = "report.accepted"
    dedupe_key = factory.Sequence(lambda n: f"test:{n}")
    payload = factory.LazyFunction(lambda: {
        "title": "报事已受理", "text": "您反映的路灯损坏问题已受理，工作人员会尽快处理。",
        "page": "pages/reports/detail?id=7", "fields": dict(REPORT_FIELDS)})
    status = NotificationStatus.PENDING.value
    attempts = 0
    # A lambda, so that a test's frozen clock (which replaces app.clock.now) is read.
    next_attempt_at = factory.LazyFunction(lambda: clock.now())
    created_at = factory.LazyFunction(lambda: clock.now())


class SubscriptionGrantFactory(_Base):
    class Meta:
        model = SubscriptionGrant

    template_id = REPORT_SUBSCRIBE_TEMPLATE
    remaining = 1
