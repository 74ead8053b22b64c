"""社区提案: the rules and transactions of the proposal lifecycle, for residents and staff.

Every state change goes through PROPOSAL (lifecycle.py), is written to the timeline, audited
when staff act, and recorded in the notification outbox in the same transaction. The proposal
row is locked (SELECT ... FOR UPDATE) before a change, so two moderators pressing a button at
once give one change and one 409. Co-signing lives in supports.py, comments and flags in
discussion.py, the JSON shapes in presenting.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

import sqlalchemy as sa

from app import audit, clock
from app.accounts.models import Resident, Staff, StaffRole
from app.accounts.scoping import in_scope, is_in_scope, require_in_scope
from app.clock import to_local
from app.database import insert_ignoring_conflicts, repoint
from app.errors import Conflict, Forbidden, NotFound
from app.extensions import db
from app.moderation import hidden_item_ids, moderation_states, move_region, screen_text
from app.notifications import notify, notify_staff_covering
from app.proposals.lifecycle import ANSWER_ACTIONS, PROPOSAL, PUBLIC_STATES
from app.proposals.models import (
    Proposal,
    ProposalComment,
    ProposalEvent,
    ProposalEventPhoto,
    ProposalPhoto,
    ProposalRating,
    ProposalSupport,
)
from app.proposals.rules import ESCALATES_TO, author_scopes, check_author_scope, rules_for
from app.regions.models import Region, RegionLevel
from app.uploads import claim_uploads

ITEM_TYPE = "proposal"
NOT_FOUND = "找不到该提案"
MODERATING_ROLES = (StaffRole.ADMIN, StaffRole.MODERATOR)
# Staff notified when a proposal needs an answer.
ANSWERING_ROLES = (StaffRole.ADMIN.value, StaffRole.MODERATOR.value)


# --- loading what the caller may see ------------------------------------------------------

def _load(proposal_id: int, *, lock: bool = False) -> Proposal | None:
    query = sa.select(Proposal).where(Proposal.id == proposal_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    return db.session.scalar(query)


def is_hidden(proposal: Proposal) -> bool:
    row = moderation_states(ITEM_TYPE, [proposal.id]).get(proposal.id)
    return row is not None and row.visibility != "visible"


def can_resident_see(resident: Resident, proposal: Proposal) -> bool:
    """Authors see their own proposals in every state (hidden ones with a notice); others see
    public states only, and nothing a moderator hid."""
    if proposal.author_id == resident.id:
        return True
    return proposal.status in PUBLIC_STATES and not is_hidden(proposal)


def get_proposal_for_resident(resident: Resident, proposal_id: int, *,
                              lock: bool = False) -> Proposal:
    """The proposal if this resident may see it, else 404."""
    proposal = _load(proposal_id, lock=lock)
    if proposal is None or not can_resident_see(resident, proposal):
        raise NotFound(NOT_FOUND)
    return proposal


def _own_proposal(resident: Resident, proposal_id: int) -> Proposal:
    proposal = get_proposal_for_resident(resident, proposal_id, lock=True)
    if proposal.author_id != resident.id:
        raise Forbidden("只有提案人本人可以这样做")
    return proposal


def staff_can_see(staff: Staff, proposal: Proposal) -> bool:
    # Staff below an escalated proposal's new scope keep following the proposal they sent up.
    return is_in_scope(staff, proposal.region_id) or is_in_scope(staff, proposal.origin_region_id)


def get_proposal_for_staff(staff: Staff, proposal_id: int, *, lock: bool = False) -> Proposal:
    """The proposal if it lies in the staff member's scope (now or where it started), else 404."""
    proposal = _load(proposal_id, lock=lock)
    if proposal is None or not staff_can_see(staff, proposal):
        raise NotFound(NOT_FOUND)
    return proposal


def _proposal_to_handle(staff: Staff, proposal_id: int) -> Proposal:
    """A proposal a moderator acts on: their role, and its current scope (not just its origin)."""
    if staff.role not in MODERATING_ROLES:
        raise Forbidden("只有社区工作人员或管理员可以处理提案")
    proposal = get_proposal_for_staff(staff, proposal_id, lock=True)
    require_in_scope(staff, proposal.region_id, "该提案已提交上级，由上级工作人员处理")
    return proposal


