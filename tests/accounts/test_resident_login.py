"""Resident sign-in through code2session, tokens, development login and the profile."""

import pytest
import sqlalchemy as sa

from app import create_app
from app.accounts.models import AuthToken, Resident
from app.extensions import db
from app.wechat.console import dev_openid
from tests.factories import HouseholdFactory, ResidentFactory


def login(client, code="ok:oRESIDENT1"):
    return client.post("/api/v1/auth/login", json={"code": code})


def test_login_creates_the_resident_and_returns_a_token(client):
    response = login(client)
    assert response.status_code == 200
    body = response.json
    assert body["resident"]["verification_level"] == 0
    assert body["expires_at"].endswith("+08:00")
    resident = db.session.scalar(sa.select(Resident))
    assert resident.mp_openid == "oRESIDENT1"


def test_logging_in_again_finds_the_same_resident(client):
    first = login(client).json["resident"]["id"]
    assert login(client).json["resident"]["id"] == first
    assert db.session.query(Resident).count() == 1


def test_login_does_not_fetch_an_access_token(client, wechat):
    login(client)
    assert wechat.calls("/sns/jscode2session")
    assert wechat.calls("/cgi-bin/stable_token") == []


def test_unionid_joins_a_resident_the_bot_already_knew(client):
    known = ResidentFactory(mp_openid=None, oa_openid="oOA1", unionid="UNION1")
    response = login(client, "ok:oMP1:UNION1")
    assert response.json["resident"]["id"] == known.id
    assert db.session.get(Resident, known.id).mp_openid == "oMP1"


def test_token_is_stored_only_as_a_hash(client):
    token = login(client).json["token"]
    hashes = db.session.scalars(sa.select(AuthToken.token_hash)).all()
    assert token not in hashes and len(hashes[0]) == 64


def test_token_opens_me(client):
    token = login(client).json["token"]
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200


@pytest.mark.parametrize("code, errcode", [("bogus", 40029), ("used", 40163)])
def test_invalid_or_used_code_gets_401_in_chinese(client, code, errcode):
    response = login(client, code)
    assert response.status_code == 401
    assert response.json["message"] == "登录凭证无效或已使用，请重新打开小程序"
    assert db.session.query(Resident).count() == 0


def test_wechat_outage_gets_503(client, wechat):
    wechat.fail_next("/sns/jscode2session", status=502)
    response = login(client)
    assert response.status_code == 503
    assert "稍后再试" in response.json["message"]


def test_missing_body_gets_422(client):
    response = client.post("/api/v1/auth/login")
    assert response.status_code == 422
    assert response.json["errors"] == {"code": ["此项必填"]}


def test_over_long_code_gets_422(client):
    assert login(client, "x" * 500).status_code == 422


def test_huge_body_gets_413(client, app):
    response = client.post("/api/v1/auth/login", data="{" + " " * app.config["MAX_CONTENT_LENGTH"],
                           content_type="application/json")
    assert response.status_code == 413


def test_logins_are_rate_limited_per_client(client, app):
    limit = app.config["LOGIN_RATE_LIMIT_PER_MINUTE"]
    for _ in range(limit):
        assert login(client, "bogus").status_code == 401
    response = login(client)
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) >= 1


def test_token_stops_working_after_logout(client):
    headers = {"Authorization": f"Bearer {login(client).json['token']}"}
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_token_expires(client, clock):
    headers = {"Authorization": f"Bearer {login(client).json['token']}"}
    clock.advance(days=31)
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_unknown_token_gets_401(client):
    response = client.get("/api/v1/me", headers={"Authorization": "Bearer not-a-token"})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_no_token_gets_401(client):
    assert client.get("/api/v1/me").json["message"] == "请先登录"


def test_staff_token_cannot_use_resident_endpoints(client, regions, auth_headers):
    from tests.factories import StaffFactory

    staff = StaffFactory(region=regions.community)
    assert client.get("/api/v1/me", headers=auth_headers(staff)).status_code == 403


# --- development login ----------------------------------------------------------------------

def test_dev_codes_are_refused_when_the_mini_program_is_configured(client):
    assert login(client, "dev:zhangayi").status_code == 401


