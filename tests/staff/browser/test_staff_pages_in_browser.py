"""The staff pages in a real browser, at desktop width and on a 375 px phone: signing in, the
大字 switch, the administration pages, confirming a resident's residency."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from app.accounts.models import Resident, StaffRole
from app.extensions import db
from tests.factories import CategoryFactory, HouseholdFactory, ResidentFactory, StaffFactory
from tests.factories.core import STAFF_PASSWORD
from tests.staff.browser.checks import (
    horizontal_overflow,
    line_height_ratio,
    low_contrast_text,
    root_font_size,
    small_targets,
)
from tests.staff.browser.conftest import release_database

pytestmark = pytest.mark.browser


@pytest.fixture
def street_admin(regions):
    """An admin of 书院街街道 with residents in two communities; returns the user name."""
    admin = StaffFactory(username="syjadmin", display_name="赵敏", role=StaffRole.ADMIN,
                         region=regions.street)
    for number, (name, building) in enumerate([("张阿姨", "3"), ("刘叔", "5"), ("小陈", "12")]):
        ResidentFactory(nickname=name, community=regions.community, phone_verified=True,
                        household=HouseholdFactory(community_id=regions.community.id,
                                                   building=building, room=str(501 + number)))
    ResidentFactory(nickname="王大爷", community=regions.other_community,
                    resident_verified=True)
    CategoryFactory(code="streetlight", name="路灯损坏", response_sla_hours=24)
    CategoryFactory(code="garbage", name="垃圾堆放", response_sla_hours=12,
                    completion_sla_hours=48)
    username = admin.username
    release_database()
    return username


def sign_in(page, username: str) -> None:
    page.goto("/staff/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"/staff/$"))


def assert_page_is_usable(page, minimum_target: float = 44) -> None:
    assert horizontal_overflow(page) <= 0
    assert small_targets(page, minimum_target) == []
    assert low_contrast_text(page) == []


def test_sign_in_leads_to_the_scope_summary(page, street_admin, screenshot):
    page.goto("/staff/")
    assert "/staff/login" in page.url
    screenshot(page, "1-login")
    assert_page_is_usable(page)
    sign_in(page, street_admin)
    assert page.get_by_role("heading", level=1).inner_text() == "书院街街道"
    expect(page.locator(".who")).to_have_text(re.compile(r"赵敏\s*管理员\s*书院街街道"))
    menu = page.get_by_role("navigation", name="主菜单")
    assert menu.get_by_role("link").all_inner_texts() == [
        "首页", "报事", "统计", "通知", "居民", "提案", "投票", "区域网格", "报事类别",
        "信箱设置", "工作人员", "操作日志"]
    assert page.locator("svg.chart-svg").count() == 2
    screenshot(page, "2-home")
    assert_page_is_usable(page)
    assert line_height_ratio(page) >= 1.3


def test_large_text_switch_enlarges_text_and_targets(page, street_admin, screenshot):
    sign_in(page, street_admin)
    assert root_font_size(page) == 16
    page.get_by_role("button", name="大字").click()
    page.wait_for_load_state()
    assert page.locator("html.large-text").count() == 1
    assert page.get_by_role("button", name="✓ 大字").get_attribute("aria-pressed") == "true"
    assert root_font_size(page) >= 20
    screenshot(page, "large-home")
    assert_page_is_usable(page, minimum_target=60)
    page.get_by_role("link", name="工作人员").click()
    screenshot(page, "large-staff")
    assert_page_is_usable(page, minimum_target=60)


def test_admin_pages_open_from_the_menu(page, street_admin, screenshot):
    sign_in(page, street_admin)
    menu = page.get_by_role("navigation", name="主菜单")
    for label, heading, name in [("区域网格", "区域网格", "regions"),
                                 ("报事类别", "报事类别", "categories"),
                                 ("工作人员", "工作人员", "staff"),
                                 ("操作日志", "操作日志", "audit")]:
        menu.get_by_role("link", name=label).click()
        assert page.get_by_role("heading", level=1).inner_text() == heading
        assert menu.get_by_role("link", name=label).get_attribute("aria-current") == "page"
        screenshot(page, name)
        assert_page_is_usable(page)
    # The sign-in that started this test is the newest entry of the audit log.
    expect(page.locator('td[data-label="操作"]').first).to_have_text("登录")


def test_admin_confirms_a_residents_residency(page, street_admin, screenshot):
    sign_in(page, street_admin)
    page.get_by_role("navigation", name="主菜单").get_by_role("link", name="居民").click()
    page.get_by_label("认证情况").select_option(label="待确认住户")
    page.get_by_role("button", name="筛选").click()
    assert page.get_by_role("link", name="王大爷").count() == 0
    screenshot(page, "1-residents")
    assert_page_is_usable(page)
    page.get_by_role("link", name="张阿姨").click()
    page.get_by_role("button", name="确认为本社区住户").click()
    expect(page.get_by_role("alert")).to_contain_text("依据：此项必填")
    page.get_by_label("依据").fill("已核对房产证原件")
    page.get_by_role("button", name="确认为本社区住户").click()
    expect(page.get_by_role("status")).to_contain_text("已确认为本社区住户")
    screenshot(page, "2-confirmed")
    assert_page_is_usable(page)
    db.session.expire_all()
    resident = db.session.query(Resident).filter_by(nickname="张阿姨").one()
    assert resident.verification_level == 2


def test_signing_in_and_skipping_to_the_content_work_from_the_keyboard(page, street_admin):
    page.goto("/staff/login")
    # The user name box has the focus on arrival: type, Tab to the password, Enter to sign in.
    expect(page.get_by_label("用户名")).to_be_focused()
    page.keyboard.type(street_admin)
    page.keyboard.press("Tab")
    page.keyboard.type(STAFF_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/staff/$"))
    page.wait_for_load_state()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="跳到正文")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()


@pytest.fixture
def district_admin(regions):
    StaffFactory(username="quadmin", display_name="李建国", role=StaffRole.ADMIN,
                 region=regions.district)
    CategoryFactory(code="streetlight", name="路灯损坏", group_name="市政设施")
    release_database()
    return "quadmin"


def test_admin_forms_edit_a_grid_and_create_a_handler(page, district_admin, screenshot):
    sign_in(page, district_admin)
    menu = page.get_by_role("navigation", name="主菜单")
    menu.get_by_role("link", name="报事类别").click()
    expect(page.get_by_role("button", name="停用")).to_be_visible()
    screenshot(page, "1-categories")
    assert_page_is_usable(page)

    menu.get_by_role("link", name="区域网格").click()
    page.get_by_role("link", name=re.compile(r"^编辑\s*和平社区第一网格$")).click()
    page.get_by_label("办公时间").fill("每天 8:00-20:00")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("status")).to_contain_text("区域信息已保存")
    screenshot(page, "2-region")
    assert_page_is_usable(page)

    menu.get_by_role("link", name="工作人员").click()
    page.get_by_role("link", name="新建工作人员").click()
    page.get_by_label("姓名").fill("陈静")
    page.get_by_label("用户名").fill("chenjing")
    page.get_by_label("角色").select_option(label="网格员")
    grid2 = page.locator("option", has_text="和平社区第二网格").get_attribute("value")
    page.get_by_label("负责区域").select_option(grid2)
    page.get_by_label("初始密码（至少 10 位）").fill("a-long-password")
    page.get_by_label("再输入一次").fill("a-long-password")
    screenshot(page, "3-new-staff")
    assert_page_is_usable(page)
    page.get_by_role("button", name="新建").click()
    expect(page.get_by_role("status")).to_contain_text("已新建工作人员：陈静（chenjing）")
    screenshot(page, "4-staff-detail")
    assert_page_is_usable(page)
