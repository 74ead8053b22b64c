"""A staff member changes their own password: other sessions end, this one goes on."""

from __future__ import annotations

import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.extensions import db
from tests.factories.core import STAFF_PASSWORD
from tests.staff.conftest import StaffPages

NEW = "a-new-long-password"


def test_changing_ones_password_ends_other_sessions_but_not_this_one(app, pages, moderator):
    phone = StaffPages(app.test_client()).sign_in(moderator)
    pages.sign_in(moderator)
    response = pages.post("/staff/password", {"current_password": STAFF_PASSWORD,
                                              "new_password": NEW, "confirm_password": NEW})
    assert response.status_code == 302
    assert pages.get("/staff/").status_code == 200
    assert phone.get("/staff/").status_code == 302
    assert StaffPages(app.test_client()).login("wangfang", NEW).status_code == 302
    assert db.session.scalar(sa.select(AuditEntry.action).where(
        AuditEntry.action == "staff.password_change")) == "staff.password_change"


def test_a_wrong_current_password_is_said_beside_the_field(pages, moderator):
    pages.sign_in(moderator)
    response = pages.post("/staff/password", {"current_password": "not-it",
                                              "new_password": NEW, "confirm_password": NEW})
    assert response.status_code == 422
    assert "当前密码不正确" in response.get_data(as_text=True)
    assert pages.get("/staff/").status_code == 200


def test_the_new_password_must_differ_and_be_typed_twice_alike(pages, moderator):
    pages.sign_in(moderator)
    response = pages.post("/staff/password", {"current_password": STAFF_PASSWORD,
                                              "new_password": STAFF_PASSWORD,
                                              "confirm_password": STAFF_PASSWORD})
    assert response.status_code == 422
    assert "新密码不能与当前密码相同" in response.get_data(as_text=True)
    response = pages.post("/staff/password", {"current_password": STAFF_PASSWORD,
                                              "new_password": NEW, "confirm_password": "other"})
    assert "两次输入不一致" in response.get_data(as_text=True)