# --- lists --------------------------------------------------------------------------------

SORTS = ("newest", "most_supported", "closing_soon")


def _sorted(query: sa.Select, sort: str) -> sa.Select:
    if sort == "most_supported":
        return query.order_by(Proposal.support_count.desc(), Proposal.id.desc())
    if sort == "closing_soon":
        # Only what can still be co-signed has a deadline worth sorting by.
        return (query.where(Proposal.status == "published", Proposal.deadline_at > clock.now())
                .order_by(Proposal.deadline_at, Proposal.id))
    if sort == "oldest":
        return query.order_by(Proposal.id)
    return query.order_by(sa.func.coalesce(Proposal.published_at, Proposal.created_at).desc(),
                          Proposal.id.desc())


def _filtered(query: sa.Select, *, status: str | None, scope_level: str | None,
              region_id: int | None) -> sa.Select:
    if status:
        query = query.where(Proposal.status == status)
    if scope_level or region_id:
        query = query.join(Region, Region.id == Proposal.region_id)
    if scope_level:
        query = query.where(Region.level == RegionLevel(scope_level))
    if region_id:
        within = db.session.get(Region, region_id)
        query = query.where(Region.path.startswith(within.path) if within else sa.false())
    return query


def resident_list_query(resident: Resident, *, status: str | None = None,
                        scope_level: str | None = None, region_id: int | None = None,
                        mine: bool = False, sort: str = "newest") -> sa.Select:
    """What a resident's list shows: with `mine`, their own proposals in every state; otherwise
    public, unhidden proposals — of `region_id`'s subtree when given, else those the resident
    may co-sign (their community, its courtyards and its street)."""
    query = sa.select(Proposal)
    if mine:
        query = query.where(Proposal.author_id == resident.id)
    else:
        query = query.where(Proposal.status.in_(PUBLIC_STATES),
                            Proposal.id.not_in(hidden_item_ids(ITEM_TYPE)))
        if region_id is None and resident.community is not None:
            query = query.where(Proposal.region_id.in_([r.id for r in author_scopes(resident)]))
    query = _filtered(query, status=status, scope_level=scope_level, region_id=region_id)
    return _sorted(query, sort)


def staff_list_query(staff: Staff, *, status: str | None = None, scope_level: str | None = None,
                     region_id: int | None = None, sort: str = "newest") -> sa.Select:
    """Proposals in the staff member's scope (also those escalated from it), every state."""
    query = sa.select(Proposal).where(sa.or_(in_scope(Proposal.region_id, staff),
                                             in_scope(Proposal.origin_region_id, staff)))
    query = _filtered(query, status=status, scope_level=scope_level, region_id=region_id)
    return _sorted(query, sort)


def review_queue_query(staff: Staff) -> sa.Select:
    """Submitted proposals waiting for this moderator's review, oldest first."""
    return (sa.select(Proposal)
            .where(Proposal.status == "pending_review", in_scope(Proposal.region_id, staff))
            .order_by(Proposal.submitted_at, Proposal.id))


# --- timeline and notifications -----------------------------------------------------------

def record_event(proposal: Proposal, action: str, *, from_status: str | None,
                 note: str = "", resident: Resident | None = None, staff: Staff | None = None,
                 photos: Iterable = (), public: bool = True) -> ProposalEvent:
    """Add a timeline entry (the caller commits)."""
    event = ProposalEvent(proposal_id=proposal.id, action=action, from_status=from_status,
                          to_status=proposal.status, note=note,
                          resident_id=resident.id if resident else None,
                          staff_id=staff.id if staff else None,
                          region_id=staff.region_id if staff else None, public=public,
                          created_at=clock.now())
    db.session.add(event)
    db.session.flush()
    for position, upload in enumerate(photos):
        db.session.add(ProposalEventPhoto(event_id=event.id, upload_id=upload.id,
                                          position=position))
    return event


def page_of(proposal: Proposal) -> str:
    return f"pages/proposals/detail?id={proposal.id}"


def template_fields(proposal: Proposal, phrase: str) -> dict:
    return {"thing": proposal.title[:20], "phrase": phrase,
            "time": to_local(clock.now()).isoformat(timespec="minutes"),
            "number": f"提案{proposal.id}"}


