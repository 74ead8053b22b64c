"""Flow 1 (随手拍) through /wechat as WeChat drives it, to the report filed in the database."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.accounts.models import Resident
from app.extensions import db
from app.notifications.models import Notification
from app.reports.models import Report
from app.uploads.models import Upload
from bot.flows.report import community_point
from bot.models import BotDialog, BotSubmission
from tests.bot.conftest import CUSTOM_SEND, FOLLOWER, count, photo_bytes, sent_texts
from tests.factories import CategoryFactory, ResidentFactory

MEDIA_GET = "/cgi-bin/media/get"


@pytest.fixture
def categories():
    return [CategoryFactory(code="streetlight", name="路灯照明", sort_order=1),
            CategoryFactory(code="litter", name="环境卫生", sort_order=2)]


@pytest.fixture
def neighbour(regions):
    """A follower who lives in 和平社区."""
    return ResidentFactory(oa_openid=FOLLOWER, mp_openid=None, community=regions.community)


def dialog() -> BotDialog:
    return db.session.scalar(sa.select(BotDialog))


def reports() -> list[Report]:
    return list(db.session.scalars(sa.select(Report).order_by(Report.id)))


def send_photo(chat, wechat, run_jobs, media_id: str = "MEDIA-1", seed: int = 1) -> str:
    wechat.media[media_id] = photo_bytes(seed)
    reply = chat.reply(chat.pusher.image(media_id))
    run_jobs()
    return reply


def to_confirmation(chat, wechat, run_jobs, regions) -> str:
    """Photo, description, location message, category: up to the read-back."""
    chat.say("1")
    send_photo(chat, wechat, run_jobs)
    chat.speak("三号楼门口的路灯坏了，晚上很黑。")
    chat.reply(chat.pusher.location(*regions.point_in_grid2, "和平社区3栋"))
    return chat.say("1")


# --- the whole way ------------------------------------------------------------------------------

def test_photo_words_place_and_category_file_a_bot_report_with_its_photo(
        chat, wechat, run_jobs, regions, neighbour, categories):
    assert chat.say("1").startswith("请发一张问题的照片")
    assert send_photo(chat, wechat, run_jobs).startswith("已收到照片。\n请说一下是什么问题")
    assert chat.speak("三号楼门口的路灯坏了，晚上很黑。").startswith("请发送位置")
    assert chat.reply(chat.pusher.location(*regions.point_in_grid2, "和平社区3栋")).startswith(
        "收到位置。\n请选择问题的类别")
    read_back = chat.say("1")
    assert read_back.splitlines()[:6] == [
        "请核对：", "问题：三号楼门口的路灯坏了，晚上很黑", "地点：和平社区3栋", "类别：路灯照明",
        "照片：1张", "回复1确认，2重来"]

    reply = chat.say("1")
    run_jobs()

    assert reply.startswith("好的，正在提交，马上把编号发给您。")
    [report] = reports()
    assert (report.source, report.reporter_id, report.region_id) == (
        "bot", neighbour.id, regions.grid2.id)
    assert (report.description, report.address) == ("三号楼门口的路灯坏了，晚上很黑", "和平社区3栋")
    assert report.category.code == "streetlight"
    assert [photo.upload.resident_id for photo in report.photos] == [neighbour.id]
    assert any(f"编号是 {report.number}" in text for text in sent_texts(wechat))
    assert dialog().flow is None


def test_a_bot_report_number_reaches_the_resident_once(chat, wechat, run_jobs, regions,
                                                        neighbour, categories):
    to_confirmation(chat, wechat, run_jobs, regions)

    chat.say("1")
    run_jobs()

    [report] = reports()
    messages = [request.body.decode("utf-8", "replace") for request in wechat.requests]
    assert sum(report.number in message for message in messages) == 1
    # The acknowledgement stays in the resident's in-app list.
    [acknowledgement] = db.session.scalars(
        sa.select(Notification).where(Notification.kind == "report.file"))
    assert acknowledgement.resident_id == neighbour.id
    assert acknowledgement.status == "skipped"


def test_a_report_started_by_a_photo_on_the_menu_keeps_that_photo(
        chat, wechat, run_jobs, regions, neighbour, categories):
    reply = send_photo(chat, wechat, run_jobs)

    assert reply.startswith("已收到照片。\n请说一下是什么问题")
    assert dialog().flow == "report"
    assert len(dialog().data["photos"]) == 1


def test_saying_the_problem_with_the_report_phrase_keeps_it(chat, regions, neighbour,
                                                          categories):
    reply = chat.say("我要反映一下3号楼的路灯坏了")

    assert reply.startswith("请发一张问题的照片")
    assert dialog().data["description"] == "3号楼的路灯坏了"


def test_without_a_photo_the_words_are_the_description_and_it_files(
        chat, wechat, run_jobs, regions, neighbour, categories):
    chat.say("1")
    assert chat.say("楼道里堆满了杂物").startswith("好的，没有照片也可以。\n请发送位置")
    chat.reply(chat.pusher.location(*regions.point_in_grid, "和平社区5栋"))
    chat.say("2")
    chat.say("确认")
    run_jobs()

    [report] = reports()
    assert (report.description, report.photos, report.category.code) == (
        "楼道里堆满了杂物", [], "litter")


def test_redo_starts_the_report_over(chat, wechat, run_jobs, regions, neighbour, categories):
    to_confirmation(chat, wechat, run_jobs, regions)

    reply = chat.say("2")

    assert reply.startswith("好的，重新来。\n请发一张问题的照片")
    assert dialog().data["photos"] == [] and "description" not in dialog().data


def test_a_tap_back_leaves_the_report_unfiled(chat, wechat, run_jobs, regions, neighbour,
                                              categories):
    to_confirmation(chat, wechat, run_jobs, regions)

    chat.say("0")
    run_jobs()

    assert reports() == []


def test_going_back_to_the_menu_after_confirming_still_files_it(
        chat, wechat, run_jobs, held_jobs, regions, neighbour, categories):
    chat.say("1")
    chat.say("路灯不亮")
    chat.reply(chat.pusher.location(*regions.point_in_grid, "和平社区5栋"))
    chat.say("1")
    chat.say("1")

    chat.say("0")  # before the filing job has run
    held_jobs.run()
    run_jobs()

    assert len(reports()) == 1


# --- photos --------------------------------------------------------------------------------------

def test_the_photo_is_downloaded_by_a_job_not_while_answering(chat, wechat, held_jobs, regions,
                                                              neighbour, categories):
    chat.say("1")
    wechat.media["MEDIA-1"] = photo_bytes()

    reply = chat.reply(chat.pusher.image("MEDIA-1"))

    assert reply.startswith("已收到照片")
    assert wechat.calls(MEDIA_GET) == []
    assert "fetch_photo" in held_jobs.names
    held_jobs.run()
    assert [call.query["media_id"] for call in wechat.calls(MEDIA_GET)] == ["MEDIA-1"]
    assert dialog().data["photos"] == [db.session.scalar(sa.select(Upload.id))]


def test_an_expired_media_id_asks_for_the_photo_again_and_goes_back_to_the_photo_step(
        chat, wechat, held_jobs, run_jobs, regions, neighbour, categories):
    chat.say("1")
    wechat.fail_next(MEDIA_GET, errcode=40007)
    chat.reply(chat.pusher.image("MEDIA-1"))
    chat.say("路灯不亮")

    held_jobs.run()
    run_jobs()

    [text] = sent_texts(wechat)
    assert text.startswith("照片没有收到（可能已过期），请再发一次照片。")
    assert dialog().step == "photo"
    assert dialog().data["description"] == "路灯不亮"
    assert count(Upload) == 0


def test_a_photo_wechat_no_longer_has_is_asked_for_again(chat, wechat, run_jobs, regions,
                                                         neighbour, categories):
    chat.say("1")

    chat.reply(chat.pusher.image("GONE"))  # no media registered: WeChat answers 40007
    run_jobs()

    assert sent_texts(wechat)[0].startswith("照片没有收到")
    assert dialog().step == "photo"


def test_after_a_failed_download_a_new_photo_goes_on_where_the_resident_was(
        chat, wechat, run_jobs, regions, neighbour, categories):
    chat.say("1")
    chat.reply(chat.pusher.image("GONE"))
    run_jobs()
    chat.say("路灯不亮")

    reply = send_photo(chat, wechat, run_jobs, "MEDIA-2")

    assert reply.startswith("已收到照片。\n请发送位置")


def test_confirming_waits_for_a_photo_still_being_downloaded(chat, wechat, held_jobs, run_jobs,
                                                             regions, neighbour, categories):
    chat.say("1")
    chat.say("路灯不亮")
    chat.reply(chat.pusher.location(*regions.point_in_grid, "和平社区5栋"))
    chat.say("1")
    wechat.media["MEDIA-9"] = photo_bytes()
    chat.reply(chat.pusher.image("MEDIA-9"))

    assert chat.say("1").startswith("照片还在接收")
    held_jobs.run()
    assert chat.say("1").startswith("好的，正在提交")
    held_jobs.run()
    run_jobs()
    assert len(reports()[0].photos) == 1


# --- places ----------------------------------------------------------------------------------------

def test_a_spoken_address_uses_a_position_shared_in_the_last_half_hour(
        chat, wechat, run_jobs, regions, neighbour, categories, clock):
    chat.reply(chat.pusher.event("LOCATION", fields="<Latitude>30.654</Latitude>"
                                                     "<Longitude>104.088</Longitude>"
                                                     "<Precision>30</Precision>"))
    clock.advance(minutes=20)
    chat.say("1")
    chat.say("路灯不亮")

    chat.speak("就在三号楼门口。")
    chat.say("1")
    chat.say("1")
    run_jobs()

    [report] = reports()
    assert (report.lat, report.lng, report.region_id) == (30.654, 104.088, regions.grid2.id)
    assert report.address == "就在三号楼门口"


def test_a_spoken_address_without_a_recent_position_is_placed_in_the_community(
        chat, wechat, run_jobs, regions, neighbour, categories, clock):
    chat.reply(chat.pusher.location(30.654, 104.095, "桂花巷"))
    clock.advance(minutes=31)
    chat.say("1")
    chat.say("路灯不亮")

    chat.say("3栋2单元楼下")
    read_back = chat.say("1")
    chat.say("1")
    run_jobs()

    assert "地点：3栋2单元楼下（口述地址）" in read_back
    [report] = reports()
    assert report.region.path.startswith(regions.community.path)
    assert report.address == "3栋2单元楼下（口述地址）"


def test_a_resident_without_a_community_is_asked_for_it_before_a_spoken_address(
        chat, wechat, run_jobs, regions, categories):
    chat.say("1")
    chat.say("路灯不亮")

    asked = chat.say("3栋楼下")
    chat.say("和平社区")

    assert "住哪个社区" in asked
    assert db.session.scalar(sa.select(Resident.community_id)) == regions.community.id
    assert dialog().step == "category"


def test_a_community_on_no_map_asks_for_a_location_message(chat, regions, categories):
    ResidentFactory(oa_openid=FOLLOWER, community=regions.far_community)
    chat.say("1")
    chat.say("路灯不亮")

    reply = chat.say("东光社区2栋")

    assert reply.startswith("光说地址还定不了位置，请发一个位置")
    assert dialog().step == "location"


def test_community_point_lies_in_the_community(regions):
    lat, lng = community_point(regions.community)

    assert regions.community.min_lat <= lat <= regions.community.max_lat
    assert regions.community.min_lng <= lng <= regions.community.max_lng


# --- categories ----------------------------------------------------------------------------------

def test_more_than_five_categories_are_shown_five_a_page(chat, regions, neighbour):
    for n in range(7):
        CategoryFactory(code=f"c{n}", name=f"类别{n + 1}", sort_order=n)
    chat.say("1")
    chat.say("路灯不亮")

    first = chat.reply(chat.pusher.location(*regions.point_in_grid, "5栋"))
    second = chat.say("下一页")
    chosen = chat.say("7")

    assert [line for line in first.splitlines() if line[:1].isdigit()] == [
        "1 类别1", "2 类别2", "3 类别3", "4 类别4", "5 类别5"]
    assert [line for line in second.splitlines() if line[:1].isdigit()] == ["6 类别6", "7 类别7"]
    assert "类别：类别7" in chosen


def test_a_category_can_be_said_by_its_name(chat, regions, neighbour, categories):
    chat.say("1")
    chat.say("路灯不亮")
    chat.reply(chat.pusher.location(*regions.point_in_grid, "5栋"))

    assert "类别：环境卫生" in chat.speak("环境卫生。")


# --- refusals and failures --------------------------------------------------------------------------

def test_risky_words_are_refused_and_the_description_is_asked_again(
        chat, wechat, run_jobs, regions, neighbour, categories):
    wechat.text_verdicts["骂人的话"] = "risky"
    chat.say("1")
    chat.say("骂人的话")
    chat.reply(chat.pusher.location(*regions.point_in_grid, "5栋"))
    chat.say("1")

    chat.say("1")
    run_jobs()

    assert reports() == []
    [text] = sent_texts(wechat)
    assert text.startswith("您反映的问题没有提交成功：")
    assert "请说一下是什么问题" in text
    assert (dialog().flow, dialog().step) == ("report", "description")
    assert dialog().data["category"] == "streetlight"
    assert db.session.scalar(sa.select(BotSubmission.status)) == "refused"

    chat.say("路灯不亮")
    chat.say("1")
    run_jobs()
    assert reports()[0].description == "路灯不亮"


def test_empty_recognition_mid_flow_asks_the_same_question_again(chat, regions, neighbour,
                                                                categories):
    chat.say("1")
    chat.say("路灯不亮")

    reply = chat.speak("")

    assert reply.startswith("抱歉，没听清")
    assert "请发送位置" in reply
    assert dialog().step == "location"


def test_the_report_flow_times_out_after_ten_minutes_and_resumes_with_its_draft(
        chat, regions, neighbour, categories, clock):
    chat.say("1")
    chat.say("路灯不亮")
    clock.advance(minutes=10, seconds=1)

    timed_out = chat.say("你好")
    resumed = chat.say("继续")

    assert timed_out.startswith("上次的「随手拍」已经超时")
    assert resumed.startswith("接着上次的「随手拍」：\n请发送位置")
    assert dialog().data["description"] == "路灯不亮"


def test_retried_confirmation_files_one_report_and_gets_the_same_reply(
        chat, wechat, run_jobs, regions, neighbour, categories):
    to_confirmation(chat, wechat, run_jobs, regions)
    push = chat.pusher.text("1", mode="aes")

    replies = [chat.reply(push) for _ in range(3)]
    run_jobs()

    assert len(set(replies)) == 1
    assert len(reports()) == 1
    assert count(BotSubmission) == 1
    assert sum("编号是" in text for text in sent_texts(wechat)) == 1


def test_a_filing_job_run_twice_files_once(chat, wechat, held_jobs, run_jobs, regions,
                                           neighbour, categories):
    from bot.flows.report import file_submission

    chat.say("1")
    chat.say("路灯不亮")
    chat.reply(chat.pusher.location(*regions.point_in_grid, "5栋"))
    chat.say("1")
    chat.say("1")
    submission_id = db.session.scalar(sa.select(BotSubmission.id))

    file_submission(submission_id)
    file_submission(submission_id)

    assert len(reports()) == 1
    assert db.session.scalar(sa.select(BotSubmission.object_id)) == reports()[0].id


def test_nothing_reaches_wechat_while_answering_the_whole_report(chat, wechat, held_jobs,
                                                                 regions, neighbour, categories):
    wechat.media["MEDIA-1"] = photo_bytes()
    chat.say("1")
    chat.reply(chat.pusher.image("MEDIA-1"))
    chat.say("路灯不亮")
    chat.reply(chat.pusher.location(*regions.point_in_grid, "5栋"))
    chat.say("1")
    held_jobs.run()
    chat.say("1")

    assert wechat.calls("/wxa/msg_sec_check") == []
    assert wechat.calls(CUSTOM_SEND) == []
    held_jobs.run()
    assert wechat.calls("/wxa/msg_sec_check")
