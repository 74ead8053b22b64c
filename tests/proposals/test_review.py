"""Moderators review submitted proposals: the queue, approval with the scope's rules, rejection."""

from datetime import timedelta

import pytest

from app.accounts.models import StaffRole
from tests.factories import StaffFactory, in_state
from tests.proposals.helpers import audit_actions, events, notifications, reload

STAFF_URL = "/api/v1/staff/proposals"


def test_review_queue_lists_submitted_proposals_in_scope_oldest_first(call, moderator, regions,
                                                                      clock, make_neighbours):
    someone, elsewhere = make_neighbours(1)[0], make_neighbours(1, regions.other_community)[0]
    first = in_state("pending_review", author=someone)
    clock.advance(hours=1)
    second = in_state("pending_review", author=someone, region=regions.courtyard)
    in_state("pending_review", author=elsewhere)
    in_state("draft", author=someone)
    in_state("published", author=someone)
    response = call(moderator, "get", f"{STAFF_URL}/review-queue")
    assert response.status_code == 200
    assert [item["id"] for item in response.json["items"]] == [first.id, second.id]


def test_review_queue_marks_doubtful_text(call, moderator, author):
    in_state("pending_review", author=author, content_review_reason="wechat_review")
    [item] = call(moderator, "get", f"{STAFF_URL}/review-queue").json["items"]
    assert item["content_review"] == "wechat_review"


def test_staff_detail_explains_the_content_marker(call, moderator, author):
    proposal = in_state("pending_review", author=author, content_review_reason="wechat_review",
                        content_label=21000)
    body = call(moderator, "get", f"{STAFF_URL}/{proposal.id}").json
    assert body["content_review"] == {"reason": "wechat_review",
                                      "reason_label": "内容安全检测提示需人工复核",
                                      "label": 21000}
    assert body["actions"] == ["approve", "reject"]


@pytest.mark.parametrize("scope, threshold, days", [
    ("courtyard", 10, 30), ("community", 30, 30), ("street", 100, 45)])
def test_approval_publishes_with_the_scope_levels_threshold_and_deadline(
        call, street_moderator, author, regions, clock, scope, threshold, days):
    proposal = in_state("pending_review", author=author, region=getattr(regions, scope))
    response = call(street_moderator, "post", f"{STAFF_URL}/{proposal.id}/approve", json={})
    assert response.status_code == 200
    proposal = reload(proposal)
    assert proposal.status == "published"
    assert proposal.support_threshold == threshold
    assert proposal.support_verification_level == 1
    assert proposal.deadline_at == clock.moment + timedelta(days=days)
    assert proposal.published_at == clock.moment


def test_thresholds_come_from_the_settings(call, app, monkeypatch, moderator, author, clock):
    monkeypatch.setitem(app.config, "PROPOSAL_COMMUNITY_SUPPORTS", 5)
    monkeypatch.setitem(app.config, "PROPOSAL_COMMUNITY_DAYS", 7)
    proposal = in_state("pending_review", author=author)
    body = call(moderator, "post", f"{STAFF_URL}/{proposal.id}/approve").json
    assert body["support_threshold"] == 5
    assert body["deadline_at"] == "2026-12-01T10:00:00+08:00"


def test_approval_tells_the_author_and_is_audited(call, moderator, author):
    proposal = in_state("pending_review", author=author)
    call(moderator, "post", f"{STAFF_URL}/{proposal.id}/approve", json={"note": "内容清楚"})
    [notice] = notifications(kind="proposal_review")
    assert notice.resident_id == author.id
    assert "已通过审核" in notice.payload["text"] and "30位居民附议" in notice.payload["text"]
    assert notice.payload["page"] == f"pages/proposals/detail?id={proposal.id}"
    assert notice.payload["fields"]["phrase"] == "已通过"
    assert audit_actions(proposal.id) == ["proposal.approve"]
    [event] = events(proposal, "approve")
    assert (event.staff_id, event.note, event.to_status) == (moderator.id, "内容清楚", "published")


def test_rejection_gives_the_author_the_reason(call, moderator, author):
    proposal = in_state("pending_review", author=author)
    response = call(moderator, "post", f"{STAFF_URL}/{proposal.id}/reject",
                    json={"reason": "与第12号提案重复，请前往附议"})
    assert response.status_code == 200
    assert reload(proposal).status == "rejected"
    mine = call(author, "get", f"/api/v1/proposals/{proposal.id}").json
    assert mine["status_label"] == "未通过审核"
    assert mine["rejection_reason"] == "与第12号提案重复，请前往附议"
    [notice] = notifications(kind="proposal_review")
    assert "与第12号提案重复" in notice.payload["text"]
    assert audit_actions(proposal.id) == ["proposal.reject"]


def test_rejection_needs_a_reason(call, moderator, author):
    proposal = in_state("pending_review", author=author)
    response = call(moderator, "post", f"{STAFF_URL}/{proposal.id}/reject", json={})
    assert response.status_code == 422
    assert response.json["errors"] == {"reason": ["此项必填"]}
    assert reload(proposal).status == "pending_review"


def test_staff_of_another_community_cannot_see_or_review(call, other_moderator, author):
    proposal = in_state("pending_review", author=author)
    assert call(other_moderator, "get", f"{STAFF_URL}/{proposal.id}").status_code == 404
    assert call(other_moderator, "post", f"{STAFF_URL}/{proposal.id}/approve").status_code == 404
    assert call(other_moderator, "get", f"{STAFF_URL}/review-queue").json["items"] == []
    assert reload(proposal).status == "pending_review"


def test_a_grid_handler_may_read_but_not_review(call, handler, author):
    proposal = in_state("pending_review", author=author)
    assert call(handler, "get", f"{STAFF_URL}/{proposal.id}").json["actions"] == []
    assert call(handler, "post", f"{STAFF_URL}/{proposal.id}/approve").status_code == 403


def test_a_district_admin_reviews_everything_below(call, regions, author):
    admin = StaffFactory(role=StaffRole.ADMIN, region=regions.district)
    proposal = in_state("pending_review", author=author, region=regions.courtyard)
    assert call(admin, "post", f"{STAFF_URL}/{proposal.id}/approve").status_code == 200


def test_residents_cannot_use_staff_endpoints(call, author):
    proposal = in_state("pending_review", author=author)
    assert call(author, "post", f"{STAFF_URL}/{proposal.id}/approve").status_code == 403


def test_staff_list_filters_by_status_and_scope_level(call, moderator, author, regions):
    published = in_state("published", author=author, region=regions.courtyard)
    in_state("published", author=author)
    in_state("draft", author=author, region=regions.courtyard)
    response = call(moderator, "get", f"{STAFF_URL}?status=published&scope_level=courtyard")
    assert [item["id"] for item in response.json["items"]] == [published.id]
    assert response.json["meta"]["total"] == 1
