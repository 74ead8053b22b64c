"""Co-signing: who may, once each, until the deadline; the threshold sends it for an answer."""

from datetime import timedelta

import pytest

from app.accounts.models import StaffRole
from tests.factories import ResidentFactory, StaffFactory, add_supports, in_state
from tests.proposals.helpers import (
    events,
    notifications,
    notified_residents,
    notified_staff,
    reload,
    support_rows,
)

URL = "/api/v1/proposals"


def support(call, who, proposal):
    return call(who, "post", f"{URL}/{proposal.id}/support")


def test_supporting_counts_once_and_is_shown_as_mine(call, author, neighbour):
    proposal = in_state("published", author=author)
    response = support(call, neighbour, proposal)
    assert response.status_code == 200
    body = response.json
    assert (body["support_count"], body["supported_by_me"]) == (1, True)
    assert "unsupport" in body["actions"] and "support" not in body["actions"]
    assert reload(proposal).support_count == support_rows(proposal) == 1


def test_a_second_support_by_the_same_resident_is_refused(call, author, neighbour):
    proposal = in_state("published", author=author)
    support(call, neighbour, proposal)
    response = support(call, neighbour, proposal)
    assert response.status_code == 409
    assert response.json["message"] == "您已经附议过这条提案"
    assert reload(proposal).support_count == support_rows(proposal) == 1


def test_the_author_cannot_support_their_own_proposal(call, author):
    proposal = in_state("published", author=author)
    response = support(call, author, proposal)
    assert response.status_code == 403
    assert response.json["message"] == "不能附议自己的提案"


@pytest.mark.parametrize("scope, home, allowed", [
    ("community", "community", True),
    ("community", "other_community", False),
    ("courtyard", "community", True),
    ("courtyard", "other_community", False),
    ("street", "other_community", True),
    ("street", "far_community", False),
])
def test_only_residents_inside_the_scope_may_support(call, author, regions, scope, home, allowed):
    proposal = in_state("published", author=author, region=getattr(regions, scope))
    resident = ResidentFactory(community=getattr(regions, home), phone_verified=True)
    response = support(call, resident, proposal)
    assert response.status_code == (200 if allowed else 403)
    assert reload(proposal).support_count == (1 if allowed else 0)
    if not allowed:
        assert response.json["message"] == f"只有{getattr(regions, scope).name}的居民可以附议"


def test_a_resident_without_a_community_cannot_support(call, author):
    proposal = in_state("published", author=author)
    assert support(call, ResidentFactory(phone_verified=True), proposal).status_code == 403


def test_an_unverified_resident_is_asked_to_bind_a_phone(call, author, regions):
    proposal = in_state("published", author=author)
    unverified = ResidentFactory(community=regions.community)
    response = support(call, unverified, proposal)
    assert response.status_code == 403
    assert response.json["message"] == "附议需要先绑定手机号"
    detail = call(unverified, "get", f"{URL}/{proposal.id}").json
    assert detail["support_refusal"] == "附议需要先绑定手机号"
    assert "support" not in detail["actions"]


def test_the_level_fixed_at_publication_applies(call, author, neighbour):
    proposal = in_state("published", author=author, support_verification_level=2)
    assert support(call, neighbour, proposal).status_code == 403
    verified = ResidentFactory(community=author.community, resident_verified=True)
    assert support(call, verified, proposal).status_code == 200


def test_supporting_after_the_deadline_is_refused_before_the_sweep_runs(call, author,
                                                                       neighbour, clock):
    proposal = in_state("published", author=author)
    clock.advance(days=30)
    response = support(call, neighbour, proposal)
    assert response.status_code == 409
    assert response.json["message"] == "附议已于12月24日10:00截止"
    assert reload(proposal).support_count == 0


def test_supporting_just_before_the_deadline_counts(call, author, neighbour, clock):
    proposal = in_state("published", author=author)
    clock.advance(days=30, seconds=-1)
    assert support(call, neighbour, proposal).status_code == 200


def test_withdrawing_a_support_takes_it_off_the_count(call, author, neighbour):
    proposal = in_state("published", author=author)
    support(call, neighbour, proposal)
    response = call(neighbour, "delete", f"{URL}/{proposal.id}/support")
    assert response.status_code == 200
    assert (response.json["support_count"], response.json["supported_by_me"]) == (0, False)
    assert reload(proposal).support_count == support_rows(proposal) == 0


