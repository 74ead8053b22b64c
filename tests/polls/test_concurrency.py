"""Ballots racing each other on PostgreSQL: the unique key keeps one per unit, tallies stay
exact, and overlapping multiple choices do not deadlock."""

from __future__ import annotations

import threading
import time

import pytest
import sqlalchemy as sa

from app.accounts.models import Resident
from app.errors import ServiceError
from app.extensions import db
from app.notifications.models import Notification
from app.polls import ballot_box, service
from app.polls.models import Poll, PollBallot, PollStatus
from tests.factories import HouseholdFactory, PollFactory, ResidentFactory
from tests.polls.voting import answers, counts, tallies, verified_member

pytestmark = pytest.mark.postgres

# Below the engine's pool size plus overflow (15), so that every thread holds a connection.
THREADS = 12


def race(app, resident_ids: list[int], poll_id: int, make_answers) -> list:
    """Cast one ballot per resident id, all released at once; return "ok" or the error code.

    `make_answers(index)` builds each ballot here, before the threads start: the test's own
    objects belong to the test's session, which the threads must not touch."""
    ballots = [make_answers(index) for index in range(len(resident_ids))]
    db.session.commit()
    barrier = threading.Barrier(len(resident_ids))
    outcomes: list = [None] * len(resident_ids)

    def run(index: int, resident_id: int) -> None:
        with app.app_context():
            try:
                resident = db.session.get(Resident, resident_id)
                db.session.commit()
                barrier.wait(timeout=30)
                service.cast_ballot(resident, poll_id, ballots[index])
                outcomes[index] = "ok"
            except ServiceError as exc:
                outcomes[index] = exc.code
            except Exception as exc:  # a deadlock or a lost connection would land here
                outcomes[index] = repr(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i, rid)) for i, rid in enumerate(resident_ids)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_a_burst_from_one_person_stores_exactly_one_ballot(app, regions, poll):
    voter = ResidentFactory(community=regions.community, phone_verified=True)
    chosen = answers(poll, 1)
    outcomes = race(app, [voter.id] * THREADS, poll.id, lambda _i: chosen)
    assert outcomes.count("ok") == 1
    assert outcomes.count(409) == THREADS - 1
    assert counts(poll) == (1, 1)
    assert tallies(poll) == [0, 1, 0]


def test_a_burst_from_one_household_stores_exactly_one_ballot(app, regions):
    poll = PollFactory(region=regions.community, household=True)
    flat = HouseholdFactory(community_id=regions.community.id)
    members = [verified_member(flat, regions.community).id for _ in range(THREADS)]
    outcomes = race(app, members, poll.id, lambda i: answers(poll, i % 3))
    assert outcomes.count("ok") == 1
    assert outcomes.count(409) == THREADS - 1
    assert counts(poll) == (1, 1)
    assert sum(tallies(poll)) == 1


def test_a_burst_of_distinct_voters_is_counted_exactly(app, regions, poll):
    voters = [ResidentFactory(community=regions.community, phone_verified=True).id
              for _ in range(THREADS)]
    outcomes = race(app, voters, poll.id, lambda i: answers(poll, i % 3))
    assert outcomes == ["ok"] * THREADS
    assert counts(poll) == (THREADS, THREADS)
    assert tallies(poll) == [THREADS // 3] * 3
    assert ballot_box.reconcile(poll.id) == {}


def test_overlapping_multiple_choices_in_any_order_do_not_deadlock(app, regions):
    poll = PollFactory(region=regions.community,
                       questions=[("设施", "multiple", 4, ["秋千", "滑梯", "沙坑", "攀爬架"])])
    voters = [ResidentFactory(community=regions.community, phone_verified=True).id
              for _ in range(THREADS)]

    def overlapping(index: int) -> list[dict]:
        chosen = answers(poll, (0, 1, 2, 3))
        if index % 2:
            chosen[0]["option_ids"].reverse()
        return chosen

    outcomes = race(app, voters, poll.id, overlapping)
    assert outcomes == ["ok"] * THREADS
    db.session.expire_all()
    assert [option.vote_count for option in poll.questions[0].options] == [THREADS] * 4


def test_sealing_while_ballots_arrive_loses_none(app, regions, poll):
    voters = [ResidentFactory(community=regions.community, phone_verified=True).id
              for _ in range(THREADS)]
    stop = threading.Event()

    def keep_sealing() -> None:
        with app.app_context():
            while not stop.is_set():
                service.seal_ballots()
            db.session.remove()

    ballots = [answers(poll, i % 3) for i in range(THREADS)]
    sealer = threading.Thread(target=keep_sealing)
    sealer.start()
    try:
        outcomes = race(app, voters, poll.id, lambda i: ballots[i])
    finally:
        stop.set()
        sealer.join(timeout=60)
    assert outcomes == ["ok"] * THREADS
    assert counts(poll) == (THREADS, THREADS)
    assert ballot_box.reconcile(poll.id) == {}


def _a_session_waits_for_a_lock() -> bool:
    """Wait (up to 30 s) until some session of this database is blocked on a lock."""
    blocked = sa.text("SELECT count(*) FROM pg_stat_activity "
                      "WHERE datname = current_database() AND wait_event_type = 'Lock'")
    for _ in range(300):
        with db.engine.connect() as connection:
            if connection.scalar(blocked):
                return True
        time.sleep(0.1)
    return False


def test_closing_waits_for_a_ballot_in_flight_and_counts_it(app, regions, poll, clock,
                                                           monkeypatch):
    voter = ResidentFactory(community=regions.community, phone_verified=True)
    chosen = answers(poll, 2)
    closes_at = poll.closes_at
    db.session.commit()
    in_flight, release = threading.Event(), threading.Event()
    drop = ballot_box.drop

    def drop_and_hold(poll_id, option_ids):
        drop(poll_id, option_ids)
        in_flight.set()
        release.wait(timeout=30)

    monkeypatch.setattr(ballot_box, "drop", drop_and_hold)
    closed: list = []

    def vote() -> None:
        with app.app_context():
            service.cast_ballot(db.session.get(Resident, voter.id), poll.id, chosen)
            db.session.remove()

    def close() -> None:
        with app.app_context():
            closed.append(service.close_poll(poll.id))
            db.session.remove()

    voting = threading.Thread(target=vote)
    voting.start()
    try:
        assert in_flight.wait(timeout=30)
        clock.set(closes_at)
        closing = threading.Thread(target=close)
        closing.start()
        assert _a_session_waits_for_a_lock(), "the close did not wait for the ballot in flight"
    finally:
        release.set()
        voting.join(timeout=30)
    closing.join(timeout=30)

    assert closed == [True]
    db.session.expire_all()
    assert db.session.get(Poll, poll.id).status == PollStatus.CLOSED
    assert tallies(poll) == [0, 0, 1]
    # The close saw the participation: its voter was told the results.
    assert db.session.scalars(sa.select(Notification.resident_id)).all() == [voter.id]
    assert db.session.scalar(sa.select(PollBallot.sealed)) is True
