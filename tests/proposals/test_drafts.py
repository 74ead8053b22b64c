"""Residents write, edit, submit and withdraw their proposals."""

import pytest

from app.extensions import db
from app.proposals.models import Proposal
from tests.factories import ResidentFactory, in_state, make_upload
from tests.proposals.helpers import events, reload

URL = "/api/v1/proposals"
BODY = "和平路公交站没有座椅，老人候车要站很久，建议在站台两侧各增设一把长椅。"


def draft_json(region, **overrides):
    return {"title": "公交站旁增设候车座椅", "body": BODY, "region_id": region.id, **overrides}


def test_resident_creates_a_draft_only_they_can_see(call, author, regions):
    response = call(author, "post", URL, json=draft_json(regions.community))
    assert response.status_code == 201
    body = response.json
    assert (body["status"], body["status_label"]) == ("draft", "草稿")
    assert body["scope"] == {"id": regions.community.id, "name": "和平社区",
                             "level": "community", "level_label": "社区"}
    assert body["is_mine"] and body["actions"] == ["edit", "submit", "withdraw"]
    assert body["support_threshold"] is None and body["deadline_at"] is None
    proposal = db.session.get(Proposal, body["id"])
    assert (proposal.author_id, proposal.status) == (author.id, "draft")
    assert [e.action for e in events(proposal)] == ["create"]


def test_draft_keeps_its_photos_in_the_order_given(call, author, regions):
    first, second = make_upload(resident=author), make_upload(resident=author)
    response = call(author, "post", URL,
                    json=draft_json(regions.community, photo_ids=[second.id, first.id]))
    assert response.status_code == 201
    photos = response.json["photos"]
    assert [p["id"] for p in photos] == [second.id, first.id]
    assert photos[0]["thumbnail_url"].startswith("https://linli.test/media/")


def test_someone_elses_upload_is_refused(call, author, neighbour, regions):
    theirs = make_upload(resident=neighbour)
    response = call(author, "post", URL, json=draft_json(regions.community, photo_ids=[theirs.id]))
    assert response.status_code == 422
    assert "photo_ids" in response.json["errors"]


def test_more_than_nine_photos_are_refused(call, author, regions):
    uploads = [make_upload(resident=author).id for _ in range(10)]
    response = call(author, "post", URL, json=draft_json(regions.community, photo_ids=uploads))
    assert response.status_code == 422
    assert "photo_ids" in response.json["errors"]


@pytest.mark.parametrize("field, value", [
    ("title", "四个字了"),
    ("title", "标" * 61),
    ("title", "   短标题   "),
    ("body", "太短了"),
    ("body", "长" * 5001),
    ("region_id", "1"),
])
def test_invalid_fields_are_refused_by_name(call, author, regions, field, value):
    response = call(author, "post", URL, json=draft_json(regions.community, **{field: value}))
    assert response.status_code == 422
    assert field in response.json["errors"]


def test_limits_are_inclusive(call, author, regions):
    response = call(author, "post", URL, json=draft_json(
        regions.community, title="五个字标题", body="长" * 5000))
    assert response.status_code == 201


@pytest.mark.parametrize("scope", ["courtyard", "community", "street"])
def test_resident_may_propose_in_their_courtyard_community_or_street(call, author, regions,
                                                                     scope):
    region = getattr(regions, scope)
    response = call(author, "post", URL, json=draft_json(region))
    assert response.status_code == 201
    assert response.json["scope"]["level"] == scope


@pytest.mark.parametrize("scope", ["other_community", "far_community", "other_street",
                                   "district", "grid"])
def test_scope_outside_the_authors_area_is_refused(call, author, regions, scope):
    response = call(author, "post", URL, json=draft_json(getattr(regions, scope)))
    assert response.status_code == 422
    assert response.json["errors"]["region_id"] == ["只能在自己所在的院落、社区或街道发起提案"]


def test_resident_without_a_community_is_asked_to_choose_one(call, regions):
    stranger = ResidentFactory(phone_verified=True)
    response = call(stranger, "post", URL, json=draft_json(regions.community))
    assert response.status_code == 422
    assert "选择所在社区" in response.json["message"]


def test_unverified_resident_is_asked_to_bind_a_phone(call, regions):
    unverified = ResidentFactory(community=regions.community)
    response = call(unverified, "post", URL, json=draft_json(regions.community))
    assert response.status_code == 403
    assert response.json["message"] == "发起提案需要先绑定手机号"


def test_verification_needed_is_configured_per_scope_level(call, app, monkeypatch, regions,
                                                           author):
    monkeypatch.setitem(app.config, "PROPOSAL_STREET_VERIFICATION", 2)
    monkeypatch.setitem(app.config, "PROPOSAL_COMMUNITY_VERIFICATION", 0)
    unverified = ResidentFactory(community=regions.community)
    assert call(author, "post", URL, json=draft_json(regions.street)).status_code == 403
    assert call(unverified, "post", URL, json=draft_json(regions.community)).status_code == 201


