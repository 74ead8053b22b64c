"""Mailbox services behind the staff pages: which mailboxes one may answer, the inbox counts,
and whom an admin may name to answer a mailbox."""

from datetime import timedelta

import pytest

from app import mailbox
from app.accounts.models import StaffRole
from app.errors import Forbidden, NotFound
from tests.factories import LetterFactory, MailboxFactory, StaffFactory


def test_usable_mailboxes_leave_out_restricted_ones_of_which_one_is_no_member(
        director, secretary, street_admin, director_box, secretary_box, other_box):
    assert [box.id for box in mailbox.usable_mailboxes(director)] == [director_box.id]
    assert {box.id for box in mailbox.usable_mailboxes(secretary)} == {director_box.id,
                                                                       secretary_box.id}
    # A supervisor above the community sees both of it, and the other community's too.
    assert {box.id for box in mailbox.usable_mailboxes(street_admin)} == {
        director_box.id, secretary_box.id, other_box.id}


def test_a_handler_of_a_grid_uses_no_mailbox(regions, director_box):
    handler = StaffFactory(region=regions.grid, role=StaffRole.HANDLER)
    assert mailbox.usable_mailboxes(handler) == []


def test_inbox_counts_are_letters_owing_a_reply_and_those_late(resident, director,
                                                               director_box, secretary_box,
                                                               clock):
    LetterFactory(mailbox=director_box, resident=resident)
    LetterFactory(mailbox=director_box, resident=resident,
                  created_at=clock.moment - timedelta(days=4))  # 72 h: late
    LetterFactory(mailbox=director_box, resident=resident, read=True)
    LetterFactory(mailbox=director_box, resident=resident, replied=True)
    LetterFactory(mailbox=secretary_box, resident=resident)  # not the director's to see
    assert mailbox.inbox_counts(director) == {director_box.id: {"awaiting": 3, "overdue": 1}}


def test_member_candidates_are_active_staff_of_the_community_or_above_in_the_admins_scope(
        regions, director, secretary, community_admin, street_admin):
    StaffFactory(region=regions.grid, role=StaffRole.HANDLER)  # a grid cannot answer it
    StaffFactory(region=regions.community, role=StaffRole.MODERATOR, active=False)
    StaffFactory(region=regions.other_community, role=StaffRole.MODERATOR)
    community_view = {staff.id for staff in mailbox.member_candidates(community_admin,
                                                                       regions.community.id)}
    assert community_view == {director.id, secretary.id, community_admin.id}
    street_view = {staff.id for staff in mailbox.member_candidates(street_admin,
                                                                    regions.community.id)}
    assert street_view == community_view | {street_admin.id}


def test_member_candidates_are_for_admins_in_scope(regions, director, community_admin):
    with pytest.raises(Forbidden):
        mailbox.member_candidates(director, regions.community.id)
    with pytest.raises(NotFound):
        mailbox.member_candidates(community_admin, regions.other_community.id)


def test_every_member_candidate_is_accepted_by_update_mailbox(regions, community_admin,
                                                              director, secretary):
    box = MailboxFactory(community=regions.community, name="主任信箱")
    ids = [staff.id for staff in mailbox.member_candidates(community_admin,
                                                           regions.community.id)]
    updated = mailbox.update_mailbox(community_admin, box.id, {"member_ids": ids})
    assert sorted(member.id for member in updated.members) == sorted(ids)
