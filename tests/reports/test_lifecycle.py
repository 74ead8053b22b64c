"""Handling: the whole closed loop through the endpoints, and every illegal transition."""

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.accounts.models import StaffRole
from app.audit.models import AuditEntry
from app.extensions import db
from app.reports import service
from app.reports.lifecycle import REPORT, STAFF_ACTIONS
from app.reports.models import Report, ReportFollower
from tests.factories import ReportFactory, StaffFactory, UploadFactory
from tests.reports.helpers import file, notifications, report_body, staff_post, timeline


def status_of(report_id) -> str:
    return db.session.get(Report, report_id).status


def audit_actions(report_id) -> list[str]:
    return list(db.session.scalars(sa.select(AuditEntry.action).where(
        AuditEntry.object_type == "report", AuditEntry.object_id == report_id)
        .order_by(AuditEntry.id)))


def test_the_whole_loop_from_filing_to_the_residents_rating(client, resident, regions, category,
                                                             moderator, handler, auth_headers,
                                                             clock):
    mod, hand, res = auth_headers(moderator), auth_headers(handler), auth_headers(resident)
    report_id = file(client, res, report_body(resident, regions)).json["id"]
    start = clock.moment

    steps = [
        (mod, "accept", {}),
        (mod, "dispatch", {"handler_id": handler.id, "note": "请张伟今天处理"}),
        (hand, "contact", {"note": "已电话联系张阿姨"}),
        (hand, "start", {}),
        (hand, "resolve", {"note": "已更换灯泡，恢复照明",
                           "photo_ids": [UploadFactory(staff_id=handler.id).id]}),
    ]
    for headers, action, body in steps:
        clock.advance(hours=1)
        response = staff_post(client, headers, report_id, action, body)
        assert response.status_code == 200, (action, response.json)
    assert status_of(report_id) == "resolved"

    clock.advance(hours=1)
    response = client.post(f"/api/v1/reports/{report_id}/rating", headers=res,
                           json={"solved": True, "satisfaction": 5, "comment": "很快，谢谢"})
    assert response.status_code == 200
    assert response.json["status"] == "closed"

    report = db.session.get(Report, report_id)
    hours = {name: (getattr(report, name) - start) / timedelta(hours=1) for name in (
        "accepted_at", "dispatched_at", "first_contact_at", "started_at", "resolved_at",
        "closed_at", "rated_at")}
    assert hours == {"accepted_at": 1, "dispatched_at": 2, "first_contact_at": 3,
                     "started_at": 4, "resolved_at": 5, "closed_at": 6, "rated_at": 6}
    assert (report.assignee_id, report.solved, report.satisfaction) == (handler.id, True, 5)
    assert [(e.action, e.from_status, e.to_status) for e in timeline(report_id)] == [
        ("file", None, "submitted"), ("accept", "submitted", "accepted"),
        ("dispatch", "accepted", "dispatched"), ("contact", "dispatched", "dispatched"),
        ("start", "dispatched", "in_progress"), ("resolve", "in_progress", "resolved"),
        ("confirm", "resolved", "closed")]
    assert [n.kind for n in notifications(resident_id=resident.id)] == [
        "report.file", "report.accept", "report.dispatch", "report.contact", "report.start",
        "report.resolve"]
    assert audit_actions(report_id) == ["report.accept", "report.dispatch", "report.contact",
                                        "report.start", "report.resolve"]
    assert [n.kind for n in notifications(staff_id=handler.id)][-1] == "report.dispatch.staff"


def test_the_resident_sees_the_result_photos_and_the_public_timeline(client, resident, regions,
                                                                     category, handler,
                                                                     auth_headers):
    report = ReportFactory(region=regions.grid, reporter=resident, category=category,
                           in_progress=True, assignee=handler)
    photo = UploadFactory(staff_id=handler.id).id
    staff_post(client, auth_headers(handler), report.id, "resolve",
               {"note": "已修好", "photo_ids": [photo]})
    body = client.get(f"/api/v1/reports/{report.id}", headers=auth_headers(resident)).json
    assert [p["id"] for p in body["result_photos"]] == [photo]
    assert body["timeline"][-1]["note"] == "已修好"
    assert body["can_rate"] is True


ILLEGAL = [(state, action) for state in REPORT.states for action in STAFF_ACTIONS
           if not REPORT.can(state, action)]


@pytest.mark.parametrize("state, action", ILLEGAL)
def test_every_illegal_staff_transition_is_a_409_that_changes_nothing(
        client, resident, regions, category, moderator, handler, auth_headers, state, action):
    report = ReportFactory(region=regions.grid, reporter=resident, category=category,
                           status=state, assignee=handler if state in (
                               "dispatched", "in_progress", "resolved", "closed") else None)
    other = ReportFactory(region=regions.grid, category=category)
    bodies = {"reject": {"reason": "不属于社区管理范围"}, "merge": {"duplicate_of_id": other.id},
              "dispatch": {"handler_id": StaffFactory(region=regions.grid).id},
              "resolve": {"note": "已处理"}}
    response = staff_post(client, auth_headers(moderator), report.id, action, bodies.get(action))
    assert response.status_code == 409
    assert REPORT.label(state) in response.json["message"]
    assert status_of(report.id) == state
    assert timeline(report.id) == [] and audit_actions(report.id) == []


