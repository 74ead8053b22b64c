"""Administration of report categories and SLAs: admins read them, a 区 admin changes them."""

from __future__ import annotations

import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.categories.models import Category
from app.extensions import db
from tests.factories import CategoryFactory

FIELDS = {"name": "井盖缺失", "group_name": "市政设施", "description": "井盖丢失或破损",
          "response_sla_hours": "2", "completion_sla_hours": "24", "sort_order": "3",
          "keywords": "井盖,窨井"}


def category(code: str) -> Category | None:
    db.session.expire_all()
    return db.session.scalar(sa.select(Category).where(Category.code == code))


def test_every_admin_reads_the_categories(pages, admin):
    CategoryFactory(code="streetlight", name="路灯损坏", response_sla_hours=24)
    pages.sign_in(admin)
    page = pages.get("/staff/admin/categories").get_data(as_text=True)
    assert "路灯损坏" in page and "24 小时" in page
    assert "新增类别" not in page and "由区级管理员维护" in page


def test_an_admin_below_the_district_cannot_change_categories(pages, admin):
    streetlight = CategoryFactory(code="streetlight", name="路灯损坏")
    pages.sign_in(admin)
    assert pages.get("/staff/admin/categories/new").status_code == 403
    assert pages.post("/staff/admin/categories/new", {"code": "x", **FIELDS}).status_code == 403
    response = pages.post(f"/staff/admin/categories/{streetlight.id}/active", {"active": "0"})
    assert response.status_code == 403
    assert category("streetlight").active is True


def test_moderators_cannot_open_the_categories(pages, moderator):
    pages.sign_in(moderator)
    assert pages.get("/staff/admin/categories").status_code == 403


def test_a_district_admin_adds_a_category_and_it_is_audited(pages, district_admin):
    pages.sign_in(district_admin)
    response = pages.post("/staff/admin/categories/new", {"code": "manhole", **FIELDS})
    assert response.status_code == 302
    added = category("manhole")
    assert (added.name, added.response_sla_hours, added.completion_sla_hours, added.group_name) \
        == ("井盖缺失", 2, 24, "市政设施")
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "category.create"))
    assert (entry.object_id, entry.staff_id, entry.detail) == (added.id, district_admin.id,
                                                               {"code": "manhole"})


def test_a_used_code_is_said_beside_the_field(pages, district_admin):
    CategoryFactory(code="manhole")
    pages.sign_in(district_admin)
    response = pages.post("/staff/admin/categories/new", {"code": "manhole", **FIELDS})
    assert response.status_code == 409
    assert "该编码已被使用" in response.get_data(as_text=True)


def test_a_completion_time_shorter_than_the_response_time_is_refused(pages, district_admin):
    pages.sign_in(district_admin)
    response = pages.post("/staff/admin/categories/new", {
        "code": "manhole", **FIELDS, "response_sla_hours": "48", "completion_sla_hours": "24"})
    assert response.status_code == 422
    assert "办结时限不能短于响应时限" in response.get_data(as_text=True)
    assert category("manhole") is None


def test_numbers_and_codes_are_checked(pages, district_admin):
    pages.sign_in(district_admin)
    response = pages.post("/staff/admin/categories/new", {
        "code": "井盖", **FIELDS, "response_sla_hours": "两小时"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "只能用小写字母、数字、- 和 _" in page and "应为整数" in page


def test_a_district_admin_edits_the_slas(pages, district_admin):
    garbage = CategoryFactory(code="garbage", name="垃圾堆放", response_sla_hours=12,
                              completion_sla_hours=48)
    pages.sign_in(district_admin)
    assert 'value="12"' in pages.get(f"/staff/admin/categories/{garbage.id}").get_data(
        as_text=True)
    response = pages.post(f"/staff/admin/categories/{garbage.id}",
                          {**FIELDS, "name": "垃圾堆放", "response_sla_hours": "6"})
    assert response.status_code == 302
    assert category("garbage").response_sla_hours == 6
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "category.update"))
    assert entry.detail["changed"]["response_sla_hours"] == [12, 6]


def test_a_deactivated_category_is_no_longer_offered_to_residents(client, pages, district_admin):
    garbage = CategoryFactory(code="garbage", name="垃圾堆放")
    pages.sign_in(district_admin)
    response = pages.post(f"/staff/admin/categories/{garbage.id}/active", {"active": "0"})
    assert response.status_code == 302
    assert client.get("/api/v1/categories").json["categories"] == []
    pages.post(f"/staff/admin/categories/{garbage.id}/active", {"active": "1"})
    assert [c["code"] for c in client.get("/api/v1/categories").json["categories"]] == ["garbage"]
    assert db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id).where(
        AuditEntry.action.startswith("category."))).all() == ["category.deactivate",
                                                              "category.activate"]


def test_an_unknown_category_is_404(pages, district_admin):
    pages.sign_in(district_admin)
    assert pages.get("/staff/admin/categories/999").status_code == 404
