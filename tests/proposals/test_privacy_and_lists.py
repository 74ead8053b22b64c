"""Who sees which proposal, and the resident and staff lists (filters, sorting, pages)."""

import pytest

from tests.factories import ResidentFactory, add_supports, in_state
from tests.proposals.helpers import reload

URL = "/api/v1/proposals"
STAFF_URL = "/api/v1/staff/proposals"


def listed(call, who, query=""):
    response = call(who, "get", f"{URL}{query}")
    assert response.status_code == 200
    return [item["id"] for item in response.json["items"]]


@pytest.mark.parametrize("state", ["draft", "pending_review", "rejected", "withdrawn"])
def test_private_states_are_seen_only_by_the_author_and_staff_in_scope(
        call, author, neighbour, moderator, other_moderator, state):
    proposal = in_state(state, author=author)
    assert call(author, "get", f"{URL}/{proposal.id}").status_code == 200
    assert call(neighbour, "get", f"{URL}/{proposal.id}").status_code == 404
    assert call(moderator, "get", f"{STAFF_URL}/{proposal.id}").status_code == 200
    assert call(other_moderator, "get", f"{STAFF_URL}/{proposal.id}").status_code == 404
    assert proposal.id not in listed(call, neighbour)
    assert proposal.id in listed(call, author, "?mine=true")


@pytest.mark.parametrize("state", ["published", "under_review", "accepted", "not_adopted",
                                   "in_progress", "completed", "expired"])
def test_public_states_are_seen_by_everyone(call, author, regions, state):
    proposal = in_state(state, author=author)
    far_away = ResidentFactory(community=regions.far_community)
    assert call(far_away, "get", f"{URL}/{proposal.id}").status_code == 200


def test_others_never_see_the_rejection_reason_or_internal_entries(call, author, neighbour):
    proposal = in_state("published", author=author, rejection_reason="旧的驳回理由")
    body = call(neighbour, "get", f"{URL}/{proposal.id}").json
    assert body["rejection_reason"] is None and body["is_mine"] is False
    assert body["timeline"] == []


def test_unknown_proposal_is_404(call, author):
    assert call(author, "get", f"{URL}/999999").status_code == 404


def test_default_list_shows_public_proposals_one_may_support(call, author, neighbour, regions):
    mine_courtyard = in_state("published", author=author, region=regions.courtyard)
    mine_street = in_state("under_review", author=author, region=regions.street)
    elsewhere = ResidentFactory(community=regions.other_community, phone_verified=True)
    other_community = in_state("published", author=elsewhere)
    in_state("draft", author=author)
    assert sorted(listed(call, neighbour)) == sorted([mine_courtyard.id, mine_street.id])
    assert listed(call, neighbour, f"?region_id={regions.other_community.id}") == [
        other_community.id]
    assert sorted(listed(call, neighbour, f"?region_id={regions.street.id}")) == sorted(
        [mine_courtyard.id, mine_street.id, other_community.id])


def test_mine_lists_every_state_of_my_own(call, author, neighbour):
    draft = in_state("draft", author=author)
    published = in_state("published", author=author)
    in_state("published", author=neighbour)
    assert sorted(listed(call, author, "?mine=true")) == sorted([draft.id, published.id])


def test_list_filters_by_status_and_scope_level(call, author, neighbour, regions):
    published = in_state("published", author=author, region=regions.courtyard)
    in_state("completed", author=author, region=regions.courtyard)
    in_state("published", author=author)
    assert listed(call, neighbour, "?status=published&scope_level=courtyard") == [published.id]


def test_list_sorts_by_support(call, author, neighbour, make_neighbours):
    few = in_state("published", author=author)
    many = in_state("published", author=author)
    add_supports(many, make_neighbours(2))
    add_supports(few, make_neighbours(1))
    assert listed(call, neighbour, "?sort=most_supported") == [many.id, few.id]


def test_closing_soon_lists_open_proposals_by_deadline(call, author, neighbour, clock):
    later = in_state("published", author=author)
    clock.advance(days=-5)
    sooner = in_state("published", author=author)
    in_state("under_review", author=author)
    clock.advance(days=5)
    assert listed(call, neighbour, "?sort=closing_soon") == [sooner.id, later.id]


def test_newest_first_by_default(call, author, neighbour, clock):
    older = in_state("published", author=author)
    clock.advance(hours=1)
    newer = in_state("published", author=author)
    assert listed(call, neighbour) == [newer.id, older.id]


def test_list_is_paged(call, author, neighbour):
    for _ in range(3):
        in_state("published", author=author)
    response = call(neighbour, "get", f"{URL}?per_page=2&page=2").json
    assert len(response["items"]) == 1
    assert response["meta"] == {"page": 2, "per_page": 2, "total": 3, "pages": 2}


def test_list_items_say_whether_i_supported(call, author, neighbour):
    proposal = in_state("published", author=author)
    add_supports(proposal, [neighbour])
    [item] = call(neighbour, "get", URL).json["items"]
    assert item["supported_by_me"] is True and item["support_count"] == 1
    assert item["status_label"] == "征集附议中"


@pytest.mark.parametrize("query, field", [
    ("?status=nonsense", "status"), ("?sort=random", "sort"), ("?scope_level=grid", "scope_level"),
    ("?per_page=51", "per_page")])
def test_list_refuses_bad_filters(call, author, query, field):
    response = call(author, "get", f"{URL}{query}")
    assert response.status_code == 422 and field in response.json["errors"]


def test_staff_list_covers_their_subtree_only(call, author, moderator, street_moderator,
                                              other_moderator, regions):
    proposal = in_state("pending_review", author=author, region=regions.courtyard)
    street_level = in_state("published", author=author, region=regions.street)
    assert [i["id"] for i in call(moderator, "get", STAFF_URL).json["items"]] == [proposal.id]
    assert sorted(i["id"] for i in call(street_moderator, "get", STAFF_URL).json["items"]) == \
        sorted([proposal.id, street_level.id])
    assert call(other_moderator, "get", STAFF_URL).json["items"] == []


def test_staff_see_all_comments_residents_see_visible_ones(call, author, moderator, neighbour,
                                                          wechat):
    proposal = in_state("published", author=author)
    wechat.text_verdicts["加微信"] = "review"
    call(neighbour, "post", f"{URL}/{proposal.id}/comments", json={"body": "有需要加微信"})
    assert call(author, "get", f"{URL}/{proposal.id}/comments").json["items"] == []
    [held] = call(moderator, "get", f"{STAFF_URL}/{proposal.id}/comments").json["items"]
    assert held["moderation"]["hidden_reason"] == "content_check"
    assert reload(proposal).status == "published"


@pytest.mark.parametrize("query", ["?page=1.5", "?page=2e3", "?per_page=", "?region_id=abc"])
def test_query_numbers_must_be_whole_numbers(call, author, query):
    assert call(author, "get", f"{URL}{query}").status_code == 422
