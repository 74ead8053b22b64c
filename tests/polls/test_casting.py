"""POST /api/v1/polls/<id>/ballot: one valid ballot per voter unit, every refusal writes nothing."""

from datetime import timedelta

import pytest

from app.polls.models import PollStatus
from tests.factories import PollFactory, StaffFactory
from tests.polls.voting import answers, cast, counts, option_id, tallies

TWO_QUESTIONS = [
    ("游乐场选什么颜色？", "single", 1, ["红色", "黄色", "蓝色"]),
    ("希望增加哪些设施？（最多选两项）", "multiple", 2, ["秋千", "滑梯", "沙坑", "攀爬架"]),
]


@pytest.fixture
def two_question_poll(regions):
    return PollFactory(region=regions.community, questions=TWO_QUESTIONS)


def test_ballot_is_counted_and_the_voter_sees_only_that_they_voted(client, voter, poll,
                                                                    auth_headers, clock):
    response = cast(client, auth_headers(voter), poll, 1)
    assert response.status_code == 201
    assert response.json == {"can_vote": False, "reason": "您已经投过票了", "voted": True,
                             "voted_by": "me", "voted_on": "2026-11-24", "assisted": False}
    assert counts(poll) == (1, 1)
    assert tallies(poll) == [0, 1, 0]


def test_multiple_choice_counts_each_chosen_option(client, voter, two_question_poll,
                                                   auth_headers):
    response = cast(client, auth_headers(voter), two_question_poll, 0, (1, 3))
    assert response.status_code == 201
    second = two_question_poll.questions[1]
    assert [option.vote_count for option in second.options] == [0, 1, 0, 1]


def test_second_ballot_from_the_same_person_is_409_and_changes_nothing(client, voter, poll,
                                                                       auth_headers):
    headers = auth_headers(voter)
    cast(client, headers, poll, 0)
    response = cast(client, headers, poll, 2)
    assert response.status_code == 409
    assert response.json["message"] == "您已经投过票了，每人只能投一次"
    assert counts(poll) == (1, 1)
    assert tallies(poll) == [1, 0, 0]


@pytest.mark.parametrize("make_answers, message", [
    (lambda poll: [], "请回答每一道题"),
    (lambda poll: [{"question_id": poll.questions[0].id, "option_ids": []}], "每题至少选择一项"),
    (lambda poll: [{"question_id": poll.questions[0].id, "option_ids": ["1"]}], "应为整数"),
    (lambda poll: [{"question_id": poll.questions[0].id}], "此项必填"),
    (lambda poll: [{"question_id": poll.questions[0].id, "option_ids": [1], "note": "x"}],
     "不认识的字段"),
])
def test_malformed_answers_are_422(client, voter, two_question_poll, auth_headers,
                                   make_answers, message):
    response = cast(client, auth_headers(voter), two_question_poll,
                    body={"answers": make_answers(two_question_poll)})
    assert response.status_code == 422
    assert message in str(response.json["errors"])
    assert counts(two_question_poll) == (0, 0)


def _unanswered(poll):
    return answers(poll, 0, (0,))[:1]


def _unknown_question(poll):
    return answers(poll, 0, (0,)) + [{"question_id": 999_999, "option_ids": [1]}]


def _answered_twice(poll):
    first = answers(poll, 0, (0,))
    return first + first[:1]


def _option_of_the_other_question(poll):
    chosen = answers(poll, 0, (0,))
    chosen[0]["option_ids"] = [option_id(poll, 0, question=1)]
    return chosen


def _repeated_option(poll):
    chosen = answers(poll, 0, (0,))
    chosen[1]["option_ids"] = chosen[1]["option_ids"] * 2
    return chosen


def _two_on_a_single_choice(poll):
    return answers(poll, (0, 1), (0,))


def _three_where_two_are_allowed(poll):
    return answers(poll, 0, (0, 1, 2))


@pytest.mark.parametrize("make_answers, message", [
    (_unanswered, "第2题还没有作答"),
    (_unknown_question, "有题目不属于此投票"),
    (_answered_twice, "第1题重复作答"),
    (_option_of_the_other_question, "第1题的选项不属于该题"),
    (_repeated_option, "第2题有重复的选项"),
    (_two_on_a_single_choice, "第1题是单选题，只能选一项"),
    (_three_where_two_are_allowed, "第2题最多选2项"),
])
def test_answers_that_break_the_questions_rules_are_422_and_write_nothing(
        client, voter, two_question_poll, auth_headers, make_answers, message):
    response = cast(client, auth_headers(voter), two_question_poll,
                    body={"answers": make_answers(two_question_poll)})
    assert response.status_code == 422
    assert response.json["message"] == message
    assert response.json["errors"] == {"answers": [message]}
    assert counts(two_question_poll) == (0, 0)


def test_option_of_another_poll_is_422(client, voter, poll, regions, auth_headers):
    other = PollFactory(region=regions.community)
    body = {"answers": [{"question_id": poll.questions[0].id,
                         "option_ids": [option_id(other, 0)]}]}
    response = cast(client, auth_headers(voter), poll, body=body)
    assert response.status_code == 422
    assert response.json["message"] == "第1题的选项不属于该题"
    assert tallies(other) == [0, 0, 0]


def test_every_problem_is_listed(client, voter, two_question_poll, auth_headers):
    body = {"answers": [{"question_id": two_question_poll.questions[0].id,
                         "option_ids": [option_id(two_question_poll, 0, question=1)]}]}
    response = cast(client, auth_headers(voter), two_question_poll, body=body)
    assert response.json["errors"] == {"answers": ["第1题的选项不属于该题", "第2题还没有作答"]}


@pytest.mark.parametrize("trait", ["draft", "scheduled"])
def test_a_poll_not_yet_open_is_404(client, voter, regions, auth_headers, trait):
    poll = PollFactory(region=regions.community, **{trait: True})
    assert cast(client, auth_headers(voter), poll, 0).status_code == 404
    assert counts(poll) == (0, 0)


def test_a_closed_poll_refuses_ballots(client, voter, poll, auth_headers, clock):
    poll.status = PollStatus.CLOSED
    response = cast(client, auth_headers(voter), poll, 0)
    assert response.status_code == 409
    assert response.json["message"] == "投票已结束"
    assert counts(poll) == (0, 0)


def test_a_cancelled_poll_refuses_ballots(client, voter, poll, auth_headers):
    poll.status = PollStatus.CANCELLED
    response = cast(client, auth_headers(voter), poll, 0)
    assert response.status_code == 409
    assert response.json["message"] == "投票已取消"


def test_ballots_are_refused_from_the_closing_time_even_before_the_sweep(client, voter, poll,
                                                                         auth_headers, clock):
    headers = auth_headers(voter, ttl=timedelta(days=30))
    clock.set(poll.closes_at + timedelta(seconds=1))
    response = cast(client, headers, poll, 0)
    assert response.status_code == 409
    assert counts(poll) == (0, 0)


def test_unknown_poll_is_404(client, voter, auth_headers):
    response = client.post("/api/v1/polls/424242/ballot", headers=auth_headers(voter),
                           json={"answers": [{"question_id": 1, "option_ids": [1]}]})
    assert response.status_code == 404


def test_casting_needs_a_resident_token(client, poll, regions, auth_headers):
    assert cast(client, {}, poll, 0).status_code == 401
    staff = StaffFactory(region=regions.community)
    assert cast(client, auth_headers(staff), poll, 0).status_code == 403
