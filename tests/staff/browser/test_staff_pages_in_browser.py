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
def community_admin(regions):
    admin = StaffFactory(username="hpadmin", display_name="赵敏", role=StaffRole.ADMIN,
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


def test_sign_in_leads_to_the_scope_summary(page, community_admin, screenshot):
    page.goto("/staff/")
    assert "/staff/login" in page.url
    screenshot(page, "1-login")
    assert_page_is_usable(page)
    sign_in(page, community_admin)
    assert page.get_by_role("heading", level=1).inner_text() == "书院街街道"
    assert page.locator(".who").inner_text().split() == ["赵敏", "·", "管理员", "·", "书院街街道"] \
        or "赵敏" in page.locator(".who").inner_text()
    menu = page.get_by_role("navigation", name="主菜单")
    assert menu.get_by_role("link").all_inner_texts() == [
        "首页", "居民", "区域网格", "报事类别", "工作人员", "操作日志"]
    assert page.locator("svg.chart-svg").count() == 2
    screenshot(page, "2-home")
    assert_page_is_usable(page)
    assert line_height_ratio(page) >= 1.3


def test_large_text_switch_enlarges_text_and_targets(page, community_admin, screenshot):
    sign_in(page, community_admin)
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


def test_admin_pages_open_from_the_menu(page, community_admin, screenshot):
    sign_in(page, community_admin)
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
    assert page.get_by_text("登录", exact=True).count() >= 1  # the sign-in, in the audit log


def test_admin_confirms_a_residents_residency(page, community_admin, screenshot):
    sign_in(page, community_admin)
    page.get_by_role("navigation", name="主菜单").get_by_role("link", name="居民").click()
    page.get_by_label("认证情况").select_option(label="待确认住户")
    page.get_by_role("button", name="筛选").click()
    assert page.get_by_role("link", name="王大爷").count() == 0
    screenshot(page, "1-residents")
    assert_page_is_usable(page)
    page.get_by_role("link", name="张阿姨").click()
    page.get_by_role("button", name="确认为本社区住户").click()
    assert page.get_by_role("alert").inner_text().startswith("请修改以下内容") or \
        page.locator(".error-summary").is_visible()
    page.get_by_label("依据").fill("已核对房产证原件")
    page.get_by_role("button", name="确认为本社区住户").click()
    assert "已确认为本社区住户" in page.get_by_role("status").inner_text()
    screenshot(page, "2-confirmed")
    assert_page_is_usable(page)
    db.session.expire_all()
    resident = db.session.query(Resident).filter_by(nickname="张阿姨").one()
    assert resident.verification_level == 2


def test_signing_in_and_skipping_to_the_content_work_from_the_keyboard(page, community_admin):
    page.goto("/staff/login")
    # The user name box has the focus on arrival: type, Tab to the password, Enter to sign in.
    expect(page.get_by_label("用户名")).to_be_focused()
    page.keyboard.type(community_admin)
    page.keyboard.press("Tab")
    page.keyboard.type(STAFF_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/staff/$"))
    page.wait_for_load_state()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="跳到正文")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
