"""Flow 3 (写信) through /wechat, to the letter written in the database."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.accounts.models import Resident
from app.extensions import db
from app.mailbox.models import Letter
from bot.models import BotDialog, BotSubmission
from tests.bot.conftest import FOLLOWER, count, sent_texts
from tests.factories import MailboxFactory, ResidentFactory


@pytest.fixture
def neighbour(regions):
    return ResidentFactory(oa_openid=FOLLOWER, mp_openid=None, community=regions.community)


@pytest.fixture
def mailboxes(regions):
    return [MailboxFactory(community=regions.community, name="书记信箱", sort_order=1),
            MailboxFactory(community=regions.community, name="主任信箱", sort_order=2)]


def dialog() -> BotDialog:
    return db.session.scalar(sa.select(BotDialog))


def letters() -> list[Letter]:
    return list(db.session.scalars(sa.select(Letter).order_by(Letter.id)))


def test_mailbox_by_number_the_letter_and_confirm_write_a_bot_letter(
        chat, wechat, run_jobs, neighbour, mailboxes):
    menu = chat.say("3")
    asked = chat.say("2")
    read_back = chat.speak("楼下的健身器材坏了，希望尽快修一修。")
    reply = chat.say("1")
    run_jobs()

    assert menu.splitlines()[1:3] == ["1 书记信箱", "2 主任信箱"]
    assert asked.startswith("写给主任信箱。请说出或输入您要写的内容")
    assert read_back.splitlines()[:2] == [
        "写给：主任信箱", "内容：“楼下的健身器材坏了，希望尽快修一修”（共17字）"]
    assert reply.startswith("好的，正在寄出")
    [letter] = letters()
    assert (letter.resident_id, letter.mailbox_id, letter.source) == (
        neighbour.id, mailboxes[1].id, "bot")
    assert letter.messages[0].body == "楼下的健身器材坏了，希望尽快修一修"
    assert letter.subject == "楼下的健身器材坏了，希望尽快修一修"
    assert any(text.startswith("信已寄到主任信箱") for text in sent_texts(wechat))
    assert dialog().flow is None


def test_a_mailbox_can_be_said_by_name(chat, neighbour, mailboxes):
    chat.say("写信")

    assert chat.speak("书记。").startswith("写给书记信箱")


def test_the_only_mailbox_is_chosen_without_asking(chat, regions, neighbour):
    MailboxFactory(community=regions.community, name="居委会信箱")

    assert chat.say("3").startswith("写给居委会信箱。请说出或输入")


def test_words_after_the_read_back_are_added_to_the_letter(chat, run_jobs, neighbour,
                                                           mailboxes):
    chat.say("3")
    chat.say("1")
    chat.say("楼道灯坏了")

    added = chat.say("还有电梯也经常停")
    chat.say("1")
    run_jobs()

    assert added.startswith("已补充。")
    assert letters()[0].messages[0].body == "楼道灯坏了\n还有电梯也经常停"


def test_a_letter_begun_with_the_letter_phrase_keeps_its_words(chat, run_jobs, neighbour,
                                                              mailboxes):
    chat.say("给书记写信说小区门口的路面坑坑洼洼")

    read_back = chat.say("1")

    assert "内容：“小区门口的路面坑坑洼洼”" in read_back


def test_two_starts_the_letter_again(chat, neighbour, mailboxes):
    chat.say("3")
    chat.say("1")
    chat.say("楼道灯坏了")

    assert chat.say("2").startswith("好的，重新写。\n写给书记信箱")
    assert dialog().data["body"] == ""


def test_a_resident_without_a_community_is_asked_for_it_first(chat, regions, mailboxes):
    assert "写信前，请先告诉我您住哪个社区" in chat.say("3")

    menu = chat.say("和平社区")

    assert menu.splitlines()[1:3] == ["1 书记信箱", "2 主任信箱"]
    assert db.session.scalar(sa.select(Resident.community_id)) == regions.community.id


def test_a_community_without_mailboxes_says_so(chat, neighbour):
    reply = chat.say("3")

    assert reply.startswith("您的社区还没有开通信箱")
    assert dialog().flow is None


def test_risky_words_are_refused_and_the_letter_asked_again(chat, wechat, run_jobs, neighbour,
                                                           mailboxes):
    wechat.text_verdicts["骂人的话"] = "risky"
    chat.say("3")
    chat.say("1")
    chat.say("骂人的话")

    chat.say("1")
    run_jobs()

    assert letters() == []
    [text] = sent_texts(wechat)
    assert text.startswith("您的信没有寄出：")
    assert "写给书记信箱" in text
    assert (dialog().flow, dialog().step) == ("letter", "body")
    assert db.session.scalar(sa.select(BotSubmission.status)) == "refused"


def test_retried_confirmation_writes_one_letter_with_the_same_reply(chat, wechat, run_jobs,
                                                                    neighbour, mailboxes):
    chat.say("3")
    chat.say("1")
    chat.say("楼道灯坏了")
    push = chat.pusher.text("1", mode="aes")

    replies = {chat.reply(push) for _ in range(3)}
    run_jobs()

    assert len(replies) == 1
    assert len(letters()) == 1
    assert count(BotSubmission) == 1
    assert sum(text.startswith("信已寄到") for text in sent_texts(wechat)) == 1


def test_the_content_check_runs_in_the_job_not_while_answering(chat, wechat, held_jobs,
                                                               neighbour, mailboxes):
    chat.say("3")
    chat.say("1")
    chat.say("楼道灯坏了")
    chat.say("1")

    assert wechat.calls("/wxa/msg_sec_check") == []
    assert "send_submission" in held_jobs.names
    held_jobs.run()
    assert wechat.calls("/wxa/msg_sec_check")


def test_a_report_phrase_with_content_while_writing_is_part_of_the_letter(chat, neighbour,
                                                                          mailboxes):
    chat.say("3")
    chat.say("1")

    read_back = chat.say("我要反映一下楼道灯坏了")

    assert dialog().flow == "letter"
    assert "内容：“我要反映一下楼道灯坏了”" in read_back


def test_a_bare_phrase_of_another_flow_still_switches_to_it(chat, neighbour, mailboxes):
    chat.say("3")
    chat.say("1")

    assert chat.say("查进度").startswith("您还没有反映过问题")
    assert dialog().flow is None