def test_scopes_endpoint_lists_where_and_under_which_rules_one_may_propose(call, author, regions):
    scopes = call(author, "get", f"{URL}/scopes").json["scopes"]
    assert [(s["name"], s["support_threshold"], s["support_days"]) for s in scopes] == [
        ("和平里院落", 10, 30), ("和平社区", 30, 30), ("书院街街道", 100, 45)]
    assert all(s["allowed"] for s in scopes)


def test_author_edits_a_draft(call, author, regions):
    proposal = in_state("draft", author=author)
    photo = make_upload(resident=author)
    response = call(author, "patch", f"{URL}/{proposal.id}",
                    json={"title": "院内增设晾衣架", "region_id": regions.courtyard.id,
                          "photo_ids": [photo.id]})
    assert response.status_code == 200
    proposal = reload(proposal)
    assert proposal.title == "院内增设晾衣架"
    assert proposal.region_id == proposal.origin_region_id == regions.courtyard.id
    assert [p["id"] for p in response.json["photos"]] == [photo.id]


def test_editing_without_photo_ids_keeps_the_photos(call, author, regions):
    photo = make_upload(resident=author)
    created = call(author, "post", URL, json=draft_json(regions.community, photo_ids=[photo.id]))
    response = call(author, "patch", f"{URL}/{created.json['id']}", json={"body": BODY + "谢谢。"})
    assert [p["id"] for p in response.json["photos"]] == [photo.id]


def test_editing_a_draft_into_someone_elses_area_is_refused(call, author, regions):
    proposal = in_state("draft", author=author)
    response = call(author, "patch", f"{URL}/{proposal.id}",
                    json={"region_id": regions.far_community.id})
    assert response.status_code == 422
    assert reload(proposal).region_id == regions.community.id


def test_submitting_sends_title_and_body_through_the_content_check(call, author, wechat):
    proposal = in_state("draft", author=author)
    response = call(author, "post", f"{URL}/{proposal.id}/submit")
    assert response.status_code == 200
    assert response.json["status"] == "pending_review"
    checked = wechat.calls("/wxa/msg_sec_check")[-1].json
    assert proposal.title in checked["content"] and proposal.body in checked["content"]
    assert checked["openid"] == author.mp_openid
    proposal = reload(proposal)
    assert proposal.submitted_at is not None and proposal.content_review_reason is None
    assert [e.action for e in events(proposal)] == ["submit"]


def test_risky_text_is_refused_and_the_draft_stays_a_draft(call, author, wechat):
    wechat.text_verdicts["长椅"] = "risky"
    proposal = in_state("draft", author=author, body="建议增设两把长椅，方便老人候车休息。")
    response = call(author, "post", f"{URL}/{proposal.id}/submit")
    assert response.status_code == 422
    assert response.json["errors"] == {"body": ["内容包含不适宜公开的信息，请修改后再提交"]}
    assert reload(proposal).status == "draft"


def test_doubtful_text_is_submitted_with_a_marker_for_the_moderator(call, author, wechat):
    wechat.text_verdicts["长椅"] = "review"
    proposal = in_state("draft", author=author, body="建议增设两把长椅，方便老人候车休息。")
    response = call(author, "post", f"{URL}/{proposal.id}/submit")
    assert response.status_code == 200
    proposal = reload(proposal)
    assert proposal.status == "pending_review"
    assert (proposal.content_review_reason, proposal.content_label) == ("wechat_review", 21000)


def test_an_unavailable_content_check_still_submits_with_a_marker(call, author, wechat):
    wechat.fail_next("/wxa/msg_sec_check", status=502)
    proposal = in_state("draft", author=author)
    assert call(author, "post", f"{URL}/{proposal.id}/submit").status_code == 200
    assert reload(proposal).content_review_reason == "check_unavailable"


def test_a_resident_who_moved_away_cannot_submit_the_old_draft(call, author, regions):
    proposal = in_state("draft", author=author)
    author.community = regions.far_community
    response = call(author, "post", f"{URL}/{proposal.id}/submit")
    assert response.status_code == 422
    assert reload(proposal).status == "draft"


@pytest.mark.parametrize("state", ["draft", "pending_review", "published", "under_review"])
def test_author_withdraws_before_an_answer(call, author, state):
    proposal = in_state(state, author=author)
    response = call(author, "post", f"{URL}/{proposal.id}/withdraw", json={"reason": "已自行解决"})
    assert response.status_code == 200
    proposal = reload(proposal)
    assert proposal.status == "withdrawn" and proposal.closed_at is not None
    assert events(proposal, "withdraw")[0].note == "已自行解决"


def test_another_resident_cannot_touch_someone_elses_draft(call, author, neighbour):
    proposal = in_state("draft", author=author)
    for method, suffix in (("patch", ""), ("post", "/submit"), ("post", "/withdraw")):
        response = call(neighbour, method, f"{URL}/{proposal.id}{suffix}", json={})
        assert response.status_code == 404
    assert reload(proposal).status == "draft"


def test_another_resident_cannot_withdraw_a_published_proposal(call, author, neighbour):
    proposal = in_state("published", author=author)
    response = call(neighbour, "post", f"{URL}/{proposal.id}/withdraw")
    assert response.status_code == 403
    assert reload(proposal).status == "published"


def test_creating_needs_a_resident_token(client, regions):
    assert client.post(URL, json=draft_json(regions.community)).status_code == 401
