"""Writing the audit log (every staff action calls `record()` in the action's transaction) and
reading it back for the admins of a subtree."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask import has_request_context, request

from app.accounts.models import Staff
from app.audit.models import AuditEntry
from app.extensions import db


def record(staff: Staff | None, action: str, *, object_type: str = "", object_id: int | None = None,
           region_id: int | None = None, **detail) -> AuditEntry:
    """Log that `staff` did `action` (e.g. "report.accept") to an object. The caller commits."""
    ip = (request.remote_addr or "") if has_request_context() else ""
    entry = AuditEntry(staff_id=staff.id if staff else None, action=action,
                       object_type=object_type, object_id=object_id, region_id=region_id,
                       detail=detail, ip=ip[:45])
    db.session.add(entry)
    return entry


def entries_in_scope_query(staff: Staff, *, staff_id: int | None = None, action: str = "",
                           since: datetime | None = None,
                           before: datetime | None = None) -> sa.Select:
    """Audit entries about the admin's subtree, newest first, optionally narrowed.

    `action` matches a whole action ("staff.login") or a prefix ending in a dot ("staff.").
    """
    from app.accounts.scoping import in_scope
    from app.accounts.service import require_admin

    require_admin(staff)
    query = sa.select(AuditEntry).where(in_scope(AuditEntry.region_id, staff))
    if staff_id is not None:
        query = query.where(AuditEntry.staff_id == staff_id)
    if action.endswith("."):
        query = query.where(AuditEntry.action.startswith(action, autoescape=True))
    elif action:
        query = query.where(AuditEntry.action == action)
    if since is not None:
        query = query.where(AuditEntry.created_at >= since)
    if before is not None:
        query = query.where(AuditEntry.created_at < before)
    return query.order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())


def actions_in_scope(staff: Staff) -> list[str]:
    """The distinct actions recorded in the admin's subtree (choices of the audit filter)."""
    from app.accounts.scoping import in_scope

    return db.session.scalars(sa.select(AuditEntry.action).distinct()
                              .where(in_scope(AuditEntry.region_id, staff))
                              .order_by(AuditEntry.action)).all()


def entries_for_object(object_type: str, object_id: int, *, action: str | None = None,
                       limit: int = 50) -> list[AuditEntry]:
    """The latest entries about one object (the caller has checked the object is in scope)."""
    query = sa.select(AuditEntry).where(AuditEntry.object_type == object_type,
                                        AuditEntry.object_id == object_id)
    if action:
        query = query.where(AuditEntry.action == action)
    return db.session.scalars(query.order_by(AuditEntry.created_at.desc(),
                                             AuditEntry.id.desc()).limit(limit)).all()
