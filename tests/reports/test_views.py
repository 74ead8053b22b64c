"""What residents see: their own reports in full, others' public fields only, never more."""

import json

import pytest

from app.accounts.models import StaffRole
from app.extensions import db
from app.reports.models import Report
from tests.factories import CategoryFactory, ReportFactory, ResidentFactory, StaffFactory
from tests.reports.helpers import file, report_body, staff_post

PRIVATE_FIELDS = ("anonymous", "held_for_review", "response_due_at", "completion_due_at",
                  "reopen_count", "can_rate", "rating_due_at", "rating")


def get(client, headers, report_id):
    return client.get(f"/api/v1/reports/{report_id}", headers=headers)


@pytest.fixture
def rated(resident, regions, category, handler):
    report = ReportFactory(region=regions.grid, reporter=resident, category=category,
                           closed=True, assignee=handler, lat=30.654321, lng=104.082468)
    report.rated_at, report.solved, report.satisfaction = report.closed_at, True, 2
    report.rating_comment = "态度不太好"
    db.session.commit()
    return report


def test_the_reporter_sees_their_private_fields(client, resident, rated, auth_headers):
    body = get(client, auth_headers(resident), rated.id).json
    assert body["mine"] is True
    assert body["rating"]["comment"] == "态度不太好"
    assert (body["location"]["lat"], body["location"]["lng"]) == (30.654321, 104.082468)
    assert body["response_due_at"] is not None


def test_another_resident_sees_only_the_public_fields(client, neighbour, rated, auth_headers):
    response = get(client, auth_headers(neighbour), rated.id)
    assert response.status_code == 200
    body = response.json
    assert body["mine"] is False
    assert all(body[name] is None for name in PRIVATE_FIELDS)
    assert "态度不太好" not in response.get_data(as_text=True)
    assert (body["location"]["lat"], body["location"]["lng"]) == (30.654, 104.082)
    assert body["reporter_name"] == "张阿姨"


def test_an_anonymous_reporter_never_appears_publicly(client, resident, neighbour, regions,
                                                      category, auth_headers):
    body = report_body(resident, regions, anonymous=True)
    report_id = file(client, auth_headers(resident), body).json["id"]
    response = get(client, auth_headers(neighbour), report_id)
    assert response.json["reporter_name"] == "匿名居民"
    text = response.get_data(as_text=True)
    assert "张阿姨" not in text and '"reporter_id"' not in text
    public = client.get("/api/v1/reports/public", headers=auth_headers(neighbour))
    assert "张阿姨" not in public.get_data(as_text=True)


def test_staff_see_the_reporter_even_when_anonymous(client, resident, regions, category,
                                                    moderator, auth_headers):
    resident.phone_masked = "138****0000"
    db.session.commit()
    report_id = file(client, auth_headers(resident),
                     report_body(resident, regions, anonymous=True)).json["id"]
    body = client.get(f"/api/v1/staff/reports/{report_id}", headers=auth_headers(moderator)).json
    assert body["reporter"] == {"id": resident.id, "nickname": "张阿姨", "phone": "138****0000",
                                "household": None, "community": "和平社区"}
    assert body["anonymous"] is True


def test_internal_notes_and_escalations_never_reach_residents(client, resident, neighbour,
                                                              regions, category, moderator,
                                                              auth_headers):
    report = ReportFactory(region=regions.grid, reporter=resident, category=category)
    staff_post(client, auth_headers(moderator), report.id, "note", {"text": "内部：疑似重复"})
    for viewer in (resident, neighbour):
        text = get(client, auth_headers(viewer), report.id).get_data(as_text=True)
        assert "疑似重复" not in text


def test_a_held_report_is_visible_to_its_reporter_only(client, resident, neighbour, regions,
                                                       category, auth_headers):
    report = ReportFactory(region=regions.grid, reporter=resident, category=category,
                           held_for_review=True)
    assert get(client, auth_headers(resident), report.id).json["held_for_review"] is True
    assert get(client, auth_headers(neighbour), report.id).status_code == 404
    public = client.get("/api/v1/reports/public", headers=auth_headers(neighbour)).json
    assert public["items"] == []


def test_a_moderator_releases_a_held_report_optionally_redacted(client, resident, neighbour,
                                                                regions, category, moderator,
                                                                auth_headers):
    report = ReportFactory(region=regions.grid, reporter=resident, category=category,
                           held_for_review=True, description="路灯坏了，联系我 13800001111")
    response = staff_post(client, auth_headers(moderator), report.id, "release",
                          {"description": "路灯坏了"})
    assert response.status_code == 200
    body = get(client, auth_headers(neighbour), report.id).json
    assert body["description"] == "路灯坏了"


