"""Background jobs: after commit only, inline or on rq, fast failure when Redis is down."""

import logging

import pytest
import sqlalchemy as sa
from rq.registry import FailedJobRegistry, ScheduledJobRegistry

from app import create_app, jobs, periodic
from app.categories.models import Category
from app.extensions import db
from tests.sample_jobs import create_category, fail_always


def category_exists(code: str) -> bool:
    db.session.expire_all()
    return db.session.scalar(sa.select(Category.id).where(Category.code == code)) is not None


def test_job_runs_only_after_the_transaction_commits(run_jobs):
    db.session.add(Category(code="first", name="先"))
    jobs.enqueue(create_category, "after")
    db.session.flush()
    run_jobs()
    assert not category_exists("after")
    db.session.commit()
    run_jobs()
    assert category_exists("first") and category_exists("after")


def test_job_of_a_rolled_back_transaction_never_runs(run_jobs):
    db.session.add(Category(code="doomed", name="无"))
    jobs.enqueue(create_category, "never")
    db.session.rollback()
    run_jobs()
    assert not category_exists("never")


def test_job_outside_a_transaction_is_dispatched_at_once(run_jobs):
    db.session.commit()
    jobs.enqueue(create_category, "now")
    run_jobs()
    assert category_exists("now")


def test_jobs_take_ids_not_objects():
    with pytest.raises(TypeError, match="ids and plain values"):
        jobs.enqueue(create_category, Category(code="x", name="x"))


def test_without_redis_jobs_run_inline_and_their_errors_surface_under_test(test_environ):
    app = create_app({"ENVIRON": {**test_environ, "REDIS_URL": ""}})
    with app.app_context():
        jobs.enqueue(create_category, "inline")
        assert category_exists("inline")
        jobs.enqueue(fail_always, "boom")
        with pytest.raises(RuntimeError, match="job boom failed"):
            db.session.commit()


@pytest.mark.redis
def test_enqueued_job_waits_in_rq_with_retries_and_a_timeout(app):
    jobs.enqueue(create_category, "queued")
    queue = jobs.get_queue(app)
    [job] = queue.get_jobs()
    assert job.func_name == "tests.sample_jobs.create_category"
    assert job.args == ("queued",)
    assert job.retries_left == app.config["JOB_MAX_RETRIES"]
    assert job.timeout == app.config["JOB_TIMEOUT_SECONDS"]
    assert not category_exists("queued")


@pytest.mark.redis
def test_worker_runs_queued_jobs_in_the_app_context(app, runner):
    jobs.enqueue(create_category, "worked")
    result = runner.invoke(args=["worker", "--burst", "--simple", "--no-clock"])
    assert result.exit_code == 0, result.output
    assert category_exists("worked")


@pytest.mark.redis
def test_a_failed_job_is_scheduled_for_retry_with_backoff(app, run_jobs):
    jobs.enqueue(fail_always, "retry")
    run_jobs()
    scheduled = ScheduledJobRegistry(queue=jobs.get_queue(app, for_worker=True))
    assert len(scheduled) == 1


@pytest.mark.redis
def test_failed_job_is_kept_by_rq(app, run_jobs):
    jobs.enqueue(fail_always, "kept", retries=0)
    run_jobs()
    failed = FailedJobRegistry(queue=jobs.get_queue(app, for_worker=True))
    assert len(failed) == 1


def test_enqueue_with_redis_down_fails_fast_and_keeps_the_change(test_environ, caplog):
    app = create_app({"ENVIRON": {**test_environ, "REDIS_URL": "redis://127.0.0.1:1/0"}})
    with app.app_context(), caplog.at_level(logging.WARNING):
        db.session.add(Category(code="kept", name="保留"))
        jobs.enqueue(create_category, "lost-for-now")
        db.session.commit()
        assert category_exists("kept")
    assert any("Redis unavailable" in r.getMessage() for r in caplog.records)


def test_redis_client_for_requests_does_not_retry(test_environ):
    app = create_app({"ENVIRON": {**test_environ, "REDIS_URL": "redis://127.0.0.1:1/0"}})
    client = jobs.redis_connection(app)
    assert client.connection_pool.connection_kwargs["socket_connect_timeout"] == 0.2
    assert client.get_retry()._retries == 0


def test_sweep_command_runs_every_declared_sweep(runner, monkeypatch):
    ran = []
    monkeypatch.setitem(periodic.SWEEPS, "test.sweep",
                        periodic.Sweep("test.sweep", lambda: ran.append(1), 60))
    result = runner.invoke(args=["jobs", "sweep"])
    assert result.exit_code == 0, result.output
    assert ran == [1]


@pytest.mark.redis
def test_two_clocks_enqueue_a_sweep_once_per_interval(app):
    sweep = periodic.Sweep("test.once", lambda: None, 60)
    assert periodic._claim(app, sweep, {}) is True
    assert periodic._claim(app, sweep, {}) is False
