"""Staff sign-in, lockout, tokens, region scope and residency verification."""

import pytest
import sqlalchemy as sa

from app.accounts.models import AuthToken, Resident, StaffRole
from app.audit.models import AuditEntry
from app.extensions import db
from tests.factories import HouseholdFactory, ResidentFactory, StaffFactory
from tests.factories.core import STAFF_PASSWORD


@pytest.fixture
def handler(regions):
    return StaffFactory(username="wangwei", role=StaffRole.HANDLER, region=regions.community)


def login(client, username="wangwei", password=STAFF_PASSWORD):
    return client.post("/api/v1/staff/login", json={"username": username, "password": password})


def test_staff_login_returns_a_token_that_works(client, handler):
    response = login(client)
    assert response.status_code == 200
    assert response.json["staff"]["username"] == "wangwei"
    headers = {"Authorization": f"Bearer {response.json['token']}"}
    assert client.get("/api/v1/staff/me", headers=headers).json["role"] == "handler"


def test_staff_token_is_stored_only_as_a_hash(client, handler):
    token = login(client).json["token"]
    stored = db.session.scalars(sa.select(AuthToken.token_hash)).all()
    assert token not in stored
    assert len(stored) == 1 and len(stored[0]) == 64


def test_wrong_password_gets_401_in_chinese(client, handler):
    response = login(client, password="wrong-password")
    assert response.status_code == 401
    assert response.json["message"] == "用户名或密码不正确"


def test_unknown_user_gets_the_same_answer_as_a_wrong_password(client, handler):
    response = login(client, username="nobody")
    assert response.status_code == 401
    assert response.json["message"] == "用户名或密码不正确"


def test_five_failures_lock_the_account_even_for_the_right_password(client, handler, clock):
    for _ in range(5):
        assert login(client, password="wrong-password").status_code == 401
    response = login(client)
    assert response.status_code == 429
    assert "锁定" in response.json["message"]
    assert int(response.headers["Retry-After"]) > 0


def test_lockout_ends_after_its_time(client, handler, clock):
    for _ in range(5):
        login(client, password="wrong-password")
    clock.advance(minutes=16)
    assert login(client).status_code == 200


def test_failed_logins_are_audited(client, handler):
    login(client, password="wrong-password")
    entry = db.session.scalar(sa.select(AuditEntry))
    assert (entry.action, entry.staff_id) == ("staff.login_failed", handler.id)


def test_inactive_staff_cannot_sign_in(client, handler):
    handler.active = False
    db.session.commit()
    assert login(client).status_code == 401


def test_staff_logout_revokes_the_token(client, handler, auth_headers):
    headers = auth_headers(handler)
    assert client.post("/api/v1/staff/logout", headers=headers).status_code == 204
    response = client.get("/api/v1/staff/me", headers=headers)
    assert response.status_code == 401
    assert response.json["message"] == "登录已过期，请重新登录"


def test_staff_token_expires(client, handler, auth_headers, clock):
    headers = auth_headers(handler)
    clock.advance(days=2)
    assert client.get("/api/v1/staff/me", headers=headers).status_code == 401


def test_resident_token_cannot_use_staff_endpoints(client, regions, auth_headers):
    resident = ResidentFactory(community=regions.community)
    response = client.get("/api/v1/staff/me", headers=auth_headers(resident))
    assert response.status_code == 403


def test_handler_lists_only_residents_of_their_community(client, regions, handler, auth_headers):
    mine = ResidentFactory(community=regions.community)
    ResidentFactory(community=regions.other_community)
    response = client.get("/api/v1/staff/residents", headers=auth_headers(handler))
    assert response.status_code == 200
    assert [r["id"] for r in response.json["items"]] == [mine.id]
    assert response.json["meta"]["total"] == 1


def test_handler_cannot_fetch_a_resident_of_another_community(client, regions, handler,
                                                              auth_headers):
    other = ResidentFactory(community=regions.other_community)
    response = client.get(f"/api/v1/staff/residents/{other.id}", headers=auth_headers(handler))
    assert response.status_code == 404


def test_street_staff_see_every_community_of_their_street(client, regions, auth_headers):
    street_admin = StaffFactory(role=StaffRole.ADMIN, region=regions.street)
    ResidentFactory(community=regions.community)
    ResidentFactory(community=regions.other_community)
    ResidentFactory(community=regions.far_community)
    response = client.get("/api/v1/staff/residents", headers=auth_headers(street_admin))
    assert response.json["meta"]["total"] == 2


def test_moderator_confirms_residency_and_it_is_audited(client, regions, auth_headers):
    moderator = StaffFactory(role=StaffRole.MODERATOR, region=regions.community)
    resident = ResidentFactory(community=regions.community, phone_verified=True,
                               household=HouseholdFactory(community_id=regions.community.id))
    response = client.post(f"/api/v1/staff/residents/{resident.id}/verification",
                           json={"level": 2, "note": "已核对房产证"},
                           headers=auth_headers(moderator))
    assert response.status_code == 200
    assert response.json["verification_level"] == 2
    entry = db.session.scalar(sa.select(AuditEntry).where(
        AuditEntry.action == "resident.verification"))
    assert entry.detail == {"before": 1, "after": 2, "note": "已核对房产证"}
    assert entry.staff_id == moderator.id


def test_residency_cannot_be_confirmed_without_a_household(client, regions, auth_headers):
    moderator = StaffFactory(role=StaffRole.MODERATOR, region=regions.community)
    resident = ResidentFactory(community=regions.community)
    response = client.post(f"/api/v1/staff/residents/{resident.id}/verification",
                           json={"level": 2}, headers=auth_headers(moderator))
    assert response.status_code == 409


def test_handlers_cannot_confirm_residency(client, regions, handler, auth_headers):
    resident = ResidentFactory(community=regions.community)
    response = client.post(f"/api/v1/staff/residents/{resident.id}/verification",
                           json={"level": 2}, headers=auth_headers(handler))
    assert response.status_code == 403


def test_verification_outside_scope_is_404(client, regions, auth_headers):
    moderator = StaffFactory(role=StaffRole.MODERATOR, region=regions.community)
    resident = ResidentFactory(community=regions.other_community)
    response = client.post(f"/api/v1/staff/residents/{resident.id}/verification",
                           json={"level": 2}, headers=auth_headers(moderator))
    assert response.status_code == 404
    assert db.session.get(Resident, resident.id).verification_level == 0


def test_staff_create_command_adds_a_scoped_account(runner, regions):
    result = runner.invoke(args=["staff", "create", "--username", "liming", "--name", "李明",
                                 "--role", "moderator", "--region", "jj-syj-hp",
                                 "--password", "a-long-password"])
    assert result.exit_code == 0, result.output
    assert client_login_works(runner.app, "liming", "a-long-password")


def client_login_works(app, username, password):
    response = app.test_client().post("/api/v1/staff/login",
                                      json={"username": username, "password": password})
    return response.status_code == 200


def test_staff_create_refuses_a_short_password(runner, regions):
    result = runner.invoke(args=["staff", "create", "--username", "x", "--name", "X",
                                 "--role", "handler", "--region", "jj-syj-hp",
                                 "--password", "short"])
    assert result.exit_code != 0
    assert "密码至少 10 位" in result.output
