"""Reading the effects of proposal actions from the database."""

from __future__ import annotations

import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.extensions import db
from app.notifications.models import Notification
from app.proposals.models import Proposal, ProposalEvent, ProposalSupport


def notifications(**filters) -> list[Notification]:
    return list(db.session.scalars(sa.select(Notification).filter_by(**filters)
                                   .order_by(Notification.id)))


def notified_residents(kind: str) -> list[int]:
    return sorted(n.resident_id for n in notifications(kind=kind) if n.resident_id)


def notified_staff(kind: str) -> list[int]:
    return sorted(n.staff_id for n in notifications(kind=kind) if n.staff_id)


def events(proposal: Proposal, action: str | None = None) -> list[ProposalEvent]:
    query = sa.select(ProposalEvent).where(ProposalEvent.proposal_id == proposal.id)
    if action:
        query = query.where(ProposalEvent.action == action)
    return list(db.session.scalars(query.order_by(ProposalEvent.id)))


def audit_actions(object_id: int) -> list[str]:
    return list(db.session.scalars(sa.select(AuditEntry.action).where(
        AuditEntry.object_id == object_id).order_by(AuditEntry.id)))


def support_rows(proposal: Proposal) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(ProposalSupport).where(
        ProposalSupport.proposal_id == proposal.id))


def reload(proposal: Proposal) -> Proposal:
    db.session.expire_all()
    return db.session.get(Proposal, proposal.id)
