"""Flow 5 (人工): the office's phone and hours, and a call-back request staff can act on."""

from __future__ import annotations

import sqlalchemy as sa

from app.accounts.models import Resident
from app.extensions import db
from app.notifications.models import Notification
from bot.flows.human import office_contact
from bot.models import BotDialog, CallbackRequest
from tests.bot.conftest import FOLLOWER, count
from tests.factories import CallbackRequestFactory, ResidentFactory, StaffFactory


def resident() -> Resident:
    return db.session.scalar(sa.select(Resident).where(Resident.oa_openid == FOLLOWER))


def test_resident_with_a_community_gets_its_phone_and_hours(chat, regions):
    ResidentFactory(oa_openid=FOLLOWER, community=regions.community)

    reply = chat.say("5")

    assert "电话：028-86660001" in reply
    assert "办公时间：周一至周五 9:00-17:30" in reply
    assert reply.endswith("1 需要回电\n2 不用了\n回复0返回")


def test_spoken_request_for_a_person_starts_the_flow(chat, regions):
    ResidentFactory(oa_openid=FOLLOWER, community=regions.community)

    assert "028-86660001" in chat.speak("我要找工作人员。")


def test_bot_only_resident_is_asked_for_the_community_and_it_is_remembered(chat, regions):
    assert "社区名字" in chat.say("5")

    reply = chat.speak("和平社区。")

    assert "028-86660001" in reply
    assert resident().community_id == regions.community.id


def test_partial_name_matching_two_communities_is_chosen_by_number(chat, regions):
    regions.far_community.name = "和平东社区"
    db.session.commit()
    chat.say("5")

    choices = chat.say("和平")
    reply = chat.say("2")

    assert choices.splitlines()[1:3] == ["1 和平社区", "2 和平东社区"]
    assert resident().community_id == regions.far_community.id
    assert "回电话" in reply


def test_unknown_community_is_asked_again(chat, regions):
    chat.say("5")

    reply = chat.say("月亮湾")

    assert reply.startswith("没找到“月亮湾”")
    assert dialog_step() == "community"


def dialog_step() -> str:
    return db.session.scalar(sa.select(BotDialog.step))


def test_contact_falls_back_to_the_nearest_region_above_that_has_one(regions):
    regions.street.contact_phone = "028-86661234"
    regions.street.office_hours = "工作日 9:00-17:00"
    db.session.commit()

    assert office_contact(regions.other_community) == (
        "书院街街道", "028-86661234", "工作日 9:00-17:00")


def test_community_without_any_phone_says_it_is_not_registered(chat, regions):
    ResidentFactory(oa_openid=FOLLOWER, community=regions.far_community)

    assert "电话：暂未登记" in chat.say("5")


def test_callback_request_is_recorded_with_the_number_given(chat, regions):
    ResidentFactory(oa_openid=FOLLOWER, community=regions.community)
    chat.say("5")
    chat.say("1")

    reply = chat.say("138 0013 8000")

    request = db.session.scalar(sa.select(CallbackRequest))
    assert (request.phone, request.region_id, request.status) == (
        "13800138000", regions.community.id, "open")
    assert request.resident_id == resident().id
    assert "已登记回电（138****8000）" in reply


def test_spoken_number_with_a_full_stop_is_accepted(chat, regions):
    ResidentFactory(oa_openid=FOLLOWER, community=regions.community)
    chat.say("5")
    chat.say("1")

    chat.speak("13800138000。")

    assert db.session.scalar(sa.select(CallbackRequest.phone)) == "13800138000"


def test_what_is_not_a_phone_number_is_asked_again(chat, regions):
    ResidentFactory(oa_openid=FOLLOWER, community=regions.community)
    chat.say("5")
    chat.say("1")

    reply = chat.say("我家电话")

    assert reply.startswith("号码好像不对")
    assert count(CallbackRequest) == 0


def test_what_the_call_is_about_is_added_to_the_request(chat, regions):
    ResidentFactory(oa_openid=FOLLOWER, community=regions.community)
    chat.say("5")
    chat.say("1")
    chat.say("13800138000")

    reply = chat.speak("楼上漏水，请社区来看看。")

    assert db.session.scalar(sa.select(CallbackRequest.note)) == "楼上漏水，请社区来看看"
    assert reply.startswith("已经转告工作人员")


def test_zero_skips_the_note_and_keeps_the_request(chat, regions):
    ResidentFactory(oa_openid=FOLLOWER, community=regions.community)
    chat.say("5")
    chat.say("1")
    chat.say("13800138000")

    chat.say("0")

    assert db.session.scalar(sa.select(CallbackRequest.note)) == ""
    assert db.session.scalar(sa.select(BotDialog.flow)) is None


def test_declining_the_callback_records_nothing(chat, regions):
    ResidentFactory(oa_openid=FOLLOWER, community=regions.community)
    chat.say("5")

    reply = chat.say("2")

    assert reply.startswith("好的。")
    assert count(CallbackRequest) == 0


def test_a_second_request_while_one_is_open_is_not_recorded(chat, regions):
    me = ResidentFactory(oa_openid=FOLLOWER, community=regions.community)
    CallbackRequestFactory(resident=me, region=regions.community, phone="13900139000")
    chat.say("5")

    reply = chat.say("1")

    assert "您已经登记过回电（139****9000）" in reply
    assert count(CallbackRequest) == 1


def test_staff_covering_the_community_are_notified_of_the_request(chat, regions):
    moderator = StaffFactory(role="moderator", region=regions.community)
    StaffFactory(role="moderator", region=regions.other_community)
    ResidentFactory(oa_openid=FOLLOWER, community=regions.community)
    chat.say("5")
    chat.say("1")

    chat.say("13800138000")

    notifications = db.session.scalars(sa.select(Notification)).all()
    assert [n.staff_id for n in notifications] == [moderator.id]
    assert notifications[0].kind == "callback.requested"
