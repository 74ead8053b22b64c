"""Two records of one resident merged: proposals, supports, comments, ratings."""

from __future__ import annotations

import sqlalchemy as sa

from app import clock
from app.accounts import service as accounts
from app.extensions import db
from app.proposals.models import Proposal, ProposalComment, ProposalRating, ProposalSupport
from tests.factories import CommentFactory, ProposalFactory, ResidentFactory, add_supports


def merge(source, target) -> None:
    accounts.merge_residents(source=source, target=target)
    db.session.commit()


def pair(regions):
    source = ResidentFactory(mp_openid=None, oa_openid="oBOT-ONLY", community=regions.community,
                             phone_verified=True)
    return source, ResidentFactory(community=regions.community, phone_verified=True)


def supporters(proposal) -> list[int]:
    return list(db.session.scalars(sa.select(ProposalSupport.resident_id)
                                   .where(ProposalSupport.proposal_id == proposal.id)))


def support(proposal, resident) -> None:
    add_supports(proposal, [resident])


def test_proposals_comments_and_ratings_move_to_the_target(regions):
    source, target = pair(regions)
    proposal = ProposalFactory(author=source, published=True)
    other = ProposalFactory(author=ResidentFactory(community=regions.community), completed=True)
    CommentFactory(proposal=other, author=source)
    db.session.add(ProposalRating(proposal_id=other.id, resident_id=source.id, score=4,
                                  created_at=clock.now()))
    db.session.commit()

    merge(source, target)

    assert db.session.get(Proposal, proposal.id).author_id == target.id
    assert db.session.scalar(sa.select(ProposalComment.author_id)) == target.id
    assert db.session.scalar(sa.select(ProposalRating.resident_id)) == target.id


def test_a_proposal_both_records_supported_keeps_one_support_and_an_exact_count(regions):
    source, target = pair(regions)
    proposal = ProposalFactory(published=True, author__community=regions.community)
    support(proposal, source)
    support(proposal, target)

    merge(source, target)

    assert supporters(proposal) == [target.id]
    assert db.session.get(Proposal, proposal.id).support_count == 1


def test_a_support_of_what_is_now_ones_own_proposal_is_dropped(regions):
    source, target = pair(regions)
    proposal = ProposalFactory(author=source, published=True)
    support(proposal, target)

    merge(source, target)

    assert supporters(proposal) == []
    assert db.session.get(Proposal, proposal.id).support_count == 0


def test_a_proposal_both_records_rated_keeps_the_targets_rating(regions):
    source, target = pair(regions)
    proposal = ProposalFactory(completed=True, author__community=regions.community)
    db.session.add_all([
        ProposalRating(proposal_id=proposal.id, resident_id=source.id, score=2,
                       created_at=clock.now()),
        ProposalRating(proposal_id=proposal.id, resident_id=target.id, score=5,
                       created_at=clock.now())])
    db.session.commit()

    merge(source, target)

    assert db.session.execute(sa.select(ProposalRating.resident_id,
                                        ProposalRating.score)).all() == [(target.id, 5)]
