"""Writing the audit log. Every staff action calls `record()` in the action's transaction."""

from __future__ import annotations

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
