"""The official answer, progress updates, completion and the residents' rating."""

import pytest

from tests.factories import add_supports, in_state, make_upload
from tests.proposals.helpers import audit_actions, events, notifications, reload

URL = "/api/v1/proposals"
STAFF_URL = "/api/v1/staff/proposals"


@pytest.fixture
def awaiting_answer(author, make_neighbours):
    proposal = in_state("under_review", author=author)
    supporters = make_neighbours(2)
    add_supports(proposal, supporters)
    return proposal, supporters


def test_accepting_with_a_plan_tells_the_author_and_every_supporter(call, moderator, author,
                                                                    awaiting_answer):
    proposal, supporters = awaiting_answer
    response = call(moderator, "post", f"{STAFF_URL}/{proposal.id}/answer",
                    json={"decision": "accepted", "text": "同意。下月由社区出资安装两把长椅。"})
    assert response.status_code == 200
    proposal = reload(proposal)
    assert (proposal.status, proposal.answer_decision) == ("accepted", "accepted")
    assert proposal.answered_by_id == moderator.id
    answers = notifications(kind="proposal_answer")
    assert sorted(n.resident_id for n in answers) == sorted([author.id, *(s.id for s in supporters)])
    assert "已采纳" in answers[0].payload["text"]
    assert audit_actions(proposal.id) == ["proposal.answer"]


def test_residents_see_the_official_answer(call, moderator, author, neighbour, awaiting_answer):
    proposal, _ = awaiting_answer
    call(moderator, "post", f"{STAFF_URL}/{proposal.id}/answer",
         json={"decision": "not_adopted", "text": "人行道宽度不足 1.5 米，无法安装。"})
    body = call(neighbour, "get", f"{URL}/{proposal.id}").json
    assert body["status_label"] == "未采纳"
    assert body["answer"]["decision_label"] == "不予采纳"
    assert body["answer"]["text"] == "人行道宽度不足 1.5 米，无法安装。"
    assert body["timeline"][-1]["actor"] == "和平社区工作人员"


@pytest.mark.parametrize("payload, field", [
    ({"decision": "maybe", "text": "再研究研究看看"}, "decision"),
    ({"decision": "accepted", "text": "好"}, "text"),
    ({"decision": "accepted"}, "text"),
])
def test_an_answer_needs_a_decision_and_an_explanation(call, moderator, awaiting_answer, payload,
                                                       field):
    proposal, _ = awaiting_answer
    response = call(moderator, "post", f"{STAFF_URL}/{proposal.id}/answer", json=payload)
    assert response.status_code == 422 and field in response.json["errors"]
    assert reload(proposal).status == "under_review"


def test_the_first_progress_update_starts_the_work(call, moderator, author, neighbour):
    proposal = in_state("accepted", author=author)
    add_supports(proposal, [neighbour])
    photo = make_upload(staff=moderator)
    response = call(moderator, "post", f"{STAFF_URL}/{proposal.id}/progress",
                    json={"text": "已与公交公司确认安装位置", "photo_ids": [photo.id]})
    assert response.status_code == 200
    proposal = reload(proposal)
    assert proposal.status == "in_progress" and proposal.started_at is not None
    entry = call(neighbour, "get", f"{URL}/{proposal.id}").json["timeline"][-1]
    assert (entry["action"], entry["note"]) == ("progress", "已与公交公司确认安装位置")
    assert [p["id"] for p in entry["photos"]] == [photo.id]
    assert sorted(n.resident_id for n in notifications(kind="proposal_progress")) == sorted(
        [author.id, neighbour.id])


def test_every_progress_update_reaches_supporters(call, moderator, author, neighbour):
    proposal = in_state("in_progress", author=author)
    add_supports(proposal, [neighbour])
    for text in ("长椅已采购", "下周三安装"):
        assert call(moderator, "post", f"{STAFF_URL}/{proposal.id}/progress",
                    json={"text": text}).status_code == 200
    assert reload(proposal).status == "in_progress"
    assert len(notifications(kind="proposal_progress", resident_id=neighbour.id)) == 2


