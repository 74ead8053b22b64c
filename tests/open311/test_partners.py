"""Partners and their keys: admins create, list and revoke them (audit-logged); the command
line does the same; only the key's hash is kept."""

from __future__ import annotations

import hashlib

import sqlalchemy as sa

from app.accounts.models import StaffRole
from app.audit.models import AuditEntry
from app.extensions import db
from app.open311.models import Partner
from tests.factories import PartnerFactory, StaffFactory
from tests.open311.helpers import assert_error, check, filing, post_request

URL = "/api/v1/staff/open311-partners"


def create(client, headers, **body):
    return client.post(URL, headers=headers, json={"name": "锦江区12345热线平台", **body})


def audit_actions() -> list[tuple[str, int | None]]:
    return [(entry.action, entry.staff_id) for entry in
            db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id))]


def test_an_admin_creates_a_partner_and_sees_its_key_once(client, admin, auth_headers):
    response = create(client, auth_headers(admin), contact="李工 028-12345000",
                      rate_limit_per_minute=30)
    assert response.status_code == 201
    body = response.json
    assert body["api_key"].startswith("o311_") and len(body["api_key"]) > 40
    assert (body["name"], body["contact"], body["region"]["id"], body["rate_limit_per_minute"],
            body["active"]) == ("锦江区12345热线平台", "李工 028-12345000", admin.region_id, 30,
                                True)
    assert body["key_prefix"] == body["api_key"][:10]


def test_only_the_keys_hash_is_stored(client, admin, auth_headers):
    api_key = create(client, auth_headers(admin)).json["api_key"]
    partner = db.session.scalar(sa.select(Partner))
    assert partner.key_hash == hashlib.sha256(api_key.encode()).hexdigest()
    assert api_key not in repr([getattr(partner, c.key) for c in Partner.__table__.columns])


def test_the_new_key_files_at_once(client, admin, auth_headers, regions, category):
    api_key = create(client, auth_headers(admin)).json["api_key"]
    check(post_request(client, **filing(regions, api_key=api_key)), "json",
          "post_request_response")


def test_creating_a_partner_is_audit_logged_without_the_key(client, admin, auth_headers):
    api_key = create(client, auth_headers(admin)).json["api_key"]
    entry = db.session.scalar(sa.select(AuditEntry))
    assert (entry.action, entry.staff_id, entry.object_type) == (
        "open311_partner.create", admin.id, "open311_partner")
    assert api_key not in str(entry.detail)


def test_a_partner_may_be_bound_to_a_community_in_scope(client, admin, auth_headers, regions):
    body = create(client, auth_headers(admin), region_id=regions.community.id).json
    assert body["region"] == {"id": regions.community.id, "name": "和平社区",
                              "level": "community"}


def test_an_admin_cannot_bind_a_partner_outside_their_scope(client, regions, auth_headers):
    community_admin = StaffFactory(region=regions.community, role=StaffRole.ADMIN)
    response = create(client, auth_headers(community_admin), region_id=regions.far_community.id)
    assert response.status_code == 404
    assert db.session.scalar(sa.select(Partner)) is None


def test_moderators_and_handlers_cannot_manage_partners(client, moderator, handler,
                                                        auth_headers):
    for staff in (moderator, handler):
        assert create(client, auth_headers(staff)).status_code == 403
        assert client.get(URL, headers=auth_headers(staff)).status_code == 403


def test_residents_cannot_manage_partners(client, resident, auth_headers):
    assert create(client, auth_headers(resident)).status_code == 403


def test_a_partner_name_is_unique(client, admin, auth_headers):
    create(client, auth_headers(admin))
    response = create(client, auth_headers(admin))
    assert response.status_code == 409 and "name" in response.json["errors"]


def test_invalid_partner_input_is_422(client, admin, auth_headers):
    response = create(client, auth_headers(admin), name="", rate_limit_per_minute=0)
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"name", "rate_limit_per_minute"}


def test_admins_list_the_partners_in_their_scope_without_keys(client, admin, regions,
                                                              auth_headers):
    mine = PartnerFactory(region=regions.community)
    PartnerFactory(region=regions.far_community)
    community_admin = StaffFactory(region=regions.community, role=StaffRole.ADMIN)
    listed = client.get(URL, headers=auth_headers(community_admin)).json
    assert [p["id"] for p in listed["items"]] == [mine.id]
    assert "api_key" not in listed["items"][0] and "key_hash" not in listed["items"][0]
    assert len(client.get(URL, headers=auth_headers(admin)).json["items"]) == 2


def test_an_admin_revokes_a_partner_and_its_key_stops_working(client, admin, partner, regions,
                                                              auth_headers):
    response = client.post(f"{URL}/{partner.id}/revoke", headers=auth_headers(admin))
    assert response.status_code == 200
    assert (response.json["active"], response.json["revoked_at"] is not None) == (False, True)
    assert_error(post_request(client, **filing(regions)), 403)
    assert audit_actions() == [("open311_partner.revoke", admin.id)]


def test_revoking_twice_is_409(client, admin, partner, auth_headers):
    client.post(f"{URL}/{partner.id}/revoke", headers=auth_headers(admin))
    assert client.post(f"{URL}/{partner.id}/revoke",
                       headers=auth_headers(admin)).status_code == 409


def test_a_partner_outside_the_admins_scope_is_404(client, regions, auth_headers):
    other = PartnerFactory(region=regions.far_community)
    community_admin = StaffFactory(region=regions.community, role=StaffRole.ADMIN)
    for response in (client.get(f"{URL}/{other.id}", headers=auth_headers(community_admin)),
                     client.post(f"{URL}/{other.id}/revoke",
                                 headers=auth_headers(community_admin))):
        assert response.status_code == 404
    assert db.session.get(Partner, other.id).active is True


def test_the_command_line_creates_a_partner_and_prints_its_key(runner, regions, category):
    result = runner.invoke(args=["open311", "partner", "create", "--name", "12345热线",
                                 "--region", "jj-syj-hp", "--rate-limit", "10"])
    assert result.exit_code == 0, result.output
    api_key = next(line.split(": ", 1)[1] for line in result.output.splitlines()
                   if line.startswith("api_key: "))
    partner = db.session.scalar(sa.select(Partner))
    assert (partner.region_id, partner.rate_limit_per_minute) == (regions.community.id, 10)
    assert partner.key_hash == hashlib.sha256(api_key.encode()).hexdigest()
    assert audit_actions() == [("open311_partner.create", None)]


def test_the_command_line_refuses_an_unknown_region(runner, regions):
    result = runner.invoke(args=["open311", "partner", "create", "--name", "x",
                                 "--region", "nowhere"])
    assert result.exit_code != 0 and "nowhere" in result.output


def test_the_command_line_lists_and_revokes_partners(runner, partner):
    listed = runner.invoke(args=["open311", "partner", "list"])
    assert "锦江区12345热线平台" in listed.output and "active" in listed.output
    revoked = runner.invoke(args=["open311", "partner", "revoke", str(partner.id)])
    assert revoked.exit_code == 0
    assert db.session.get(Partner, partner.id).active is False
    again = runner.invoke(args=["open311", "partner", "revoke", str(partner.id)])
    assert again.exit_code != 0