def supporter_ids(proposal_id: int) -> list[int]:
    return list(db.session.scalars(sa.select(ProposalSupport.resident_id)
                                   .where(ProposalSupport.proposal_id == proposal_id)
                                   .order_by(ProposalSupport.id)))


def notify_residents(proposal: Proposal, event: ProposalEvent, resident_ids: Iterable[int], *,
                     kind: str, title: str, text: str, phrase: str) -> None:
    """One outbox row per resident for this timeline event (deduplicated by the event)."""
    for resident_id in dict.fromkeys(resident_ids):
        notify(kind=kind, dedupe_key=f"proposal:{proposal.id}:event:{event.id}:resident:{resident_id}",
               resident_id=resident_id, title=title, text=text, page=page_of(proposal),
               fields=template_fields(proposal, phrase))


def _notify_author_and_supporters(proposal: Proposal, event: ProposalEvent, *, kind: str,
                                  title: str, text: str, phrase: str) -> None:
    notify_residents(proposal, event, [proposal.author_id, *supporter_ids(proposal.id)],
                     kind=kind, title=title, text=text, phrase=phrase)


def _move(proposal: Proposal, action: str) -> str:
    """Apply a lifecycle action to a locked proposal; returns the state it left (409 if illegal)."""
    before = proposal.status
    proposal.status = PROPOSAL.next_state(before, action)
    return before


# --- residents ----------------------------------------------------------------------------

def _set_photos(proposal: Proposal, uploads: list) -> None:
    db.session.execute(sa.delete(ProposalPhoto).where(ProposalPhoto.proposal_id == proposal.id))
    for position, upload in enumerate(uploads):
        db.session.add(ProposalPhoto(proposal_id=proposal.id, upload_id=upload.id,
                                     position=position))


def create_proposal(resident: Resident, *, title: str, body: str, region_id: int,
                    photo_ids: Iterable[int] = ()) -> Proposal:
    """A new draft in one of the resident's own scopes; only its author sees it."""
    proposal = prepare_draft(resident, title=title, body=body, region_id=region_id,
                             photo_ids=photo_ids)
    db.session.commit()
    return proposal


def prepare_draft(resident: Resident, *, title: str, body: str, region_id: int,
                  photo_ids: Iterable[int] = (), source_letter_id: int | None = None) -> Proposal:
    """`create_proposal` in the caller's transaction (flushed, not committed): for a service
    that makes a draft as part of its own change (a mailbox letter converted to a proposal)."""
    region = check_author_scope(resident, region_id)
    uploads = claim_uploads(list(photo_ids), resident=resident, field="photo_ids")
    proposal = Proposal(author_id=resident.id, region_id=region.id, origin_region_id=region.id,
                        title=title, body=body, status="draft", created_at=clock.now(),
                        source_letter_id=source_letter_id)
    db.session.add(proposal)
    db.session.flush()
    _set_photos(proposal, uploads)
    record_event(proposal, "create", from_status=None, resident=resident, public=False)
    return proposal


def update_draft(resident: Resident, proposal_id: int, changes: dict) -> Proposal:
    """Edit title, body, scope or photos while the proposal is a draft."""
    proposal = _own_proposal(resident, proposal_id)
    PROPOSAL.next_state(proposal.status, "edit")
    if "region_id" in changes:
        proposal.region_id = proposal.origin_region_id = check_author_scope(
            resident, changes["region_id"]).id
    if "title" in changes:
        proposal.title = changes["title"]
    if "body" in changes:
        proposal.body = changes["body"]
    if "photo_ids" in changes:
        _set_photos(proposal, claim_uploads(changes["photo_ids"], resident=resident,
                                            field="photo_ids"))
    db.session.commit()
    return proposal


