"""Background work: the one way to enqueue it, and the worker that runs it.

`enqueue(func, *ids)` is called from services inside their transaction. The job is handed over
only after that transaction commits (a rolled-back change enqueues nothing):

- with `REDIS_URL`, to rq, with retries and backoff, a timeout, and failures kept in rq's
  failed-job registry. Redis being down never fails the caller: enqueueing gives up within
  milliseconds and the work is picked up later by the periodic sweeps, because whatever must
  happen is recorded in the database (outbox rows, due times), not only in the queue;
- without it, inline in a fresh application context right after the commit.

Jobs take ids and plain values, never ORM objects or clients.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import redis
from flask import Flask, current_app
from rq import Queue, Retry, SimpleWorker, Worker
from rq.job import Job
from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

QUEUE_NAME = "linli"
_PENDING = "linli_pending_jobs"
_ALLOWED_ARG_TYPES = (int, str, bool, float, type(None))
# Backoff between retries, in seconds.
RETRY_INTERVALS = [10, 60, 300, 900]


def enqueue(func: Callable, *args, timeout: int | None = None, retries: int | None = None) -> None:
    """Run `func(*args)` in the background once the current transaction commits."""
    for arg in args:
        if not isinstance(arg, _ALLOWED_ARG_TYPES):
            raise TypeError(f"jobs take ids and plain values, not {type(arg).__name__}")
    from app.extensions import db

    request = (func, args, timeout, retries)
    session = db.session()
    if session.in_transaction():
        session.info.setdefault(_PENDING, []).append(request)
    else:
        _dispatch(current_app._get_current_object(), [request])


# SQLAlchemy sends after_commit for a released SAVEPOINT too (begin_nested()); only the commit
# of the root transaction may hand jobs over. Jobs enqueued inside a savepoint that is rolled
# back are dropped with it.
_SAVEPOINT_MARKS = "linli_pending_job_marks"
_RELEASED_SAVEPOINTS = "linli_released_savepoints"


@event.listens_for(Session, "after_transaction_create")
def _after_transaction_create(session: Session, transaction) -> None:
    if transaction.nested:
        marks = session.info.setdefault(_SAVEPOINT_MARKS, {})
        marks[id(transaction)] = len(session.info.get(_PENDING, ()))


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        released = session.info.setdefault(_RELEASED_SAVEPOINTS, set())
        released.add(id(session.get_nested_transaction()))
        return
    pending = session.info.pop(_PENDING, None)
    if pending:
        _dispatch(current_app._get_current_object(), pending)


@event.listens_for(Session, "after_transaction_end")
def _after_transaction_end(session: Session, transaction) -> None:
    if transaction.nested:
        mark = session.info.get(_SAVEPOINT_MARKS, {}).pop(id(transaction), None)
        released = session.info.get(_RELEASED_SAVEPOINTS, set())
        if id(transaction) in released:
            released.discard(id(transaction))
        elif mark is not None and _PENDING in session.info:
            del session.info[_PENDING][mark:]
        return
    # A root transaction that ended without commit (rollback, close) enqueues nothing.
    if transaction.parent is None:
        session.info.pop(_PENDING, None)
        session.info.pop(_SAVEPOINT_MARKS, None)
        session.info.pop(_RELEASED_SAVEPOINTS, None)


def _dispatch(app: Flask, requests: list) -> None:
    if app.config.get("REDIS_URL"):
        _enqueue_to_rq(app, requests)
    else:
        for func, args, _timeout, _retries in requests:
            _run_inline(app, func, args)


def _run_inline(app: Flask, func: Callable, args: tuple) -> None:
    # A fresh app context means a fresh database session: the job sees committed data only,
    # exactly as a worker process would.
    try:
        with app.app_context():
            func(*args)
    except Exception:
        log.exception("inline job %s%r failed", func.__qualname__, args)
        if app.config.get("JOBS_INLINE_RAISE"):
            raise


def _enqueue_to_rq(app: Flask, requests: list) -> None:
    queue = get_queue(app)
    for func, args, timeout, retries in requests:
        max_retries = app.config["JOB_MAX_RETRIES"] if retries is None else retries
        try:
            queue.enqueue_call(
                func,
                args=args,
                timeout=timeout or app.config["JOB_TIMEOUT_SECONDS"],
                retry=Retry(max=max_retries, interval=RETRY_INTERVALS) if max_retries else None,
                failure_ttl=30 * 24 * 3600,
                result_ttl=3600,
            )
        except redis.RedisError as exc:
            # The caller's change is committed; the periodic sweeps will pick the work up.
            log.warning("could not enqueue %s%r, Redis unavailable: %s", func.__qualname__, args, exc)


def redis_connection(app: Flask | None = None, *, for_worker: bool = False) -> redis.Redis:
    """The shared Redis client.

    Web processes get a client that fails in milliseconds when Redis is down (redis-py's
    default retries take seconds, most of WeChat's 5-second budget). The worker gets one with
    normal timeouts, because it blocks waiting for jobs.
    """
    app = app or current_app._get_current_object()
    key = "redis_worker" if for_worker else "redis"
    client = app.extensions.get(key)
    if client is None:
        url = app.config["REDIS_URL"]
        if for_worker:
            client = redis.Redis.from_url(url)
        else:
            from redis.backoff import NoBackoff
            from redis.retry import Retry as RedisRetry

            client = redis.Redis.from_url(
                url,
                retry=RedisRetry(NoBackoff(), 0),
                socket_connect_timeout=0.2,
                socket_timeout=0.5,
                health_check_interval=30,
            )
        app.extensions[key] = client
    return client


def get_queue(app: Flask | None = None, *, for_worker: bool = False) -> Queue:
    app = app or current_app._get_current_object()
    return Queue(QUEUE_NAME, connection=redis_connection(app, for_worker=for_worker),
                 job_class=AppContextJob)


class AppContextJob(Job):
    """An rq job that runs inside the worker's Flask application context."""

    app: Flask | None = None

    def perform(self):
        if AppContextJob.app is None:
            raise RuntimeError("the worker did not bind a Flask app (use `flask worker`)")
        with AppContextJob.app.app_context():
            return super().perform()


def make_worker(app: Flask, *, simple: bool = False) -> Worker:
    """An rq worker bound to `app`; `simple` runs jobs in-process (no fork), as tests do."""
    AppContextJob.app = app
    worker_class = SimpleWorker if simple else Worker
    return worker_class([get_queue(app, for_worker=True)],
                        connection=redis_connection(app, for_worker=True),
                        job_class=AppContextJob)


def run_queued_jobs(app: Flask) -> int:
    """Run every queued job now, in this process (tests and `flask jobs drain`); returns a count."""
    if not app.config.get("REDIS_URL"):
        return 0
    worker = make_worker(app, simple=True)
    queue = get_queue(app, for_worker=True)
    count = 0
    while len(queue):
        before = len(queue)
        worker.work(burst=True, logging_level="WARNING")
        count += before
    return count
