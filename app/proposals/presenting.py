"""What residents and staff are shown of proposals: plain dicts in the shapes of schemas.py.

Residents see nicknames, never who flagged; the author alone sees their own rejected reason
and their hidden items, with a notice. Staff see the review markers, flag counts per reason,
the whole timeline with names, and the ratings' comments.
"""

from __future__ import annotations

import sqlalchemy as sa

from app import clock
from app.accounts.models import Resident, Staff
from app.accounts.scoping import is_in_scope
from app.extensions import db
from app.moderation import flag_counts, moderation_states
from app.moderation.models import FLAG_REASON_LABELS, Decision, HiddenReason
from app.proposals.discussion import COMMENT_TYPE, visible_comment_count
from app.proposals.lifecycle import PROPOSAL, STAFF_ACTIONS, event_label
from app.proposals.models import (
    Proposal,
    ProposalComment,
    ProposalEvent,
    ProposalEventPhoto,
    ProposalPhoto,
    ProposalRating,
    ProposalSupport,
)
from app.proposals.rules import ESCALATES_TO, SCOPE_LEVELS, author_scopes, rules_for
from app.proposals.service import ITEM_TYPE, MODERATING_ROLES
from app.proposals.supports import has_supported, support_refusal
from app.regions.models import Region
from app.uploads import photo_urls

CONTENT_REVIEW_LABELS = {"wechat_review": "内容安全检测提示需人工复核",
                         "check_unavailable": "内容检测暂不可用，需人工复核"}
ANSWER_LABELS = {"accepted": "采纳", "not_adopted": "不予采纳"}
NOTICES = {
    (HiddenReason.FLAGS, "hidden"): "多位居民举报了这条内容，工作人员复核前仅您自己可见",
    (HiddenReason.CONTENT_CHECK, "hidden"): "这条内容正在等待工作人员审核，审核前仅您自己可见",
    (HiddenReason.FLAGS, "removed"): "经工作人员复核，这条内容不予公开显示",
    (HiddenReason.CONTENT_CHECK, "removed"): "经工作人员审核，这条内容不予公开显示",
}


def scope(region: Region | None) -> dict | None:
    if region is None:
        return None
    return {"id": region.id, "name": region.name, "level": region.level.value,
            "level_label": region.level.label}


def _photo(upload) -> dict:
    return {"id": upload.id, **photo_urls(upload), "width": upload.width,
            "height": upload.height}


def _photos_by(model, key_column, keys: list[int]) -> dict[int, list[dict]]:
    photos: dict[int, list[dict]] = {key: [] for key in keys}
    if not keys:
        return photos
    rows = db.session.scalars(sa.select(model).where(key_column.in_(keys))
                              .order_by(key_column, model.position))
    for row in rows:
        photos[getattr(row, key_column.key)].append(_photo(row.upload))
    return photos


def _notice(row) -> str | None:
    if row is None or row.visibility == "visible":
        return None
    return NOTICES.get((row.hidden_reason, row.visibility))


def _answer(proposal: Proposal) -> dict | None:
    if not proposal.answer_decision:
        return None
    return {"decision": proposal.answer_decision,
            "decision_label": ANSWER_LABELS[proposal.answer_decision],
            "text": proposal.answer_text, "answered_at": proposal.answered_at}


def _timeline(proposal: Proposal, *, for_staff: bool) -> list[dict]:
    query = sa.select(ProposalEvent).where(ProposalEvent.proposal_id == proposal.id)
    if not for_staff:
        query = query.where(ProposalEvent.public.is_(True))
    events = list(db.session.scalars(query.order_by(ProposalEvent.id)))
    photos = _photos_by(ProposalEventPhoto, ProposalEventPhoto.event_id, [e.id for e in events])
    entries = []
    for event in events:
        if event.staff_id:
            actor = f"{event.region.name}工作人员" if event.region else "工作人员"
        elif event.resident_id:
            actor = "提案人" if event.resident_id == proposal.author_id else "居民"
        else:
            actor = "系统"
        entry = {"id": event.id, "action": event.action, "action_label": event_label(event.action),
                 "status": event.to_status,
                 "status_label": PROPOSAL.label(event.to_status) if event.to_status else None,
                 "note": event.note, "actor": actor, "photos": photos[event.id],
                 "created_at": event.created_at}
        if for_staff:
            entry["staff_name"] = event.staff.display_name if event.staff else None
            entry["public"] = event.public
        entries.append(entry)
    return entries


