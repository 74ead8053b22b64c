"""Signing in and out of the staff pages: database sessions, expiry, lockout, CSRF, audit."""

from __future__ import annotations

import sqlalchemy as sa

from app.accounts.models import AuthToken
from app.audit.models import AuditEntry
from app.config import load_config
from app.extensions import db
from app.staff.auth import SESSION_COOKIE
from tests.factories.core import STAFF_PASSWORD
from tests.staff.conftest import csrf_token_in


def session_cookie(client):
    return client.get_cookie(SESSION_COOKIE, path="/staff")


def test_pages_send_a_visitor_to_the_sign_in_page_and_back(client, pages, moderator):
    response = client.get("/staff/residents?status=awaiting")
    assert response.status_code == 302
    assert response.headers["Location"] == "/staff/login?next=/staff/residents?status%3Dawaiting"
    response = pages.login("wangfang", next_url="/staff/residents?status=awaiting")
    assert response.status_code == 302
    assert response.headers["Location"] == "/staff/residents?status=awaiting"


def test_the_sign_in_page_asks_politely_for_a_sign_in(client, moderator):
    page = client.get("/staff/", follow_redirects=True).get_data(as_text=True)
    assert 'role="status"' in page and "请先登录" in page
    assert '<label for="username">用户名' in page


def test_signing_in_sets_a_session_cookie_only_the_staff_pages_receive(pages, moderator):
    response = pages.login("wangfang")
    header = next(h for h in response.headers.getlist("Set-Cookie")
                  if h.startswith(SESSION_COOKIE + "="))
    assert "HttpOnly" in header
    assert "SameSite=Lax" in header
    assert "Path=/staff" in header
    assert "Secure" not in header  # testing; production below


def test_cookies_are_secure_in_production():
    config = load_config({"LINLI_ENV": "production"})
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_the_session_is_stored_only_as_a_hash(client, pages, moderator):
    pages.login("wangfang")
    value = session_cookie(client).value
    stored = db.session.scalars(sa.select(AuthToken.token_hash)).all()
    assert len(stored) == 1 and value not in stored[0]


def test_a_session_cookie_is_not_a_bearer_token(client, pages, moderator):
    pages.login("wangfang")
    value = session_cookie(client).value
    response = client.get("/api/v1/staff/me", headers={"Authorization": f"Bearer {value}"})
    assert response.status_code == 401


def test_a_bearer_token_is_not_a_session_cookie(client, moderator, auth_headers):
    token = auth_headers(moderator)["Authorization"].removeprefix("Bearer ")
    client.set_cookie(SESSION_COOKIE, token, path="/staff")
    assert client.get("/staff/").status_code == 302


def test_a_signed_in_staff_member_is_sent_on_from_the_sign_in_page(pages, moderator):
    pages.sign_in(moderator)
    response = pages.get("/staff/login")
    assert response.status_code == 302
    assert response.headers["Location"] == "/staff/"


def test_next_leading_outside_the_staff_pages_is_ignored(pages, moderator):
    for target in ("https://evil.example/", "//evil.example/staff", "/api/v1/me", "/\\evil",
                   "/staffroom"):
        pages.client.delete_cookie(SESSION_COOKIE, path="/staff")
        response = pages.login("wangfang", next_url=target)
        assert response.headers["Location"] == "/staff/", target


def test_a_wrong_password_is_said_on_the_form(pages, moderator):
    response = pages.login("wangfang", "wrong-password")
    assert response.status_code == 401
    page = response.get_data(as_text=True)
    assert 'role="alert"' in page and "用户名或密码不正确" in page
    assert 'value="wangfang"' in page  # the user name is kept


def test_an_unknown_user_gets_the_same_answer(pages, moderator):
    response = pages.login("nobody", "wrong-password")
    assert response.status_code == 401
    assert "用户名或密码不正确" in response.get_data(as_text=True)


def test_an_empty_form_says_what_is_missing(pages):
    response = pages.post("/staff/login", {"username": "", "password": ""})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "请修改以下内容" in page and "此项必填" in page
    assert 'aria-invalid="true"' in page


def test_repeated_failures_lock_the_account_with_a_message(pages, moderator, clock):
    for _ in range(5):
        assert pages.login("wangfang", "wrong-password").status_code == 401
    response = pages.login("wangfang")
    assert response.status_code == 429
    assert "账号已临时锁定，请 15 分钟后再试" in response.get_data(as_text=True)
    assert session_cookie(pages.client) is None
    clock.advance(minutes=16)
    assert pages.login("wangfang").status_code == 302


