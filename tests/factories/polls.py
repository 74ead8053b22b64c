"""Factories for polls: a poll with its questions and options, in any state."""

from __future__ import annotations

from datetime import timedelta

import factory

from app import clock
from app.extensions import db
from app.polls.models import (
    Poll,
    PollOption,
    PollQuestion,
    PollStatus,
    QuestionKind,
    ResultsVisibility,
    VotingUnit,
)
from tests.factories.core import StaffFactory, _Base

# (text, kind, max_choices, option texts)
DEFAULT_QUESTIONS = [("游乐场选什么颜色？", "single", 1, ["红色", "黄色", "蓝色"])]


def add_questions(poll: Poll, questions) -> None:
    for position, (text, kind, max_choices, options) in enumerate(questions):
        question = PollQuestion(position=position, text=text, kind=QuestionKind(kind),
                                max_choices=max_choices)
        question.options = [PollOption(poll=poll, position=i, text=option, vote_count=0)
                            for i, option in enumerate(options)]
        poll.questions.append(question)


class PollFactory(_Base):
    """An open poll of one single-choice question by default; `questions=[...]` replaces it
    (tuples of text, kind, max_choices, option texts); traits draft/scheduled/closed."""

    class Meta:
        model = Poll

    region = None
    title = factory.Sequence(lambda n: f"社区投票{n}")
    description = "请大家踊跃参与"
    unit = VotingUnit.PERSON
    min_verification = 1
    status = PollStatus.OPEN
    opens_at = factory.LazyFunction(lambda: clock.now() - timedelta(hours=1))
    opened_at = factory.SelfAttribute("opens_at")
    closes_at = factory.LazyFunction(lambda: clock.now() + timedelta(days=7))
    results_visibility = ResultsVisibility.AFTER_CLOSE
    created_by_id = factory.LazyAttribute(lambda o: StaffFactory(region=o.region).id)

    class Params:
        draft = factory.Trait(status=PollStatus.DRAFT, opens_at=None, opened_at=None)
        scheduled = factory.Trait(
            status=PollStatus.SCHEDULED, opened_at=None,
            opens_at=factory.LazyFunction(lambda: clock.now() + timedelta(days=1)))
        live = factory.Trait(results_visibility=ResultsVisibility.LIVE)
        household = factory.Trait(unit=VotingUnit.HOUSEHOLD, min_verification=2)

    @factory.post_generation
    def questions(poll, create, extracted, **_kwargs):
        add_questions(poll, extracted or DEFAULT_QUESTIONS)
        if create:
            db.session.commit()