def _ratings(proposal: Proposal, resident: Resident | None = None) -> dict:
    average, count = db.session.execute(
        sa.select(sa.func.avg(ProposalRating.score), sa.func.count())
        .where(ProposalRating.proposal_id == proposal.id)).one()
    summary = {"average": round(float(average), 2) if average is not None else None,
               "count": count, "mine": None}
    if resident is not None:
        summary["mine"] = db.session.scalar(sa.select(ProposalRating.score).where(
            ProposalRating.proposal_id == proposal.id, ProposalRating.resident_id == resident.id))
    return summary


def _base(proposal: Proposal) -> dict:
    return {
        "id": proposal.id, "title": proposal.title, "body": proposal.body,
        "status": proposal.status, "status_label": PROPOSAL.label(proposal.status),
        "scope": scope(proposal.region), "escalated_from": scope(proposal.escalated_from),
        "author": {"nickname": proposal.author.nickname},
        "support_count": proposal.support_count, "support_threshold": proposal.support_threshold,
        "support_verification_level": proposal.support_verification_level,
        "deadline_at": proposal.deadline_at, "answer": _answer(proposal),
        "created_at": proposal.created_at, "submitted_at": proposal.submitted_at,
        "published_at": proposal.published_at, "answered_at": proposal.answered_at,
        "completed_at": proposal.completed_at,
    }


def _resident_actions(resident: Resident, proposal: Proposal, supported: bool,
                      refusal: str | None, rated: bool) -> list[str]:
    status = proposal.status
    actions = []
    if proposal.author_id == resident.id:
        actions += [a for a in ("edit", "submit", "withdraw") if PROPOSAL.can(status, a)]
    if not supported and refusal is None:
        actions.append("support")
    deadline_open = proposal.deadline_at is None or clock.now() < proposal.deadline_at
    if supported and PROPOSAL.can(status, "unsupport") and deadline_open:
        actions.append("unsupport")
    if PROPOSAL.can(status, "comment"):
        actions.append("comment")
    if (PROPOSAL.can(status, "rate") and not rated
            and (supported or proposal.author_id == resident.id)):
        actions.append("rate")
    return actions


def resident_detail(resident: Resident, proposal: Proposal) -> dict:
    """The detail a resident sees (the caller loaded it with get_proposal_for_resident)."""
    mine = proposal.author_id == resident.id
    supported = proposal.id in has_supported(resident, [proposal.id])
    refusal = None if supported else support_refusal(resident, proposal)
    ratings = _ratings(proposal, resident)
    moderation = moderation_states(ITEM_TYPE, [proposal.id]).get(proposal.id)
    notice = _notice(moderation)
    return {
        **_base(proposal),
        "is_mine": mine,
        "rejection_reason": proposal.rejection_reason if mine else None,
        "photos": _photos_by(ProposalPhoto, ProposalPhoto.proposal_id, [proposal.id])[proposal.id],
        "supported_by_me": supported,
        "support_refusal": refusal if proposal.status == "published" else None,
        "timeline": _timeline(proposal, for_staff=False),
        "rating": ratings,
        "comment_count": visible_comment_count(proposal.id),
        "hidden": notice is not None,
        "notice": notice,
        "actions": _resident_actions(resident, proposal, supported, refusal,
                                     ratings["mine"] is not None),
    }


def _items(proposals: list[Proposal]) -> list[dict]:
    ids = [p.id for p in proposals]
    thumbnails = {}
    if ids:
        first = (sa.select(ProposalPhoto)
                 .where(ProposalPhoto.proposal_id.in_(ids), ProposalPhoto.position == 0))
        thumbnails = {row.proposal_id: photo_urls(row.upload)["thumbnail_url"]
                      for row in db.session.scalars(first)}
    return [{
        "id": p.id, "title": p.title, "status": p.status,
        "status_label": PROPOSAL.label(p.status), "scope": scope(p.region),
        "support_count": p.support_count, "support_threshold": p.support_threshold,
        "deadline_at": p.deadline_at, "created_at": p.created_at,
        "published_at": p.published_at, "thumbnail_url": thumbnails.get(p.id),
    } for p in proposals]


