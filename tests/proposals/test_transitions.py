"""Every action the lifecycle does not allow in a state is refused with 409 and changes nothing."""

import pytest

from app.proposals.lifecycle import PRIVATE_STATES, PROPOSAL
from tests.factories import in_state, make_upload
from tests.proposals.helpers import reload

URL = "/api/v1/proposals"
STAFF_URL = "/api/v1/staff/proposals"

# action → (who acts, method, path suffix, JSON body or a function of the staff member)
REQUESTS = {
    "edit": ("author", "patch", "", {"title": "新的提案标题"}),
    "submit": ("author", "post", "/submit", None),
    "withdraw": ("author", "post", "/withdraw", {}),
    "comment": ("author", "post", "/comments", {"body": "补充一点情况"}),
    "rate": ("author", "post", "/rating", {"score": 5}),
    "support": ("neighbour", "post", "/support", None),
    "unsupport": ("neighbour", "delete", "/support", None),
    "approve": ("moderator", "post", "/approve", {}),
    "reject": ("moderator", "post", "/reject", {"reason": "不符合要求"}),
    "accept": ("moderator", "post", "/answer", {"decision": "accepted", "text": "同意实施该方案"}),
    "decline": ("moderator", "post", "/answer",
                {"decision": "not_adopted", "text": "条件不具备，暂不采纳"}),
    "progress": ("moderator", "post", "/progress", {"text": "已联系施工单位"}),
    "complete": ("moderator", "post", "/complete",
                 lambda staff: {"text": "已安装完成", "photo_ids": [make_upload(staff=staff).id]}),
    "escalate": ("moderator", "post", "/escalate", {"reason": "需要街道统筹资金"}),
}

ILLEGAL = [(state, action) for state in PROPOSAL.states for action in REQUESTS
           if not PROPOSAL.can(state, action)]


@pytest.mark.parametrize("state, action", ILLEGAL)
def test_illegal_action_is_refused(call, author, neighbour, moderator, state, action):
    proposal = in_state(state, author=author)
    who, method, suffix, body = REQUESTS[action]
    actor = {"author": author, "neighbour": neighbour, "moderator": moderator}[who]
    base = STAFF_URL if who == "moderator" else URL
    if callable(body):
        body = body(moderator)
    response = call(actor, method, f"{base}/{proposal.id}{suffix}",
                    **({"json": body} if body is not None else {}))
    # Other residents cannot even see a private proposal.
    expected = 404 if who == "neighbour" and state in PRIVATE_STATES else 409
    assert response.status_code == expected, response.json
    if expected == 409:
        assert response.json["message"].startswith(f"该提案当前为“{PROPOSAL.label(state)}”")
    assert reload(proposal).status == state


def test_every_state_has_a_tested_refusal_or_is_reachable():
    assert {state for state, _ in ILLEGAL} == set(PROPOSAL.states)


def test_a_street_proposal_cannot_be_escalated(call, author, regions, street_moderator):
    proposal = in_state("accepted", author=author, region=regions.street)
    response = call(street_moderator, "post", f"{STAFF_URL}/{proposal.id}/escalate",
                    json={"reason": "需要区里统筹"})
    assert response.status_code == 409
    assert response.json["message"] == "街道的提案不能再提交上级"
    assert reload(proposal).status == "accepted"
