"""代投: staff cast a ballot for a resident present in person; it is recorded and notified."""

import sqlalchemy as sa

from app.accounts.models import StaffRole
from app.audit.models import AuditEntry
from app.extensions import db
from app.notifications.models import Notification
from app.polls.models import PollParticipation
from tests.factories import PollFactory, ResidentFactory, StaffFactory
from tests.polls.voting import answers, cast, counts, tallies


def assist(client, headers, poll, resident, *choices, in_person=True):
    return client.post(f"/api/v1/staff/polls/{poll.id}/assisted-ballots", headers=headers,
                       json={"resident_id": resident.id, "in_person": in_person,
                             "answers": answers(poll, *choices)})


def test_staff_cast_for_a_resident_and_the_participation_records_them(client, regions, voter,
                                                                       poll, auth_headers):
    handler = StaffFactory(role=StaffRole.HANDLER, region=regions.community,
                           display_name="张伟")
    response = assist(client, auth_headers(handler), poll, voter, 1)
    assert response.status_code == 201
    assert response.json["assisted"] is True
    participation = db.session.scalar(sa.select(PollParticipation))
    assert (participation.resident_id, participation.assisted_by_id) == (voter.id, handler.id)
    assert tallies(poll) == [0, 1, 0]


def test_the_resident_is_notified_of_an_assisted_vote(client, regions, voter, poll,
                                                     moderator, auth_headers):
    assist(client, auth_headers(moderator), poll, voter, 0)
    note = db.session.scalar(sa.select(Notification))
    assert (note.resident_id, note.kind) == (voter.id, "poll.assisted")
    assert moderator.display_name in note.payload["text"]
    assert poll.title in note.payload["text"]


def test_an_assisted_vote_is_audited_without_the_choice(client, voter, poll, moderator,
                                                       auth_headers):
    assist(client, auth_headers(moderator), poll, voter, 2)
    entry = db.session.scalar(sa.select(AuditEntry).where(
        AuditEntry.action == "poll.assisted_vote"))
    assert (entry.staff_id, entry.object_id) == (moderator.id, poll.id)
    assert entry.detail == {"resident_id": voter.id}


def test_the_resident_sees_their_vote_was_assisted(client, voter, poll, moderator,
                                                   auth_headers):
    assist(client, auth_headers(moderator), poll, voter, 0)
    me = client.get(f"/api/v1/polls/{poll.id}", headers=auth_headers(voter)).json["me"]
    assert me["voted"] is True and me["assisted"] is True


def test_staff_list_shows_who_assisted(client, voter, poll, moderator, auth_headers):
    assist(client, auth_headers(moderator), poll, voter, 0)
    items = client.get(f"/api/v1/staff/polls/{poll.id}/participants",
                       headers=auth_headers(moderator)).json["items"]
    assert items[0]["assisted_by"] == moderator.display_name


def test_assisting_without_the_resident_present_is_422(client, voter, poll, moderator,
                                                       auth_headers):
    response = assist(client, auth_headers(moderator), poll, voter, 0, in_person=False)
    assert response.status_code == 422
    assert response.json["errors"] == {"in_person": ["代投仅限居民本人在场时进行"]}
    assert counts(poll) == (0, 0)


def test_a_resident_outside_the_staff_scope_is_404(client, regions, moderator, auth_headers):
    street_poll = PollFactory(region=regions.street)
    elsewhere = ResidentFactory(community=regions.other_community, phone_verified=True)
    response = assist(client, auth_headers(moderator), street_poll, elsewhere, 0)
    assert response.status_code == 404
    assert counts(street_poll) == (0, 0)


def test_assisting_a_resident_who_already_voted_is_409(client, voter, poll, moderator,
                                                       auth_headers):
    cast(client, auth_headers(voter), poll, 0)
    response = assist(client, auth_headers(moderator), poll, voter, 1)
    assert response.status_code == 409
    assert tallies(poll) == [1, 0, 0]
    assert db.session.scalar(sa.select(sa.func.count(Notification.id))) == 0


def test_assisting_respects_eligibility(client, regions, poll, moderator, auth_headers):
    unverified = ResidentFactory(community=regions.community)
    response = assist(client, auth_headers(moderator), poll, unverified, 0)
    assert response.status_code == 403
    assert counts(poll) == (0, 0)


def test_a_resident_cannot_vote_after_staff_assisted(client, voter, poll, moderator,
                                                     auth_headers):
    assist(client, auth_headers(moderator), poll, voter, 0)
    assert cast(client, auth_headers(voter), poll, 1).status_code == 409
