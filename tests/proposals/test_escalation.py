"""An accepted 院落/社区 proposal that needs a higher level goes to the parent region's queue."""

from tests.factories import add_supports, in_state
from tests.proposals.helpers import (
    audit_actions,
    events,
    notified_residents,
    notified_staff,
    reload,
)

URL = "/api/v1/proposals"
STAFF_URL = "/api/v1/staff/proposals"


def escalate(call, staff, proposal, reason="涉及市政道路，需要街道协调"):
    return call(staff, "post", f"{STAFF_URL}/{proposal.id}/escalate", json={"reason": reason})


def test_a_community_proposal_moves_to_the_streets_answer_queue(call, moderator, author,
                                                                make_neighbours, regions):
    proposal = in_state("accepted", author=author)
    supporters = make_neighbours(3)
    add_supports(proposal, supporters)
    response = escalate(call, moderator, proposal)
    assert response.status_code == 200
    proposal = reload(proposal)
    assert proposal.status == "under_review"
    assert (proposal.region_id, proposal.escalated_from_id, proposal.origin_region_id) == (
        regions.street.id, regions.community.id, regions.community.id)
    # Same proposal: supporters and history stay; the old answer is now only in the timeline.
    assert proposal.support_count == 3
    assert proposal.answer_decision is None
    [event] = events(proposal, "escalate")
    assert event.note == "由和平社区提交书院街街道：涉及市政道路，需要街道协调"
    assert audit_actions(proposal.id) == ["proposal.escalate"]


def test_a_courtyard_proposal_goes_to_its_community(call, moderator, author, regions):
    proposal = in_state("accepted", author=author, region=regions.courtyard)
    assert escalate(call, moderator, proposal).status_code == 200
    assert reload(proposal).region_id == regions.community.id


def test_the_parent_regions_staff_and_the_author_are_told(call, moderator, street_moderator,
                                                          author):
    proposal = in_state("accepted", author=author)
    escalate(call, moderator, proposal)
    assert notified_staff("proposal_escalated") == [street_moderator.id]
    assert notified_residents("proposal_progress") == [author.id]


def test_the_street_answers_the_escalated_proposal(call, moderator, street_moderator, author,
                                                   neighbour):
    proposal = in_state("under_review", author=author)
    add_supports(proposal, [neighbour])
    call(moderator, "post", f"{STAFF_URL}/{proposal.id}/answer",
         json={"decision": "accepted", "text": "同意，但需街道协调公交公司"})
    escalate(call, moderator, proposal)
    queue = call(street_moderator, "get", f"{STAFF_URL}?status=under_review").json["items"]
    assert [item["id"] for item in queue] == [proposal.id]
    response = call(street_moderator, "post", f"{STAFF_URL}/{proposal.id}/answer",
                    json={"decision": "accepted", "text": "街道统一协调公交公司安装"})
    assert response.status_code == 200
    body = call(neighbour, "get", f"{URL}/{proposal.id}").json
    assert body["scope"]["name"] == "书院街街道"
    assert body["escalated_from"]["name"] == "和平社区"
    assert [e["action"] for e in body["timeline"]] == ["accept", "escalate", "accept"]


def test_the_community_keeps_following_but_no_longer_acts(call, moderator, author):
    proposal = in_state("accepted", author=author)
    escalate(call, moderator, proposal)
    detail = call(moderator, "get", f"{STAFF_URL}/{proposal.id}")
    assert detail.status_code == 200 and detail.json["actions"] == []
    listed = call(moderator, "get", STAFF_URL).json["items"]
    assert [item["id"] for item in listed] == [proposal.id]
    response = call(moderator, "post", f"{STAFF_URL}/{proposal.id}/answer",
                    json={"decision": "accepted", "text": "社区自己来做吧"})
    assert response.status_code == 404
    assert reload(proposal).status == "under_review"


def test_escalation_needs_a_reason(call, moderator, author):
    proposal = in_state("accepted", author=author)
    response = call(moderator, "post", f"{STAFF_URL}/{proposal.id}/escalate", json={})
    assert response.status_code == 422
    assert reload(proposal).status == "accepted"


def test_staff_buttons_offer_escalation_only_below_the_street(call, moderator, street_moderator,
                                                              author, regions):
    community = in_state("accepted", author=author)
    street = in_state("accepted", author=author, region=regions.street)
    assert "escalate" in call(moderator, "get", f"{STAFF_URL}/{community.id}").json["actions"]
    assert call(street_moderator, "get", f"{STAFF_URL}/{street.id}").json["actions"] == [
        "progress"]