def test_a_handler_cannot_release_held_reports(client, regions, category, handler, auth_headers):
    report = ReportFactory(region=regions.grid, category=category, held_for_review=True)
    assert staff_post(client, auth_headers(handler), report.id, "release").status_code == 403
    assert db.session.get(Report, report.id).held_for_review is True


def test_releasing_a_report_that_is_not_held_is_a_409(client, regions, category, moderator,
                                                      auth_headers):
    report = ReportFactory(region=regions.grid, category=category)
    assert staff_post(client, auth_headers(moderator), report.id, "release").status_code == 409


def test_a_rejected_report_is_not_public(client, resident, neighbour, regions, category,
                                         auth_headers):
    report = ReportFactory(region=regions.grid, reporter=resident, category=category,
                           rejected=True)
    assert get(client, auth_headers(resident), report.id).status_code == 200
    assert get(client, auth_headers(neighbour), report.id).status_code == 404


def test_an_unknown_report_is_404(client, resident, auth_headers):
    assert get(client, auth_headers(resident), 424242).status_code == 404


def test_viewing_needs_a_resident_token(client, rated):
    assert client.get(f"/api/v1/reports/{rated.id}").status_code == 401


def test_my_reports_lists_only_mine_newest_first_filtered_by_status(client, resident, neighbour,
                                                                    regions, category,
                                                                    auth_headers):
    older = ReportFactory(region=regions.grid, reporter=resident, category=category)
    newer = ReportFactory(region=regions.grid, reporter=resident, category=category,
                          resolved=True)
    ReportFactory(region=regions.grid, reporter=neighbour, category=category)
    headers = auth_headers(resident)
    body = client.get("/api/v1/reports", headers=headers).json
    assert [r["id"] for r in body["items"]] == [newer.id, older.id]
    assert body["meta"]["total"] == 2
    assert body["items"][0]["can_rate"] is True
    resolved = client.get("/api/v1/reports?status=resolved", headers=headers).json
    assert [r["id"] for r in resolved["items"]] == [newer.id]
    assert client.get("/api/v1/reports?status=nonsense", headers=headers).status_code == 422


def test_my_reports_are_paginated(client, resident, regions, category, auth_headers):
    for _ in range(3):
        ReportFactory(region=regions.grid, reporter=resident, category=category)
    body = client.get("/api/v1/reports?per_page=2&page=2", headers=auth_headers(resident)).json
    assert len(body["items"]) == 1 and body["meta"] == {"page": 2, "per_page": 2, "total": 3,
                                                        "pages": 2}


def test_the_public_list_filters_by_status_category_and_region(client, resident, regions,
                                                               category, auth_headers):
    garbage = CategoryFactory(code="garbage")
    lamp = ReportFactory(region=regions.grid, category=category)
    ReportFactory(region=regions.grid, category=garbage)
    ReportFactory(region=regions.other_grid, category=category, closed=True)
    headers = auth_headers(resident)

    def ids(query):
        return [r["id"] for r in client.get(f"/api/v1/reports/public?{query}",
                                            headers=headers).json["items"]]

    assert ids(f"category=streetlight&region_id={regions.community.id}") == [lamp.id]
    assert len(ids("status=closed")) == 1
    assert len(ids(f"region_id={regions.street.id}")) == 3


def test_the_staff_view_has_every_timestamp_and_the_rating_history(client, rated, moderator,
                                                                   auth_headers):
    body = client.get(f"/api/v1/staff/reports/{rated.id}", headers=auth_headers(moderator)).json
    for name in ("accepted_at", "dispatched_at", "first_contact_at", "started_at", "resolved_at",
                 "closed_at", "response_due_at", "completion_due_at"):
        assert body[name] is not None, name
    assert body["rating_comment"] == "态度不太好"
    assert body["created_at"].endswith("+08:00")


def test_time_fields_are_shown_in_china_time(client, resident, rated, auth_headers):
    body = get(client, auth_headers(resident), rated.id).json
    assert body["created_at"].endswith("+08:00")
    assert json.dumps(body, ensure_ascii=False)  # plain JSON all the way down


def test_another_communitys_staff_and_residents_share_nothing_private(client, regions, category,
                                                                      auth_headers):
    stranger = ResidentFactory(community=regions.far_community)
    report = ReportFactory(region=regions.grid, category=category, rejected=True)
    assert get(client, auth_headers(stranger), report.id).status_code == 404
    far_staff = StaffFactory(region=regions.far_community, role=StaffRole.ADMIN)
    assert client.get(f"/api/v1/staff/reports/{report.id}",
                      headers=auth_headers(far_staff)).status_code == 404