def submit_proposal(resident: Resident, proposal_id: int) -> Proposal:
    """Send a draft to the review queue after the content check.

    Risky text is refused (422) and the draft stays a draft; doubtful text (or an unavailable
    check) is submitted with a marker the moderator sees.
    """
    proposal = _own_proposal(resident, proposal_id)
    PROPOSAL.next_state(proposal.status, "submit")
    check_author_scope(resident, proposal.region_id)
    title, body = proposal.title, proposal.body
    # The check asks WeChat (up to seconds): hold no lock meanwhile.
    db.session.commit()
    verdict = screen_text(title, body, resident=resident, field="body")
    proposal = _own_proposal(resident, proposal_id)
    if (proposal.title, proposal.body) != (title, body):
        raise Conflict("提案内容刚刚被修改，请重新提交")
    before = _move(proposal, "submit")
    proposal.submitted_at = clock.now()
    proposal.content_review_reason = verdict.reason if verdict.needs_review else None
    proposal.content_label = verdict.label if verdict.needs_review else None
    record_event(proposal, "submit", from_status=before, resident=resident)
    db.session.commit()
    return proposal


def withdraw_proposal(resident: Resident, proposal_id: int, reason: str = "") -> Proposal:
    """The author takes the proposal back, at any point before the official answer."""
    proposal = _own_proposal(resident, proposal_id)
    before = _move(proposal, "withdraw")
    proposal.closed_at = clock.now()
    record_event(proposal, "withdraw", from_status=before, resident=resident, note=reason)
    db.session.commit()
    return proposal


def rate_proposal(resident: Resident, proposal_id: int, score: int, comment: str = "") -> Proposal:
    """The author or a supporter rates a completed proposal's outcome, once (1–5)."""
    proposal = get_proposal_for_resident(resident, proposal_id)
    PROPOSAL.next_state(proposal.status, "rate")
    supporter = db.session.scalar(sa.select(ProposalSupport.id).where(
        ProposalSupport.proposal_id == proposal.id, ProposalSupport.resident_id == resident.id))
    if proposal.author_id != resident.id and supporter is None:
        raise Forbidden("只有提案人和附议的居民可以评价")
    rating_id = insert_ignoring_conflicts(db.session, ProposalRating.__table__, {
        "proposal_id": proposal.id, "resident_id": resident.id, "score": score,
        "comment": comment, "created_at": clock.now()}, ["proposal_id", "resident_id"])
    if rating_id is None:
        raise Conflict("您已经评价过了")
    db.session.commit()
    return proposal


# --- staff --------------------------------------------------------------------------------

def approve_proposal(staff: Staff, proposal_id: int, note: str = "") -> Proposal:
    """Publish a submitted proposal: co-signing opens with its scope level's threshold and
    deadline, and the author is told."""
    proposal = _proposal_to_handle(staff, proposal_id)
    before = _move(proposal, "approve")
    rules = rules_for(proposal.region.level)
    now = clock.now()
    proposal.reviewed_at = proposal.published_at = now
    proposal.support_threshold = rules.support_threshold
    proposal.support_verification_level = rules.verification_level
    proposal.deadline_at = now + timedelta(days=rules.support_days)
    event = record_event(proposal, "approve", from_status=before, staff=staff, note=note)
    audit.record(staff, "proposal.approve", object_type="proposal", object_id=proposal.id,
                 region_id=proposal.region_id, note=note,
                 content_review_reason=proposal.content_review_reason)
    local_deadline = to_local(proposal.deadline_at)
    deadline = f"{local_deadline.month}月{local_deadline.day}日"
    notify_residents(proposal, event, [proposal.author_id], kind="proposal_review",
                     title="提案审核通过",
                     text=f"您的提案“{proposal.title}”已通过审核，开始征集附议，"
                          f"{deadline}前需要{proposal.support_threshold}位居民附议。",
                     phrase="已通过")
    db.session.commit()
    return proposal


def reject_proposal(staff: Staff, proposal_id: int, reason: str) -> Proposal:
    """Refuse a submitted proposal with a reason the author reads."""
    proposal = _proposal_to_handle(staff, proposal_id)
    before = _move(proposal, "reject")
    proposal.reviewed_at = clock.now()
    proposal.rejection_reason = reason
    event = record_event(proposal, "reject", from_status=before, staff=staff, note=reason)
    audit.record(staff, "proposal.reject", object_type="proposal", object_id=proposal.id,
                 region_id=proposal.region_id, reason=reason)
    notify_residents(proposal, event, [proposal.author_id], kind="proposal_review",
                     title="提案未通过审核",
                     text=f"您的提案“{proposal.title}”未通过审核，原因：{reason}",
                     phrase="未通过")
    db.session.commit()
    return proposal


