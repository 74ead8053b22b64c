"""Comments (content-checked), flags, auto-hiding at three flags, and moderators' decisions."""

import json

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.moderation.models import Flag, ModeratedItem
from app.proposals.models import ProposalComment
from tests.factories import CommentFactory, ResidentFactory, in_state
from tests.proposals.helpers import audit_actions, notifications, reload

URL = "/api/v1/proposals"
STAFF_URL = "/api/v1/staff/proposals"


def comment(call, who, proposal, body="赞成，我家老人也常在那里等车。"):
    return call(who, "post", f"{URL}/{proposal.id}/comments", json={"body": body})


def flag(call, who, url, reason="offensive"):
    return call(who, "post", url, json={"reason": reason})


def comment_ids(call, who, proposal):
    return [c["id"] for c in call(who, "get", f"{URL}/{proposal.id}/comments").json["items"]]


@pytest.fixture
def proposal(author):
    return in_state("published", author=author)


# --- comments -------------------------------------------------------------------------------

def test_a_comment_is_published_and_the_author_is_told(call, proposal, author, neighbour,
                                                       wechat):
    response = comment(call, neighbour, proposal)
    assert response.status_code == 201
    assert response.json["hidden"] is False and response.json["is_mine"] is True
    assert comment_ids(call, author, proposal) == [response.json["id"]]
    assert wechat.calls("/wxa/msg_sec_check")[-1].json["scene"] == 2
    [notice] = notifications(kind="proposal_comment")
    assert notice.resident_id == author.id


def test_the_author_commenting_on_their_own_proposal_is_not_notified(call, proposal, author):
    assert comment(call, author, proposal).status_code == 201
    assert notifications(kind="proposal_comment") == []


@pytest.mark.parametrize("body", ["", "   ", "评" * 1001])
def test_a_comment_is_one_to_a_thousand_characters(call, proposal, neighbour, body):
    response = comment(call, neighbour, proposal, body)
    assert response.status_code == 422 and "body" in response.json["errors"]


def test_a_risky_comment_is_refused(call, proposal, neighbour, wechat):
    wechat.text_verdicts["骗子"] = "risky"
    response = comment(call, neighbour, proposal, "提这个的人是骗子")
    assert response.status_code == 422
    assert response.json["errors"] == {"body": ["内容包含不适宜公开的信息，请修改后再提交"]}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProposalComment)) == 0


def test_a_doubtful_comment_waits_for_a_moderator(call, proposal, author, neighbour, moderator,
                                                  wechat):
    wechat.text_verdicts["加微信"] = "review"
    response = comment(call, neighbour, proposal, "想买长椅的加微信找我")
    assert response.status_code == 201
    assert response.json["hidden"] is True
    assert response.json["notice"] == "这条内容正在等待工作人员审核，审核前仅您自己可见"
    held = response.json["id"]
    assert comment_ids(call, author, proposal) == []
    assert comment_ids(call, neighbour, proposal) == [held]
    assert notifications(kind="proposal_comment") == []
    [item] = call(moderator, "get", f"{STAFF_URL}/flagged").json["items"]
    assert (item["item_type"], item["item_id"], item["hidden_reason"]) == (
        "comment", held, "content_check")


def test_a_released_comment_becomes_public_and_reaches_the_author(call, proposal, author,
                                                                  neighbour, moderator, wechat):
    wechat.text_verdicts["加微信"] = "review"
    held = comment(call, neighbour, proposal, "想买长椅的加微信找我").json["id"]
    response = call(moderator, "post", f"{STAFF_URL}/comments/{held}/moderation",
                    json={"decision": "restore", "note": "是邻居的正常互助"})
    assert response.status_code == 200
    assert response.json["visibility"] == "visible"
    assert comment_ids(call, author, proposal) == [held]
    assert [n.resident_id for n in notifications(kind="proposal_comment")] == [author.id]
    assert audit_actions(held) == ["comment.moderation"]


def test_comments_close_when_the_proposal_is_finished(call, author, neighbour):
    finished = in_state("completed", author=author)
    response = comment(call, neighbour, finished)
    assert response.status_code == 409
    assert response.json["message"] == "该提案当前为“已完成”，不能发表评论"


def test_comments_on_a_private_proposal_are_not_found(call, author, neighbour):
    draft = in_state("draft", author=author)
    assert comment(call, neighbour, draft).status_code == 404
    assert call(neighbour, "get", f"{URL}/{draft.id}/comments").status_code == 404


# --- flags ------------------------------------------------------------------------------------

