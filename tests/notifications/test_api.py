"""The in-app notification lists, mark-read, subscribe grants and the outbox counts."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.accounts.models import StaffRole
from app.extensions import db
from app.notifications.models import Notification, SubscriptionGrant
from tests.factories import (
    REPORT_SUBSCRIBE_TEMPLATE,
    NotificationFactory,
    ResidentFactory,
    StaffFactory,
)
from tests.notifications.conftest import SUBSCRIBE, sent


def skipped_row(clock, minutes_ago: int = 0, **kwargs) -> Notification:
    """A notification already handled (so no job touches it during the test)."""
    moment = clock.moment - timedelta(minutes=minutes_ago)
    return NotificationFactory(status="skipped", created_at=moment, next_attempt_at=moment,
                               **kwargs)


# --- residents ------------------------------------------------------------------------------------

def test_a_resident_lists_their_notifications_newest_first_with_the_unread_count(
        client, auth_headers, clock):
    resident = ResidentFactory()
    older = skipped_row(clock, minutes_ago=5, resident_id=resident.id)
    newer = skipped_row(clock, resident_id=resident.id, read_at=clock.moment)
    skipped_row(clock, resident_id=ResidentFactory().id)
    response = client.get("/api/v1/notifications", headers=auth_headers(resident))
    assert response.status_code == 200
    assert [item["id"] for item in response.json["items"]] == [newer.id, older.id]
    assert response.json["unread"] == 1
    assert response.json["meta"] == {"page": 1, "per_page": 20, "total": 2, "pages": 1}
    item = response.json["items"][1]
    assert item == {"id": older.id, "kind": "report.accepted", "title": "报事已受理",
                    "text": "您反映的路灯损坏问题已受理，工作人员会尽快处理。",
                    "page": "pages/reports/detail?id=7",
                    "created_at": "2026-11-24T09:55:00+08:00", "read": False, "read_at": None}


def test_the_list_can_show_unread_only(client, auth_headers, clock):
    resident = ResidentFactory()
    unread = skipped_row(clock, resident_id=resident.id)
    skipped_row(clock, resident_id=resident.id, read_at=clock.moment)
    response = client.get("/api/v1/notifications?unread_only=true&per_page=5",
                          headers=auth_headers(resident))
    assert [item["id"] for item in response.json["items"]] == [unread.id]


@pytest.mark.parametrize("query", ["per_page=51", "page=0", "page=1.5", "per_page=abc",
                                   "unread_only=perhaps"])
def test_bad_list_arguments_are_refused(query, client, auth_headers):
    response = client.get(f"/api/v1/notifications?{query}", headers=auth_headers(ResidentFactory()))
    assert response.status_code == 422


def test_the_list_needs_a_resident(client, auth_headers, regions):
    assert client.get("/api/v1/notifications").status_code == 401
    staff_headers = auth_headers(StaffFactory(region=regions.community))
    assert client.get("/api/v1/notifications", headers=staff_headers).status_code == 403


def test_a_resident_marks_a_notification_read(client, auth_headers, clock):
    resident = ResidentFactory()
    notification = skipped_row(clock, resident_id=resident.id)
    response = client.post(f"/api/v1/notifications/{notification.id}/read",
                           headers=auth_headers(resident))
    assert response.status_code == 200
    assert response.json["read"] is True
    assert response.json["read_at"] == "2026-11-24T10:00:00+08:00"
    db.session.refresh(notification)
    assert notification.read_at == clock.moment


def test_marking_read_again_keeps_the_first_read_time(client, auth_headers, clock):
    resident = ResidentFactory()
    notification = skipped_row(clock, resident_id=resident.id)
    headers = auth_headers(resident)
    client.post(f"/api/v1/notifications/{notification.id}/read", headers=headers)
    clock.advance(hours=1)
    response = client.post(f"/api/v1/notifications/{notification.id}/read", headers=headers)
    assert response.json["read_at"] == "2026-11-24T10:00:00+08:00"


def test_another_residents_notification_is_not_found(client, auth_headers, clock):
    notification = skipped_row(clock, resident_id=ResidentFactory().id)
    response = client.post(f"/api/v1/notifications/{notification.id}/read",
                           headers=auth_headers(ResidentFactory()))
    assert response.status_code == 404
    db.session.refresh(notification)
    assert notification.read_at is None


def test_a_missing_notification_is_not_found(client, auth_headers):
    response = client.post("/api/v1/notifications/999/read",
                           headers=auth_headers(ResidentFactory()))
    assert response.status_code == 404
    assert response.json["message"] == "找不到这条通知"


def test_a_resident_marks_all_read(client, auth_headers, clock):
    resident = ResidentFactory()
    mine = [skipped_row(clock, resident_id=resident.id) for _ in range(2)]
    others = skipped_row(clock, resident_id=ResidentFactory().id)
    response = client.post("/api/v1/notifications/read-all", headers=auth_headers(resident))
    assert response.json == {"marked": 2, "unread": 0}
    assert all(db.session.get(Notification, n.id).read_at for n in mine)
    assert db.session.get(Notification, others.id).read_at is None


# --- subscriptions ----------------------------------------------------------------------------------

def grants(resident) -> dict:
    return dict(db.session.execute(
        sa.select(SubscriptionGrant.template_id, SubscriptionGrant.remaining)
        .where(SubscriptionGrant.resident_id == resident.id)).all())


def test_accepted_subscribe_templates_are_recorded_one_grant_each(client, auth_headers):
    resident = ResidentFactory()
    headers = auth_headers(resident)
    body = {"template_ids": [REPORT_SUBSCRIBE_TEMPLATE, "EXAMPLE-mp-poll-notice"]}
    client.post("/api/v1/subscriptions", json=body, headers=headers)
    response = client.post("/api/v1/subscriptions", json=body, headers=headers)
    assert response.status_code == 200
    assert response.json == {"grants": [
        {"template_id": REPORT_SUBSCRIBE_TEMPLATE, "remaining": 2},
        {"template_id": "EXAMPLE-mp-poll-notice", "remaining": 2}], "ignored": []}
    assert grants(resident) == {REPORT_SUBSCRIBE_TEMPLATE: 2, "EXAMPLE-mp-poll-notice": 2}


def test_unconfigured_template_ids_are_ignored(client, auth_headers):
    resident = ResidentFactory()
    response = client.post("/api/v1/subscriptions",
                           json={"template_ids": ["someone-elses-template"]},
                           headers=auth_headers(resident))
    assert response.json == {"grants": [], "ignored": ["someone-elses-template"]}
    assert grants(resident) == {}


def test_a_template_repeated_in_one_answer_counts_once(client, auth_headers):
    resident = ResidentFactory()
    client.post("/api/v1/subscriptions", json={"template_ids": [REPORT_SUBSCRIBE_TEMPLATE] * 2},
                headers=auth_headers(resident))
    assert grants(resident) == {REPORT_SUBSCRIBE_TEMPLATE: 1}


def test_grants_are_capped(client, auth_headers):
    from app.notifications.service import MAX_GRANTS_PER_TEMPLATE

    resident = ResidentFactory()
    db.session.add(SubscriptionGrant(resident_id=resident.id,
                                     template_id=REPORT_SUBSCRIBE_TEMPLATE,
                                     remaining=MAX_GRANTS_PER_TEMPLATE))
    db.session.commit()
    client.post("/api/v1/subscriptions", json={"template_ids": [REPORT_SUBSCRIBE_TEMPLATE]},
                headers=auth_headers(resident))
    assert grants(resident) == {REPORT_SUBSCRIBE_TEMPLATE: MAX_GRANTS_PER_TEMPLATE}


@pytest.mark.parametrize("body", [{}, {"template_ids": []}, {"template_ids": ["a"] * 6},
                                  {"template_ids": [""]}, {"template_ids": ["x" * 129]},
                                  {"template_ids": [7]}, {"template_ids": "abc"},
                                  {"template_ids": ["a"], "extra": 1}])
def test_bad_subscription_bodies_are_refused(body, client, auth_headers):
    response = client.post("/api/v1/subscriptions", json=body,
                           headers=auth_headers(ResidentFactory()))
    assert response.status_code == 422


def test_a_recorded_grant_is_used_by_the_next_notification(client, auth_headers, record, wechat):
    resident = ResidentFactory()
    client.post("/api/v1/subscriptions", json={"template_ids": [REPORT_SUBSCRIBE_TEMPLATE]},
                headers=auth_headers(resident))
    assert record(resident).channel == "subscribe"
    assert sent(wechat, SUBSCRIBE) == 1
    assert grants(resident) == {REPORT_SUBSCRIBE_TEMPLATE: 0}


def test_the_mini_program_learns_which_templates_to_ask_for(client, auth_headers):
    resident = ResidentFactory()
    headers = auth_headers(resident)
    client.post("/api/v1/subscriptions", json={"template_ids": [REPORT_SUBSCRIBE_TEMPLATE]},
                headers=headers)
    response = client.get("/api/v1/subscriptions", headers=headers)
    templates = {t["template_id"]: t for t in response.json["templates"]}
    assert templates[REPORT_SUBSCRIBE_TEMPLATE] == {
        "template_id": REPORT_SUBSCRIBE_TEMPLATE, "kinds": ["report."], "remaining": 1}
    assert templates["EXAMPLE-mp-letter-reply"]["remaining"] == 0
    assert len(templates) == 4


# --- staff ---------------------------------------------------------------------------------------------

def test_staff_list_their_own_notifications(client, auth_headers, regions, clock):
    staff = StaffFactory(region=regions.community)
    mine = skipped_row(clock, staff_id=staff.id, kind="report.overdue")
    skipped_row(clock, staff_id=StaffFactory(region=regions.community).id)
    skipped_row(clock, resident_id=ResidentFactory().id)
    response = client.get("/api/v1/staff/notifications", headers=auth_headers(staff))
    assert response.status_code == 200
    assert [item["id"] for item in response.json["items"]] == [mine.id]
    assert response.json["unread"] == 1


def test_staff_mark_their_notification_read(client, auth_headers, regions, clock):
    staff = StaffFactory(region=regions.community)
    notification = skipped_row(clock, staff_id=staff.id)
    response = client.post(f"/api/v1/staff/notifications/{notification.id}/read",
                           headers=auth_headers(staff))
    assert response.json["read"] is True


def test_another_staff_members_notification_is_not_found(client, auth_headers, regions, clock):
    notification = skipped_row(clock, staff_id=StaffFactory(region=regions.community).id)
    response = client.post(f"/api/v1/staff/notifications/{notification.id}/read",
                           headers=auth_headers(StaffFactory(region=regions.community)))
    assert response.status_code == 404


def test_staff_mark_all_read(client, auth_headers, regions, clock):
    staff = StaffFactory(region=regions.community)
    skipped_row(clock, staff_id=staff.id)
    response = client.post("/api/v1/staff/notifications/read-all", headers=auth_headers(staff))
    assert response.json == {"marked": 1, "unread": 0}


def test_residents_cannot_use_the_staff_list(client, auth_headers):
    response = client.get("/api/v1/staff/notifications", headers=auth_headers(ResidentFactory()))
    assert response.status_code == 403


def test_the_dashboard_counts_notifications_by_status_in_scope(client, auth_headers, regions,
                                                               clock):
    moderator = StaffFactory(region=regions.community, role=StaffRole.MODERATOR)
    here = ResidentFactory(community=regions.community)
    elsewhere = ResidentFactory(community=regions.other_community)
    skipped_row(clock, resident_id=here.id)
    NotificationFactory(resident_id=here.id, status="sent")
    NotificationFactory(resident_id=here.id, status="failed")
    NotificationFactory(resident_id=elsewhere.id, status="failed")
    skipped_row(clock, staff_id=StaffFactory(region=regions.grid).id)
    skipped_row(clock, staff_id=StaffFactory(region=regions.other_community).id)
    response = client.get("/api/v1/staff/notifications/stats", headers=auth_headers(moderator))
    assert response.status_code == 200
    assert response.json == {"pending": 0, "sending": 0, "sent": 1, "failed": 1, "skipped": 2}


def test_handlers_do_not_see_the_dashboard_counts(client, auth_headers, regions):
    handler = StaffFactory(region=regions.grid, role=StaffRole.HANDLER)
    response = client.get("/api/v1/staff/notifications/stats", headers=auth_headers(handler))
    assert response.status_code == 403


def test_the_list_is_paginated(client, auth_headers, clock):
    resident = ResidentFactory()
    rows = [skipped_row(clock, minutes_ago=n, resident_id=resident.id) for n in range(3)]
    response = client.get("/api/v1/notifications?page=2&per_page=2",
                          headers=auth_headers(resident))
    assert [item["id"] for item in response.json["items"]] == [rows[2].id]
    assert response.json["meta"] == {"page": 2, "per_page": 2, "total": 3, "pages": 2}
    assert response.json["unread"] == 3
