"""Staff work off the call-back requests of their region: /api/v1/staff/callbacks."""

from __future__ import annotations

import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.extensions import db
from bot.models import CallbackRequest
from tests.factories import CallbackRequestFactory, ResidentFactory, StaffFactory


def test_staff_list_open_requests_of_their_region_oldest_first(client, regions, auth_headers,
                                                              clock):
    staff = StaffFactory(region=regions.community)
    first = CallbackRequestFactory(region=regions.community)
    clock.advance(minutes=5)
    second = CallbackRequestFactory(region=regions.community)
    CallbackRequestFactory(region=regions.community, done=True)
    CallbackRequestFactory(region=regions.other_community)

    response = client.get("/api/v1/staff/callbacks", headers=auth_headers(staff))

    assert response.status_code == 200
    assert [item["id"] for item in response.json["items"]] == [first.id, second.id]
    item = response.json["items"][0]
    assert item["phone"] == first.phone
    assert item["status_label"] == "待回电"
    assert item["region"]["name"] == "和平社区"
    assert item["created_at"].endswith("+08:00")


def test_street_staff_see_the_requests_of_every_community_below(client, regions,
                                                                 auth_headers):
    staff = StaffFactory(region=regions.street)
    CallbackRequestFactory(region=regions.community)
    CallbackRequestFactory(region=regions.other_community)
    CallbackRequestFactory(region=regions.far_community)

    response = client.get("/api/v1/staff/callbacks", headers=auth_headers(staff))

    assert response.json["meta"]["total"] == 2


def test_done_requests_are_listed_on_request(client, regions, auth_headers):
    staff = StaffFactory(region=regions.community)
    done = CallbackRequestFactory(region=regions.community, done=True)

    response = client.get("/api/v1/staff/callbacks?status=done", headers=auth_headers(staff))

    assert [item["id"] for item in response.json["items"]] == [done.id]


def test_unknown_status_filter_gets_422(client, regions, auth_headers):
    staff = StaffFactory(region=regions.community)

    response = client.get("/api/v1/staff/callbacks?status=lost", headers=auth_headers(staff))

    assert response.status_code == 422


def test_residents_cannot_list_callbacks(client, regions, auth_headers):
    response = client.get("/api/v1/staff/callbacks",
                          headers=auth_headers(ResidentFactory(community=regions.community)))

    assert response.status_code == 403


def test_marking_a_request_done_records_who_and_when_and_is_audited(client, regions,
                                                                    auth_headers, clock):
    staff = StaffFactory(region=regions.community)
    request = CallbackRequestFactory(region=regions.community)

    response = client.post(f"/api/v1/staff/callbacks/{request.id}/done",
                           headers=auth_headers(staff))

    assert response.status_code == 200
    assert response.json["status"] == "done"
    assert response.json["done_by"]["id"] == staff.id
    stored = db.session.get(CallbackRequest, request.id)
    assert (stored.status, stored.done_by_id, stored.done_at) == ("done", staff.id, clock.moment)
    entry = db.session.scalar(sa.select(AuditEntry))
    assert (entry.action, entry.object_id, entry.staff_id) == (
        "callback.done", request.id, staff.id)


def test_marking_it_done_twice_gets_409(client, regions, auth_headers):
    staff = StaffFactory(region=regions.community)
    request = CallbackRequestFactory(region=regions.community, done=True)

    response = client.post(f"/api/v1/staff/callbacks/{request.id}/done",
                           headers=auth_headers(staff))

    assert response.status_code == 409
    assert response.json["message"] == "该回电请求已经处理过了"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == 0


def test_another_communitys_staff_get_404(client, regions, auth_headers):
    staff = StaffFactory(region=regions.other_community)
    request = CallbackRequestFactory(region=regions.community)

    response = client.post(f"/api/v1/staff/callbacks/{request.id}/done",
                           headers=auth_headers(staff))

    assert response.status_code == 404
    assert db.session.get(CallbackRequest, request.id).status == "open"


def test_unknown_request_gets_404(client, regions, auth_headers):
    staff = StaffFactory(region=regions.community)

    response = client.post("/api/v1/staff/callbacks/999/done", headers=auth_headers(staff))

    assert response.status_code == 404