def test_flagging_a_proposal_is_thanked_and_recorded(call, proposal, neighbour):
    response = flag(call, neighbour, f"{URL}/{proposal.id}/flag", "spam")
    assert response.status_code == 201
    assert response.json == {"message": "已收到举报，工作人员会尽快核实处理"}
    [row] = db.session.scalars(sa.select(Flag)).all()
    assert (row.item_type, row.item_id, row.resident_id, row.reason) == (
        "proposal", proposal.id, neighbour.id, "spam")


def test_a_resident_flags_an_item_once(call, proposal, neighbour):
    flag(call, neighbour, f"{URL}/{proposal.id}/flag")
    response = flag(call, neighbour, f"{URL}/{proposal.id}/flag", "spam")
    assert response.status_code == 409
    assert db.session.scalar(sa.select(ModeratedItem.flag_count)) == 1


def test_one_cannot_flag_ones_own_proposal(call, proposal, author):
    assert flag(call, author, f"{URL}/{proposal.id}/flag").status_code == 403


def test_a_flag_needs_a_known_reason(call, proposal, neighbour):
    response = flag(call, neighbour, f"{URL}/{proposal.id}/flag", "boring")
    assert response.status_code == 422 and "reason" in response.json["errors"]


def test_two_flags_do_not_hide(call, proposal, make_neighbours):
    for flagger in make_neighbours(2):
        flag(call, flagger, f"{URL}/{proposal.id}/flag")
    stranger = ResidentFactory(community=proposal.region)
    assert call(stranger, "get", f"{URL}/{proposal.id}").status_code == 200


def test_three_flags_hide_a_proposal_from_other_residents(call, proposal, author, make_neighbours):
    for flagger in make_neighbours(3):
        flag(call, flagger, f"{URL}/{proposal.id}/flag")
    reader = make_neighbours(1)[0]
    assert call(reader, "get", f"{URL}/{proposal.id}").status_code == 404
    assert call(reader, "get", URL).json["items"] == []


def test_the_author_sees_their_hidden_proposal_with_a_notice(call, proposal, author,
                                                             make_neighbours):
    for flagger in make_neighbours(3):
        flag(call, flagger, f"{URL}/{proposal.id}/flag")
    body = call(author, "get", f"{URL}/{proposal.id}").json
    assert body["hidden"] is True
    assert body["notice"] == "多位居民举报了这条内容，工作人员复核前仅您自己可见"
    mine = call(author, "get", f"{URL}?mine=true").json["items"]
    assert [(item["id"], item["hidden"]) for item in mine] == [(proposal.id, True)]


def test_nobody_is_told_who_flagged(call, proposal, author, moderator, make_neighbours):
    flaggers = make_neighbours(3)
    for flagger, reason in zip(flaggers, ["spam", "spam", "privacy"], strict=True):
        flag(call, flagger, f"{URL}/{proposal.id}/flag", reason)
    queue = call(moderator, "get", f"{STAFF_URL}/flagged").json
    [item] = queue["items"]
    assert item["flags"] == [{"reason": "privacy", "reason_label": "泄露他人隐私", "count": 1},
                             {"reason": "spam", "reason_label": "垃圾广告", "count": 2}]
    seen = json.dumps([queue, call(author, "get", f"{URL}/{proposal.id}").json,
                       call(moderator, "get", f"{STAFF_URL}/{proposal.id}").json],
                      ensure_ascii=False)
    for flagger in flaggers:
        assert flagger.nickname not in seen and flagger.mp_openid not in seen


def test_a_moderator_restores_a_hidden_proposal(call, proposal, moderator, make_neighbours):
    for flagger in make_neighbours(3):
        flag(call, flagger, f"{URL}/{proposal.id}/flag")
    response = call(moderator, "post", f"{STAFF_URL}/{proposal.id}/moderation",
                    json={"decision": "restore", "note": "内容属实，不属于广告"})
    assert response.status_code == 200
    assert response.json["decision_label"] == "恢复显示"
    reader = make_neighbours(1)[0]
    assert call(reader, "get", f"{URL}/{proposal.id}").status_code == 200
    assert call(moderator, "get", f"{STAFF_URL}/flagged").json["items"] == []
    assert audit_actions(proposal.id) == ["proposal.moderation"]


def test_a_moderator_keeps_a_proposal_hidden(call, proposal, author, moderator, make_neighbours):
    for flagger in make_neighbours(3):
        flag(call, flagger, f"{URL}/{proposal.id}/flag")
    call(moderator, "post", f"{STAFF_URL}/{proposal.id}/moderation",
         json={"decision": "keep_hidden"})
    assert call(make_neighbours(1)[0], "get", f"{URL}/{proposal.id}").status_code == 404
    assert call(author, "get", f"{URL}/{proposal.id}").json["notice"] == \
        "经工作人员复核，这条内容不予公开显示"
    detail = call(moderator, "get", f"{STAFF_URL}/{proposal.id}").json
    assert detail["moderation"]["visibility"] == "removed"


