"""Handling in a real browser, at desktop width and on a 375 px phone: a report from submitted
to resolved (accept and dispatch by the community, contact, start and resolve with a result
photo by the 网格员 from 我的任务), answering a letter from the keyboard, reading the dashboard,
and the 大字 mode on these pages. Screenshots go to test-artifacts/staff/."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app import clock
from app.accounts.models import StaffRole
from app.extensions import db
from app.mailbox.models import Letter
from app.reports.models import PhotoKind, Report, ReportPhoto
from app.uploads import store_photo
from tests.factories import (
    CategoryFactory,
    HouseholdFactory,
    LetterFactory,
    MailboxFactory,
    ReportFactory,
    ResidentFactory,
    StaffFactory,
)
from tests.staff.browser.conftest import release_database
from tests.staff.browser.test_staff_pages_in_browser import assert_page_is_usable, sign_in
from tests.uploads.samples import encoded, photo_like

pytestmark = pytest.mark.browser


@pytest.fixture
def community(regions):
    """和平社区 with its moderator 王芳, the 网格员 张伟, a resident, one report just filed with
    a photo, and a letter to 主任信箱."""
    moderator = StaffFactory(username="wangfang", display_name="王芳",
                             role=StaffRole.MODERATOR, region=regions.community)
    StaffFactory(username="zhangwei", display_name="张伟", role=StaffRole.HANDLER,
                 region=regions.grid)
    resident = ResidentFactory(nickname="张阿姨", community=regions.community,
                               phone_masked="138****0000",
                               household=HouseholdFactory(community_id=regions.community.id,
                                                          building="3", unit="2", room="501"))
    category = CategoryFactory(code="streetlight", name="路灯损坏")
    report = ReportFactory(region=regions.grid, category=category, reporter=resident,
                           description="3栋和5栋之间的路灯坏了一个星期，晚上老人出门看不清路",
                           address="和平社区3栋与5栋之间")
    photo = store_photo(encoded(photo_like(960, 720, seed=3), "JPEG"), resident=resident)
    report.photos.append(ReportPhoto(upload=photo.upload, kind=PhotoKind.REPORT, position=0))
    box = MailboxFactory(community=regions.community, name="主任信箱", members=[moderator])
    letter = LetterFactory(mailbox=box, resident=resident, subject="高龄津贴怎么申请",
                           body="您好，我母亲今年八十岁了，想问问高龄津贴在哪里申请，要带什么材料？")
    db.session.commit()
    names = {"report": report.id, "number": report.number, "letter": letter.id}
    release_database()
    return names


def sign_out(page) -> None:
    page.get_by_role("button", name="退出").click()
    page.wait_for_url(re.compile(r"/staff/login"))


def test_a_report_is_handled_from_submitted_to_resolved(page, community, screenshot, tmp_path):
    number = community["number"]
    # The community accepts and dispatches it.
    sign_in(page, "wangfang")
    page.get_by_role("navigation", name="主菜单").get_by_role("link", name="报事").click()
    expect(page.get_by_role("link", name=number)).to_be_visible()
    screenshot(page, "1-queue")
    assert_page_is_usable(page)
    page.get_by_role("link", name=number).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"报事 {number}")
    expect(page.locator(".photos img")).to_have_count(1)
    screenshot(page, "2-submitted")
    assert_page_is_usable(page)
    page.locator("#act-accept").get_by_label("备注（可不填）").fill("马上安排网格员核实")
    page.get_by_role("button", name="受理", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("已受理")
    page.get_by_label("派给").select_option(label="张伟（网格员·和平社区第一网格）")
    page.get_by_role("button", name="派单", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("已派单")
    screenshot(page, "3-dispatched")
    sign_out(page)

    # The 网格员 finds it in 我的任务 and works it through.
    sign_in(page, "zhangwei")
    menu = page.get_by_role("navigation", name="主菜单")
    expect(menu.get_by_role("link", name=re.compile("我的任务"))).to_contain_text("1")
    menu.get_by_role("link", name=re.compile("我的任务")).click()
    screenshot(page, "4-my-tasks")
    assert_page_is_usable(page)
    page.get_by_role("link", name="联系居民").click()
    page.locator("#act-contact").get_by_label("备注（可不填）").fill("已电话联系张阿姨，约好下午去现场")
    page.get_by_role("button", name="已联系居民").click()
    expect(page.get_by_role("status")).to_contain_text("已记录联系居民")
    page.get_by_role("button", name="开始处理").click()
    expect(page.get_by_role("status")).to_contain_text("已开始处理")
    photo = tmp_path / "result.jpg"
    photo.write_bytes(encoded(photo_like(1200, 900, seed=9), "JPEG"))
    page.get_by_label("处理结果").fill("已更换路灯灯泡，晚上试过，亮了")
    page.get_by_label("结果照片（可不传，最多 9 张）").set_input_files(str(photo))
    screenshot(page, "5-resolving")
    assert_page_is_usable(page)
    page.get_by_role("button", name="办结反馈").click()
    expect(page.get_by_role("status")).to_contain_text("已办结反馈，等待居民评价")
    expect(page.locator(".status-line .tag").first).to_have_text("已处理待评价")
    expect(page.get_by_role("heading", name="处理结果照片")).to_be_visible()
    screenshot(page, "6-resolved")
    assert_page_is_usable(page)

    # Zoom: the thumbnail opens the photo over the page; 关闭 goes back.
    page.get_by_role("link", name=re.compile("结果照片第 1 张")).click()
    lightbox = page.locator(".lightbox:target")
    expect(lightbox.locator("img")).to_be_visible()
    screenshot(page, "7-photo-zoomed", full_page=False)
    lightbox.get_by_role("link", name="关闭").click()
    expect(page.locator(".lightbox:target")).to_have_count(0)

    db.session.expire_all()
    report = db.session.get(Report, community["report"])
    assert report.status == "resolved"
    assert [p.kind for p in report.photos] == [PhotoKind.REPORT, PhotoKind.RESULT]
    assert [event.action for event in report.events] == [
        "accept", "dispatch", "contact", "start", "resolve"]


def test_a_letter_is_answered_from_the_keyboard(page, community, screenshot):
    sign_in(page, "wangfang")
    page.get_by_role("navigation", name="主菜单").get_by_role("link", name="信箱").click()
    expect(page.get_by_role("link", name="高龄津贴怎么申请")).to_be_visible()
    screenshot(page, "1-inbox")
    assert_page_is_usable(page)
    page.get_by_role("link", name="高龄津贴怎么申请").click()
    expect(page.locator(".message-body").first).to_contain_text("高龄津贴在哪里申请")
    screenshot(page, "2-letter")
    assert_page_is_usable(page)
    # Keyboard only: into the reply box, type, Tab to the button, Enter.
    page.get_by_label("答复内容").focus()
    page.keyboard.type("张阿姨您好：高龄津贴在社区党群服务中心一楼办理，请带老人身份证和户口簿。")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="发送答复")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("已答复，居民会收到通知")
    expect(page.locator(".message-staff .message-body")).to_contain_text("党群服务中心")
    screenshot(page, "3-replied")
    assert_page_is_usable(page)
    db.session.expire_all()
    assert db.session.get(Letter, community["letter"]).status == "replied"


@pytest.fixture
def dashboard_data(regions):
    """A street admin, and eight weeks of reports in both communities with ratings."""
    StaffFactory(username="syjadmin", display_name="赵敏", role=StaffRole.ADMIN,
                 region=regions.street)
    categories = [CategoryFactory(code="streetlight", name="路灯损坏"),
                  CategoryFactory(code="garbage", name="垃圾堆放"),
                  CategoryFactory(code="road", name="道路破损")]
    now = clock.now()
    for number in range(24):
        filed = now - timedelta(days=3 * number + 1)
        late = number % 4 == 0
        ReportFactory(
            region=[regions.grid, regions.grid2, regions.other_grid][number % 3],
            category=categories[number % 3], created_at=filed, status="closed",
            dispatched_at=filed + timedelta(hours=1),
            first_contact_at=filed + timedelta(hours=30 if late else 3),
            resolved_at=filed + timedelta(hours=100 if late else 20),
            closed_at=filed + timedelta(hours=120), rated_at=filed + timedelta(hours=110),
            solved=number % 5 != 0, satisfaction=3 if late else 5)
    ReportFactory(region=regions.grid, category=categories[0],
                  created_at=now - timedelta(days=3))  # open and overdue
    release_database()
    return "syjadmin"


def test_the_dashboard_reads_in_the_browser(page, dashboard_data, screenshot):
    sign_in(page, dashboard_data)
    page.get_by_role("navigation", name="主菜单").get_by_role("link", name="统计").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("统计 · 书院街街道")
    expect(page.locator("svg.chart-svg")).to_have_count(4)
    expect(page.locator(".rate-figures .figure-value").first).to_have_text(re.compile(r"\d+%"))
    screenshot(page, "1-dashboard")
    assert_page_is_usable(page)
    page.get_by_label("时段").select_option(label="本月")
    community = page.locator("#region_id option", has_text="和平社区（社区）").get_attribute("value")
    page.get_by_label("区域").select_option(community)
    page.get_by_role("button", name="查看").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("统计 · 和平社区")
    expect(page.get_by_role("heading", name="按网格")).to_be_visible()
    screenshot(page, "2-community-this-month")
    assert_page_is_usable(page)
    # The figures behind a chart are a table away.
    page.locator("figure.chart summary").first.click()
    expect(page.locator("figure.chart table").first).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="统计表 Excel").click()
    assert download.value.suggested_filename.startswith("报事统计-和平社区-")


def test_large_text_mode_works_on_the_handling_pages(page, community, screenshot):
    sign_in(page, "wangfang")
    page.get_by_role("button", name="大字").click()
    page.wait_for_load_state()
    for url, name in [(f"/staff/reports/{community['report']}", "report"),
                      ("/staff/reports", "queue"), (f"/staff/letters/{community['letter']}",
                                                    "letter"),
                      ("/staff/dashboard", "dashboard"), ("/staff/notifications", "notices")]:
        page.goto(url)
        assert page.locator("html.large-text").count() == 1
        screenshot(page, f"large-{name}")
        assert_page_is_usable(page, minimum_target=60)
