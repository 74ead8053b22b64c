"""Two records of one resident merged: their participations (never their choices)."""

from __future__ import annotations

import sqlalchemy as sa

from app.accounts import service as accounts
from app.extensions import db
from app.polls import cast_ballot
from app.polls.models import PollBallot, PollParticipation
from tests.factories import PollFactory, ResidentFactory


def answer(poll, option: int = 0) -> list[dict]:
    question = poll.questions[0]
    return [{"question_id": question.id, "option_ids": [question.options[option].id]}]


def pair(regions):
    source = ResidentFactory(mp_openid=None, oa_openid="oBOT-ONLY", community=regions.community,
                             phone_verified=True)
    return source, ResidentFactory(community=regions.community, phone_verified=True)


def participations() -> list[tuple[int, int, int]]:
    return list(db.session.execute(sa.select(PollParticipation.poll_id,
                                             PollParticipation.unit_id,
                                             PollParticipation.resident_id)).all())


def test_a_participation_moves_to_the_target_as_its_voter_unit(regions):
    source, target = pair(regions)
    poll = PollFactory(region=regions.community)
    cast_ballot(source, poll.id, answer(poll))

    accounts.merge_residents(source=source, target=target)
    db.session.commit()

    assert participations() == [(poll.id, target.id, target.id)]


def test_both_records_voting_in_one_poll_keep_the_targets_participation_and_both_ballots(
        regions):
    source, target = pair(regions)
    poll = PollFactory(region=regions.community)
    cast_ballot(source, poll.id, answer(poll, 0))
    cast_ballot(target, poll.id, answer(poll, 1))

    accounts.merge_residents(source=source, target=target)
    db.session.commit()

    assert participations() == [(poll.id, target.id, target.id)]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PollBallot)) == 2
