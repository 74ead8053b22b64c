"""Results: shown live or after the close as the poll says, exact, with turnout."""

import random
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.polls import ballot_box, service
from app.polls.models import PollOption
from tests.factories import PollFactory, ResidentFactory
from tests.polls.voting import cast, tallies

LONG = timedelta(days=30)


def residents(regions, count):
    return [ResidentFactory(community=regions.community, phone_verified=True)
            for _ in range(count)]


def test_after_close_poll_shows_no_counts_while_open(client, regions, poll, auth_headers):
    first, second = residents(regions, 2)
    cast(client, auth_headers(first), poll, 0)
    body = client.get(f"/api/v1/polls/{poll.id}", headers=auth_headers(second)).json
    assert body["results"] is None
    assert "votes" not in str(body)


def test_after_close_poll_publishes_counts_when_it_closes(client, regions, poll, auth_headers,
                                                          clock):
    first, second, third = residents(regions, 3)
    headers = auth_headers(third, ttl=LONG)
    cast(client, auth_headers(first), poll, 0)
    cast(client, auth_headers(second), poll, 2)
    clock.set(poll.closes_at)
    service.close_due_polls()
    results = client.get(f"/api/v1/polls/{poll.id}", headers=headers).json["results"]
    assert results["final"] is True
    assert results["turnout"] == {"participants": 2, "eligible": 3, "rate": 0.6667}
    assert [(o["text"], o["votes"], o["share"]) for o in results["questions"][0]["options"]] == [
        ("红色", 1, 0.5), ("黄色", 0, 0.0), ("蓝色", 1, 0.5)]


def test_live_poll_shows_counts_while_open(client, regions, auth_headers):
    poll = PollFactory(region=regions.community, live=True)
    first, second = residents(regions, 2)
    cast(client, auth_headers(first), poll, 1)
    results = client.get(f"/api/v1/polls/{poll.id}", headers=auth_headers(second)).json["results"]
    assert results["final"] is False
    assert [o["votes"] for o in results["questions"][0]["options"]] == [0, 1, 0]
    assert results["turnout"]["participants"] == 1


def test_staff_see_live_counts_of_a_live_poll(client, regions, moderator, auth_headers):
    poll = PollFactory(region=regions.community, live=True)
    cast(client, auth_headers(residents(regions, 1)[0]), poll, 2)
    body = client.get(f"/api/v1/staff/polls/{poll.id}", headers=auth_headers(moderator)).json
    assert [o["votes"] for o in body["results"]["questions"][0]["options"]] == [0, 0, 1]


def test_turnout_is_frozen_at_the_close(client, regions, poll, auth_headers, clock):
    voters = residents(regions, 2)
    cast(client, auth_headers(voters[0]), poll, 0)
    clock.set(poll.closes_at)
    service.close_due_polls()
    residents(regions, 5)  # moved in after the vote
    assert service.turnout_of(db.session.merge(poll)).eligible == 2


def test_counters_equal_a_recount_of_the_ballots(client, regions, auth_headers):
    poll = PollFactory(region=regions.community, questions=[
        ("颜色", "single", 1, ["红", "黄", "蓝"]),
        ("设施", "multiple", 3, ["秋千", "滑梯", "沙坑", "攀爬架"]),
    ])
    picker = random.Random(20261124)
    expected: dict[int, int] = {}
    for resident in residents(regions, 25):
        colour = picker.randrange(3)
        facilities = tuple(sorted(picker.sample(range(4), picker.randint(1, 3))))
        assert cast(client, auth_headers(resident), poll, colour, facilities).status_code == 201
        for question, positions in zip(poll.questions, [(colour,), facilities], strict=True):
            for position in positions:
                option = question.options[position].id
                expected[option] = expected.get(option, 0) + 1
    stored = {option: votes for option, votes in ballot_box.tallies(poll.id).items() if votes}
    assert stored == expected
    assert dict(ballot_box.recount(poll.id)) == expected
    assert ballot_box.ballot_count(poll.id) == 25


def test_closing_corrects_a_tally_that_drifted_from_the_ballots(client, regions, poll,
                                                                auth_headers, clock, caplog):
    cast(client, auth_headers(residents(regions, 1)[0]), poll, 0)
    db.session.execute(sa.update(PollOption).where(PollOption.id == poll.questions[0].options[1].id)
                       .values(vote_count=5))
    db.session.commit()
    clock.set(poll.closes_at)
    service.close_due_polls()
    assert tallies(poll) == [1, 0, 0]
    assert "tallies differed" in caplog.text


def test_cancelled_poll_has_no_results(regions, moderator):
    poll = PollFactory(region=regions.community, live=True)
    service.cancel_poll(moderator, poll.id, "议题撤回")
    assert service.results_of(poll) is None


@pytest.mark.parametrize("trait", ["draft", "scheduled"])
def test_polls_not_yet_open_have_no_results(regions, trait):
    poll = PollFactory(region=regions.community, live=True, **{trait: True})
    assert service.results_of(poll) is None


def test_turnout_rate_is_none_when_nobody_is_eligible(regions):
    poll = PollFactory(region=regions.far_community, live=True)
    assert service.turnout_of(poll).rate is None