def test_a_residents_photo_cannot_be_used_by_staff(call, moderator, author):
    proposal = in_state("accepted", author=author)
    response = call(moderator, "post", f"{STAFF_URL}/{proposal.id}/progress",
                    json={"text": "进展", "photo_ids": [make_upload(resident=author).id]})
    assert response.status_code == 422
    assert reload(proposal).status == "accepted"


def test_completion_needs_a_photo_of_the_result(call, moderator, author):
    proposal = in_state("in_progress", author=author)
    response = call(moderator, "post", f"{STAFF_URL}/{proposal.id}/complete",
                    json={"text": "已安装", "photo_ids": []})
    assert response.status_code == 422 and "photo_ids" in response.json["errors"]
    assert reload(proposal).status == "in_progress"


def test_completion_shows_the_result_and_asks_for_a_rating(call, moderator, author, neighbour):
    proposal = in_state("in_progress", author=author)
    add_supports(proposal, [neighbour])
    photo = make_upload(staff=moderator)
    response = call(moderator, "post", f"{STAFF_URL}/{proposal.id}/complete",
                    json={"text": "两把长椅已安装完毕", "photo_ids": [photo.id]})
    assert response.status_code == 200
    assert reload(proposal).completed_at is not None
    body = call(neighbour, "get", f"{URL}/{proposal.id}").json
    assert body["status_label"] == "已完成" and "rate" in body["actions"]
    assert body["timeline"][-1]["photos"][0]["id"] == photo.id
    texts = [n.payload["text"] for n in notifications(kind="proposal_progress")]
    assert texts == [f"您关注的提案“{proposal.title}”已完成，请为结果打分。"] * 2
    assert [e.action for e in events(proposal)] == ["complete"]


def test_author_and_supporters_rate_the_outcome(call, author, neighbour):
    proposal = in_state("completed", author=author)
    add_supports(proposal, [neighbour])
    assert call(author, "post", f"{URL}/{proposal.id}/rating", json={"score": 5}).status_code == 201
    response = call(neighbour, "post", f"{URL}/{proposal.id}/rating",
                    json={"score": 4, "comment": "椅子有点矮"})
    assert response.status_code == 201
    assert response.json["rating"] == {"average": 4.5, "count": 2, "mine": 4}
    assert "rate" not in response.json["actions"]


def test_staff_see_the_rating_comments(call, moderator, author):
    proposal = in_state("completed", author=author)
    call(author, "post", f"{URL}/{proposal.id}/rating", json={"score": 3, "comment": "椅子有点矮"})
    rating = call(moderator, "get", f"{STAFF_URL}/{proposal.id}").json["rating"]
    assert rating["average"] == 3.0
    assert [c["comment"] for c in rating["comments"]] == ["椅子有点矮"]


def test_residents_who_did_not_support_cannot_rate(call, author, neighbour):
    proposal = in_state("completed", author=author)
    response = call(neighbour, "post", f"{URL}/{proposal.id}/rating", json={"score": 1})
    assert response.status_code == 403


def test_a_second_rating_is_refused(call, author):
    proposal = in_state("completed", author=author)
    call(author, "post", f"{URL}/{proposal.id}/rating", json={"score": 5})
    response = call(author, "post", f"{URL}/{proposal.id}/rating", json={"score": 1})
    assert response.status_code == 409
    assert call(author, "get", f"{URL}/{proposal.id}").json["rating"]["mine"] == 5


@pytest.mark.parametrize("score", [0, 6, 4.5, "5"])
def test_a_rating_is_a_whole_number_from_one_to_five(call, author, score):
    proposal = in_state("completed", author=author)
    response = call(author, "post", f"{URL}/{proposal.id}/rating", json={"score": score})
    assert response.status_code == 422 and "score" in response.json["errors"]
