"""Flow 4 (投票) through /wechat, to the participation and the ballot in the database."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.polls.models import PollBallot, PollOption, PollParticipation
from bot.models import BotDialog
from tests.bot.conftest import FOLLOWER, count
from tests.factories import PollFactory, ResidentFactory

COLOURS = [("游乐场选什么颜色？", "single", 1, ["红色", "黄色", "蓝色"])]
TWO_QUESTIONS = [("游乐场选什么颜色？", "single", 1, ["红色", "黄色", "蓝色"]),
                 ("希望增加哪些设施？", "multiple", 2, ["秋千", "滑梯", "沙坑", "长椅"])]


@pytest.fixture
def voter(regions):
    """A follower of 和平社区 with a bound phone (what a poll asks by default)."""
    return ResidentFactory(oa_openid=FOLLOWER, community=regions.community, phone_verified=True)


def dialog() -> BotDialog:
    return db.session.scalar(sa.select(BotDialog))


def tally(poll) -> dict[str, int]:
    return dict(db.session.execute(sa.select(PollOption.text, PollOption.vote_count)
                                   .where(PollOption.poll_id == poll.id)).all())


def test_the_only_open_poll_is_opened_and_a_number_casts_the_ballot(chat, regions, voter):
    poll = PollFactory(region=regions.community, title="游乐场改造", questions=COLOURS)

    question = chat.say("4")
    read_back = chat.say("2")
    reply = chat.say("1")

    assert question.splitlines()[:5] == ["「游乐场改造」", "游乐场选什么颜色？", "1 红色", "2 黄色",
                                         "3 蓝色"]
    assert read_back.startswith("您选的是：黄色\n回复1确认投票，2重选")
    assert reply.startswith("投票成功，谢谢您的参与！结果会在投票结束后公布。")
    [participation] = db.session.scalars(sa.select(PollParticipation)).all()
    assert (participation.poll_id, participation.resident_id) == (poll.id, voter.id)
    assert count(PollBallot) == 1
    assert tally(poll) == {"红色": 0, "黄色": 1, "蓝色": 0}
    assert dialog().flow is None


def test_several_polls_are_chosen_by_number(chat, regions, voter):
    PollFactory(region=regions.community, title="游乐场改造")
    PollFactory(region=regions.street, title="街道文化节")

    menu = chat.say("投票")
    chosen = chat.say("2")

    assert menu.splitlines()[1:3] == ["1 游乐场改造", "2 街道文化节"]
    assert chosen.startswith("「街道文化节」")


def test_a_multiple_choice_question_takes_several_numbers(chat, regions, voter):
    poll = PollFactory(region=regions.community, title="游乐场改造", questions=TWO_QUESTIONS)
    chat.say("4")

    second = chat.say("3")
    read_back = chat.speak("一和三。")
    chat.say("确认")

    assert "第2题（共2题）" in second
    assert "可以说多个数字，例如 1 3（最多选2项）" in second
    assert read_back.splitlines()[:3] == ["您的选择：", "第1题：蓝色", "第2题：秋千、沙坑"]
    assert tally(poll) == {"红色": 0, "黄色": 0, "蓝色": 1, "秋千": 1, "滑梯": 0, "沙坑": 1,
                           "长椅": 0}


def test_more_numbers_than_the_question_allows_are_refused_in_the_services_words(
        chat, regions, voter):
    PollFactory(region=regions.community, questions=TWO_QUESTIONS)
    chat.say("4")
    chat.say("1")

    reply = chat.say("1 2 3")

    assert reply.startswith("这一题最多选2项")
    assert (dialog().step, dialog().data["q"]) == ("question", 1)


def test_a_single_choice_question_takes_one_number(chat, regions, voter):
    PollFactory(region=regions.community, questions=COLOURS)
    chat.say("4")

    assert chat.say("1 2").startswith("这一题是单选题，只能选一项")


def test_a_number_without_an_option_is_asked_again(chat, regions, voter):
    PollFactory(region=regions.community, questions=COLOURS)
    chat.say("4")

    assert chat.say("7").startswith("没有第7项")


def test_two_chooses_again_from_the_first_question(chat, regions, voter):
    PollFactory(region=regions.community, questions=TWO_QUESTIONS)
    chat.say("4")
    chat.say("1")
    chat.say("2")

    reply = chat.say("2")

    assert "第1题（共2题）" in reply
    assert dialog().data["answers"] == []


def test_a_resident_who_may_not_vote_is_told_why(chat, regions):
    ResidentFactory(oa_openid=FOLLOWER, community=regions.community)  # no phone bound
    PollFactory(region=regions.community, title="游乐场改造")

    reply = chat.say("4")

    assert reply.startswith("现在的投票您暂时不能参加：\n·游乐场改造：参加此投票需要先在小程序“我的”"
                            "页面绑定手机号")
    assert count(PollParticipation) == 0
    assert dialog().flow is None


def test_without_open_polls_the_menu_says_so(chat, regions, voter):
    PollFactory(region=regions.community, draft=True)

    assert chat.say("4").startswith("现在没有进行中的投票。")


def test_a_poll_elsewhere_is_not_offered(chat, regions, voter):
    PollFactory(region=regions.other_community)

    assert chat.say("4").startswith("现在没有进行中的投票。")


def test_a_resident_without_a_community_is_asked_for_it_first(chat, regions):
    PollFactory(region=regions.community)

    assert "投票前，请先告诉我您住哪个社区" in chat.say("4")


def test_a_ballot_cast_meanwhile_in_the_mini_program_gets_the_services_409_message(
        chat, client, auth_headers, regions, voter):
    poll = PollFactory(region=regions.community, questions=COLOURS)
    chat.say("4")
    chat.say("1")
    question = poll.questions[0]
    response = client.post(f"/api/v1/polls/{poll.id}/ballot", headers=auth_headers(voter),
                           json={"answers": [{"question_id": question.id,
                                              "option_ids": [question.options[2].id]}]})
    assert response.status_code in (200, 201)

    reply = chat.say("1")

    assert reply.startswith("您已经投过票了，每人只能投一次。")
    assert count(PollParticipation) == 1
    assert tally(poll) == {"红色": 0, "黄色": 0, "蓝色": 1}
    assert dialog().flow is None


def test_retried_confirmation_casts_one_ballot_and_gets_the_same_reply(chat, regions, voter):
    poll = PollFactory(region=regions.community, questions=COLOURS)
    chat.say("4")
    chat.say("1")
    push = chat.pusher.text("1", mode="aes")

    replies = {chat.reply(push) for _ in range(3)}

    assert len(replies) == 1 and next(iter(replies)).startswith("投票成功")
    assert count(PollParticipation) == 1
    assert tally(poll)["红色"] == 1


def test_a_second_vote_in_the_same_poll_is_not_offered(chat, regions, voter):
    PollFactory(region=regions.community, title="游乐场改造", questions=COLOURS)
    chat.say("4")
    chat.say("1")
    chat.say("1")

    reply = chat.say("4")

    assert reply.startswith("现在的投票您暂时不能参加：\n·游乐场改造：您已经投过票了")


def test_with_database_receipts_a_refused_ballot_keeps_the_push_deduped(
        database_dedupe, chat, client, auth_headers, regions, voter):
    poll = PollFactory(region=regions.community, questions=COLOURS)
    chat.say("4")
    chat.say("1")
    question = poll.questions[0]
    client.post(f"/api/v1/polls/{poll.id}/ballot", headers=auth_headers(voter),
                json={"answers": [{"question_id": question.id,
                                   "option_ids": [question.options[2].id]}]})
    push = chat.pusher.text("1")

    replies = {chat.reply(push) for _ in range(3)}

    assert len(replies) == 1 and next(iter(replies)).startswith("您已经投过票了")
    assert count(PollParticipation) == 1
    assert tally(poll) == {"红色": 0, "黄色": 0, "蓝色": 1}
