"""The proposal pages: review queue, list and filters, detail, every action, hidden content,
scope (404 outside), roles, CSRF refusal and audit entries."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from app import proposals
from app.accounts.models import StaffRole
from app.audit.models import AuditEntry
from app.extensions import db
from app.moderation import hold_for_review
from app.moderation.models import ModeratedItem
from app.proposals.models import Proposal, ProposalEvent, ProposalEventPhoto, ProposalPhoto
from tests.factories import (
    CommentFactory,
    ResidentFactory,
    StaffFactory,
    add_supports,
    in_state,
    make_upload,
)
from tests.staff.test_layout import parts_of
from tests.uploads.samples import encoded, photo_like


@pytest.fixture
def author(regions):
    return ResidentFactory(community=regions.community, phone_verified=True, nickname="张阿姨")


@pytest.fixture
def street_moderator(regions):
    return StaffFactory(username="syjmod", display_name="周洁", role=StaffRole.MODERATOR,
                        region=regions.street)


def neighbours(regions, count, community=None):
    return [ResidentFactory(community=community or regions.community, phone_verified=True)
            for _ in range(count)]


def reload(proposal) -> Proposal:
    db.session.expire_all()
    return db.session.get(Proposal, proposal.id)


def audit_actions(object_type: str, object_id: int) -> list[str]:
    return list(db.session.scalars(sa.select(AuditEntry.action).where(
        AuditEntry.object_type == object_type, AuditEntry.object_id == object_id)
        .order_by(AuditEntry.id)))


def jpeg(seed: int = 1) -> bytes:
    return encoded(photo_like(320, 240, seed=seed), "JPEG", quality=85)


def text_of(response) -> str:
    return response.get_data(as_text=True)


def switch_to(pages, staff) -> None:
    """Sign out and sign in as someone else."""
    pages.post("/staff/logout")
    pages.sign_in(staff)


# --- the review queue ---------------------------------------------------------------------

def test_the_review_queue_lists_pending_proposals_of_the_scope(pages, regions, moderator,
                                                                author):
    in_state("pending_review", author=author, title="公交站旁增设候车座椅")
    in_state("pending_review", author=ResidentFactory(community=regions.other_community),
             title="桂花巷路灯更换")
    in_state("published", author=author, title="已经发布的提案")
    pages.sign_in(moderator)
    page = text_of(pages.get("/staff/proposals/review"))
    assert "公交站旁增设候车座椅" in page
    assert "桂花巷路灯更换" not in page and "已经发布的提案" not in page
    assert "审核通过" in page


def test_the_review_queue_marks_text_the_content_check_doubted(pages, moderator, author):
    in_state("pending_review", author=author, content_review_reason="wechat_review",
             content_label=21000)
    pages.sign_in(moderator)
    page = text_of(pages.get("/staff/proposals/review"))
    assert "需细看：" in page and "内容安全检测提示需人工复核" in page and "21000" in page


def test_approving_from_the_queue_publishes_and_returns_to_the_queue(pages, regions, moderator,
                                                                      author):
    proposal = in_state("pending_review", author=author)
    pages.sign_in(moderator)
    response = pages.post(f"/staff/proposals/{proposal.id}/approve",
                          {"next": "/staff/proposals/review"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/staff/proposals/review"
    stored = reload(proposal)
    assert stored.status == "published" and stored.support_threshold == 30
    assert audit_actions("proposal", proposal.id) == ["proposal.approve"]
    page = text_of(pages.get("/staff/proposals/review"))
    assert f"已审核通过，开始征集附议：{proposal.title}" in page
    assert "没有待审核的提案" in page


def test_approving_twice_shows_the_conflict_on_the_detail_page(pages, moderator, author):
    proposal = in_state("published", author=author)
    pages.sign_in(moderator)
    response = pages.post(f"/staff/proposals/{proposal.id}/approve", {})
    assert response.status_code == 409
    assert "该提案当前为“征集附议中”，不能审核通过" in text_of(response)
    assert audit_actions("proposal", proposal.id) == []


def test_rejecting_needs_a_reason_and_changes_nothing_without_one(pages, moderator, author):
    proposal = in_state("pending_review", author=author)
    pages.sign_in(moderator)
    response = pages.post(f"/staff/proposals/{proposal.id}/reject", {"reject-reason": " "})
    assert response.status_code == 422
    assert "驳回理由：此项必填" in text_of(response)
    assert reload(proposal).status == "pending_review"


def test_rejecting_records_the_reason_the_author_reads(pages, moderator, author):
    proposal = in_state("pending_review", author=author)
    pages.sign_in(moderator)
    response = pages.post(f"/staff/proposals/{proposal.id}/reject",
                          {"reject-reason": "与第3号提案重复，请到该提案下附议"})
    assert response.status_code == 302
    stored = reload(proposal)
    assert stored.status == "rejected"
    assert stored.rejection_reason == "与第3号提案重复，请到该提案下附议"
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "proposal.reject"))
    assert entry.detail == {"reason": "与第3号提案重复，请到该提案下附议"}
    assert entry.staff_id == moderator.id


def test_handlers_cannot_open_the_queues_or_act(pages, handler, author):
    proposal = in_state("pending_review", author=author)
    pages.sign_in(handler)
    assert pages.get("/staff/proposals/review").status_code == 403
    assert pages.get("/staff/proposals/flagged").status_code == 403
    assert pages.post(f"/staff/proposals/{proposal.id}/approve", {}).status_code == 403
    assert reload(proposal).status == "pending_review"


def test_a_community_handler_reads_a_proposal_without_action_forms(pages, regions, author):
    handler = StaffFactory(role=StaffRole.HANDLER, region=regions.community)
    proposal = in_state("under_review", author=author)
    pages.sign_in(handler)
    page = text_of(pages.get(f"/staff/proposals/{proposal.id}"))
    assert proposal.title in page
    assert "发布答复" not in page and 'id="actions-heading"' not in page


# --- scope and CSRF -----------------------------------------------------------------------

def test_a_proposal_of_another_community_is_404_to_read_and_to_act(pages, regions, other_admin,
                                                                   author):
    proposal = in_state("pending_review", author=author)
    pages.sign_in(other_admin)
    assert pages.get(f"/staff/proposals/{proposal.id}").status_code == 404
    assert pages.post(f"/staff/proposals/{proposal.id}/approve", {}).status_code == 404
    assert pages.post(f"/staff/proposals/{proposal.id}/reject",
                      {"reject-reason": "不属于本社区"}).status_code == 404
    assert reload(proposal).status == "pending_review"


def test_an_action_without_the_csrf_token_is_refused(pages, moderator, author):
    proposal = in_state("pending_review", author=author)
    pages.sign_in(moderator)
    response = pages.client.post(f"/staff/proposals/{proposal.id}/approve", data={})
    assert response.status_code == 400
    assert "页面已过期或来源不明" in text_of(response)
    assert reload(proposal).status == "pending_review"


def test_the_pages_need_signing_in(client, author):
    proposal = in_state("published", author=author)
    response = client.get(f"/staff/proposals/{proposal.id}")
    assert response.status_code == 302 and "/staff/login" in response.headers["Location"]


# --- the list -----------------------------------------------------------------------------

def test_the_list_shows_every_state_of_the_scope(pages, regions, moderator, author):
    in_state("draft", author=author, title="草稿状态的提案")
    in_state("published", author=author, title="征集中的提案")
    in_state("rejected", author=author, title="被驳回的提案")
    in_state("published", author=ResidentFactory(community=regions.other_community),
             title="别的社区的提案")
    pages.sign_in(moderator)
    page = text_of(pages.get("/staff/proposals"))
    assert "征集中的提案" in page and "被驳回的提案" in page and "草稿状态的提案" in page
    assert "别的社区的提案" not in page


def test_the_list_is_filtered_by_status_scope_level_and_region(pages, regions, moderator,
                                                               author):
    in_state("published", author=author, title="社区范围的提案")
    in_state("published", author=author, region=regions.courtyard, title="院落范围的提案")
    in_state("under_review", author=author, title="待答复的提案")
    pages.sign_in(moderator)
    page = text_of(pages.get("/staff/proposals?status=under_review"))
    assert "待答复的提案" in page and "社区范围的提案" not in page
    page = text_of(pages.get("/staff/proposals?scope_level=courtyard"))
    assert "院落范围的提案" in page and "社区范围的提案" not in page
    page = text_of(pages.get(f"/staff/proposals?region_id={regions.courtyard.id}"))
    assert "院落范围的提案" in page and "待答复的提案" not in page


def test_bad_or_outside_filter_values_are_ignored(pages, regions, moderator, author):
    in_state("published", author=author, title="社区范围的提案")
    pages.sign_in(moderator)
    response = pages.get(f"/staff/proposals?status=nonsense&region_id="
                         f"{regions.other_community.id}&scope_level=grid&sort=x")
    assert response.status_code == 200 and "社区范围的提案" in text_of(response)


def test_moderators_have_proposals_in_the_menu_and_handlers_do_not(pages, moderator, handler):
    pages.sign_in(moderator)
    assert '<a href="/staff/proposals"' in text_of(pages.get("/staff/"))
    switch_to(pages, handler)
    assert '<a href="/staff/proposals"' not in text_of(pages.get("/staff/"))


# --- the detail ---------------------------------------------------------------------------

def test_the_detail_shows_supports_threshold_deadline_and_timeline(pages, regions, moderator,
                                                                   author, clock):
    proposal = in_state("pending_review", author=author)
    proposals.approve_proposal(moderator, proposal.id, "欢迎大家附议")
    add_supports(reload(proposal), neighbours(regions, 4))
    pages.sign_in(moderator)
    page = text_of(pages.get(f"/staff/proposals/{proposal.id}"))
    assert "4 / 30 人" in page and "还差 26 人" in page
    assert "2026-12-24 10:00" in page  # 30 days for a 社区 proposal, China time
    assert "审核通过</strong> → 征集附议中" in page and "欢迎大家附议" in page
    assert "和平社区工作人员（王芳）" in page


def test_the_detail_shows_comments_with_their_moderation_state(pages, regions, moderator,
                                                               author):
    proposal = in_state("published", author=author)
    CommentFactory(proposal=proposal, body="赞成，我家老人也常在那里等车。")
    held = CommentFactory(proposal=proposal, body="这条评论等待审核")
    hold_for_review("comment", held.id, region_id=proposal.region_id, author_id=held.author_id)
    db.session.commit()
    pages.sign_in(moderator)
    page = text_of(pages.get(f"/staff/proposals/{proposal.id}"))
    assert "赞成，我家老人也常在那里等车。" in page and "这条评论等待审核" in page
    assert "已隐藏：内容待审核" in page
    assert f'action="/staff/proposals/comments/{held.id}/moderation"' in page


def test_answering_accepts_with_a_plan_and_tells_supporters(pages, regions, moderator, author):
    proposal = in_state("under_review", author=author)
    pages.sign_in(moderator)
    response = pages.post(f"/staff/proposals/{proposal.id}/answer", {
        "answer-decision": "accepted", "answer-text": "采纳，下月在站台两侧安装长椅。"})
    assert response.status_code == 302
    stored = reload(proposal)
    assert (stored.status, stored.answer_decision) == ("accepted", "accepted")
    assert stored.answer_text == "采纳，下月在站台两侧安装长椅。"
    assert audit_actions("proposal", proposal.id) == ["proposal.answer"]
    page = text_of(pages.get(response.headers["Location"]))
    assert "正式答复：采纳" in page and "发布进展" in page


def test_an_answer_needs_a_decision_and_enough_text(pages, moderator, author):
    proposal = in_state("under_review", author=author)
    pages.sign_in(moderator)
    response = pages.post(f"/staff/proposals/{proposal.id}/answer", {"answer-text": "好"})
    assert response.status_code == 422
    page = text_of(response)
    assert "答复结果：此项必填" in page and "答复内容：应为 5 到 2000 个字" in page
    assert reload(proposal).status == "under_review"


def test_progress_with_an_uploaded_photo_starts_the_work(pages, moderator, author, media_root):
    proposal = in_state("accepted", author=author)
    pages.sign_in(moderator)
    response = pages.post(f"/staff/proposals/{proposal.id}/progress", {
        "progress-text": "施工单位已进场，正在安装。",
        "progress-photos": [(io.BytesIO(jpeg(1)), "site1.jpg"), (io.BytesIO(jpeg(2)), "site2.jpg")],
    }, content_type="multipart/form-data")
    assert response.status_code == 302, text_of(response)
    assert reload(proposal).status == "in_progress"
    event = db.session.scalar(sa.select(ProposalEvent).where(
        ProposalEvent.proposal_id == proposal.id, ProposalEvent.action == "progress"))
    photos = db.session.scalars(sa.select(ProposalEventPhoto).where(
        ProposalEventPhoto.event_id == event.id)).all()
    assert len(photos) == 2 and all(photo.upload.staff_id == moderator.id for photo in photos)
    page = text_of(pages.get(f"/staff/proposals/{proposal.id}"))
    assert "施工单位已进场，正在安装。" in page
    # The photos are loaded from this host, whatever PUBLIC_BASE_URL says.
    assert f'src="/media/{photos[0].upload.sha256[:2]}' in page
    assert "https://linli.test/media/" not in page


def test_a_file_that_is_not_a_photo_is_refused_beside_the_field(pages, moderator, author):
    proposal = in_state("accepted", author=author)
    pages.sign_in(moderator)
    response = pages.post(f"/staff/proposals/{proposal.id}/progress", {
        "progress-text": "施工单位已进场。",
        "progress-photos": [(io.BytesIO(b"not a picture at all"), "notes.txt")],
    }, content_type="multipart/form-data")
    assert response.status_code == 422
    assert 'id="progress-photos-error"' in text_of(response)
    assert reload(proposal).status == "accepted"


def test_completing_needs_a_photo_of_the_result(pages, moderator, author):
    proposal = in_state("in_progress", author=author)
    pages.sign_in(moderator)
    response = pages.post(f"/staff/proposals/{proposal.id}/complete",
                          {"complete-text": "长椅已安装完毕。"}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "至少 1 张照片" in text_of(response)
    assert reload(proposal).status == "in_progress"


def test_completing_with_a_photo_asks_for_ratings(pages, moderator, author, media_root):
    proposal = in_state("in_progress", author=author)
    pages.sign_in(moderator)
    response = pages.post(f"/staff/proposals/{proposal.id}/complete", {
        "complete-text": "长椅已安装完毕。",
        "complete-photos": [(io.BytesIO(jpeg(3)), "done.jpg")],
    }, content_type="multipart/form-data")
    assert response.status_code == 302
    assert reload(proposal).status == "completed"
    assert audit_actions("proposal", proposal.id) == ["proposal.complete"]


def test_escalating_sends_a_community_proposal_to_the_street(pages, regions, moderator,
                                                             street_moderator, author):
    proposal = in_state("accepted", author=author)
    pages.sign_in(moderator)
    response = pages.post(f"/staff/proposals/{proposal.id}/escalate",
                          {"escalate-reason": "需要街道协调资金"})
    assert response.status_code == 302
    stored = reload(proposal)
    assert (stored.status, stored.region_id) == ("under_review", regions.street.id)
    entry = db.session.scalar(sa.select(AuditEntry).where(
        AuditEntry.action == "proposal.escalate"))
    assert entry.detail["reason"] == "需要街道协调资金"
    page = text_of(pages.get(f"/staff/proposals/{proposal.id}"))
    assert "由书院街街道的工作人员答复" in page and "发布答复" not in page
    switch_to(pages, street_moderator)
    assert "发布答复" in text_of(pages.get(f"/staff/proposals/{proposal.id}"))


def test_a_street_proposal_offers_no_escalation(pages, regions, street_moderator, author):
    proposal = in_state("accepted", author=author, region=regions.street)
    pages.sign_in(street_moderator)
    page = text_of(pages.get(f"/staff/proposals/{proposal.id}"))
    assert "发布进展" in page and "提交上级的原因" not in page
    response = pages.post(f"/staff/proposals/{proposal.id}/escalate",
                          {"escalate-reason": "需要区里协调"})
    assert response.status_code == 409
    assert "街道的提案不能再提交上级" in text_of(response)


# --- hidden proposals and comments --------------------------------------------------------

def flagged_comment(regions, proposal, reason="spam", body="加微信领免费鸡蛋"):
    comment = CommentFactory(proposal=proposal, body=body)
    for flagger in neighbours(regions, 3):
        proposals.flag_comment(flagger, comment.id, reason)
    return comment


def test_the_flagged_queue_shows_why_and_how_many_never_who(pages, regions, moderator, author):
    proposal = in_state("published", author=author)
    flagged_comment(regions, proposal)
    flaggers = db.session.scalars(sa.text("SELECT resident_id FROM flags")).all()
    pages.sign_in(moderator)
    page = text_of(pages.get("/staff/proposals/flagged"))
    assert "加微信领免费鸡蛋" in page and "多人举报" in page and "垃圾广告 3 人" in page
    for resident_id in flaggers:
        nickname = db.session.get(type(author), resident_id).nickname
        assert nickname not in page


def test_the_flagged_queue_is_scoped_and_filtered_by_kind(pages, regions, moderator, author):
    proposal = in_state("published", author=author)
    flagged_comment(regions, proposal, body="本社区被举报的评论")
    other = in_state("published", author=ResidentFactory(community=regions.other_community))
    flagged_comment(regions, other, body="别的社区被举报的评论")
    pages.sign_in(moderator)
    page = text_of(pages.get("/staff/proposals/flagged"))
    assert "本社区被举报的评论" in page and "别的社区被举报的评论" not in page
    assert "本社区被举报的评论" not in text_of(pages.get("/staff/proposals/flagged?item_type=proposal"))


def test_restoring_a_comment_from_the_queue_shows_it_again(pages, regions, moderator, author):
    proposal = in_state("published", author=author)
    comment = flagged_comment(regions, proposal)
    pages.sign_in(moderator)
    response = pages.post(f"/staff/proposals/comments/{comment.id}/moderation",
                          {"decision": "restore", "note": "内容正常",
                           "next": "/staff/proposals/flagged"})
    assert response.status_code == 303 and response.headers["Location"] == "/staff/proposals/flagged"
    row = db.session.scalar(sa.select(ModeratedItem).where(ModeratedItem.item_id == comment.id))
    db.session.refresh(row)
    assert row.visibility == "visible"
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "comment.moderation"))
    assert entry.detail == {"decision": "restore", "hidden_reason": "flags", "note": "内容正常"}
    assert "评论已恢复显示" in text_of(pages.get("/staff/proposals/flagged"))


def test_keeping_a_proposal_hidden_from_its_detail_page(pages, regions, moderator, author):
    proposal = in_state("published", author=author)
    for flagger in neighbours(regions, 3):
        proposals.flag_proposal(flagger, proposal.id, "offensive")
    pages.sign_in(moderator)
    page = text_of(pages.get(f"/staff/proposals/{proposal.id}"))
    assert "该提案已被隐藏，等待复核" in page and "辱骂或冒犯 3 人" in page
    response = pages.post(f"/staff/proposals/{proposal.id}/moderation",
                          {"decision": "keep_hidden"}, follow=True)
    assert "提案已保持隐藏" in text_of(response)
    assert "该提案经复核保持隐藏" in text_of(response)
    assert audit_actions("proposal", proposal.id) == ["proposal.moderation"]


def test_a_decision_someone_already_took_is_said_on_the_page(pages, regions, moderator, admin,
                                                             author):
    proposal = in_state("published", author=author)
    comment = flagged_comment(regions, proposal)
    proposals.decide_on_comment(admin, comment.id, "keep_hidden")
    pages.sign_in(moderator)
    response = pages.post(f"/staff/proposals/comments/{comment.id}/moderation",
                          {"decision": "restore", "next": "/staff/proposals/flagged"},
                          follow=True)
    assert "该内容没有在等待处理" in text_of(response)
    assert audit_actions("comment", comment.id) == ["comment.moderation"]


def test_a_decision_needs_a_known_choice(pages, regions, moderator, author):
    proposal = in_state("published", author=author)
    comment = flagged_comment(regions, proposal)
    pages.sign_in(moderator)
    response = pages.post(f"/staff/proposals/comments/{comment.id}/moderation",
                          {"decision": "delete"}, follow=True)
    assert "请从列表中选择" in text_of(response)
    assert audit_actions("comment", comment.id) == []


def test_a_comment_outside_scope_is_404(pages, regions, other_admin, author):
    proposal = in_state("published", author=author)
    comment = flagged_comment(regions, proposal)
    pages.sign_in(other_admin)
    response = pages.post(f"/staff/proposals/comments/{comment.id}/moderation",
                          {"decision": "restore"})
    assert response.status_code == 404


def test_the_audit_log_names_proposal_actions(pages, regions, admin, author):
    proposal = in_state("pending_review", author=author, content_review_reason="wechat_review")
    proposals.approve_proposal(admin, proposal.id)
    pages.sign_in(admin)
    page = text_of(pages.get("/staff/admin/audit"))
    assert "提案审核通过" in page and "提案 #" in page
    assert "内容检测：需人工复核" in page and "依据：；" not in page


def test_thumbnails_of_the_proposal_itself_are_shown(pages, regions, moderator, author):
    proposal = in_state("pending_review", author=author)
    upload = make_upload(resident=author)
    db.session.add(ProposalPhoto(proposal_id=proposal.id, upload_id=upload.id, position=0))
    db.session.commit()
    pages.sign_in(moderator)
    page = text_of(pages.get(f"/staff/proposals/{proposal.id}"))
    assert 'alt="提案照片 1"' in page and f"/media/{upload.sha256[:2]}" in page


def test_every_input_is_labelled_and_nothing_is_loaded_from_elsewhere(pages, regions, moderator,
                                                                      author):
    pending = in_state("pending_review", author=author)
    accepted = in_state("accepted", author=author)
    published = in_state("published", author=author)
    flagged_comment(regions, published)
    upload = make_upload(resident=author)
    db.session.add(ProposalPhoto(proposal_id=published.id, upload_id=upload.id, position=0))
    db.session.commit()
    pages.sign_in(moderator)
    for url in ("/staff/proposals", "/staff/proposals/review", "/staff/proposals/flagged",
                f"/staff/proposals/{pending.id}", f"/staff/proposals/{accepted.id}",
                f"/staff/proposals/{published.id}"):
        parts = parts_of(pages.get(url))
        for control in parts.controls:
            labelled = (control.get("id") in parts.labels_for
                        or (control["in_fieldset"] and control.get("type") == "radio"))
            assert labelled, (url, control)
        for asset in parts.assets:
            assert asset.startswith(("/staff/static/", "/media/", "data:")), (url, asset)


def test_the_list_says_how_much_waits_in_each_queue(pages, regions, moderator, author):
    in_state("pending_review", author=author)
    in_state("pending_review", author=author)
    flagged_comment(regions, in_state("published", author=author))
    pages.sign_in(moderator)
    page = text_of(pages.get("/staff/proposals"))
    assert "待审核（2）" in page and "被隐藏的内容（1）" in page
