"""Jobs are handed over only when the root transaction commits."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app import jobs
from app.extensions import db


@pytest.fixture
def handed_over(monkeypatch):
    handed: list = []
    monkeypatch.setattr(jobs, "_dispatch", lambda app, requests: handed.extend(
        args for _func, args, *_ in requests))
    return handed


def noop(*args) -> None:
    pass


def test_job_is_handed_over_at_commit(handed_over):
    db.session.execute(sa.text("SELECT 1"))
    jobs.enqueue(noop, 1)
    assert handed_over == []

    db.session.commit()

    assert handed_over == [(1,)]


def test_job_of_a_rolled_back_transaction_is_dropped(handed_over):
    db.session.execute(sa.text("SELECT 1"))
    jobs.enqueue(noop, 1)
    db.session.rollback()
    db.session.commit()

    assert handed_over == []


def test_released_savepoint_does_not_hand_jobs_over_before_the_commit(handed_over):
    db.session.execute(sa.text("SELECT 1"))
    jobs.enqueue(noop, 1)
    with db.session.begin_nested():
        jobs.enqueue(noop, 2)
    assert handed_over == []

    db.session.commit()

    assert handed_over == [(1,), (2,)]


def test_jobs_of_a_rolled_back_savepoint_are_dropped_and_the_others_kept(handed_over):
    db.session.execute(sa.text("SELECT 1"))
    jobs.enqueue(noop, 1)
    with pytest.raises(RuntimeError), db.session.begin_nested():
        jobs.enqueue(noop, 2)
        raise RuntimeError("refused")
    jobs.enqueue(noop, 3)
    db.session.commit()

    assert handed_over == [(1,), (3,)]
