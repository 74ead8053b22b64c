"""Who a follower is: a bot-only record at once, joined to the mini-program record by unionid
(a job) or by a one-time binding code."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.accounts import service as accounts
from app.accounts.models import BindingCode, Resident
from app.errors import Conflict
from app.extensions import db
from app.notifications import notify
from bot.models import CallbackRequest
from tests.bot.conftest import FOLLOWER, ask_for_callback
from tests.factories import ResidentFactory


def residents() -> list[Resident]:
    return db.session.scalars(sa.select(Resident).order_by(Resident.id)).all()


def follower() -> Resident:
    return db.session.scalar(sa.select(Resident).where(Resident.oa_openid == FOLLOWER))


# --- a new follower ------------------------------------------------------------------------

def test_first_message_creates_a_bot_only_resident(chat, clock):
    chat.say("你好")

    [resident] = residents()
    assert (resident.oa_openid, resident.mp_openid, resident.unionid) == (FOLLOWER, None, None)
    assert resident.oa_subscribed is True
    assert resident.last_bot_message_at == clock.moment


def test_every_message_renews_the_customer_service_window(chat, clock):
    chat.say("你好")
    clock.advance(hours=30)

    chat.say("0")

    assert follower().last_bot_message_at == clock.moment


def test_unionid_from_wechat_joins_the_follower_to_their_mini_program_record(
        chat, wechat, run_jobs):
    mini = ResidentFactory(mp_openid="oMP-zhang", unionid="UNION-ZHANG", nickname="张阿姨")
    wechat.unionids[FOLLOWER] = "UNION-ZHANG"

    chat.say("你好")
    run_jobs()

    assert [r.id for r in residents()] == [mini.id]
    assert follower().id == mini.id
    assert follower().oa_subscribed is True


def test_unionid_with_no_mini_program_record_is_kept_on_the_bot_only_record(chat, wechat,
                                                                            run_jobs):
    wechat.unionids[FOLLOWER] = "UNION-NEW"

    chat.say("你好")
    run_jobs()

    assert follower().unionid == "UNION-NEW"


def test_without_a_unionid_the_follower_stays_bot_only(chat, wechat, run_jobs):
    chat.say("你好")
    run_jobs()

    assert wechat.calls("/cgi-bin/user/info")[0].query["openid"] == FOLLOWER
    assert follower().unionid is None and follower().mp_openid is None


def test_wechat_refusing_the_user_info_leaves_the_follower_bot_only(chat, wechat, run_jobs):
    wechat.fail_next("/cgi-bin/user/info", errcode=40003)

    chat.say("你好")
    run_jobs()

    assert follower().unionid is None


def test_unionid_join_moves_what_the_bot_only_record_already_has(chat, regions, wechat,
                                                                 held_jobs):
    mini = ResidentFactory(mp_openid="oMP-zhang", unionid="UNION-ZHANG")
    wechat.unionids[FOLLOWER] = "UNION-ZHANG"
    ask_for_callback(chat)
    chat.say("13800138000")

    held_jobs.run()

    assert db.session.scalar(sa.select(CallbackRequest.resident_id)) == mini.id
    assert [r.id for r in residents()] == [mini.id]


# --- the binding code ----------------------------------------------------------------------

@pytest.fixture
def mini_resident(regions):
    return ResidentFactory(mp_openid="oMP-li", nickname="李叔", community=regions.community)


def binding_code(client, auth_headers, resident) -> str:
    response = client.post("/api/v1/me/bot-binding-code", headers=auth_headers(resident))
    assert response.status_code == 201
    return response.json["code"]


def test_binding_code_is_six_digits_living_ten_minutes_stored_only_as_a_hash(
        client, auth_headers, mini_resident, clock):
    response = client.post("/api/v1/me/bot-binding-code", headers=auth_headers(mini_resident))

    body = response.json
    assert re.fullmatch(r"\d{6}", body["code"])
    assert body["expires_at"] == (clock.moment + timedelta(minutes=10)).astimezone(
        accounts.clock.LOCAL_ZONE).isoformat()
    [row] = db.session.scalars(sa.select(BindingCode)).all()
    assert row.code_hash != body["code"] and body["code"] not in row.code_hash


def test_binding_code_needs_a_signed_in_resident(client):
    assert client.post("/api/v1/me/bot-binding-code").status_code == 401


def test_sending_the_code_links_the_follower_to_the_mini_program_record(
        client, chat, auth_headers, mini_resident):
    chat.say("你好")  # the follower had a bot-only record already
    code = binding_code(client, auth_headers, mini_resident)

    reply = chat.say(f"绑定 {code}")

    assert reply.startswith("绑定成功")
    assert [r.id for r in residents()] == [mini_resident.id]
    assert follower().id == mini_resident.id


def test_spoken_code_links_too(client, chat, auth_headers, mini_resident):
    code = binding_code(client, auth_headers, mini_resident)
    spoken = "".join("零一二三四五六七八九"[int(digit)] for digit in code)

    assert chat.speak(f"绑定{spoken}。").startswith("绑定成功")
    assert follower().id == mini_resident.id


def test_binding_keeps_the_followers_dialog_where_it_was(client, chat, auth_headers,
                                                         mini_resident):
    chat.say("5")  # the bot-only record asks for the community…
    code = binding_code(client, auth_headers, mini_resident)
    chat.say(f"绑定 {code}")

    assert "和平社区" in chat.say("和平社区")  # …and the flow goes on for the merged record


def test_binding_moves_the_bot_only_records_callback_requests_and_elder_mode(
        client, chat, auth_headers, mini_resident, regions):
    chat.say("长辈模式")
    ask_for_callback(chat)
    chat.say("13800138000")
    code = binding_code(client, auth_headers, mini_resident)

    chat.say(f"绑定 {code}")

    assert db.session.scalar(sa.select(CallbackRequest.resident_id)) == mini_resident.id
    assert db.session.get(Resident, mini_resident.id).elder_mode is True


def test_a_code_works_once(client, chat, other_chat, auth_headers, mini_resident):
    code = binding_code(client, auth_headers, mini_resident)
    chat.say(f"绑定 {code}")

    reply = other_chat.say(f"绑定 {code}")

    assert reply.startswith("绑定码不对或已过期")
    assert follower().id == mini_resident.id


def test_an_expired_code_is_refused(client, chat, auth_headers, mini_resident, clock):
    code = binding_code(client, auth_headers, mini_resident)
    clock.advance(minutes=10, seconds=1)

    assert chat.say(f"绑定 {code}").startswith("绑定码不对或已过期")
    assert db.session.get(Resident, mini_resident.id).oa_openid is None


def test_a_new_code_replaces_the_unused_one(client, chat, auth_headers, mini_resident):
    old = binding_code(client, auth_headers, mini_resident)
    new = binding_code(client, auth_headers, mini_resident)

    if old != new:
        assert chat.say(f"绑定 {old}").startswith("绑定码不对或已过期")
    assert chat.say(f"绑定 {new}").startswith("绑定成功")


def test_a_code_of_the_wrong_length_is_explained(chat):
    assert chat.say("绑定 12345").startswith("绑定码是6位数字")


def test_bind_without_a_code_explains_where_to_get_one(chat):
    assert "绑定公众号" in chat.say("绑定")


def test_guessing_codes_is_limited_per_follower(client, chat, auth_headers, mini_resident):
    for guess in range(5):
        chat.say(f"绑定 {guess:06d}")
    code = binding_code(client, auth_headers, mini_resident)

    assert chat.say(f"绑定 {code}").startswith("绑定码试了太多次")
    assert db.session.get(Resident, mini_resident.id).oa_openid is None


def test_a_mini_program_record_linked_to_another_follower_is_not_taken_over(
        client, chat, auth_headers, mini_resident):
    mini_resident.oa_openid = "oSOMEONE-ELSE"
    db.session.commit()
    code = binding_code(client, auth_headers, mini_resident)

    reply = chat.say(f"绑定 {code}")

    assert reply.startswith("这个小程序账号已经绑定了另一个微信")
    assert db.session.get(Resident, mini_resident.id).oa_openid == "oSOMEONE-ELSE"


def test_a_follower_linked_to_another_mini_program_record_is_not_moved(
        client, chat, auth_headers, mini_resident):
    ResidentFactory(mp_openid="oMP-other", oa_openid=FOLLOWER)
    code = binding_code(client, auth_headers, mini_resident)

    assert chat.say(f"绑定 {code}").startswith("这个微信已经绑定了另一个小程序账号")
    assert db.session.get(Resident, mini_resident.id).oa_openid is None


def test_a_refused_binding_leaves_the_code_usable(client, chat, other_chat, auth_headers,
                                                  mini_resident):
    ResidentFactory(mp_openid="oMP-other", oa_openid=FOLLOWER)
    code = binding_code(client, auth_headers, mini_resident)
    chat.say(f"绑定 {code}")

    assert other_chat.say(f"绑定 {code}").startswith("绑定成功")


def test_a_merge_that_would_leave_rows_behind_is_refused_and_loses_nothing(
        client, chat, auth_headers, mini_resident, monkeypatch):
    # A package whose rows no hook moves (here: notifications without their hook).
    monkeypatch.setattr(accounts, "RESIDENT_MERGE_HOOKS",
                        [hook for hook in accounts.RESIDENT_MERGE_HOOKS
                         if not hook.startswith("app.notifications")])
    chat.say("你好")
    notify(kind="test", dedupe_key="test:1", text="测试", resident_id=follower().id)
    db.session.commit()
    code = binding_code(client, auth_headers, mini_resident)

    reply = chat.say(f"绑定 {code}")

    assert reply.startswith("绑定没有成功")
    assert len(residents()) == 2
    assert follower().id != mini_resident.id


def test_merge_refuses_two_different_unionids():
    source = ResidentFactory(mp_openid=None, oa_openid="oA", unionid="U1")
    target = ResidentFactory(unionid="U2")

    with pytest.raises(Conflict):
        accounts.merge_residents(source=source, target=target)


def test_binding_after_reporting_and_writing_by_chat_moves_everything_to_the_mini_record(
        client, chat, wechat, run_jobs, auth_headers, mini_resident, regions):
    from app.mailbox.models import Letter
    from app.reports.models import Report
    from app.uploads.models import Upload
    from bot.models import BotSubmission
    from tests.bot.conftest import photo_bytes
    from tests.factories import CategoryFactory, MailboxFactory

    CategoryFactory(code="streetlight", name="路灯照明")
    MailboxFactory(community=regions.community, name="书记信箱")
    chat.say("5")
    chat.say("和平社区")
    chat.say("2")  # no call-back, back to the menu
    wechat.media["M1"] = photo_bytes()
    chat.reply(chat.pusher.image("M1"))
    run_jobs()
    chat.say("路灯不亮")
    chat.reply(chat.pusher.location(*regions.point_in_grid, "5栋"))
    chat.say("1")
    chat.say("1")
    chat.say("写信")
    chat.say("楼道灯坏了")
    chat.say("1")
    run_jobs()
    bot_only = follower()
    assert bot_only.id != mini_resident.id

    reply = chat.say(f"绑定 {binding_code(client, auth_headers, mini_resident)}")

    assert reply.startswith("绑定成功")
    assert [r.id for r in residents()] == [mini_resident.id]
    report = db.session.scalar(sa.select(Report))
    assert report.reporter_id == mini_resident.id
    assert db.session.scalar(sa.select(Letter.resident_id)) == mini_resident.id
    assert db.session.scalar(sa.select(Upload.resident_id)) == mini_resident.id
    assert set(db.session.scalars(sa.select(BotSubmission.resident_id))) == {mini_resident.id}
    assert chat.say("查进度").splitlines()[1].endswith("路灯不亮（待受理）")
