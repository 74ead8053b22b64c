"""Co-signing (附议): one support per resident, an exact count, the threshold crossed once.

- The support row is inserted with ON CONFLICT DO NOTHING against UNIQUE(proposal_id,
  resident_id): a second support by the same resident, even at the same instant, adds nothing.
- The count moves with SQL (`support_count = support_count + 1`) in the same transaction, and
  only while the proposal is still published and before its deadline; otherwise the support is
  rolled back. So `support_count` always equals the number of rows.
- The threshold UPDATE claims the published → under_review change; its row lock makes exactly
  one transaction see rowcount 1, and only that one writes the timeline and notifications.
"""

from __future__ import annotations

import sqlalchemy as sa

from app import clock
from app.accounts.models import Resident
from app.clock import to_local
from app.database import insert_ignoring_conflicts
from app.errors import Conflict, Forbidden, ServiceError
from app.extensions import db
from app.notifications import notify_staff_covering
from app.proposals.lifecycle import PROPOSAL
from app.proposals.models import Proposal, ProposalSupport
from app.proposals.rules import lives_in_scope, verification_refusal
from app.proposals.service import (
    ANSWERING_ROLES,
    get_proposal_for_resident,
    notify_residents,
    page_of,
    record_event,
    template_fields,
)

_PROPOSALS = Proposal.__table__
_SUPPORTS = ProposalSupport.__table__


def _check_open(proposal: Proposal, action: str) -> None:
    PROPOSAL.next_state(proposal.status, action)
    if proposal.deadline_at is not None and clock.now() >= proposal.deadline_at:
        local = to_local(proposal.deadline_at)
        raise Conflict(f"附议已于{local.month}月{local.day}日{local:%H:%M}截止")


def check_can_support(resident: Resident, proposal: Proposal) -> None:
    """Raise why this resident cannot co-sign now (409 state/deadline, 403 who they are)."""
    _check_open(proposal, "support")
    if proposal.author_id == resident.id:
        raise Forbidden("不能附议自己的提案")
    if not lives_in_scope(resident, proposal.region):
        raise Forbidden(f"只有{proposal.region.name}的居民可以附议")
    refusal = verification_refusal(resident, proposal.support_verification_level or 0, "附议")
    if refusal:
        raise Forbidden(refusal)


def support_refusal(resident: Resident, proposal: Proposal) -> str | None:
    """Why the resident cannot co-sign now, for the button; None when they can."""
    try:
        check_can_support(resident, proposal)
    except ServiceError as exc:
        return exc.message
    return None


def _counted(proposal_id: int, delta: int) -> bool:
    """Move the count while co-signing is open; False when it closed meanwhile."""
    result = db.session.execute(
        sa.update(_PROPOSALS)
        .where(_PROPOSALS.c.id == proposal_id, _PROPOSALS.c.status == "published",
               _PROPOSALS.c.deadline_at > clock.now())
        .values(support_count=_PROPOSALS.c.support_count + delta))
    return result.rowcount == 1


def _closed_meanwhile(resident: Resident, proposal_id: int, action: str):
    db.session.rollback()
    proposal = get_proposal_for_resident(resident, proposal_id)
    _check_open(proposal, action)
    return Conflict("附议已结束")


def support_proposal(resident: Resident, proposal_id: int) -> Proposal:
    """Co-sign a published proposal; reaching the threshold sends it for an answer."""
    proposal = get_proposal_for_resident(resident, proposal_id)
    check_can_support(resident, proposal)
    now = clock.now()
    support_id = insert_ignoring_conflicts(db.session, _SUPPORTS, {
        "proposal_id": proposal.id, "resident_id": resident.id, "created_at": now},
        ["proposal_id", "resident_id"])
    if support_id is None:
        raise Conflict("您已经附议过这条提案")
    if not _counted(proposal.id, +1):
        raise _closed_meanwhile(resident, proposal_id, "support")
    reached = db.session.execute(
        sa.update(_PROPOSALS)
        .where(_PROPOSALS.c.id == proposal.id, _PROPOSALS.c.status == "published",
               _PROPOSALS.c.support_count >= _PROPOSALS.c.support_threshold)
        .values(status=PROPOSAL.next_state("published", "reach_threshold"),
                threshold_reached_at=now))
    db.session.refresh(proposal)
    if reached.rowcount == 1:
        _threshold_reached(proposal)
    db.session.commit()
    return proposal


def _threshold_reached(proposal: Proposal) -> None:
    count = proposal.support_count
    event = record_event(proposal, "reach_threshold", from_status="published",
                         note=f"已有{count}位居民附议")
    notify_staff_covering(proposal.region_id, kind="proposal_threshold",
                          dedupe_key=f"proposal:{proposal.id}:event:{event.id}",
                          roles=ANSWERING_ROLES, title="提案待答复",
                          text=f"提案“{proposal.title}”已有{count}位居民附议，请研究答复。",
                          page=page_of(proposal), fields=template_fields(proposal, "待答复"))
    notify_residents(proposal, event, [proposal.author_id], kind="proposal_threshold",
                     title="提案附议达标",
                     text=f"您的提案“{proposal.title}”已有{count}位居民附议，"
                          f"已提交{proposal.region.name}研究答复。",
                     phrase="附议达标")


def withdraw_support(resident: Resident, proposal_id: int) -> Proposal:
    """Take back one's co-signature while co-signing is still open."""
    proposal = get_proposal_for_resident(resident, proposal_id)
    _check_open(proposal, "unsupport")
    removed = db.session.execute(sa.delete(_SUPPORTS).where(
        _SUPPORTS.c.proposal_id == proposal.id, _SUPPORTS.c.resident_id == resident.id))
    if removed.rowcount != 1:
        raise Conflict("您还没有附议这条提案")
    if not _counted(proposal.id, -1):
        raise _closed_meanwhile(resident, proposal_id, "unsupport")
    db.session.commit()
    return proposal


def has_supported(resident: Resident, proposal_ids: list[int]) -> set[int]:
    """Which of these proposals the resident co-signed."""
    if not proposal_ids:
        return set()
    return set(db.session.scalars(sa.select(ProposalSupport.proposal_id).where(
        ProposalSupport.resident_id == resident.id,
        ProposalSupport.proposal_id.in_(proposal_ids))))