def resident_page(resident: Resident, page: dict) -> dict:
    """A page of proposals for a resident's list."""
    proposals = page["items"]
    items = _items(proposals)
    supported = has_supported(resident, [p.id for p in proposals])
    states = moderation_states(ITEM_TYPE, [p.id for p in proposals])
    for item in items:
        item["supported_by_me"] = item["id"] in supported
        item["hidden"] = _notice(states.get(item["id"])) is not None
    return {"items": items, "meta": page["meta"]}


def _moderation(item_type: str, item_id: int) -> dict | None:
    row = moderation_states(item_type, [item_id]).get(item_id)
    if row is None:
        return None
    counts = flag_counts(item_type, [item_id]).get(item_id, {})
    return {
        "visibility": row.visibility,
        "hidden_reason": row.hidden_reason,
        "hidden_reason_label": HiddenReason(row.hidden_reason).label if row.hidden_reason else None,
        "flag_count": row.flag_count,
        "flags": [{"reason": reason, "reason_label": FLAG_REASON_LABELS[reason], "count": n}
                  for reason, n in sorted(counts.items())],
        "hidden_at": row.hidden_at,
        "decision": row.decision,
        "decision_label": Decision(row.decision).label if row.decision else None,
        "decision_note": row.decision_note,
        "decided_at": row.decided_at,
    }


def staff_actions(staff: Staff, proposal: Proposal) -> list[str]:
    """The buttons a staff member gets: their role, the current scope, the lifecycle."""
    if staff.role not in MODERATING_ROLES or not is_in_scope(staff, proposal.region_id):
        return []
    actions = [a for a in PROPOSAL.allowed_actions(proposal.status) if a in STAFF_ACTIONS]
    if "escalate" in actions and (proposal.region.level not in ESCALATES_TO
                                  or proposal.region.parent_id is None):
        actions.remove("escalate")
    return actions


def staff_detail(staff: Staff, proposal: Proposal) -> dict:
    """The detail staff see (loaded with get_proposal_for_staff)."""
    author = proposal.author
    ratings = _ratings(proposal)
    ratings["comments"] = [
        {"score": r.score, "comment": r.comment, "created_at": r.created_at}
        for r in db.session.scalars(sa.select(ProposalRating).where(
            ProposalRating.proposal_id == proposal.id, ProposalRating.comment != "")
            .order_by(ProposalRating.id))]
    origin = db.session.get(Region, proposal.origin_region_id)
    return {
        **_base(proposal),
        "author": {"id": author.id, "nickname": author.nickname,
                   "phone": author.phone_masked,
                   "verification_level": author.verification_level},
        "origin": scope(origin),
        "rejection_reason": proposal.rejection_reason,
        "content_review": ({"reason": proposal.content_review_reason,
                            "reason_label": CONTENT_REVIEW_LABELS.get(
                                proposal.content_review_reason, "需人工复核"),
                            "label": proposal.content_label}
                           if proposal.content_review_reason else None),
        "photos": _photos_by(ProposalPhoto, ProposalPhoto.proposal_id, [proposal.id])[proposal.id],
        "supporters": db.session.scalar(sa.select(sa.func.count()).select_from(ProposalSupport)
                                        .where(ProposalSupport.proposal_id == proposal.id)),
        "timeline": _timeline(proposal, for_staff=True),
        "rating": ratings,
        "comment_count": db.session.scalar(
            sa.select(sa.func.count()).select_from(ProposalComment)
            .where(ProposalComment.proposal_id == proposal.id)),
        "moderation": _moderation(ITEM_TYPE, proposal.id),
        "actions": staff_actions(staff, proposal),
    }


def staff_page(staff: Staff, page: dict) -> dict:
    """A page of proposals for a staff list or queue."""
    proposals = page["items"]
    items = _items(proposals)
    states = moderation_states(ITEM_TYPE, [p.id for p in proposals])
    for item, proposal in zip(items, proposals, strict=True):
        item["content_review"] = proposal.content_review_reason
        item["submitted_at"] = proposal.submitted_at
        row = states.get(proposal.id)
        item["visibility"] = row.visibility if row else "visible"
    return {"items": items, "meta": page["meta"]}


