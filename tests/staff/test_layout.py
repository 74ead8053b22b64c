"""What every staff page shares: the menu by role, the top bar, 大字, assets served by the app,
labelled inputs, safe headers, and error pages in HTML."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from app import clock
from app.accounts.models import StaffRole
from app.staff.auth import LARGE_TEXT_COOKIE
from tests.factories import (
    CategoryFactory,
    HouseholdFactory,
    LetterFactory,
    MailboxFactory,
    NotificationFactory,
    ReportFactory,
    ResidentFactory,
    StaffFactory,
)


class PageParts(HTMLParser):
    """Collects what the accessibility and asset tests look at in a page."""

    def __init__(self, html: str):
        super().__init__()
        self.labels_for: set[str] = set()
        self.controls: list[dict] = []
        self.assets: list[str] = []
        self.menu: list[tuple[str, bool]] = []
        self._in_menu = False
        self._current: bool = False
        self._fieldset_depth = 0
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "label" and "for" in attrs:
            self.labels_for.add(attrs["for"])
        if tag == "fieldset":
            self._fieldset_depth += 1
        if tag in ("input", "select", "textarea") and attrs.get("type") != "hidden":
            self.controls.append({**attrs, "in_fieldset": self._fieldset_depth > 0, "tag": tag})
        if tag in ("link", "script", "img") and (attrs.get("href") or attrs.get("src")):
            self.assets.append(attrs.get("href") or attrs.get("src"))
        if tag == "nav" and attrs.get("aria-label") == "主菜单":
            self._in_menu = True
        if self._in_menu and tag == "a":
            self._current = attrs.get("aria-current") == "page"

    def handle_endtag(self, tag):
        if tag == "nav":
            self._in_menu = False
        if tag == "fieldset":
            self._fieldset_depth -= 1

    def handle_data(self, data):
        if self._in_menu and data.strip():
            self.menu.append((data.strip(), self._current))


def parts_of(response) -> PageParts:
    return PageParts(response.get_data(as_text=True))


@pytest.mark.parametrize("role, items", [
    (StaffRole.HANDLER, ["首页", "我的任务", "报事", "信箱", "通知", "投票"]),
    (StaffRole.MODERATOR, ["首页", "报事", "信箱", "统计", "通知", "居民", "提案", "投票"]),
    (StaffRole.ADMIN, ["首页", "报事", "信箱", "统计", "通知", "居民", "提案", "投票", "区域网格",
                       "报事类别", "信箱设置", "工作人员", "操作日志"]),
])
def test_the_menu_shows_only_what_the_role_may_use(pages, regions, role, items):
    MailboxFactory(community=regions.community, name="主任信箱")
    pages.sign_in(StaffFactory(role=role, region=regions.community))
    assert [label for label, _ in parts_of(pages.get("/staff/")).menu] == items


def test_the_mailbox_is_in_the_menu_only_for_those_who_may_answer_one(pages, regions,
                                                                     moderator):
    pages.sign_in(moderator)
    assert "信箱" not in [label for label, _ in parts_of(pages.get("/staff/")).menu]
    MailboxFactory(community=regions.community, name="书记信箱", restricted=True)
    assert "信箱" not in [label for label, _ in parts_of(pages.get("/staff/")).menu]
    MailboxFactory(community=regions.community, name="主任信箱")
    assert "信箱" in [label for label, _ in parts_of(pages.get("/staff/")).menu]


def test_the_menu_counts_unread_notifications(pages, moderator):
    NotificationFactory(staff_id=moderator.id, status="skipped")
    NotificationFactory(staff_id=moderator.id, status="skipped", read_at=clock.now())
    pages.sign_in(moderator)
    page = pages.get("/staff/").get_data(as_text=True)
    assert '通知<span class="badge">1<span class="visually-hidden">条未读</span></span>' in page


def test_the_menu_marks_the_current_area(pages, admin):
    pages.sign_in(admin)
    menu = parts_of(pages.get("/staff/admin/staff/new")).menu
    assert [label for label, current in menu if current] == ["工作人员"]


def test_the_top_bar_names_the_staff_member_role_and_region(pages, moderator):
    pages.sign_in(moderator)
    page = pages.get("/staff/").get_data(as_text=True)
    assert re.search(r'who-name">王芳<.*who-role">社区工作人员<.*who-region">和平社区<', page,
                     re.S)


def test_the_large_text_switch_enlarges_every_page(pages, moderator):
    pages.sign_in(moderator)
    assert 'class="large-text"' not in pages.get("/staff/").get_data(as_text=True)
    response = pages.post("/staff/large-text", {"on": "1", "next": "/staff/residents"})
    assert response.status_code == 302 and response.headers["Location"] == "/staff/residents"
    assert pages.client.get_cookie(LARGE_TEXT_COOKIE, path="/staff").value == "1"
    page = pages.get("/staff/residents").get_data(as_text=True)
    assert '<html lang="zh-CN" class="large-text">' in page
    assert 'aria-pressed="true"' in page


def test_the_large_text_switch_turns_off_again(pages, moderator):
    pages.sign_in(moderator)
    pages.post("/staff/large-text", {"on": "1", "next": "/staff/"})
    pages.post("/staff/large-text", {"on": "0", "next": "/staff/"})
    assert 'class="large-text"' not in pages.get("/staff/").get_data(as_text=True)


def test_the_large_text_switch_works_before_signing_in(pages):
    pages.get("/staff/login")
    pages.post("/staff/large-text", {"on": "1", "next": "/staff/login"})
    assert 'class="large-text"' in pages.get("/staff/login").get_data(as_text=True)


def test_the_large_text_switch_only_returns_to_staff_pages(pages):
    response = pages.post("/staff/large-text", {"on": "1", "next": "https://evil.example/"})
    assert response.headers["Location"] == "/staff/"


def test_the_stylesheet_is_served_by_the_app(client):
    response = client.get("/staff/static/staff.css")
    assert response.status_code == 200
    assert response.mimetype == "text/css"
    assert "font-family" in response.get_data(as_text=True)


def admin_pages(regions, admin) -> list[str]:
    resident = ResidentFactory(community=regions.community,
                               household=HouseholdFactory(community_id=regions.community.id))
    category = CategoryFactory()
    submitted = ReportFactory(region=regions.grid, category=category)
    accepted = ReportFactory(region=regions.grid, category=category, accepted=True)
    in_progress = ReportFactory(region=regions.grid, category=category, in_progress=True,
                                assignee=admin)
    box = MailboxFactory(community=regions.community, name="主任信箱")
    letter = LetterFactory(mailbox=box, resident=resident, consent_to_publish=True,
                           replied=True)
    NotificationFactory(staff_id=admin.id, status="skipped")
    return ["/staff/login", "/staff/", "/staff/password", "/staff/residents",
            f"/staff/residents/{resident.id}", "/staff/admin/regions",
            f"/staff/admin/regions/{regions.community.id}", "/staff/admin/categories",
            "/staff/admin/staff", "/staff/admin/staff/new", f"/staff/admin/staff/{admin.id}",
            "/staff/admin/audit", "/staff/reports", "/staff/tasks",
            f"/staff/reports/{submitted.id}", f"/staff/reports/{accepted.id}",
            f"/staff/reports/{in_progress.id}", "/staff/letters", f"/staff/letters/{letter.id}",
            f"/staff/letters/{letter.id}/publication", "/staff/dashboard",
            "/staff/notifications", "/staff/admin/mailboxes", "/staff/admin/mailboxes/new",
            f"/staff/admin/mailboxes/{box.id}"]


def test_pages_load_nothing_from_elsewhere(pages, regions, admin):
    urls = admin_pages(regions, admin)
    pages.sign_in(admin)
    for url in urls:
        response = pages.get(url)
        assert response.status_code in (200, 302), url
        for asset in parts_of(response).assets:
            assert asset.startswith(("/staff/static/", "data:")), (url, asset)
        policy = response.headers["Content-Security-Policy"]
        assert "default-src 'self'" in policy and "script-src 'self'" in policy


def test_every_input_on_every_page_has_a_label(pages, regions, district_admin):
    urls = admin_pages(regions, district_admin) + ["/staff/admin/categories/new"]
    pages.sign_in(district_admin)
    for url in urls:
        parts = parts_of(pages.get(url))
        for control in parts.controls:
            labelled = (control.get("id") in parts.labels_for
                        or (control["in_fieldset"] and control.get("type") == "radio"))
            assert labelled, (url, control)


def test_pages_are_not_kept_by_browsers_or_proxies(pages, moderator):
    pages.sign_in(moderator)
    response = pages.get("/staff/")
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_page_outside_the_role_is_a_403_page_in_chinese(pages, handler):
    pages.sign_in(handler)
    response = pages.get("/staff/admin/staff")
    assert response.status_code == 403
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "没有权限" in page and "您的角色不能使用此页面" in page


def test_an_unknown_staff_address_is_a_404_page(client):
    response = client.get("/staff/no-such-page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "找不到该页面" in response.get_data(as_text=True)


def test_success_and_error_messages_are_announced_in_words(pages, admin, regions):
    pages.sign_in(admin)
    page = pages.post(f"/staff/admin/regions/{regions.grid.id}",
                      {"name": "和平一网格"}, follow=True).get_data(as_text=True)
    assert '<p class="message message-success" role="status"><strong>完成：</strong>' in page
    page = pages.post(f"/staff/admin/regions/{regions.grid.id}",
                      {"name": ""}).get_data(as_text=True)
    assert 'class="error-summary" role="alert"' in page
    assert "<strong>错误：</strong>此项必填" in page


def test_a_menu_item_can_depend_on_more_than_the_role(monkeypatch, pages, regions, admin):
    from app.staff import nav

    only_district = nav.NavItem("staff.audit_log", "区级页面", nav.ADMIN,
                                visible=lambda staff: staff.region.parent_id is None)
    monkeypatch.setattr(nav, "NAV", [nav.NAV[0], only_district])
    pages.sign_in(admin)  # an admin of a community
    assert [label for label, _ in parts_of(pages.get("/staff/")).menu] == ["首页"]
