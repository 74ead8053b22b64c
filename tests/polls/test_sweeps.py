"""The periodic sweep opens scheduled polls and closes due ones on time, exactly once."""

from datetime import timedelta

import sqlalchemy as sa

from app import periodic
from app.extensions import db
from app.notifications.models import Notification
from app.polls.jobs import sweep_polls
from app.polls.models import Poll, PollBallot, PollStatus
from tests.factories import HouseholdFactory, PollFactory
from tests.polls.voting import cast, verified_member


def status_of(poll):
    return db.session.scalar(sa.select(Poll.status).where(Poll.id == poll.id))


def test_the_sweep_runs_every_minute():
    sweep = periodic.SWEEPS[f"{sweep_polls.__module__}.{sweep_polls.__qualname__}"]
    assert sweep.interval_seconds == 60


def test_a_scheduled_poll_opens_at_its_time(regions, clock):
    poll = PollFactory(region=regions.community, scheduled=True)
    clock.set(poll.opens_at - timedelta(seconds=1))
    sweep_polls()
    assert status_of(poll) == PollStatus.SCHEDULED
    clock.set(poll.opens_at)
    sweep_polls()
    assert status_of(poll) == PollStatus.OPEN
    assert db.session.get(Poll, poll.id).opened_at == poll.opens_at


def test_a_draft_with_an_opening_time_does_not_open(regions, clock):
    poll = PollFactory(region=regions.community, draft=True)
    poll.opens_at = clock.moment
    db.session.commit()
    clock.advance(hours=1)
    sweep_polls()
    assert status_of(poll) == PollStatus.DRAFT


def test_an_open_poll_closes_at_its_time_and_publishes(regions, poll, clock):
    clock.set(poll.closes_at - timedelta(seconds=1))
    sweep_polls()
    assert status_of(poll) == PollStatus.OPEN
    clock.set(poll.closes_at)
    sweep_polls()
    closed = db.session.get(Poll, poll.id)
    assert closed.status == PollStatus.CLOSED
    assert closed.closed_at == closed.results_published_at == poll.closes_at


def test_closing_notifies_each_participant_once(client, regions, voter, poll, auth_headers,
                                                 clock):
    cast(client, auth_headers(voter), poll, 0)
    clock.set(poll.closes_at)
    sweep_polls()
    sweep_polls()
    notes = db.session.scalars(sa.select(Notification)).all()
    assert [(n.resident_id, n.kind) for n in notes] == [(voter.id, "poll.results")]
    assert notes[0].payload["page"] == f"pages/polls/detail?id={poll.id}"
    assert notes[0].payload["fields"]["phrase"] == "已结束"


def test_household_results_go_to_the_member_who_voted(client, regions, clock, auth_headers):
    poll = PollFactory(region=regions.community, household=True)
    flat = HouseholdFactory(community_id=regions.community.id)
    voter = verified_member(flat, regions.community)
    verified_member(flat, regions.community)
    cast(client, auth_headers(voter), poll, 1)
    clock.set(poll.closes_at)
    sweep_polls()
    assert db.session.scalars(sa.select(Notification.resident_id)).all() == [voter.id]


def test_a_second_sweep_changes_nothing(client, regions, voter, poll, auth_headers, clock):
    cast(client, auth_headers(voter), poll, 0)
    clock.set(poll.closes_at)
    sweep_polls()
    first = db.session.get(Poll, poll.id).closed_at
    clock.advance(minutes=1)
    sweep_polls()
    db.session.expire_all()
    assert db.session.get(Poll, poll.id).closed_at == first


def test_a_scheduled_poll_whose_whole_window_passed_opens_and_closes_in_one_sweep(regions,
                                                                                   clock):
    poll = PollFactory(region=regions.community, scheduled=True)
    clock.set(poll.closes_at + timedelta(hours=1))
    sweep_polls()
    assert status_of(poll) == PollStatus.CLOSED


def test_the_sweep_seals_new_ballots(client, voter, poll, auth_headers):
    cast(client, auth_headers(voter), poll, 0)
    assert db.session.scalar(sa.select(PollBallot.sealed)) is False
    sweep_polls()
    assert db.session.scalar(sa.select(PollBallot.sealed)) is True


def test_the_flask_sweep_command_runs_it(runner, regions, clock):
    poll = PollFactory(region=regions.community, scheduled=True)
    clock.set(poll.opens_at)
    db.session.commit()  # end the test's own transaction: the command has its own session
    result = runner.invoke(args=["jobs", "sweep"])
    assert result.exit_code == 0, result.output
    assert status_of(poll) == PollStatus.OPEN