def test_withdrawing_a_support_one_never_gave_is_refused(call, author, neighbour, make_neighbours):
    proposal = in_state("published", author=author)
    add_supports(proposal, make_neighbours(1))
    response = call(neighbour, "delete", f"{URL}/{proposal.id}/support")
    assert response.status_code == 409
    assert reload(proposal).support_count == support_rows(proposal) == 1


def test_withdrawing_a_support_after_the_deadline_is_refused(call, author, neighbour, clock):
    proposal = in_state("published", author=author)
    add_supports(proposal, [neighbour])
    clock.advance(days=31)
    assert call(neighbour, "delete", f"{URL}/{proposal.id}/support").status_code == 409
    assert reload(proposal).support_count == support_rows(proposal) == 1


def test_withdrawing_a_support_after_the_threshold_is_refused(call, author, neighbour):
    proposal = in_state("under_review", author=author)
    add_supports(proposal, [neighbour])
    assert call(neighbour, "delete", f"{URL}/{proposal.id}/support").status_code == 409
    assert reload(proposal).support_count == 1


def test_reaching_the_threshold_sends_the_proposal_for_an_answer(call, author, make_neighbours):
    proposal = in_state("published", author=author, support_threshold=3)
    first, second, third = make_neighbours(3)
    support(call, first, proposal)
    support(call, second, proposal)
    assert reload(proposal).status == "published"
    response = support(call, third, proposal)
    assert (response.json["status"], response.json["support_count"]) == ("under_review", 3)
    proposal = reload(proposal)
    assert proposal.threshold_reached_at is not None
    [event] = events(proposal, "reach_threshold")
    assert event.note == "已有3位居民附议"


def test_the_threshold_notifies_the_author_and_the_staff_of_the_scope(
        call, author, make_neighbours, regions, moderator, street_moderator, other_moderator,
        handler):
    admin = StaffFactory(role=StaffRole.ADMIN, region=regions.district)
    proposal = in_state("published", author=author, support_threshold=1)
    support(call, make_neighbours(1)[0], proposal)
    assert notified_staff("proposal_threshold") == sorted([moderator.id, street_moderator.id,
                                                           admin.id])
    assert notified_residents("proposal_threshold") == [author.id]
    text = notifications(kind="proposal_threshold", resident_id=author.id)[0].payload["text"]
    assert text == f"您的提案“{proposal.title}”已有1位居民附议，已提交和平社区研究答复。"


def test_a_support_cannot_be_given_once_the_threshold_is_reached(call, author, make_neighbours):
    proposal = in_state("published", author=author, support_threshold=1)
    first, late = make_neighbours(2)
    support(call, first, proposal)
    response = support(call, late, proposal)
    assert response.status_code == 409
    assert reload(proposal).support_count == support_rows(proposal) == 1


def test_a_hidden_proposal_cannot_be_supported(call, author, neighbour, make_neighbours):
    proposal = in_state("published", author=author)
    for flagger in make_neighbours(3):
        call(flagger, "post", f"{URL}/{proposal.id}/flag", json={"reason": "spam"})
    assert support(call, neighbour, proposal).status_code == 404
    assert reload(proposal).support_count == 0


def test_a_private_proposal_cannot_be_supported(call, author, neighbour):
    proposal = in_state("pending_review", author=author)
    assert support(call, neighbour, proposal).status_code == 404


def test_detail_shows_the_count_and_the_threshold(call, author, neighbour):
    proposal = in_state("published", author=author, support_threshold=10)
    add_supports(proposal, [neighbour])
    body = call(neighbour, "get", f"{URL}/{proposal.id}").json
    assert body["support_count"] == 1 and body["support_threshold"] == 10
    assert body["supported_by_me"] is True


def test_deadline_is_shown_in_china_time(call, author, neighbour, clock):
    proposal = in_state("published", author=author)
    body = call(neighbour, "get", f"{URL}/{proposal.id}").json
    assert body["deadline_at"] == "2026-12-24T10:00:00+08:00"
    assert proposal.deadline_at == clock.moment + timedelta(days=30)
