"""Fault tests: with Redis unreachable residents' actions still succeed and their notifications
are recorded; once Redis is back, the sweep and a worker deliver every one exactly once.

No feature endpoint records notifications on this branch yet (reports, proposals, polls and the
mailbox come later), so the resident action is a small test-only route that does what those
services will do: change nothing else, call notify() inside its transaction, commit.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Blueprint, Flask, request

from app import create_app, jobs
from app.extensions import db
from app.notifications import notify
from app.notifications.jobs import sweep_outbox
from app.notifications.models import Notification
from tests.conftest import LinliTestClient
from tests.factories import (
    REPORT_FIELDS,
    REPORT_OA_SUBSCRIBE_TEMPLATE,
    ResidentFactory,
    SubscriptionGrantFactory,
)
from tests.fakes.wechat_server import running_fake_wechat
from tests.notifications.conftest import SEND_PATHS, chatting, follower, sent

UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"
PROJECT_ROOT = Path(__file__).resolve().parents[2]
EVENTS_PER_RESIDENT = 4


def add_resident_action(app: Flask) -> None:
    """POST /test/residents/<id>/reports/<n>?kind=…: 'report n of this resident was accepted'
    (kind "bot.reminder" has no templates: only a text can carry it)."""
    blueprint = Blueprint("outage_test", __name__)

    @blueprint.post("/test/residents/<int:resident_id>/reports/<int:number>")
    def report_accepted(resident_id: int, number: int):
        kind = request.args.get("kind", "report.accepted")
        notify(kind=kind, dedupe_key=f"report:{number}:accepted:{resident_id}",
               resident_id=resident_id, title="报事已受理",
               text=f"您反映的第{number}个问题已受理，工作人员会尽快处理。",
               page=f"pages/reports/detail?id={number}",
               fields={**REPORT_FIELDS, "number": f"SSP-20261124-{number:04d}"})
        db.session.commit()
        return {"accepted": number}

    app.register_blueprint(blueprint)


@pytest.fixture
def app_without_redis(test_environ):
    """The same service, database and WeChat, with Redis unreachable."""
    app = create_app({"ENVIRON": {**test_environ, "REDIS_URL": UNREACHABLE_REDIS}})
    app.test_client_class = LinliTestClient
    add_resident_action(app)
    yield app
    with app.app_context():
        db.engine.dispose()


def residents_on_every_channel() -> list:
    """(resident, kind) pairs, one per channel in SEND_PATHS order."""
    subscriber = ResidentFactory()
    SubscriptionGrantFactory(resident_id=subscriber.id, remaining=EVENTS_PER_RESIDENT)
    oa_subscriber = follower()
    SubscriptionGrantFactory(resident_id=oa_subscriber.id, remaining=EVENTS_PER_RESIDENT,
                             template_id=REPORT_OA_SUBSCRIBE_TEMPLATE)
    return [(subscriber, "report.accepted"), (oa_subscriber, "report.accepted"),
            (follower(), "report.accepted"), (chatting(), "bot.reminder")]


def act_while_redis_is_down(app_without_redis, residents) -> None:
    client = app_without_redis.test_client()
    for resident, kind in residents:
        for number in range(1, EVENTS_PER_RESIDENT + 1):
            response = client.post(f"/test/residents/{resident.id}/reports/{number}?kind={kind}")
            assert response.status_code == 200
    db.session.expire_all()


def statuses() -> list[str]:
    return list(db.session.scalars(sa.select(Notification.status)))


@pytest.mark.redis
@pytest.mark.postgres
def test_notifications_recorded_while_redis_is_down_are_delivered_once_when_it_returns(
        app, app_without_redis, wechat, clock, run_jobs):
    residents = residents_on_every_channel()
    expected = len(residents) * EVENTS_PER_RESIDENT

    act_while_redis_is_down(app_without_redis, residents)
    assert statuses() == ["pending"] * expected
    assert len(jobs.get_queue(app)) == 0
    assert sent(wechat) == 0

    # Redis is back: the clock runs the sweep, a worker runs the jobs it queued.
    clock.advance(minutes=2)
    sweep_outbox()
    assert run_jobs() == expected
    db.session.expire_all()
    assert statuses() == ["sent"] * expected
    assert [sent(wechat, path) for path in SEND_PATHS] == [EVENTS_PER_RESIDENT] * 4

    # Later sweeps and stray jobs send nothing again.
    clock.advance(hours=1)
    sweep_outbox()
    run_jobs()
    assert sent(wechat) == expected


def flask_command(environ: dict, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, **environ, "FLASK_APP": "wsgi.py"}
    flask = Path(sys.executable).with_name("flask")
    return subprocess.run([str(flask), *args], cwd=PROJECT_ROOT, env=env, capture_output=True,
                          text=True, timeout=120, check=True)


@pytest.mark.redis
def test_a_worker_process_delivers_what_was_recorded_while_redis_was_down(
        app_without_redis, test_environ, clock):
    # Recorded ten minutes ago (by the real clock), so the sweep of the processes below,
    # which run on the real clock, finds the rows due.
    clock.set(datetime.now(UTC) - timedelta(minutes=10))
    residents = residents_on_every_channel()
    expected = len(residents) * EVENTS_PER_RESIDENT
    with running_fake_wechat() as fake:
        act_while_redis_is_down(app_without_redis, residents)
        environ = {**test_environ, "WECHAT_API_BASE": fake.base_url}
        for _ in range(2):  # the second round must send nothing more
            flask_command(environ, "jobs", "sweep")
            flask_command(environ, "worker", "--burst")
        received = [len(fake.calls(path)) for path in SEND_PATHS]
    assert received == [EVENTS_PER_RESIDENT] * 4
    assert statuses() == ["sent"] * expected
