"""The conversation: menus, numbers typed, tapped or spoken, flows, time-outs, paging."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.accounts.models import Resident
from app.errors import Conflict
from app.extensions import db
from bot import flows
from bot.flows import Flow
from bot.flows.human import flow as human_flow
from bot.intents import IntentKind
from bot.models import BotDialog
from bot.text import DEFAULT_LIMIT_BYTES
from tests.bot.conftest import FOLLOWER
from tests.factories import ResidentFactory


def dialog() -> BotDialog:
    return db.session.scalar(sa.select(BotDialog))


MENU_LINES = ["1 随手拍", "2 查进度", "3 写信", "4 投票", "5 人工", "0 帮助"]
# The first words of flows 1 and 2 for a follower who has reported nothing yet.
REPORT_FIRST = "请发一张问题的照片"
PROGRESS_EMPTY = "您还没有反映过问题"


# --- the main menu -----------------------------------------------------------------------------

def test_greeting_gets_the_main_menu_of_five_numbered_items_and_help(chat):
    reply = chat.say("你好")

    lines = reply.splitlines()
    assert lines[-6:] == MENU_LINES
    assert len(lines) <= 9


def test_zero_on_the_menu_opens_help_and_zero_on_help_goes_back(chat):
    chat.say("你好")

    help_page = chat.say("0")
    menu = chat.say("0")

    assert help_page.startswith("使用说明") and help_page.endswith("回复0返回")
    assert menu.splitlines()[-6:] == MENU_LINES


def test_number_picks_the_flow_in_that_position(chat):
    assert chat.say("2").startswith(PROGRESS_EMPTY)


@pytest.mark.parametrize("recognition", ["二。", "嗯，我选第二个。", "查进度。"])
def test_spoken_choice_picks_the_same_flow_as_typing_it(chat, recognition):
    assert chat.speak(recognition).startswith(PROGRESS_EMPTY)


def test_full_width_digit_picks_the_flow(chat):
    assert chat.say("１").startswith(REPORT_FIRST)


def test_phrase_starts_its_flow(chat):
    assert chat.say("我要反映问题").startswith(REPORT_FIRST)


def test_flow_with_nothing_to_show_returns_to_the_menu(chat):
    reply = chat.say("2")

    assert reply.startswith(PROGRESS_EMPTY)
    assert reply.splitlines()[-6:] == MENU_LINES
    assert dialog().flow is None


@pytest.mark.parametrize("recognition", [None, "", "。"])
def test_empty_voice_recognition_gets_not_heard_and_the_menu(chat, recognition):
    reply = chat.speak(recognition)

    assert reply.startswith("抱歉，没听清")
    assert reply.splitlines()[-6:] == MENU_LINES


def test_msgmenu_tap_is_read_from_its_item_id_not_its_words(chat, regions):
    reply = chat.reply(chat.pusher.text("人工服务", bizmsgmenuid="105"))

    assert "社区名字" in reply
    assert dialog().flow == "human"


def test_msgmenu_help_item_opens_help(chat):
    assert chat.reply(chat.pusher.text("0 帮助", bizmsgmenuid="100")).startswith("使用说明")


def test_text_the_bot_cannot_read_gets_a_kind_word_and_the_menu(chat):
    reply = chat.say("今天天气不错")

    assert reply.startswith("没看懂")
    assert reply.splitlines()[-6:] == MENU_LINES


def test_number_without_a_choice_says_so(chat):
    assert chat.say("9").startswith("没有这个选项")


def test_photo_on_the_menu_starts_the_flow_that_takes_photos(chat):
    reply = chat.reply(chat.pusher.image())

    assert reply.startswith("已收到照片")
    assert dialog().flow == "report"


def test_location_message_is_acknowledged_and_remembered(chat):
    reply = chat.reply(chat.pusher.location(30.6541, 104.0823, "和平社区东门"))

    assert reply.startswith("收到您的位置了")
    assert dialog().last_location["label"] == "和平社区东门"
    assert dialog().last_location["lng"] == 104.0823


def test_message_kind_the_bot_does_not_read_is_explained(chat, pusher):
    push = pusher.wrap(f"<xml><ToUserName>gh</ToUserName><FromUserName>{FOLLOWER}"
                       "</FromUserName><CreateTime>1795000000</CreateTime>"
                       "<MsgType>video</MsgType><MediaId>v</MediaId><MsgId>42</MsgId></xml>")

    assert chat.reply(push).startswith("暂时只能看懂文字、语音、照片和位置")


# --- inside a flow -----------------------------------------------------------------------------

@pytest.fixture
def in_human_flow(clock, chat, regions):
    chat.say("5")
    chat.say("和平社区")
    return chat


@pytest.mark.parametrize("way_back", ["0", "返回", "算了"])
def test_zero_or_back_leaves_the_flow_for_the_menu(in_human_flow, way_back):
    reply = in_human_flow.say(way_back)

    assert reply.splitlines()[-6:] == MENU_LINES
    assert dialog().flow is None


def test_phrase_of_another_flow_switches_to_it(in_human_flow):
    assert in_human_flow.say("查进度").startswith(PROGRESS_EMPTY)


def test_empty_voice_recognition_in_a_flow_asks_the_steps_question_again(in_human_flow):
    reply = in_human_flow.speak("")

    assert reply.startswith("抱歉，没听清")
    assert "需要工作人员给您回电话吗？" in reply
    assert dialog().step == "offer"


def test_custom_menu_tap_in_a_flow_starts_the_tapped_flow(in_human_flow):
    reply = in_human_flow.reply(in_human_flow.pusher.click("vote"))

    assert reply.startswith("现在没有进行中的投票")


# --- time-outs and 继续 --------------------------------------------------------------------------

def test_flow_is_still_active_nine_minutes_later(in_human_flow, clock):
    clock.advance(minutes=9)

    assert "电话号码" in in_human_flow.say("1")


def test_after_ten_silent_minutes_the_flow_times_out_and_the_menu_says_so(in_human_flow,
                                                                         clock):
    clock.advance(minutes=10, seconds=1)

    reply = in_human_flow.say("你好")

    assert reply.startswith("上次的「人工」已经超时。说“继续”可以接着办。")
    assert reply.splitlines()[-6:] == MENU_LINES


def test_after_a_time_out_a_number_is_read_on_the_main_menu(in_human_flow, clock):
    clock.advance(minutes=11)

    assert in_human_flow.say("1").startswith(REPORT_FIRST)


def test_time_out_notice_is_given_once(in_human_flow, clock):
    clock.advance(minutes=11)
    in_human_flow.say("你好")

    assert "超时" not in in_human_flow.say("你好")


def test_continue_resumes_a_timed_out_flow_at_its_step(in_human_flow, clock):
    clock.advance(hours=3)
    in_human_flow.say("你好")

    reply = in_human_flow.say("继续")

    assert reply.startswith("接着上次的「人工」：")
    assert "需要工作人员给您回电话吗？" in reply
    assert "电话号码" in in_human_flow.say("1")


def test_continue_a_day_later_has_nothing_to_resume(in_human_flow, clock):
    clock.advance(hours=24, minutes=1)

    assert in_human_flow.say("继续").startswith("没有要继续的事")
    assert dialog().flow is None


def test_back_on_the_menu_forgets_a_timed_out_flow(in_human_flow, clock):
    clock.advance(minutes=11)
    in_human_flow.say("返回")

    assert in_human_flow.say("继续").startswith("没有要继续的事")


# --- elder mode ---------------------------------------------------------------------------------

def test_elder_mode_can_be_switched_on_by_saying_so(chat):
    reply = chat.speak("长辈模式。")

    assert "报问题" in reply
    assert db.session.scalar(sa.select(Resident.elder_mode)) is True


def test_elder_mode_replies_are_shorter(chat, other_chat):
    chat.say("长辈模式")
    other_chat.say("你好")

    for message in ("你好", "0", "今天天气不错"):
        assert len(chat.say(message)) < len(other_chat.say(message))


def test_elder_mode_from_the_residents_profile_is_used(chat):
    ResidentFactory(oa_openid=FOLLOWER, elder_mode=True)

    assert chat.say("你好").splitlines()[-6:] == [
        "1 报问题", "2 查进度", "3 写信", "4 投票", "5 找人", "0 帮助"]


def test_standard_mode_switches_elder_mode_off(chat):
    chat.say("长辈模式")
    chat.say("普通模式")

    assert db.session.scalar(sa.select(Resident.elder_mode)) is False


def test_elder_mode_tap_from_the_custom_menu(chat):
    chat.reply(chat.pusher.click("elder_mode"))

    assert db.session.scalar(sa.select(Resident.elder_mode)) is True


# --- a flow of the test's own: paging and refusals ------------------------------------------------

LONG_TEXT = "\n".join(f"第{n}条：小区东门的路灯坏了好几天，晚上出门很不方便，请尽快修理。"
                      for n in range(1, 61))


def _long_start(turn):
    turn.goto("reading")
    return LONG_TEXT


def _refusing_handle(turn):
    turn.goto("changed", touched=True)
    raise Conflict("这一步现在不能做")


@pytest.fixture
def test_flows(monkeypatch):
    talkative = Flow(key="talkative", title="长消息", elder_title="长消息",
                     intent=IntentKind.REPORT, start=_long_start, handle=_refusing_handle,
                     prompt=lambda turn: "请继续")
    monkeypatch.setattr(flows, "main_menu", lambda: (talkative, human_flow))


def test_long_reply_is_paged_with_reply_zero_to_continue(test_flows, chat):
    first = chat.say("1")

    assert first.endswith("（回复0继续）")
    assert len(first.encode("utf-8")) <= DEFAULT_LIMIT_BYTES
    assert first.startswith("第1条")


def test_zero_continues_a_paged_reply_to_its_end(test_flows, chat):
    pages = [chat.say("1")]
    while pages[-1].endswith("（回复0继续）"):
        pages.append(chat.say("0"))

    assert len(pages) >= 3
    text = "\n".join(page.removesuffix("\n（回复0继续）") for page in pages)
    assert text == LONG_TEXT


def test_continue_also_turns_the_page(test_flows, chat):
    chat.say("1")

    assert chat.say("继续").startswith("第")


def test_zero_after_the_last_page_goes_back_to_the_menu(test_flows, chat):
    page = chat.say("1")
    while page.endswith("（回复0继续）"):
        page = chat.say("0")

    assert chat.say("0").splitlines()[-3:] == ["1 长消息", "2 人工", "0 帮助"]
    assert dialog().flow is None


def test_anything_else_drops_the_unread_pages(test_flows, chat):
    chat.say("1")
    chat.say("你好")

    assert dialog().pages == []


def test_elder_mode_pages_sooner(test_flows, chat):
    chat.say("长辈模式")

    assert len(chat.say("1").encode("utf-8")) <= 480


def test_service_refusal_in_a_flow_is_answered_and_its_changes_undone(test_flows, chat):
    chat.say("1")

    reply = chat.say("随便说点什么")

    assert reply == "这一步现在不能做\n回复0返回"
    assert dialog().step == "reading"
    assert "touched" not in dialog().data


def test_dialog_left_in_a_flow_that_no_longer_exists_starts_from_the_menu(chat, clock):
    chat.say("你好")
    stored = dialog()
    stored.flow, stored.step, stored.flow_updated_at = "retired", "x", clock.moment
    db.session.commit()

    assert chat.say("继续").startswith("没有要继续的事")
    assert dialog().flow is None
