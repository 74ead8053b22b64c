"""Staff endpoints: region scope on every one of them, handler rights, the work queue."""

from datetime import timedelta

import pytest

from app.accounts.models import StaffRole
from app.extensions import db
from app.reports.models import Report
from tests.factories import CategoryFactory, ReportFactory, ResidentFactory, StaffFactory
from tests.reports.helpers import staff_post, timeline

# Each handling endpoint with a body that would be valid in the right state.
ACTIONS = {
    "accept": {}, "reject": {"reason": "不属于社区事务"}, "merge": None, "dispatch": None,
    "contact": {}, "start": {}, "resolve": {"note": "已处理"}, "note": {"text": "备注"},
    "release": {},
}
# The state in which each action is allowed.
READY = {"accept": "submitted", "reject": "submitted", "merge": "submitted",
         "dispatch": "accepted", "contact": "dispatched", "start": "dispatched",
         "resolve": "in_progress", "note": "accepted", "release": "submitted"}


def ready_report(regions, category, action, assignee):
    return ReportFactory(region=regions.grid, category=category, status=READY[action],
                         assignee=assignee if READY[action] in ("dispatched", "in_progress")
                         else None, held_for_review=action == "release")


def body_for(action, regions, category, handler):
    if action == "merge":
        return {"duplicate_of_id": ReportFactory(region=regions.grid, category=category).id}
    if action == "dispatch":
        return {"handler_id": handler.id}
    return ACTIONS[action]


@pytest.mark.parametrize("action", ACTIONS)
def test_staff_of_another_community_get_404_on_every_action(client, regions, category, handler,
                                                            outsider, auth_headers, action):
    report = ready_report(regions, category, action, handler)
    response = staff_post(client, auth_headers(outsider), report.id, action,
                          body_for(action, regions, category, handler))
    assert response.status_code == 404
    assert db.session.get(Report, report.id).status == READY[action]
    assert timeline(report.id) == []


@pytest.mark.parametrize("action", ACTIONS)
def test_staff_covering_the_report_may_take_every_action(client, regions, category, handler,
                                                         moderator, auth_headers, action):
    report = ready_report(regions, category, action, handler)
    response = staff_post(client, auth_headers(moderator), report.id, action,
                          body_for(action, regions, category, handler))
    assert response.status_code == 200, response.json


@pytest.mark.parametrize("action", ACTIONS)
def test_residents_cannot_use_staff_endpoints(client, resident, regions, category, handler,
                                              auth_headers, action):
    report = ready_report(regions, category, action, handler)
    response = staff_post(client, auth_headers(resident), report.id, action,
                          body_for(action, regions, category, handler))
    assert response.status_code == 403


def test_staff_of_another_grid_of_the_same_community_cannot_see_the_report(client, regions,
                                                                           category,
                                                                           auth_headers):
    report = ReportFactory(region=regions.grid, category=category)
    grid2_handler = StaffFactory(region=regions.grid2)
    headers = auth_headers(grid2_handler)
    assert client.get(f"/api/v1/staff/reports/{report.id}", headers=headers).status_code == 404
    assert staff_post(client, headers, report.id, "accept").status_code == 404


def test_street_staff_see_and_act_on_the_whole_street(client, regions, category, auth_headers):
    report = ReportFactory(region=regions.other_grid, category=category)
    street_admin = StaffFactory(region=regions.street, role=StaffRole.ADMIN)
    assert staff_post(client, auth_headers(street_admin), report.id, "accept").status_code == 200


@pytest.mark.parametrize("action", ["contact", "start", "resolve"])
def test_only_the_assigned_handler_works_the_report(client, regions, category, handler,
                                                    auth_headers, action):
    colleague = StaffFactory(region=regions.grid)
    report = ReportFactory(region=regions.grid, category=category, status=READY[action],
                           assignee=handler)
    response = staff_post(client, auth_headers(colleague), report.id, action, ACTIONS[action])
    assert response.status_code == 403
    assert db.session.get(Report, report.id).status == READY[action]


def test_a_handler_cannot_take_a_colleagues_report_by_redispatching(client, regions, category,
                                                                    handler, auth_headers):
    colleague = StaffFactory(region=regions.grid)
    report = ReportFactory(region=regions.grid, category=category, dispatched=True,
                           assignee=handler)
    response = staff_post(client, auth_headers(colleague), report.id, "dispatch",
                          {"handler_id": colleague.id})
    assert response.status_code == 403