def answer_proposal(staff: Staff, proposal_id: int, decision: str, text: str) -> Proposal:
    """The official answer: `accepted` with a plan or `not_adopted` with the reasons; the
    author and every supporter are told."""
    proposal = _proposal_to_handle(staff, proposal_id)
    before = _move(proposal, ANSWER_ACTIONS[decision])
    proposal.answer_decision = decision
    proposal.answer_text = text
    proposal.answered_at = clock.now()
    proposal.answered_by_id = staff.id
    event = record_event(proposal, ANSWER_ACTIONS[decision], from_status=before, staff=staff,
                         note=text)
    audit.record(staff, "proposal.answer", object_type="proposal", object_id=proposal.id,
                 region_id=proposal.region_id, decision=decision)
    verdict = "已采纳" if decision == "accepted" else "未采纳"
    _notify_author_and_supporters(
        proposal, event, kind="proposal_answer", title=f"提案{verdict}",
        text=f"您关注的提案“{proposal.title}”有了正式答复：{verdict}。{text[:60]}",
        phrase=verdict)
    db.session.commit()
    return proposal


def post_progress(staff: Staff, proposal_id: int, text: str,
                  photo_ids: Iterable[int] = ()) -> Proposal:
    """A progress update on an accepted proposal (the first one starts it: in_progress)."""
    proposal = _proposal_to_handle(staff, proposal_id)
    before = _move(proposal, "progress")
    uploads = claim_uploads(list(photo_ids), staff=staff, field="photo_ids")
    proposal.started_at = proposal.started_at or clock.now()
    event = record_event(proposal, "progress", from_status=before, staff=staff, note=text,
                         photos=uploads)
    audit.record(staff, "proposal.progress", object_type="proposal", object_id=proposal.id,
                 region_id=proposal.region_id)
    _notify_author_and_supporters(
        proposal, event, kind="proposal_progress", title="提案有新进展",
        text=f"您关注的提案“{proposal.title}”有新进展：{text[:60]}", phrase="实施中")
    db.session.commit()
    return proposal


def complete_proposal(staff: Staff, proposal_id: int, text: str,
                      photo_ids: Iterable[int]) -> Proposal:
    """Finish an accepted proposal with the result and at least one photo of it; the author
    and supporters are asked to rate the outcome."""
    proposal = _proposal_to_handle(staff, proposal_id)
    before = _move(proposal, "complete")
    uploads = claim_uploads(list(photo_ids), staff=staff, field="photo_ids", minimum=1)
    proposal.completed_at = clock.now()
    event = record_event(proposal, "complete", from_status=before, staff=staff, note=text,
                         photos=uploads)
    audit.record(staff, "proposal.complete", object_type="proposal", object_id=proposal.id,
                 region_id=proposal.region_id)
    _notify_author_and_supporters(
        proposal, event, kind="proposal_progress", title="提案已完成",
        text=f"您关注的提案“{proposal.title}”已完成，请为结果打分。", phrase="已完成")
    db.session.commit()
    return proposal


def escalate_proposal(staff: Staff, proposal_id: int, reason: str) -> Proposal:
    """Send an accepted 院落/社区 proposal to the parent region's answer queue.

    The same proposal moves (history, supporters and comments stay); its previous answer
    remains in the timeline, and the parent region's staff answer it anew.
    """
    proposal = _proposal_to_handle(staff, proposal_id)
    PROPOSAL.next_state(proposal.status, "escalate")
    region = proposal.region
    if region.level not in ESCALATES_TO or region.parent is None:
        raise Conflict(f"{region.level.label}的提案不能再提交上级")
    before = _move(proposal, "escalate")
    proposal.escalated_from_id = region.id
    proposal.region_id = region.parent_id
    proposal.answer_decision = proposal.answer_text = None
    proposal.answered_at = proposal.answered_by_id = None
    parent = region.parent
    event = record_event(proposal, "escalate", from_status=before, staff=staff,
                         note=f"由{region.name}提交{parent.name}：{reason}")
    move_region(ITEM_TYPE, proposal.id, parent.id)
    audit.record(staff, "proposal.escalate", object_type="proposal", object_id=proposal.id,
                 region_id=region.id, to_region_id=parent.id, reason=reason)
    notify_staff_covering(parent.id, kind="proposal_escalated",
                          dedupe_key=f"proposal:{proposal.id}:event:{event.id}",
                          roles=ANSWERING_ROLES, title="下级提交的提案",
                          text=f"{region.name}提交了提案“{proposal.title}”，请答复。",
                          page=page_of(proposal), fields=template_fields(proposal, "待答复"))
    notify_residents(proposal, event, [proposal.author_id], kind="proposal_progress",
                     title="提案已提交上级",
                     text=f"您的提案“{proposal.title}”已由{region.name}提交{parent.name}研究答复。",
                     phrase="已提交上级")
    db.session.commit()
    return proposal