@pytest.mark.parametrize("state", [s for s in REPORT.states if s != "resolved"])
def test_rating_is_a_409_unless_the_report_is_resolved(client, resident, regions, category,
                                                       auth_headers, state):
    report = ReportFactory(region=regions.grid, reporter=resident, category=category, status=state)
    response = client.post(f"/api/v1/reports/{report.id}/rating", headers=auth_headers(resident),
                           json={"solved": True, "satisfaction": 5})
    assert response.status_code == 409
    assert status_of(report.id) == state


def test_the_lifecycle_labels_every_state_and_ends_in_final_states():
    assert {s for s in REPORT.states if REPORT.is_final(s)} == {"closed", "rejected", "duplicate"}
    assert REPORT.next_state("resolved", "reopen") == "dispatched"


def test_reject_needs_a_reason_which_the_reporter_reads(client, resident, regions, category,
                                                        moderator, auth_headers):
    report = ReportFactory(region=regions.grid, reporter=resident, category=category)
    headers = auth_headers(moderator)
    assert staff_post(client, headers, report.id, "reject", {}).status_code == 422
    assert staff_post(client, headers, report.id, "reject",
                      {"reason": "属于市政道路，已转12345"}).status_code == 200
    assert status_of(report.id) == "rejected"
    [note] = [n for n in notifications(resident_id=resident.id) if n.kind == "report.reject"]
    assert "属于市政道路，已转12345" in note.payload["text"]
    mine = client.get(f"/api/v1/reports/{report.id}", headers=auth_headers(resident)).json
    assert mine["timeline"][-1]["note"] == "属于市政道路，已转12345"


def test_dispatch_goes_only_to_staff_covering_the_report(client, regions, category, moderator,
                                                         auth_headers):
    report = ReportFactory(region=regions.grid, category=category, accepted=True)
    wrong_grid = StaffFactory(region=regions.grid2)
    inactive = StaffFactory(region=regions.grid, active=False)
    headers = auth_headers(moderator)
    for handler_id in (wrong_grid.id, inactive.id, 99999):
        response = staff_post(client, headers, report.id, "dispatch", {"handler_id": handler_id})
        assert response.status_code == 422
        assert "handler_id" in response.json["errors"]
    assert status_of(report.id) == "accepted"


def test_a_community_moderator_may_be_dispatched_to(client, regions, category, moderator,
                                                    auth_headers):
    report = ReportFactory(region=regions.grid, category=category, accepted=True)
    response = staff_post(client, auth_headers(moderator), report.id, "dispatch",
                          {"handler_id": moderator.id})
    assert response.status_code == 200
    assert response.json["assignee"]["id"] == moderator.id


def test_a_dispatched_report_can_be_reassigned_but_not_to_the_same_handler(
        client, regions, category, moderator, handler, auth_headers):
    report = ReportFactory(region=regions.grid, category=category, dispatched=True,
                           assignee=handler)
    colleague = StaffFactory(region=regions.grid)
    headers = auth_headers(moderator)
    assert staff_post(client, headers, report.id, "dispatch",
                      {"handler_id": handler.id}).status_code == 409
    assert staff_post(client, headers, report.id, "dispatch",
                      {"handler_id": colleague.id}).status_code == 200
    assert db.session.get(Report, report.id).assignee_id == colleague.id
    [told] = notifications(staff_id=colleague.id)
    assert told.kind == "report.dispatch.staff"


def test_redispatching_keeps_the_first_dispatch_time(client, regions, category, moderator,
                                                     handler, auth_headers, clock):
    report = ReportFactory(region=regions.grid, category=category, dispatched=True,
                           assignee=handler)
    first = db.session.get(Report, report.id).dispatched_at
    clock.advance(hours=5)
    staff_post(client, auth_headers(moderator), report.id, "dispatch",
               {"handler_id": StaffFactory(region=regions.grid).id})
    assert db.session.get(Report, report.id).dispatched_at == first


def test_merge_makes_the_reporter_follow_the_kept_report(client, resident, neighbour, regions,
                                                         category, moderator, auth_headers):
    kept = ReportFactory(region=regions.grid, reporter=neighbour, category=category,
                         accepted=True)
    duplicate = ReportFactory(region=regions.grid, reporter=resident, category=category)
    response = staff_post(client, auth_headers(moderator), duplicate.id, "merge",
                          {"duplicate_of_id": kept.id})
    assert response.status_code == 200
    assert response.json["duplicate_of"] == {"id": kept.id, "number": kept.number}
    assert db.session.get(Report, kept.id).follower_count == 1
    assert db.session.scalar(sa.select(ReportFollower.resident_id).where(
        ReportFollower.report_id == kept.id)) == resident.id
    [told] = [n for n in notifications(resident_id=resident.id) if n.kind == "report.merge"]
    assert kept.number in told.payload["text"]


