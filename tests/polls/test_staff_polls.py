"""Staff JSON endpoints: creating, editing, scheduling, opening, cancelling and reading polls."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app import clock as app_clock
from app.accounts.models import StaffRole
from app.audit.models import AuditEntry
from app.extensions import db
from app.notifications.models import Notification
from app.polls import service
from app.polls.models import Poll, PollOption, PollStatus
from tests.factories import HouseholdFactory, PollFactory, ResidentFactory, StaffFactory
from tests.polls.voting import cast, verified_member

# 2026-11-24 10:00 in Shanghai is the frozen now.
TOMORROW_9 = "2026-11-25T09:00:00+08:00"
NEXT_WEEK = "2026-12-01T18:00:00+08:00"


def poll_body(region, **changes):
    body = {
        "region_id": region.id,
        "title": "和平社区儿童游乐场配色",
        "description": "游乐场翻新，请选择主色调。",
        "questions": [
            {"text": "主色调选哪个？", "kind": "single",
             "options": [{"text": "暖橙色"}, {"text": "草绿色"}, {"text": "天蓝色"}]},
            {"text": "希望增加哪些设施？", "kind": "multiple", "max_choices": 2,
             "options": [{"text": "秋千"}, {"text": "滑梯"}, {"text": "沙坑"}]},
        ],
        "closes_at": NEXT_WEEK,
    }
    body.update(changes)
    return body


def create(client, headers, body):
    return client.post("/api/v1/staff/polls", headers=headers, json=body)


def test_moderator_creates_a_draft_with_questions_and_options(client, regions, moderator,
                                                              auth_headers):
    response = create(client, auth_headers(moderator), poll_body(regions.community))
    assert response.status_code == 201
    body = response.json
    assert (body["status"], body["status_label"]) == ("draft", "草稿")
    assert body["unit"] == "person" and body["min_verification"] == 1
    assert body["results_visibility"] == "after_close"
    assert body["closes_at"] == NEXT_WEEK
    assert body["actions"] == ["schedule", "open", "cancel"]
    assert [q["max_choices"] for q in body["questions"]] == [1, 2]
    assert [o["text"] for o in body["questions"][0]["options"]] == ["暖橙色", "草绿色", "天蓝色"]
    poll = db.session.get(Poll, body["id"])
    assert poll.created_by_id == moderator.id
    audit = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "poll.create"))
    assert audit.object_id == poll.id


def test_multiple_choice_maximum_defaults_to_the_number_of_options(client, regions, moderator,
                                                                   auth_headers):
    body = poll_body(regions.community)
    del body["questions"][1]["max_choices"]
    response = create(client, auth_headers(moderator), body)
    assert response.json["questions"][1]["max_choices"] == 3


def test_a_poll_may_link_a_proposal(client, regions, moderator, auth_headers):
    from tests.factories.proposals import ProposalFactory

    proposal = ProposalFactory(under_review=True,
                               author=ResidentFactory(community=regions.community))
    response = create(client, auth_headers(moderator),
                      poll_body(regions.community, proposal_id=proposal.id))
    assert response.json["proposal_id"] == proposal.id


def test_a_poll_cannot_link_an_unknown_or_foreign_proposal(client, regions, moderator,
                                                           auth_headers):
    from tests.factories.proposals import ProposalFactory

    foreign = ProposalFactory(under_review=True,
                              author=ResidentFactory(community=regions.far_community))
    for proposal_id in (99999, foreign.id):
        response = create(client, auth_headers(moderator),
                          poll_body(regions.community, proposal_id=proposal_id))
        assert response.status_code == 422
        assert response.json["errors"] == {"proposal_id": ["找不到要关联的提案"]}


def _one_option(body):
    body["questions"][0]["options"] = [{"text": "唯一"}]


def _twenty_one_options(body):
    body["questions"][0]["options"] = [{"text": f"选项{i}"} for i in range(21)]


def _repeated_option(body):
    body["questions"][0]["options"] = [{"text": "同样"}, {"text": "同样"}]


def _maximum_on_a_single_choice(body):
    body["questions"][0]["max_choices"] = 2


def _maximum_above_the_options(body):
    body["questions"][1]["max_choices"] = 4


def _maximum_of_one(body):
    body["questions"][1]["max_choices"] = 1


def _no_questions(body):
    body["questions"] = []


def _eleven_questions(body):
    body["questions"] = body["questions"][:1] * 11


def _unknown_kind(body):
    body["questions"][0]["kind"] = "ranked"


def _empty_title(body):
    body["title"] = "   "


def _long_title(body):
    body["title"] = "长" * 61


def _unknown_unit(body):
    body["unit"] = "building"


def _unknown_visibility(body):
    body["results_visibility"] = "never"


def _level_three(body):
    body["min_verification"] = 3


def _no_closing_time(body):
    del body["closes_at"]


@pytest.mark.parametrize("change, field", [
    (_one_option, "questions"), (_twenty_one_options, "questions"),
    (_repeated_option, "questions"), (_maximum_on_a_single_choice, "questions"),
    (_maximum_above_the_options, "questions"), (_maximum_of_one, "questions"),
    (_no_questions, "questions"), (_eleven_questions, "questions"),
    (_unknown_kind, "questions"), (_empty_title, "title"), (_long_title, "title"),
    (_unknown_unit, "unit"), (_unknown_visibility, "results_visibility"),
    (_level_three, "min_verification"), (_no_closing_time, "closes_at"),
])
def test_invalid_poll_is_422_naming_the_field(client, regions, moderator, auth_headers,
                                             change, field):
    body = poll_body(regions.community)
    change(body)
    response = create(client, auth_headers(moderator), body)
    assert response.status_code == 422
    assert field in response.json["errors"]
    assert db.session.scalar(sa.select(sa.func.count(Poll.id))) == 0


@pytest.mark.parametrize("changes, field, message", [
    ({"closes_at": "2026-11-24T09:00:00+08:00"}, "closes_at", "截止时间应晚于现在"),
    ({"opens_at": NEXT_WEEK, "closes_at": TOMORROW_9}, "closes_at", "截止时间应晚于开始时间"),
    ({"unit": "household", "min_verification": 1}, "min_verification",
     "一户一票需要住户身份已确认，认证等级应为 2"),
])
def test_rules_across_fields_are_422(client, regions, moderator, auth_headers, changes, field,
                                     message):
    response = create(client, auth_headers(moderator), poll_body(regions.community, **changes))
    assert response.status_code == 422
    assert response.json["errors"] == {field: [message]}


def test_a_grid_is_not_a_poll_region(client, regions, moderator, auth_headers):
    response = create(client, auth_headers(moderator), poll_body(regions.grid))
    assert response.status_code == 422
    assert response.json["errors"] == {"region_id": ["投票范围应为区、街道或社区"]}


def test_a_region_outside_the_staff_scope_is_404(client, regions, moderator, auth_headers):
    response = create(client, auth_headers(moderator), poll_body(regions.other_community))
    assert response.status_code == 404


def test_a_handler_cannot_create_polls(client, regions, auth_headers):
    handler = StaffFactory(role=StaffRole.HANDLER, region=regions.community)
    response = create(client, auth_headers(handler), poll_body(regions.community))
    assert response.status_code == 403


def test_a_draft_can_be_edited_and_its_questions_replaced(client, regions, moderator,
                                                         auth_headers):
    headers = auth_headers(moderator)
    poll_id = create(client, headers, poll_body(regions.community)).json["id"]
    response = client.patch(f"/api/v1/staff/polls/{poll_id}", headers=headers, json={
        "title": "游乐场主色调",
        "questions": [{"text": "选哪个？", "kind": "single",
                       "options": [{"text": "橙"}, {"text": "绿"}]}]})
    assert response.status_code == 200
    assert response.json["title"] == "游乐场主色调"
    assert response.json["description"] == "游乐场翻新，请选择主色调。"
    assert [len(q["options"]) for q in response.json["questions"]] == [2]
    assert db.session.scalar(sa.select(sa.func.count(PollOption.id))) == 2


def test_an_incomplete_question_in_an_edit_is_422(client, regions, moderator, auth_headers):
    headers = auth_headers(moderator)
    poll_id = create(client, headers, poll_body(regions.community)).json["id"]
    response = client.patch(f"/api/v1/staff/polls/{poll_id}", headers=headers,
                            json={"questions": [{"text": "选哪个？"}]})
    assert response.status_code == 422


def test_an_open_poll_cannot_be_edited(client, regions, moderator, poll, auth_headers):
    response = client.patch(f"/api/v1/staff/polls/{poll.id}", headers=auth_headers(moderator),
                            json={"title": "改一下"})
    assert response.status_code == 409
    assert db.session.get(Poll, poll.id).title != "改一下"


def test_opening_a_draft_starts_the_vote_now(client, regions, moderator, auth_headers):
    headers = auth_headers(moderator)
    poll_id = create(client, headers, poll_body(regions.community)).json["id"]
    response = client.post(f"/api/v1/staff/polls/{poll_id}/open", headers=headers)
    assert response.status_code == 200
    assert response.json["status"] == "open"
    assert response.json["opens_at"] == "2026-11-24T10:00:00+08:00"
    assert response.json["actions"] == ["cancel"]


def test_opening_after_the_closing_time_is_422(client, regions, moderator, auth_headers,
                                              clock):
    headers = auth_headers(moderator, ttl=timedelta(days=30))
    poll_id = create(client, headers, poll_body(regions.community)).json["id"]
    clock.advance(days=8)
    response = client.post(f"/api/v1/staff/polls/{poll_id}/open", headers=headers)
    assert response.status_code == 422
    assert db.session.get(Poll, poll_id).status == PollStatus.DRAFT


def test_scheduling_needs_an_opening_time_ahead(client, regions, moderator, auth_headers):
    headers = auth_headers(moderator)
    poll_id = create(client, headers, poll_body(regions.community)).json["id"]
    response = client.post(f"/api/v1/staff/polls/{poll_id}/schedule", headers=headers)
    assert response.status_code == 422
    assert "opens_at" in response.json["errors"]
    assert db.session.get(Poll, poll_id).status == PollStatus.DRAFT


def test_scheduled_poll_waits_and_can_be_taken_back_to_draft(client, regions, moderator,
                                                             auth_headers):
    headers = auth_headers(moderator)
    poll_id = create(client, headers,
                     poll_body(regions.community, opens_at=TOMORROW_9)).json["id"]
    response = client.post(f"/api/v1/staff/polls/{poll_id}/schedule", headers=headers)
    assert response.status_code == 200
    assert response.json["status"] == "scheduled"
    assert response.json["actions"] == ["unschedule", "open", "cancel"]
    response = client.post(f"/api/v1/staff/polls/{poll_id}/unschedule", headers=headers)
    assert response.json["status"] == "draft"


@pytest.mark.parametrize("action", ["schedule", "unschedule", "open"])
def test_actions_on_an_open_poll_are_409(client, moderator, poll, auth_headers, action):
    response = client.post(f"/api/v1/staff/polls/{poll.id}/{action}",
                           headers=auth_headers(moderator))
    assert response.status_code == 409
    assert response.json["message"].startswith("该投票当前为“投票中”")


@pytest.mark.parametrize("action, body", [("open", None), ("schedule", None),
                                          ("unschedule", None),
                                          ("cancel", {"reason": "重复发布"})])
def test_nothing_can_be_done_to_a_closed_poll(client, moderator, poll, auth_headers, clock,
                                             action, body):
    headers = auth_headers(moderator, ttl=timedelta(days=30))
    clock.set(poll.closes_at)
    service.close_due_polls()
    response = client.post(f"/api/v1/staff/polls/{poll.id}/{action}", headers=headers, json=body)
    assert response.status_code == 409
    assert db.session.get(Poll, poll.id).status == PollStatus.CLOSED


def test_cancelling_needs_a_reason(client, moderator, poll, auth_headers):
    response = client.post(f"/api/v1/staff/polls/{poll.id}/cancel",
                           headers=auth_headers(moderator), json={})
    assert response.status_code == 422
    assert response.json["errors"] == {"reason": ["此项必填"]}


def test_cancelling_an_open_poll_tells_the_voters_and_publishes_nothing(
        client, regions, moderator, voter, auth_headers):
    poll = PollFactory(region=regions.community, live=True)
    cast(client, auth_headers(voter), poll, 0)
    response = client.post(f"/api/v1/staff/polls/{poll.id}/cancel",
                           headers=auth_headers(moderator), json={"reason": "方案需要重新论证"})
    assert response.status_code == 200
    assert response.json["status"] == "cancelled"
    assert response.json["cancel_reason"] == "方案需要重新论证"
    assert response.json["results"] is None
    note = db.session.scalar(sa.select(Notification))
    assert (note.resident_id, note.kind) == (voter.id, "poll.cancelled")
    assert "方案需要重新论证" in note.payload["text"]
    resident_view = client.get(f"/api/v1/polls/{poll.id}", headers=auth_headers(voter)).json
    assert resident_view["status"] == "cancelled" and resident_view["results"] is None


def test_staff_list_shows_polls_of_their_scope_only(client, regions, moderator, auth_headers):
    mine = PollFactory(region=regions.community)
    PollFactory(region=regions.other_community)
    PollFactory(region=regions.street)
    body = client.get("/api/v1/staff/polls", headers=auth_headers(moderator)).json
    assert [item["id"] for item in body["items"]] == [mine.id]


def test_staff_list_filters_by_status(client, regions, moderator, auth_headers):
    PollFactory(region=regions.community)
    draft = PollFactory(region=regions.community, draft=True)
    body = client.get("/api/v1/staff/polls?status=draft", headers=auth_headers(moderator)).json
    assert [item["id"] for item in body["items"]] == [draft.id]


def test_a_poll_outside_the_staff_scope_is_404(client, regions, moderator, auth_headers):
    other = PollFactory(region=regions.other_community)
    headers = auth_headers(moderator)
    assert client.get(f"/api/v1/staff/polls/{other.id}", headers=headers).status_code == 404
    response = client.post(f"/api/v1/staff/polls/{other.id}/cancel", headers=headers,
                           json={"reason": "不是我的"})
    assert response.status_code == 404
    assert db.session.get(Poll, other.id).status == PollStatus.OPEN


def test_staff_see_turnout_while_open_but_no_counts_before_the_close(
        client, regions, moderator, poll, auth_headers):
    for _ in range(3):
        ResidentFactory(community=regions.community, phone_verified=True)
    voter = ResidentFactory(community=regions.community, phone_verified=True)
    cast(client, auth_headers(voter), poll, 1)
    body = client.get(f"/api/v1/staff/polls/{poll.id}", headers=auth_headers(moderator)).json
    assert body["turnout"] == {"participants": 1, "eligible": 4, "rate": 0.25}
    assert body["results"] is None


def test_participants_list_names_who_voted_and_nothing_of_what(client, regions, moderator,
                                                               poll, voter, auth_headers):
    cast(client, auth_headers(voter), poll, 2)
    response = client.get(f"/api/v1/staff/polls/{poll.id}/participants",
                          headers=auth_headers(moderator))
    assert response.status_code == 200
    assert response.json["items"] == [{"resident_id": voter.id, "nickname": voter.nickname,
                                       "household": None, "voted_on": "2026-11-24",
                                       "assisted_by": None}]


def test_participants_of_a_household_poll_show_the_household(client, regions, moderator,
                                                             auth_headers):
    poll = PollFactory(region=regions.community, household=True)
    flat = HouseholdFactory(community_id=regions.community.id, building="3", unit="2",
                            room="501")
    cast(client, auth_headers(verified_member(flat, regions.community)), poll, 0)
    items = client.get(f"/api/v1/staff/polls/{poll.id}/participants",
                       headers=auth_headers(moderator)).json["items"]
    assert items[0]["household"] == "3-2-501"


def test_participants_of_another_community_are_404(client, regions, moderator, auth_headers):
    other = PollFactory(region=regions.other_community)
    response = client.get(f"/api/v1/staff/polls/{other.id}/participants",
                          headers=auth_headers(moderator))
    assert response.status_code == 404


def test_results_csv_is_refused_before_the_close(client, moderator, poll, auth_headers):
    response = client.get(f"/api/v1/staff/polls/{poll.id}/results.csv",
                          headers=auth_headers(moderator))
    assert response.status_code == 409
    assert response.json["message"] == "此投票的结果尚未公布"


def test_results_csv_after_the_close(client, regions, moderator, poll, auth_headers, clock):
    headers = auth_headers(moderator, ttl=timedelta(days=30))
    for choice in (0, 2, 2):
        resident = ResidentFactory(community=regions.community, phone_verified=True)
        cast(client, auth_headers(resident), poll, choice)
    clock.set(poll.closes_at)
    service.close_due_polls()
    response = client.get(f"/api/v1/staff/polls/{poll.id}/results.csv", headers=headers)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    lines = text.lstrip("\ufeff").splitlines()
    assert "参与,3" in lines and "应参与,3" in lines and "参与率,100.00%" in lines
    assert "1,游乐场选什么颜色？,红色,1,33.33%" in lines
    assert "1,游乐场选什么颜色？,蓝色,2,66.67%" in lines
    assert db.session.scalar(sa.select(AuditEntry.action).where(
        AuditEntry.action == "poll.export_results")) is not None


def test_every_staff_action_is_audited(client, regions, moderator, auth_headers):
    headers = auth_headers(moderator)
    poll_id = create(client, headers,
                     poll_body(regions.community, opens_at=TOMORROW_9)).json["id"]
    client.patch(f"/api/v1/staff/polls/{poll_id}", headers=headers, json={"title": "新标题"})
    client.post(f"/api/v1/staff/polls/{poll_id}/schedule", headers=headers)
    client.post(f"/api/v1/staff/polls/{poll_id}/unschedule", headers=headers)
    client.post(f"/api/v1/staff/polls/{poll_id}/open", headers=headers)
    client.post(f"/api/v1/staff/polls/{poll_id}/cancel", headers=headers, json={"reason": "测试"})
    actions = db.session.scalars(sa.select(AuditEntry.action).where(
        AuditEntry.object_id == poll_id).order_by(AuditEntry.id)).all()
    assert actions == ["poll.create", "poll.update", "poll.schedule", "poll.unschedule",
                       "poll.open", "poll.cancel"]


def test_times_are_stored_in_utc(client, regions, moderator, auth_headers):
    poll_id = create(client, auth_headers(moderator), poll_body(regions.community)).json["id"]
    stored = db.session.get(Poll, poll_id).closes_at
    assert stored == app_clock.now().replace(year=2026, month=12, day=1, hour=10, minute=0)
