"""Admins define each community's mailboxes: name, who answers, reply SLA."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.accounts.models import StaffRole
from app.extensions import db
from app.mailbox.models import Letter, Mailbox
from tests.factories import StaffFactory
from tests.mailbox.conftest import audit_entries


def create(client, auth_headers, staff, **fields):
    return client.post("/api/v1/staff/mailboxes", json=fields, headers=auth_headers(staff))


def test_an_admin_creates_a_mailbox_with_its_members(client, auth_headers, community_admin,
                                                     director, regions):
    response = create(client, auth_headers, community_admin, community_id=regions.community.id,
                      name="主任信箱", description="社区居委会主任答复", reply_sla_hours=48,
                      member_ids=[director.id])
    assert response.status_code == 201
    assert response.json["members"] == [
        {"id": director.id, "display_name": "王芳", "role": "moderator"}]
    mailbox = db.session.scalars(sa.select(Mailbox)).one()
    assert (mailbox.name, mailbox.reply_sla_hours, mailbox.restricted) == ("主任信箱", 48, False)
    [entry] = audit_entries("mailbox.create")
    assert entry.object_id == mailbox.id and entry.detail["member_ids"] == [director.id]


def test_only_admins_define_mailboxes(client, auth_headers, director, regions):
    response = create(client, auth_headers, director, community_id=regions.community.id,
                      name="主任信箱")
    assert response.status_code == 403
    assert db.session.scalar(sa.select(sa.func.count(Mailbox.id))) == 0


def test_an_admin_cannot_define_a_mailbox_outside_their_scope(client, auth_headers,
                                                              community_admin, regions):
    response = create(client, auth_headers, community_admin,
                      community_id=regions.other_community.id, name="主任信箱")
    assert response.status_code == 404


def test_a_mailbox_belongs_to_a_community_not_a_grid(client, auth_headers, community_admin,
                                                     regions):
    response = create(client, auth_headers, community_admin, community_id=regions.grid.id,
                      name="网格信箱")
    assert response.status_code == 422


def test_two_mailboxes_of_a_community_cannot_share_a_name(client, auth_headers, community_admin,
                                                          director_box, regions):
    response = create(client, auth_headers, community_admin, community_id=regions.community.id,
                      name="主任信箱")
    assert response.status_code == 409
    assert response.json["errors"] == {"name": ["该社区已有同名信箱"]}


@pytest.mark.parametrize("who", ["other_community", "grid", "inactive"])
def test_members_must_be_active_staff_responsible_for_the_community(client, auth_headers,
                                                                   community_admin, regions, who):
    member = {
        "other_community": lambda: StaffFactory(region=regions.other_community),
        "grid": lambda: StaffFactory(region=regions.grid),
        "inactive": lambda: StaffFactory(region=regions.community, active=False),
    }[who]()
    response = create(client, auth_headers, community_admin, community_id=regions.community.id,
                      name="主任信箱", member_ids=[member.id])
    assert response.status_code == 422
    assert "member_ids" in response.json["errors"]


@pytest.mark.parametrize("fields", [{"reply_sla_hours": 0}, {"reply_sla_hours": 721},
                                    {"name": ""}, {"name": "名" * 31}, {"member_ids": ["1"]}])
def test_invalid_mailbox_settings_get_422(client, auth_headers, community_admin, regions, fields):
    body = {"community_id": regions.community.id, "name": "主任信箱", **fields}
    assert create(client, auth_headers, community_admin, **body).status_code == 422


def test_an_admin_edits_the_sla_and_members_and_it_is_audited(client, auth_headers,
                                                              community_admin, director_box,
                                                              secretary):
    response = client.patch(f"/api/v1/staff/mailboxes/{director_box.id}",
                            json={"reply_sla_hours": 24, "member_ids": [secretary.id]},
                            headers=auth_headers(community_admin))
    assert response.status_code == 200
    db.session.refresh(director_box)
    assert director_box.reply_sla_hours == 24
    assert [m.id for m in director_box.members] == [secretary.id]
    [entry] = audit_entries("mailbox.update")
    assert entry.detail == {"reply_sla_hours": 24, "member_ids": [secretary.id]}


def test_a_new_sla_applies_to_new_letters_only(client, auth_headers, community_admin,
                                               director_box, write, resident, clock):
    write(resident, director_box)
    client.patch(f"/api/v1/staff/mailboxes/{director_box.id}", json={"reply_sla_hours": 24},
                 headers=auth_headers(community_admin))
    write(resident, director_box)
    dues = db.session.scalars(sa.select(Letter.first_reply_due_at).order_by(Letter.id)).all()
    assert dues == [clock.moment + timedelta(hours=72), clock.moment + timedelta(hours=24)]


def test_a_deactivated_mailbox_disappears_for_residents(client, auth_headers, community_admin,
                                                        director_box, resident):
    client.patch(f"/api/v1/staff/mailboxes/{director_box.id}", json={"active": False},
                 headers=auth_headers(community_admin))
    listed = client.get("/api/v1/mailboxes", headers=auth_headers(resident)).json["mailboxes"]
    assert listed == []


def test_an_admin_elsewhere_cannot_edit_the_mailbox(client, auth_headers, regions, director_box):
    admin_elsewhere = StaffFactory(region=regions.other_community, role=StaffRole.ADMIN)
    response = client.patch(f"/api/v1/staff/mailboxes/{director_box.id}",
                            json={"reply_sla_hours": 1}, headers=auth_headers(admin_elsewhere))
    assert response.status_code == 404


def test_staff_list_the_mailboxes_of_their_scope(client, auth_headers, street_admin, director,
                                                 director_box, secretary_box, other_box):
    street = client.get("/api/v1/staff/mailboxes", headers=auth_headers(street_admin)).json
    assert len(street["mailboxes"]) == 3
    own = client.get("/api/v1/staff/mailboxes", headers=auth_headers(director)).json
    assert [m["name"] for m in own["mailboxes"]] == ["书记信箱", "主任信箱"]
    assert own["mailboxes"][0]["restricted"] is True


def test_a_mailbox_is_read_by_id_within_scope_only(client, auth_headers, director, other_staff,
                                                   director_box):
    url = f"/api/v1/staff/mailboxes/{director_box.id}"
    assert client.get(url, headers=auth_headers(director)).json["name"] == "主任信箱"
    assert client.get(url, headers=auth_headers(other_staff)).status_code == 404