def comment_view(resident: Resident | None, comment: ProposalComment, row=None) -> dict:
    """A comment as a resident sees it (their own hidden ones carry a notice)."""
    notice = _notice(row)
    return {"id": comment.id, "proposal_id": comment.proposal_id,
            "author": {"nickname": comment.author.nickname},
            "is_mine": resident is not None and comment.author_id == resident.id,
            "body": comment.body, "created_at": comment.created_at,
            "hidden": notice is not None, "notice": notice}


def new_comment(resident: Resident, comment: ProposalComment) -> dict:
    """A comment just posted, as its author sees it (held ones with a notice)."""
    return comment_view(resident, comment,
                        moderation_states(COMMENT_TYPE, [comment.id]).get(comment.id))


def comment_page(resident: Resident, page: dict) -> dict:
    comments = page["items"]
    states = moderation_states(COMMENT_TYPE, [c.id for c in comments])
    return {"items": [comment_view(resident, c, states.get(c.id)) for c in comments],
            "meta": page["meta"]}


def staff_comment_page(page: dict) -> dict:
    comments = page["items"]
    items = []
    for c in comments:
        item = comment_view(None, c)
        item.update(hidden=False, notice=None, author={"id": c.author_id,
                                                       "nickname": c.author.nickname},
                    moderation=_moderation(COMMENT_TYPE, c.id))
        items.append(item)
    return {"items": items, "meta": page["meta"]}


def flagged_page(page: dict) -> dict:
    """The moderators' queue: hidden items with what was hidden and why (never who flagged)."""
    rows = page["items"]
    comment_ids = [r.item_id for r in rows if r.item_type == COMMENT_TYPE]
    proposal_ids = [r.item_id for r in rows if r.item_type == ITEM_TYPE]
    comments = {c.id: c for c in db.session.scalars(
        sa.select(ProposalComment).where(ProposalComment.id.in_(comment_ids)))} \
        if comment_ids else {}
    proposal_ids += [c.proposal_id for c in comments.values()]
    proposals = {p.id: p for p in db.session.scalars(
        sa.select(Proposal).where(Proposal.id.in_(proposal_ids)))} if proposal_ids else {}
    counts = {**{(ITEM_TYPE, k): v for k, v in flag_counts(ITEM_TYPE, proposal_ids).items()},
              **{(COMMENT_TYPE, k): v for k, v in flag_counts(COMMENT_TYPE, comment_ids).items()}}
    items = []
    for row in rows:
        if row.item_type == COMMENT_TYPE:
            text = comments[row.item_id].body
            proposal = proposals[comments[row.item_id].proposal_id]
        else:
            proposal = proposals[row.item_id]
            text = f"{proposal.title}\n{proposal.body}"
        item_counts = counts.get((row.item_type, row.item_id), {})
        items.append({
            "item_type": row.item_type, "item_id": row.item_id,
            "proposal": {"id": proposal.id, "title": proposal.title},
            "excerpt": text[:200],
            "hidden_reason": row.hidden_reason,
            "hidden_reason_label": HiddenReason(row.hidden_reason).label,
            "content_label": row.content_label,
            "flag_count": row.flag_count,
            "flags": [{"reason": reason, "reason_label": FLAG_REASON_LABELS[reason], "count": n}
                      for reason, n in sorted(item_counts.items())],
            "hidden_at": row.hidden_at,
        })
    return {"items": items, "meta": page["meta"]}


def moderation_result(row) -> dict:
    return {"item_type": row.item_type, "item_id": row.item_id, "visibility": row.visibility,
            "decision": row.decision, "decision_label": Decision(row.decision).label,
            "decided_at": row.decided_at}


def scope_choices(resident: Resident) -> list[dict]:
    """The scopes the resident may propose in, each with its rules."""
    choices = []
    for region in author_scopes(resident):
        if region.level not in SCOPE_LEVELS:
            continue
        rules = rules_for(region.level)
        choices.append({**scope(region), "support_threshold": rules.support_threshold,
                        "support_days": rules.support_days,
                        "verification_level": rules.verification_level,
                        "allowed": resident.verification_level >= rules.verification_level})
    return choices
