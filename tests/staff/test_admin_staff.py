"""Administration of staff accounts: the admin's subtree only, never a region outside it."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.accounts import service as accounts
from app.accounts.models import Staff, StaffRole
from app.audit.models import AuditEntry
from app.errors import Forbidden, Invalid
from app.extensions import db
from tests.factories import StaffFactory
from tests.staff.conftest import StaffPages

NEW_STAFF = {"display_name": "陈静", "username": "chenjing", "role": "handler",
             "phone": "13900001234", "password": "a-long-password", "confirm": "a-long-password"}


def staff_named(username: str) -> Staff | None:
    db.session.expire_all()
    return db.session.scalar(sa.select(Staff).where(Staff.username == username))


def last_action() -> AuditEntry:
    return db.session.scalar(sa.select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1))


def test_the_list_shows_staff_of_the_subtree_only(pages, regions, admin, handler, other_admin):
    StaffFactory(display_name="街道主任", role=StaffRole.ADMIN, region=regions.street)
    pages.sign_in(admin)
    page = pages.get("/staff/admin/staff").get_data(as_text=True)
    assert "张伟" in page and "赵敏" in page
    assert "孙丽" not in page and "街道主任" not in page


def test_the_list_is_filtered_by_name_and_role(pages, admin, handler, moderator):
    pages.sign_in(admin)
    page = pages.get("/staff/admin/staff?role=handler").get_data(as_text=True)
    assert "张伟" in page and "王芳" not in page
    page = pages.get("/staff/admin/staff?q=wangf").get_data(as_text=True)
    assert "王芳" in page and "张伟" not in page


def test_non_admins_cannot_open_the_staff_pages(pages, moderator, handler):
    pages.sign_in(moderator)
    assert pages.get("/staff/admin/staff").status_code == 403
    assert pages.get(f"/staff/admin/staff/{handler.id}").status_code == 403


def test_an_admin_creates_a_handler_for_a_grid_who_can_then_sign_in(client, app, pages,
                                                                     regions, admin):
    pages.sign_in(admin)
    response = pages.post("/staff/admin/staff/new", {**NEW_STAFF, "region_id": regions.grid2.id})
    assert response.status_code == 302
    created = staff_named("chenjing")
    assert (created.role, created.region_id, created.phone) == (StaffRole.HANDLER,
                                                                regions.grid2.id, "13900001234")
    assert response.headers["Location"] == f"/staff/admin/staff/{created.id}"
    entry = last_action()
    assert (entry.action, entry.staff_id, entry.region_id) == ("staff.create", admin.id,
                                                               regions.grid2.id)
    assert "a-long-password" not in str(entry.detail)
    newcomer = StaffPages(app.test_client())
    assert newcomer.login("chenjing", "a-long-password").status_code == 302


def test_the_region_choices_are_the_admins_subtree(pages, regions, admin):
    pages.sign_in(admin)
    page = pages.get("/staff/admin/staff/new").get_data(as_text=True)
    assert f'<option value="{regions.grid2.id}">' in page
    assert f'value="{regions.other_community.id}"' not in page
    assert f'value="{regions.street.id}"' not in page


def test_a_region_outside_the_subtree_cannot_be_granted(pages, regions, admin):
    pages.sign_in(admin)
    for region in (regions.other_community, regions.street):
        response = pages.post("/staff/admin/staff/new", {**NEW_STAFF, "region_id": region.id})
        assert response.status_code == 422
    assert staff_named("chenjing") is None


def test_the_service_refuses_a_region_outside_scope_whatever_the_form(regions, admin):
    with pytest.raises(Invalid) as refused:
        accounts.create_staff_by_admin(admin, username="x", password="a-long-password",
                                       display_name="X", role="admin",
                                       region_id=regions.street.id)
    assert refused.value.errors == {"region_id": ["只能选择您辖区内的区域"]}


def test_the_service_refuses_non_admins(regions, moderator):
    with pytest.raises(Forbidden):
        accounts.create_staff_by_admin(moderator, username="x", password="a-long-password",
                                       display_name="X", role="handler",
                                       region_id=regions.grid.id)


def test_a_taken_username_is_said_beside_the_field(pages, regions, admin, handler):
    pages.sign_in(admin)
    response = pages.post("/staff/admin/staff/new", {**NEW_STAFF, "username": "zhangwei",
                                                     "region_id": regions.grid.id})
    assert response.status_code == 409
    assert "用户名已被使用" in response.get_data(as_text=True)


def test_a_short_or_mismatched_password_is_refused(pages, regions, admin):
    pages.sign_in(admin)
    response = pages.post("/staff/admin/staff/new", {**NEW_STAFF, "region_id": regions.grid.id,
                                                     "password": "short", "confirm": "other"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "密码应为 10 到 200 位" in page and "两次输入不一致" in page
    assert staff_named("chenjing") is None


def test_staff_outside_the_subtree_are_404(pages, regions, admin, other_admin):
    street_head = StaffFactory(role=StaffRole.ADMIN, region=regions.street)
    pages.sign_in(admin)
    for member in (other_admin, street_head):
        assert pages.get(f"/staff/admin/staff/{member.id}").status_code == 404
        response = pages.post(f"/staff/admin/staff/{member.id}/active", {"active": "0"})
        assert response.status_code == 404
        assert staff_named(member.username).active is True


def test_deactivating_signs_the_staff_member_out_at_once(app, pages, admin, handler):
    their_browser = StaffPages(app.test_client()).sign_in(handler)
    pages.sign_in(admin)
    response = pages.post(f"/staff/admin/staff/{handler.id}/active", {"active": "0"})
    assert response.status_code == 302
    assert staff_named("zhangwei").active is False
    assert last_action().action == "staff.deactivate"
    assert their_browser.get("/staff/").status_code == 302
    assert their_browser.login("zhangwei").status_code == 401


def test_a_deactivated_account_can_be_enabled_again(pages, admin, handler):
    handler.active = False
    db.session.commit()
    pages.sign_in(admin)
    pages.post(f"/staff/admin/staff/{handler.id}/active", {"active": "1"})
    assert staff_named("zhangwei").active is True
    assert last_action().action == "staff.activate"


def test_an_admin_cannot_deactivate_themselves(pages, admin):
    pages.sign_in(admin)
    response = pages.post(f"/staff/admin/staff/{admin.id}/active", {"active": "0"})
    assert response.status_code == 409
    assert "不能停用自己的账号" in response.get_data(as_text=True)
    assert staff_named("hpadmin").active is True


def test_resetting_a_password_signs_them_out_and_lifts_a_lockout(app, pages, admin, handler,
                                                                 clock):
    their_browser = StaffPages(app.test_client()).sign_in(handler)
    for _ in range(5):
        StaffPages(app.test_client()).login("zhangwei", "wrong-password")
    pages.sign_in(admin)
    assert "已锁定" in pages.get(f"/staff/admin/staff/{handler.id}").get_data(as_text=True)
    response = pages.post(f"/staff/admin/staff/{handler.id}/password",
                          {"password": "new-long-password", "confirm": "new-long-password"})
    assert response.status_code == 302
    assert their_browser.get("/staff/").status_code == 302
    assert StaffPages(app.test_client()).login("zhangwei", "new-long-password").status_code == 302
    entry = db.session.scalar(sa.select(AuditEntry).where(
        AuditEntry.action == "staff.password_reset"))
    assert entry.detail == {} and entry.object_id == handler.id


def test_an_admin_resets_their_own_password_only_on_the_password_page(pages, admin):
    pages.sign_in(admin)
    response = pages.post(f"/staff/admin/staff/{admin.id}/password",
                          {"password": "new-long-password", "confirm": "new-long-password"})
    assert response.status_code == 409


def test_unlocking_lifts_a_lockout(app, pages, admin, handler, clock):
    for _ in range(5):
        StaffPages(app.test_client()).login("zhangwei", "wrong-password")
    pages.sign_in(admin)
    response = pages.post(f"/staff/admin/staff/{handler.id}/unlock")
    assert response.status_code == 302
    assert staff_named("zhangwei").locked_until is None
    assert StaffPages(app.test_client()).login("zhangwei").status_code == 302
    assert db.session.scalar(sa.select(AuditEntry.action).where(
        AuditEntry.action == "staff.unlock")) == "staff.unlock"