def test_sign_in_and_failures_are_audited_with_the_address(pages, moderator):
    pages.login("wangfang", "wrong-password")
    pages.login("wangfang")
    entries = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [(e.action, e.staff_id) for e in entries] == [
        ("staff.login_failed", moderator.id), ("staff.login", moderator.id)]
    assert entries[1].detail == {"via": "web"}
    assert entries[1].ip == "127.0.0.1"


def test_logging_out_revokes_the_session_everywhere(client, pages, moderator):
    pages.sign_in(moderator)
    value = session_cookie(client).value
    response = pages.post("/staff/logout")
    assert response.status_code == 302 and response.headers["Location"] == "/staff/login"
    assert session_cookie(client) is None
    # A copy of the cookie kept elsewhere no longer works either.
    client.set_cookie(SESSION_COOKIE, value, path="/staff")
    assert client.get("/staff/").status_code == 302
    assert db.session.scalar(sa.select(AuthToken.revoked_at)) is not None
    assert db.session.scalar(sa.select(AuditEntry.action).order_by(AuditEntry.id.desc())
                             .limit(1)) == "staff.logout"


def test_logging_out_needs_a_post(pages, moderator):
    pages.sign_in(moderator)
    assert pages.get("/staff/logout").status_code == 405


def test_an_idle_session_expires(pages, moderator, clock):
    pages.sign_in(moderator)
    clock.advance(minutes=61)
    response = pages.get("/staff/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/staff/login")
    assert "登录已过期，请重新登录" in pages.get("/staff/login").get_data(as_text=True)


def test_the_cookie_of_an_expired_session_is_cleared(client, pages, moderator, clock):
    pages.sign_in(moderator)
    clock.advance(minutes=61)
    client.get("/staff/")
    assert session_cookie(client) is None


def test_signing_in_again_over_an_expired_session_keeps_the_new_one(client, pages, moderator,
                                                                   clock):
    pages.sign_in(moderator)
    clock.advance(minutes=61)
    # The sign-in form was left open; the stale cookie is still sent with the new sign-in.
    assert pages.post("/staff/login", {"username": "wangfang",
                                       "password": STAFF_PASSWORD}).status_code == 302
    assert session_cookie(client) is not None
    assert pages.get("/staff/").status_code == 200


def test_using_the_pages_keeps_the_session_alive(pages, moderator, clock):
    pages.sign_in(moderator)
    for _ in range(4):
        clock.advance(minutes=50)
        assert pages.get("/staff/").status_code == 200


def test_a_session_ends_at_its_absolute_lifetime_however_busy(pages, moderator, clock):
    pages.sign_in(moderator)
    for _ in range(14):  # 11 h 40 min of steady use
        clock.advance(minutes=50)
        assert pages.get("/staff/").status_code == 200
    clock.advance(minutes=21)
    assert pages.get("/staff/").status_code == 302


def test_a_deactivated_staff_member_is_signed_out(pages, moderator):
    pages.sign_in(moderator)
    moderator.active = False
    db.session.commit()
    assert pages.get("/staff/").status_code == 302


def test_a_form_posted_without_the_csrf_token_is_refused(client, pages, moderator):
    pages.sign_in(moderator)
    response = client.post("/staff/logout")
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "页面已过期或来源不明" in page and 'role="alert"' in page
    assert client.get("/staff/").status_code == 200  # still signed in


def test_a_form_posted_with_a_forged_token_is_refused(client, pages, moderator):
    pages.sign_in(moderator)
    response = client.post("/staff/logout", data={"csrf_token": "forged"})
    assert response.status_code == 400


def test_the_sign_in_form_itself_needs_the_csrf_token(client, moderator):
    response = client.post("/staff/login", data={"username": "wangfang",
                                                 "password": STAFF_PASSWORD})
    assert response.status_code == 400
    assert session_cookie(client) is None


def test_the_json_api_is_not_asked_for_a_csrf_token(client, moderator):
    response = client.post("/api/v1/staff/login",
                           json={"username": "wangfang", "password": STAFF_PASSWORD})
    assert response.status_code == 200


def test_every_page_carries_a_csrf_token(pages, moderator):
    pages.sign_in(moderator)
    assert csrf_token_in(pages.get("/staff/").get_data(as_text=True))
