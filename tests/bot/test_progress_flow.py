"""Flow 2 (查进度): the resident's latest reports and each one's public timeline."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app import clock as app_clock
from app import reports as reports_service
from app.extensions import db
from tests.bot.conftest import FOLLOWER
from tests.factories import CategoryFactory, ReportFactory, ResidentFactory, StaffFactory


@pytest.fixture
def neighbour(regions):
    return ResidentFactory(oa_openid=FOLLOWER, mp_openid=None, community=regions.community)


@pytest.fixture
def filed(regions, neighbour):
    """A report the neighbour filed, accepted by staff with a public and an internal note."""
    category = CategoryFactory(code="streetlight", name="路灯照明")
    report = reports_service.file_report(
        reporter=neighbour, source="bot", category_code=category.code,
        description="三号楼门口的路灯坏了", lat=30.654, lng=104.082, address="3栋")
    staff = StaffFactory(region=regions.community, role="moderator")
    reports_service.accept_report(staff, report.id, note="已安排电工")
    reports_service.add_note(staff, report.id, text="电工说明天上午去", public=True)
    reports_service.add_note(staff, report.id, text="内部：找物业协调", public=False)
    return report


def numbered(reply: str) -> list[str]:
    return [line for line in reply.splitlines() if line[:1].isdigit() and line[1:2] == " "]


def test_the_five_latest_reports_are_listed_newest_first_with_their_state(chat, regions,
                                                                          neighbour):
    category = CategoryFactory(name="环境卫生")
    for day in range(6):
        ReportFactory(reporter=neighbour, region=regions.grid, category=category,
                      description=f"第{day + 1}件事",
                      created_at=app_clock.now() - timedelta(days=6 - day),
                      **({"accepted": True} if day == 5 else {}))

    reply = chat.say("2")

    lines = numbered(reply)
    assert len(lines) == 5
    assert lines[0].endswith("第6件事（已受理）")
    assert lines[4].endswith("第2件事（待受理）")
    assert reply.endswith("回复数字看处理经过，回复0返回")


def test_a_number_shows_the_reports_public_timeline(chat, filed):
    chat.say("查进度")

    reply = chat.say("1")

    assert reply.startswith(f"编号 {filed.number}\n路灯照明：三号楼门口的路灯坏了\n现在：已受理")
    assert "提交" in reply and "受理：已安排电工" in reply
    assert "备注：电工说明天上午去" in reply
    assert "找物业协调" not in reply
    assert reply.endswith("回复其他数字看别的问题，回复0返回")


def test_another_residents_reports_are_not_listed(chat, regions, neighbour):
    ReportFactory(reporter=ResidentFactory(), region=regions.grid)

    assert chat.say("2").startswith("您还没有反映过问题")


def test_a_number_past_the_list_is_asked_again(chat, filed):
    chat.say("2")

    assert chat.say("4").startswith("请回复问题前面的数字。")


def test_a_long_timeline_is_paged_and_zero_turns_the_page(chat, regions, filed):
    staff = StaffFactory(region=regions.community, role="moderator")
    for n in range(30):
        reports_service.add_note(staff, filed.id, text=f"第{n + 1}次进展：工作人员已到现场查看情况",
                                 public=True)
    chat.say("2")

    pages = [chat.say("1")]
    while pages[-1].endswith("（回复0继续）"):
        pages.append(chat.say("0"))

    assert len(pages) >= 2
    text = "\n".join(pages)
    assert all(f"第{n}次进展" in text for n in range(1, 31))


def test_a_retried_choice_gets_the_same_timeline(chat, filed):
    chat.say("2")
    push = chat.pusher.text("1", mode="aes")

    replies = {chat.reply(push) for _ in range(3)}

    assert len(replies) == 1
    assert next(iter(replies)).startswith(f"编号 {filed.number}")


def test_elder_mode_lists_in_fewer_words(chat, filed):
    db.session.get(type(filed.reporter), filed.reporter_id).elder_mode = True
    db.session.commit()

    assert chat.say("2").startswith("您报的问题：")
