"""Comments on proposals, flags on proposals and comments, and moderators' decisions on them.

Comments are content-checked: risky text is refused (422), doubtful text is kept but held
from public view (its author sees it with a notice) until a moderator releases it. Flagging
and hiding use the generic machinery in app.moderation (item types "proposal" and "comment");
the rules of who may see, comment and flag here are proposal-specific.
"""

from __future__ import annotations

import sqlalchemy as sa

from app import clock
from app.accounts.models import Resident, Staff
from app.errors import Forbidden, NotFound
from app.extensions import db
from app.moderation import (
    decide,
    hidden_item_ids,
    hold_for_review,
    moderation_states,
    queue_query,
    record_flag,
    screen_text,
)
from app.moderation.content import SCENE_COMMENT
from app.moderation.models import ModeratedItem
from app.notifications import notify
from app.proposals.lifecycle import PROPOSAL
from app.proposals.models import Proposal, ProposalComment
from app.proposals.service import (
    ITEM_TYPE,
    MODERATING_ROLES,
    get_proposal_for_resident,
    get_proposal_for_staff,
    page_of,
    template_fields,
)

COMMENT_TYPE = "comment"
COMMENT_NOT_FOUND = "找不到该评论"


# --- comments -----------------------------------------------------------------------------

def comments_for_resident_query(resident: Resident, proposal_id: int) -> sa.Select:
    """The comments a resident sees on a proposal they can see: all but hidden ones (their own
    hidden comments included, shown with a notice), oldest first."""
    proposal = get_proposal_for_resident(resident, proposal_id)
    return (sa.select(ProposalComment)
            .where(ProposalComment.proposal_id == proposal.id,
                   sa.or_(ProposalComment.id.not_in(hidden_item_ids(COMMENT_TYPE)),
                          ProposalComment.author_id == resident.id))
            .order_by(ProposalComment.id))


def comments_for_staff_query(staff: Staff, proposal_id: int) -> sa.Select:
    """Every comment on a proposal in the staff member's scope, hidden ones included."""
    proposal = get_proposal_for_staff(staff, proposal_id)
    return (sa.select(ProposalComment).where(ProposalComment.proposal_id == proposal.id)
            .order_by(ProposalComment.id))


def _notify_author_of_comment(proposal: Proposal, comment: ProposalComment) -> None:
    if comment.author_id == proposal.author_id:
        return
    notify(kind="proposal_comment",
           dedupe_key=f"proposal:{proposal.id}:comment:{comment.id}:resident:{proposal.author_id}",
           resident_id=proposal.author_id, title="提案有新评论",
           text=f"有居民评论了您的提案“{proposal.title}”。", page=page_of(proposal),
           fields=template_fields(proposal, "新评论"))


def post_comment(resident: Resident, proposal_id: int, body: str) -> ProposalComment:
    """Comment on a proposal open for discussion (published until it is carried out)."""
    proposal = get_proposal_for_resident(resident, proposal_id)
    PROPOSAL.next_state(proposal.status, "comment")
    # The check asks WeChat (up to seconds): hold no lock meanwhile.
    db.session.commit()
    verdict = screen_text(body, resident=resident, scene=SCENE_COMMENT, field="body")
    proposal = get_proposal_for_resident(resident, proposal_id, lock=True)
    PROPOSAL.next_state(proposal.status, "comment")
    comment = ProposalComment(proposal_id=proposal.id, author_id=resident.id, body=body,
                              created_at=clock.now())
    db.session.add(comment)
    db.session.flush()
    if verdict.needs_review:
        hold_for_review(COMMENT_TYPE, comment.id, region_id=proposal.region_id,
                        author_id=resident.id, label=verdict.label)
    else:
        _notify_author_of_comment(proposal, comment)
    db.session.commit()
    return comment


def _comment_for_resident(resident: Resident, comment_id: int) -> ProposalComment:
    comment = db.session.get(ProposalComment, comment_id)
    if comment is None:
        raise NotFound(COMMENT_NOT_FOUND)
    try:
        get_proposal_for_resident(resident, comment.proposal_id)
    except NotFound:
        raise NotFound(COMMENT_NOT_FOUND) from None
    row = moderation_states(COMMENT_TYPE, [comment.id]).get(comment.id)
    if row is not None and row.visibility != "visible" and comment.author_id != resident.id:
        raise NotFound(COMMENT_NOT_FOUND)
    return comment


# --- flags --------------------------------------------------------------------------------

def flag_proposal(resident: Resident, proposal_id: int, reason: str) -> bool:
    """Flag a public proposal; returns True when this flag hid it (callers must not tell the
    flagger: it would hint at the others)."""
    proposal = get_proposal_for_resident(resident, proposal_id)
    if proposal.author_id == resident.id:
        raise Forbidden("不能举报自己发布的内容")
    hidden = record_flag(resident, ITEM_TYPE, proposal.id, reason=reason,
                         region_id=proposal.region_id, author_id=proposal.author_id)
    db.session.commit()
    return hidden


def flag_comment(resident: Resident, comment_id: int, reason: str) -> bool:
    """Flag a comment the resident can see; returns True when this flag hid it."""
    comment = _comment_for_resident(resident, comment_id)
    hidden = record_flag(resident, COMMENT_TYPE, comment.id, reason=reason,
                         region_id=comment.proposal.region_id, author_id=comment.author_id)
    db.session.commit()
    return hidden


# --- moderators ---------------------------------------------------------------------------

def flagged_queue_query(staff: Staff, item_type: str | None = None) -> sa.Select:
    """Hidden proposals and comments waiting for a moderator's decision in the staff scope."""
    return queue_query(staff, [item_type] if item_type else [ITEM_TYPE, COMMENT_TYPE])


def _require_moderator(staff: Staff) -> None:
    if staff.role not in MODERATING_ROLES:
        raise Forbidden("只有社区工作人员或管理员可以处理举报")


def decide_on_proposal(staff: Staff, proposal_id: int, decision: str,
                       note: str = "") -> ModeratedItem:
    """Restore a hidden proposal, or keep it hidden (audit-logged)."""
    _require_moderator(staff)
    proposal = get_proposal_for_staff(staff, proposal_id)
    row = decide(staff, ITEM_TYPE, proposal.id, decision, note)
    db.session.commit()
    return row


def get_comment_for_staff(staff: Staff, comment_id: int) -> ProposalComment:
    comment = db.session.get(ProposalComment, comment_id)
    if comment is None:
        raise NotFound(COMMENT_NOT_FOUND)
    try:
        get_proposal_for_staff(staff, comment.proposal_id)
    except NotFound:
        raise NotFound(COMMENT_NOT_FOUND) from None
    return comment


def decide_on_comment(staff: Staff, comment_id: int, decision: str,
                      note: str = "") -> ModeratedItem:
    """Release or keep hidden a held or flagged comment; a released held comment now reaches
    the proposal's author as a new comment."""
    _require_moderator(staff)
    comment = get_comment_for_staff(staff, comment_id)
    row = decide(staff, COMMENT_TYPE, comment.id, decision, note)
    if row.visibility == "visible" and row.hidden_reason == "content_check":
        _notify_author_of_comment(comment.proposal, comment)
    db.session.commit()
    return row


def visible_comment_count(proposal_id: int) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(ProposalComment).where(
        ProposalComment.proposal_id == proposal_id,
        ProposalComment.id.not_in(hidden_item_ids(COMMENT_TYPE))))
