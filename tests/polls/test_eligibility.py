"""Who may vote: residents of the poll's region, verified enough; one ballot per household."""

import pytest

from app.accounts.models import VerificationLevel
from app.polls import service
from tests.factories import HouseholdFactory, PollFactory, ResidentFactory
from tests.polls.voting import cast, counts, verified_member


def test_a_street_poll_covers_every_community_of_the_street(client, regions, auth_headers):
    poll = PollFactory(region=regions.street)
    here = ResidentFactory(community=regions.community, phone_verified=True)
    there = ResidentFactory(community=regions.other_community, phone_verified=True)
    assert cast(client, auth_headers(here), poll, 0).status_code == 201
    assert cast(client, auth_headers(there), poll, 1).status_code == 201


def test_a_resident_outside_the_poll_region_gets_404(client, regions, poll, auth_headers):
    outsider = ResidentFactory(community=regions.other_community, phone_verified=True)
    response = cast(client, auth_headers(outsider), poll, 0)
    assert response.status_code == 404
    assert client.get(f"/api/v1/polls/{poll.id}",
                      headers=auth_headers(outsider)).status_code == 404
    assert counts(poll) == (0, 0)


def test_a_resident_without_a_community_gets_404(client, poll, auth_headers):
    drifter = ResidentFactory(phone_verified=True)
    assert cast(client, auth_headers(drifter), poll, 0).status_code == 404


def test_an_unverified_resident_is_told_to_bind_a_phone(client, regions, poll, auth_headers):
    newcomer = ResidentFactory(community=regions.community)
    response = cast(client, auth_headers(newcomer), poll, 0)
    assert response.status_code == 403
    assert "绑定手机号" in response.json["message"]
    assert counts(poll) == (0, 0)


def test_a_poll_for_confirmed_residents_refuses_phone_level(client, regions, voter,
                                                           auth_headers):
    poll = PollFactory(region=regions.community, min_verification=2)
    response = cast(client, auth_headers(voter), poll, 0)
    assert response.status_code == 403
    assert "确认您的住户身份" in response.json["message"]


def test_a_poll_open_to_all_accepts_an_unverified_resident(client, regions, auth_headers):
    poll = PollFactory(region=regions.community, min_verification=0)
    newcomer = ResidentFactory(community=regions.community)
    assert cast(client, auth_headers(newcomer), poll, 0).status_code == 201


@pytest.fixture
def household_poll(regions):
    return PollFactory(region=regions.community, household=True)


@pytest.fixture
def flat(regions):
    return HouseholdFactory(community_id=regions.community.id)


def test_first_member_uses_the_household_ballot_and_the_next_gets_409(
        client, regions, household_poll, flat, auth_headers):
    mother = verified_member(flat, regions.community)
    son = verified_member(flat, regions.community)
    assert cast(client, auth_headers(mother), household_poll, 2).status_code == 201
    response = cast(client, auth_headers(son), household_poll, 0)
    assert response.status_code == 409
    assert response.json["message"] == "您家已经投过票了，每户只能投一次"
    assert counts(household_poll) == (1, 1)


def test_other_members_see_their_household_voted_but_not_the_choice(
        client, regions, household_poll, flat, auth_headers):
    mother = verified_member(flat, regions.community)
    son = verified_member(flat, regions.community)
    cast(client, auth_headers(mother), household_poll, 2)
    body = client.get(f"/api/v1/polls/{household_poll.id}", headers=auth_headers(son)).json
    assert body["me"] == {"can_vote": False, "reason": "您家已由家人投过票了", "voted": True,
                          "voted_by": "household", "voted_on": "2026-11-24", "assisted": False}
    assert body["results"] is None
    assert "option_ids" not in str(body) and "chosen" not in str(body)


def test_two_households_each_have_a_ballot(client, regions, household_poll, auth_headers):
    first = verified_member(HouseholdFactory(community_id=regions.community.id),
                            regions.community)
    second = verified_member(HouseholdFactory(community_id=regions.community.id),
                             regions.community)
    assert cast(client, auth_headers(first), household_poll, 0).status_code == 201
    assert cast(client, auth_headers(second), household_poll, 0).status_code == 201
    assert counts(household_poll) == (2, 2)


def test_household_poll_refuses_a_member_whose_residency_is_not_confirmed(
        client, regions, household_poll, flat, auth_headers):
    unconfirmed = ResidentFactory(community=regions.community, household=flat,
                                  verification_level=VerificationLevel.PHONE)
    response = cast(client, auth_headers(unconfirmed), household_poll, 0)
    assert response.status_code == 403
    assert response.json["message"] == service.HOUSEHOLD_NEEDED


def test_household_poll_refuses_a_resident_without_a_household(client, regions,
                                                               household_poll, auth_headers):
    loner = ResidentFactory(community=regions.community,
                            verification_level=VerificationLevel.RESIDENCY)
    assert cast(client, auth_headers(loner), household_poll, 0).status_code == 403


def test_eligible_count_follows_scope_and_level(regions, poll):
    ResidentFactory(community=regions.community, phone_verified=True)
    ResidentFactory(community=regions.community, resident_verified=True)
    ResidentFactory(community=regions.community)  # level 0
    ResidentFactory(community=regions.other_community, phone_verified=True)
    assert service.eligible_count(poll) == 2


def test_eligible_households_are_counted_once_each(regions, household_poll, flat):
    verified_member(flat, regions.community)
    verified_member(flat, regions.community)
    verified_member(HouseholdFactory(community_id=regions.community.id), regions.community)
    ResidentFactory(community=regions.community, phone_verified=True,
                    household=HouseholdFactory(community_id=regions.community.id))
    assert service.eligible_count(household_poll) == 2


def test_someone_who_voted_and_then_moved_still_counts_as_eligible(client, regions, voter,
                                                                   poll, auth_headers):
    cast(client, auth_headers(voter), poll, 0)
    voter.community = regions.other_community
    assert service.eligible_count(poll) == 1
    assert service.turnout_of(poll).rate == 1.0


def test_resident_list_shows_open_polls_of_their_area_with_their_status(
        client, regions, voter, auth_headers):
    mine = PollFactory(region=regions.community, title="游乐场配色")
    street_wide = PollFactory(region=regions.street, min_verification=2, title="街道议事")
    PollFactory(region=regions.other_community)
    PollFactory(region=regions.community, draft=True)
    body = client.get("/api/v1/polls", headers=auth_headers(voter)).json
    by_id = {item["id"]: item for item in body["items"]}
    assert set(by_id) == {mine.id, street_wide.id}
    assert by_id[mine.id]["me"]["can_vote"] is True
    assert by_id[street_wide.id]["me"]["can_vote"] is False
    assert "住户身份" in by_id[street_wide.id]["me"]["reason"]


def test_the_bot_can_list_only_the_polls_a_resident_can_still_vote_in(regions, voter):
    votable = PollFactory(region=regions.community)
    PollFactory(region=regions.community, min_verification=2)
    listed = service.open_polls_for_resident(voter, only_votable=True)
    assert [poll.id for poll, _status in listed] == [votable.id]


def test_resident_list_of_closed_polls(client, regions, voter, poll, auth_headers, clock):
    clock.set(poll.closes_at)
    service.close_due_polls()
    headers = auth_headers(voter)
    assert client.get("/api/v1/polls", headers=headers).json["items"] == []
    closed = client.get("/api/v1/polls?status=closed", headers=headers).json["items"]
    assert [item["id"] for item in closed] == [poll.id]