def test_a_handler_may_hand_their_own_report_over(client, regions, category, handler,
                                                  auth_headers):
    colleague = StaffFactory(region=regions.grid)
    report = ReportFactory(region=regions.grid, category=category, dispatched=True,
                           assignee=handler)
    response = staff_post(client, auth_headers(handler), report.id, "dispatch",
                          {"handler_id": colleague.id})
    assert response.status_code == 200


def test_a_handler_sees_no_work_buttons_on_a_colleagues_report(client, regions, category,
                                                               handler, auth_headers):
    colleague = StaffFactory(region=regions.grid)
    report = ReportFactory(region=regions.grid, category=category, dispatched=True,
                           assignee=colleague)
    body = client.get(f"/api/v1/staff/reports/{report.id}", headers=auth_headers(handler)).json
    assert body["allowed_actions"] == []
    own = client.get(f"/api/v1/staff/reports/{report.id}", headers=auth_headers(colleague)).json
    assert [a["action"] for a in own["allowed_actions"]] == ["contact", "start", "dispatch"]


def test_the_staff_list_is_scoped(client, regions, category, handler, outsider, auth_headers):
    mine = ReportFactory(region=regions.grid, category=category)
    ReportFactory(region=regions.grid2, category=category)
    theirs = ReportFactory(region=regions.other_grid, category=category)
    assert [r["id"] for r in client.get("/api/v1/staff/reports", headers=auth_headers(
        handler)).json["items"]] == [mine.id]
    assert [r["id"] for r in client.get("/api/v1/staff/reports", headers=auth_headers(
        outsider)).json["items"]] == [theirs.id]


def test_the_staff_list_filters(client, regions, category, handler, moderator, auth_headers):
    garbage = CategoryFactory(code="garbage")
    assigned = ReportFactory(region=regions.grid, category=category, dispatched=True,
                             assignee=handler)
    in_grid2 = ReportFactory(region=regions.grid2, category=garbage)
    held = ReportFactory(region=regions.grid, category=garbage, held_for_review=True)
    headers = auth_headers(moderator)

    def ids(query):
        response = client.get(f"/api/v1/staff/reports?{query}", headers=headers)
        assert response.status_code == 200, response.json
        return sorted(r["id"] for r in response.json["items"])

    assert ids("status=dispatched") == [assigned.id]
    assert ids("category=garbage") == sorted([in_grid2.id, held.id])
    assert ids(f"region_id={regions.grid2.id}") == [in_grid2.id]
    assert ids(f"assignee_id={handler.id}") == [assigned.id]
    assert ids("held=true") == [held.id]
    assert ids("overdue=false") == sorted([assigned.id, in_grid2.id, held.id])


def test_the_staff_list_sorts_by_the_next_deadline_finished_last(client, regions, category,
                                                                 moderator, auth_headers, clock):
    now = clock.moment
    finished = ReportFactory(region=regions.grid, category=category, closed=True,
                             created_at=now - timedelta(hours=50))
    # Contacted: works towards completion (created + 72 h = now + 22 h).
    contacted = ReportFactory(region=regions.grid, category=category, in_progress=True,
                              created_at=now - timedelta(hours=50))
    # Not contacted: works towards response (created + 24 h).
    fresh = ReportFactory(region=regions.grid, category=category, created_at=now)
    late = ReportFactory(region=regions.grid, category=category,
                         created_at=now - timedelta(hours=20))
    body = client.get("/api/v1/staff/reports", headers=auth_headers(moderator)).json
    assert [r["id"] for r in body["items"]] == [late.id, contacted.id, fresh.id, finished.id]
    assert body["items"][-1]["next_due_at"] is None
    newest = client.get("/api/v1/staff/reports?sort=created", headers=auth_headers(moderator))
    assert newest.json["items"][0]["id"] == fresh.id


def test_staff_list_needs_a_staff_token(client, resident, auth_headers):
    assert client.get("/api/v1/staff/reports").status_code == 401
    assert client.get("/api/v1/staff/reports", headers=auth_headers(resident)).status_code == 403


def test_staff_file_for_a_resident_of_the_community_from_a_grid(client, regions, category,
                                                                handler, auth_headers):
    courtyard_resident = ResidentFactory(community=regions.community)
    lat, lng = regions.point_in_grid
    response = client.post("/api/v1/staff/reports", headers=auth_headers(handler), json={
        "resident_id": courtyard_resident.id, "category": "streetlight",
        "description": "路灯不亮", "location": {"lat": lat, "lng": lng, "address": ""}})
    assert response.status_code == 201