@pytest.mark.parametrize("target", ["itself", "closed", "other_community"])
def test_merge_target_must_be_another_open_report_in_scope(client, regions, category, moderator,
                                                           auth_headers, target):
    report = ReportFactory(region=regions.grid, category=category)
    targets = {
        "itself": report,
        "closed": ReportFactory(region=regions.grid, category=category, closed=True),
        "other_community": ReportFactory(region=regions.other_grid, category=category),
    }
    response = staff_post(client, auth_headers(moderator), report.id, "merge",
                          {"duplicate_of_id": targets[target].id})
    assert response.status_code == 422
    assert status_of(report.id) == "submitted"


def test_resolve_needs_a_note_and_takes_only_the_handlers_own_photos(client, resident, regions,
                                                                     category, handler,
                                                                     auth_headers):
    report = ReportFactory(region=regions.grid, category=category, in_progress=True,
                           assignee=handler)
    headers = auth_headers(handler)
    assert staff_post(client, headers, report.id, "resolve", {"note": " "}).status_code == 422
    residents_photo = UploadFactory(resident_id=resident.id).id
    response = staff_post(client, headers, report.id, "resolve",
                          {"note": "已修好", "photo_ids": [residents_photo]})
    assert response.status_code == 422 and "photo_ids" in response.json["errors"]
    assert status_of(report.id) == "in_progress"


def test_first_contact_is_kept_when_contact_is_recorded_again(client, regions, category, handler,
                                                              auth_headers, clock):
    report = ReportFactory(region=regions.grid, category=category, dispatched=True,
                           assignee=handler)
    headers = auth_headers(handler)
    staff_post(client, headers, report.id, "contact")
    first = clock.moment
    clock.advance(hours=3)
    assert staff_post(client, headers, report.id, "contact", {"note": "再次联系"}).status_code == 200
    assert db.session.get(Report, report.id).first_contact_at == first


def test_starting_without_a_recorded_contact_counts_as_the_first_response(client, regions,
                                                                          category, handler,
                                                                          auth_headers, clock):
    report = ReportFactory(region=regions.grid, category=category, dispatched=True,
                           assignee=handler)
    staff_post(client, auth_headers(handler), report.id, "start")
    assert db.session.get(Report, report.id).first_contact_at == clock.moment


def test_internal_notes_stay_with_staff_and_public_notes_reach_the_reporter(
        client, resident, regions, category, moderator, auth_headers):
    report = ReportFactory(region=regions.grid, reporter=resident, category=category,
                           accepted=True)
    headers = auth_headers(moderator)
    staff_post(client, headers, report.id, "note", {"text": "该居民多次反映，注意沟通方式"})
    staff_post(client, headers, report.id, "note", {"text": "已联系供电所，明天上午维修",
                                                     "public": True})
    mine = client.get(f"/api/v1/reports/{report.id}", headers=auth_headers(resident)).json
    assert [e["note"] for e in mine["timeline"]] == ["已联系供电所，明天上午维修"]
    staff_view = client.get(f"/api/v1/staff/reports/{report.id}", headers=headers).json
    assert [(e["note"], e["public"]) for e in staff_view["timeline"]] == [
        ("该居民多次反映，注意沟通方式", False), ("已联系供电所，明天上午维修", True)]
    assert [n.kind for n in notifications(resident_id=resident.id)] == ["report.note"]
    assert audit_actions(report.id) == ["report.note", "report.note"]


def test_staff_detail_offers_the_buttons_the_lifecycle_allows(client, regions, category,
                                                              moderator, auth_headers):
    report = ReportFactory(region=regions.grid, category=category)
    body = client.get(f"/api/v1/staff/reports/{report.id}", headers=auth_headers(moderator)).json
    assert [a["action"] for a in body["allowed_actions"]] == ["accept", "reject", "merge"]
    assert body["allowed_actions"][0]["label"] == "受理"


@pytest.mark.postgres
def test_two_staff_accepting_at_once_give_one_acceptance(app, regions, category):
    report = ReportFactory(region=regions.grid, category=category)
    staff_ids = [StaffFactory(region=regions.community, role=StaffRole.MODERATOR).id
                 for _ in range(4)]
    report_id = report.id
    barrier = threading.Barrier(len(staff_ids), timeout=60)
    outcomes = []

    def accept(staff_id):
        with app.app_context():
            from app.accounts.models import Staff
            from app.errors import Conflict

            staff = db.session.get(Staff, staff_id)
            service.get_report_for_staff(staff, report_id)
            barrier.wait()
            try:
                service.accept_report(staff, report_id)
                outcomes.append("accepted")
            except Conflict:
                outcomes.append("conflict")

    threads = [threading.Thread(target=accept, args=(i,)) for i in staff_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["accepted", "conflict", "conflict", "conflict"]
    assert [e.action for e in timeline(report_id)] == ["accept"]