# --- the system ---------------------------------------------------------------------------

def expire_overdue(now: datetime | None = None) -> int:
    """Close published proposals whose co-signing deadline passed below the threshold.

    Idempotent: each UPDATE claims one proposal that is still published and overdue, so two
    sweeps (or a support arriving at the deadline) never expire it twice. Returns how many.
    """
    now = now or clock.now()
    overdue = list(db.session.scalars(sa.select(Proposal.id).where(
        Proposal.status == "published", Proposal.deadline_at <= now).order_by(Proposal.id)))
    db.session.commit()
    expired = 0
    for proposal_id in overdue:
        claimed = db.session.execute(
            sa.update(Proposal)
            .where(Proposal.id == proposal_id, Proposal.status == "published",
                   Proposal.deadline_at <= now)
            .values(status=PROPOSAL.next_state("published", "expire"), closed_at=now)
            .execution_options(synchronize_session=False))
        if claimed.rowcount != 1:
            db.session.rollback()
            continue
        proposal = db.session.get(Proposal, proposal_id, populate_existing=True)
        event = record_event(proposal, "expire", from_status="published",
                             note=f"附议截止时共{proposal.support_count}人附议，"
                                  f"未达到{proposal.support_threshold}人")
        notify_residents(proposal, event, [proposal.author_id], kind="proposal_expired",
                         title="提案附议期结束",
                         text=f"您的提案“{proposal.title}”附议期已结束，"
                              f"共{proposal.support_count}位居民附议，未达到所需人数。",
                         phrase="附议未达标")
        db.session.commit()
        expired += 1
    return expired


# --- two records of one resident --------------------------------------------------------------

def move_resident_rows(source_id: int, target_id: int) -> None:
    """Resident merge hook (app/accounts/service.py RESIDENT_MERGE_HOOKS): the source record's
    proposals, timeline entries, supports, comments and ratings become the target's.

    A proposal both records supported keeps one support, and a support of a proposal that is
    now the target's own is dropped (the author cannot co-sign); support_count moves with the
    rows so that it still equals their number. A proposal both rated keeps the target's
    rating. The caller commits."""
    supports = ProposalSupport.__table__
    both = sa.select(supports.c.proposal_id).where(supports.c.resident_id == target_id)
    _drop_supports(sa.and_(supports.c.resident_id == source_id, supports.c.proposal_id.in_(both)))
    repoint(ProposalSupport.resident_id, source_id, target_id)
    repoint(Proposal.author_id, source_id, target_id)
    own = sa.select(Proposal.id).where(Proposal.author_id == target_id)
    _drop_supports(sa.and_(supports.c.resident_id == target_id, supports.c.proposal_id.in_(own)))
    ratings = ProposalRating.__table__
    rated = sa.select(ratings.c.proposal_id).where(ratings.c.resident_id == target_id)
    db.session.execute(sa.delete(ratings).where(ratings.c.resident_id == source_id,
                                                ratings.c.proposal_id.in_(rated)))
    repoint(ProposalRating.resident_id, source_id, target_id)
    repoint(ProposalEvent.resident_id, source_id, target_id)
    repoint(ProposalComment.author_id, source_id, target_id)


def _drop_supports(condition: sa.ColumnElement[bool]) -> None:
    supports = ProposalSupport.__table__
    proposal_ids = list(db.session.execute(
        sa.delete(supports).where(condition).returning(supports.c.proposal_id)).scalars())
    for proposal_id in proposal_ids:
        db.session.execute(sa.update(Proposal).where(Proposal.id == proposal_id)
                           .values(support_count=Proposal.support_count - 1)
                           .execution_options(synchronize_session=False))