@pytest.fixture
def dev_client(test_environ):
    environ = {**test_environ, "LINLI_ENV": "development", "WECHAT_MP_APP_ID": "",
               "WECHAT_MP_SECRET": "", "WECHAT_OA_APP_ID": "", "WECHAT_OA_SECRET": ""}
    return create_app({"ENVIRON": environ}).test_client()


def test_development_login_maps_a_name_to_a_stable_resident(dev_client):
    first = dev_client.post("/api/v1/auth/login", json={"code": "dev:zhangayi"})
    again = dev_client.post("/api/v1/auth/login", json={"code": "dev:zhangayi"})
    assert first.status_code == 200
    assert first.json["resident"]["id"] == again.json["resident"]["id"]
    resident = db.session.get(Resident, first.json["resident"]["id"])
    assert resident.mp_openid == dev_openid("zhangayi")


def test_development_login_refuses_other_codes(dev_client):
    assert dev_client.post("/api/v1/auth/login", json={"code": "abc"}).status_code == 401


# --- profile ---------------------------------------------------------------------------------

@pytest.fixture
def resident(regions):
    return ResidentFactory(community=regions.community)


def test_me_shows_the_profile(client, resident, regions, auth_headers):
    response = client.get("/api/v1/me", headers=auth_headers(resident))
    assert response.json["community"] == {"id": regions.community.id, "name": "和平社区"}
    assert response.json["household"] is None


def test_patch_me_sets_nickname_household_and_elder_mode(client, resident, auth_headers):
    response = client.patch("/api/v1/me", headers=auth_headers(resident),
                            json={"nickname": " 张阿姨 ", "household": "3栋2单元501室",
                                  "elder_mode": True})
    assert response.status_code == 200
    assert response.json["nickname"] == "张阿姨"
    assert response.json["household"] == "3-2-501"
    assert response.json["elder_mode"] is True


def test_patch_me_refuses_a_malformed_household(client, resident, auth_headers):
    response = client.patch("/api/v1/me", headers=auth_headers(resident),
                            json={"household": "somewhere"})
    assert response.status_code == 422
    assert "楼栋-单元-室" in response.json["errors"]["household"][0]


def test_patch_me_refuses_a_region_that_is_not_a_community(client, resident, regions,
                                                           auth_headers):
    response = client.patch("/api/v1/me", headers=auth_headers(resident),
                            json={"community_id": regions.street.id})
    assert response.status_code == 422


def test_moving_community_drops_a_confirmed_residency(client, regions, auth_headers):
    resident = ResidentFactory(community=regions.community, resident_verified=True)
    response = client.patch("/api/v1/me", headers=auth_headers(resident),
                            json={"community_id": regions.other_community.id})
    assert response.json["verification_level"] == 1
    assert response.json["household"] is None


def test_patch_me_refuses_unknown_fields(client, resident, auth_headers):
    response = client.patch("/api/v1/me", headers=auth_headers(resident),
                            json={"verification_level": 2})
    assert response.status_code == 422
    assert response.json["errors"] == {"verification_level": ["不认识的字段"]}


def test_binding_a_phone_raises_the_level_and_masks_the_number(client, resident, auth_headers):
    response = client.post("/api/v1/me/phone", headers=auth_headers(resident),
                           json={"code": "phone:13812345678"})
    assert response.status_code == 200
    assert response.json["verification_level"] == 1
    assert response.json["phone"] == "138****5678"
    stored = db.session.get(Resident, resident.id)
    assert "13812345678" not in (stored.phone_hash, stored.phone_masked)


def test_a_household_is_shared_by_its_members(client, regions, auth_headers):
    HouseholdFactory(community_id=regions.community.id, building="3", unit="2", room="501")
    a = ResidentFactory(community=regions.community)
    b = ResidentFactory(community=regions.community)
    client.patch("/api/v1/me", headers=auth_headers(a), json={"household": "3-2-501"})
    client.patch("/api/v1/me", headers=auth_headers(b), json={"household": "3-2-501"})
    assert db.session.get(Resident, a.id).household_id == db.session.get(Resident, b.id).household_id
