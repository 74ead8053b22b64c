"""Helpers for the notification tests: record through notify(), count what WeChat received."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest

from app import clock as app_clock
from app.extensions import db
from app.notifications import notify
from app.notifications.jobs import sweep_outbox
from app.notifications.models import Notification
from tests.factories import REPORT_FIELDS, ResidentFactory

SUBSCRIBE = "/cgi-bin/message/subscribe/send"
TEMPLATE = "/cgi-bin/message/template/send"
TEXT = "/cgi-bin/message/custom/send"
OA_SUBSCRIBE = "/cgi-bin/message/subscribe/bizsend"
SEND_PATHS = (SUBSCRIBE, OA_SUBSCRIBE, TEMPLATE, TEXT)

_keys = itertools.count(1)


@pytest.fixture
def record(run_jobs):
    """record(resident, kind=..., **notify_kwargs) -> the row, after its delivery job ran."""

    def record(resident, kind: str = "report.accepted", **overrides) -> Notification:
        kwargs = {"dedupe_key": f"{kind}:{resident.id}:{next(_keys)}",
                  "title": "报事已受理",
                  "text": "您反映的路灯损坏问题已受理，工作人员会尽快处理。",
                  "page": "pages/reports/detail?id=7", "fields": dict(REPORT_FIELDS)}
        kwargs.update(overrides)
        notification_id = notify(kind=kind, resident_id=resident.id, **kwargs)
        db.session.commit()
        run_jobs()
        return db.session.get(Notification, notification_id)

    return record


@pytest.fixture
def sweep(run_jobs):
    """Run the outbox sweep and the jobs it queued, as the clock and a worker would."""

    def sweep() -> None:
        sweep_outbox()
        run_jobs()
        db.session.expire_all()

    return sweep


def sent(wechat, path: str | None = None) -> int:
    """How many messages the fake WeChat received (on one path, or on all three)."""
    return sum(len(wechat.calls(p)) for p in ((path,) if path else SEND_PATHS))


def follower(**kwargs):
    """A resident who follows the official account (template messages possible)."""
    n = next(_keys)
    return ResidentFactory(oa_openid=f"oOA{n:08d}", oa_subscribed=True, **kwargs)


def chatting(hours_ago: float = 1, **kwargs):
    """A follower who wrote to the bot `hours_ago` hours ago (customer-service texts possible
    within 48 hours; kinds with templates reach them as template messages first)."""
    n = next(_keys)
    kwargs.setdefault("oa_subscribed", True)
    return ResidentFactory(oa_openid=f"oOA{n:08d}",
                           last_bot_message_at=app_clock.now() - timedelta(hours=hours_ago),
                           **kwargs)
