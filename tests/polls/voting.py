"""Voting helpers for the poll tests: building answers, casting, reading tallies back."""

from __future__ import annotations

import sqlalchemy as sa

from app.accounts.models import VerificationLevel
from app.extensions import db
from app.polls.models import PollBallot, PollOption, PollParticipation
from tests.factories import ResidentFactory


def answers(poll, *choices):
    """Answers choosing, for each question in order, the options at these positions
    (an int, or a tuple of ints for a multiple choice)."""
    result = []
    for question, choice in zip(poll.questions, choices, strict=True):
        positions = choice if isinstance(choice, tuple) else (choice,)
        result.append({"question_id": question.id,
                       "option_ids": [question.options[i].id for i in positions]})
    return result


def option_id(poll, position, question=0):
    return poll.questions[question].options[position].id


def cast(client, headers, poll, *choices, body=None):
    return client.post(f"/api/v1/polls/{poll.id}/ballot", headers=headers,
                       json=body if body is not None else {"answers": answers(poll, *choices)})


def tallies(poll) -> list[int]:
    """Maintained vote counts of the first question's options, in order."""
    db.session.expire_all()
    question = poll.questions[0]
    counts = dict(db.session.execute(
        sa.select(PollOption.id, PollOption.vote_count)
        .where(PollOption.question_id == question.id)).all())
    return [counts[option.id] for option in question.options]


def counts(poll) -> tuple[int, int]:
    """(participations, ballots) stored for the poll."""
    participations = db.session.scalar(sa.select(sa.func.count()).select_from(PollParticipation)
                                       .where(PollParticipation.poll_id == poll.id))
    ballots = db.session.scalar(sa.select(sa.func.count()).select_from(PollBallot)
                                .where(PollBallot.poll_id == poll.id))
    return participations, ballots


def verified_member(household, community):
    """A resident of `household` whose residency staff confirmed (level 2)."""
    return ResidentFactory(community=community, household=household,
                           verification_level=VerificationLevel.RESIDENCY)