def test_a_decision_on_an_item_that_is_not_hidden_is_refused(call, proposal, moderator):
    response = call(moderator, "post", f"{STAFF_URL}/{proposal.id}/moderation",
                    json={"decision": "restore"})
    assert response.status_code == 409


def test_a_moderator_of_another_community_cannot_decide(call, proposal, other_moderator,
                                                        make_neighbours):
    for flagger in make_neighbours(3):
        flag(call, flagger, f"{URL}/{proposal.id}/flag")
    assert call(other_moderator, "get", f"{STAFF_URL}/flagged").json["items"] == []
    response = call(other_moderator, "post", f"{STAFF_URL}/{proposal.id}/moderation",
                    json={"decision": "restore"})
    assert response.status_code == 404


def test_after_a_restore_only_three_new_flags_hide_again(call, proposal, moderator,
                                                         make_neighbours):
    first_three = make_neighbours(3)
    for flagger in first_three:
        flag(call, flagger, f"{URL}/{proposal.id}/flag")
    call(moderator, "post", f"{STAFF_URL}/{proposal.id}/moderation", json={"decision": "restore"})
    assert flag(call, first_three[0], f"{URL}/{proposal.id}/flag").status_code == 409
    reader = make_neighbours(1)[0]
    new_flaggers = make_neighbours(3)
    for flagger in new_flaggers[:2]:
        flag(call, flagger, f"{URL}/{proposal.id}/flag")
    assert call(reader, "get", f"{URL}/{proposal.id}").status_code == 200
    flag(call, new_flaggers[2], f"{URL}/{proposal.id}/flag")
    assert call(reader, "get", f"{URL}/{proposal.id}").status_code == 404


def test_three_flags_hide_a_comment(call, proposal, author, make_neighbours):
    written = CommentFactory(proposal=proposal)
    for flagger in make_neighbours(3):
        assert flag(call, flagger, f"/api/v1/comments/{written.id}/flag").status_code == 201
    assert comment_ids(call, author, proposal) == []
    assert comment_ids(call, written.author, proposal) == [written.id]
    later = make_neighbours(1)[0]
    assert flag(call, later, f"/api/v1/comments/{written.id}/flag").status_code == 404


def test_a_hidden_comment_does_not_count(call, proposal, author, make_neighbours):
    written = CommentFactory(proposal=proposal)
    CommentFactory(proposal=proposal)
    for flagger in make_neighbours(3):
        flag(call, flagger, f"/api/v1/comments/{written.id}/flag")
    assert call(author, "get", f"{URL}/{proposal.id}").json["comment_count"] == 1


def test_a_moderator_keeps_a_comment_hidden(call, proposal, author, moderator, make_neighbours):
    written = CommentFactory(proposal=proposal)
    for flagger in make_neighbours(3):
        flag(call, flagger, f"/api/v1/comments/{written.id}/flag", "offensive")
    [item] = call(moderator, "get", f"{STAFF_URL}/flagged?item_type=comment").json["items"]
    assert item["excerpt"] == written.body and item["proposal"]["id"] == proposal.id
    response = call(moderator, "post", f"{STAFF_URL}/comments/{written.id}/moderation",
                    json={"decision": "keep_hidden", "note": "人身攻击"})
    assert response.json["visibility"] == "removed"
    assert comment_ids(call, author, proposal) == []
    staff_view = call(moderator, "get", f"{STAFF_URL}/{proposal.id}/comments").json["items"]
    assert staff_view[0]["moderation"]["decision_note"] == "人身攻击"


def test_comments_of_a_hidden_proposal_cannot_be_flagged(call, proposal, make_neighbours):
    written = CommentFactory(proposal=proposal)
    for flagger in make_neighbours(3):
        flag(call, flagger, f"{URL}/{proposal.id}/flag")
    assert flag(call, make_neighbours(1)[0],
                f"/api/v1/comments/{written.id}/flag").status_code == 404


def test_a_second_decision_on_the_same_item_is_refused(call, proposal, moderator,
                                                             make_neighbours):
    for flagger in make_neighbours(3):
        flag(call, flagger, f"{URL}/{proposal.id}/flag")
    call(moderator, "post", f"{STAFF_URL}/{proposal.id}/moderation", json={"decision": "restore"})
    second = call(moderator, "post", f"{STAFF_URL}/{proposal.id}/moderation",
                  json={"decision": "keep_hidden"})
    assert second.status_code == 409
    assert reload(proposal).status == "published"
