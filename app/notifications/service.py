"""Recording notifications in the outbox. Delivery runs as jobs (notifications.jobs)."""

from __future__ import annotations

from app import clock
from app.database import insert_ignoring_conflicts
from app.extensions import db
from app.notifications.models import Notification, NotificationStatus


def notify(*, kind: str, dedupe_key: str, text: str, resident_id: int | None = None,
           staff_id: int | None = None, title: str | None = None, page: str | None = None,
           fields: dict | None = None) -> int | None:
    """Record one notification in the caller's transaction; return its id, or None if the same
    event was already recorded (same `dedupe_key`).

    `text` is one short plain sentence, read aloud to elderly residents as it is; `title` a few
    words; `page` the mini-program page to open; `fields` the values template messages need
    (e.g. {"number": "SSP-20261124-0007", "status": "已受理", "thing": "路灯损坏"}).
    """
    if (resident_id is None) == (staff_id is None):
        raise ValueError("a notification has exactly one recipient")
    payload = {"title": title or "", "text": text, "page": page or "", "fields": fields or {}}
    return insert_ignoring_conflicts(
        db.session,
        Notification.__table__,
        {
            "resident_id": resident_id,
            "staff_id": staff_id,
            "kind": kind,
            "payload": payload,
            "dedupe_key": dedupe_key[:160],
            "status": NotificationStatus.PENDING.value,
            "attempts": 0,
            "next_attempt_at": clock.now(),
            "created_at": clock.now(),
        },
        ["dedupe_key"],
    )


def staff_covering(region_id: int, roles: tuple[str, ...] | None = None) -> list:
    """Active staff whose scope contains the region (its own staff and those above it)."""
    import sqlalchemy as sa

    from app.accounts.models import Staff
    from app.regions.models import Region

    target_path = sa.select(Region.path).where(Region.id == region_id).scalar_subquery()
    query = (
        sa.select(Staff)
        .join(Region, Staff.region_id == Region.id)
        .where(Staff.active.is_(True), target_path.startswith(Region.path))
        .order_by(Staff.id)
    )
    if roles:
        query = query.where(Staff.role.in_(roles))
    return list(db.session.scalars(query))


def notify_staff_covering(region_id: int, *, kind: str, dedupe_key: str, text: str,
                          roles: tuple[str, ...] | None = None, title: str | None = None,
                          page: str | None = None, fields: dict | None = None) -> list[int]:
    """Record one notification per staff member covering the region; `dedupe_key` gets
    ":staff:<id>" appended. Returns the ids of the rows created."""
    created = []
    for staff in staff_covering(region_id, roles):
        notification_id = notify(kind=kind, dedupe_key=f"{dedupe_key}:staff:{staff.id}",
                                 text=text, staff_id=staff.id, title=title, page=page,
                                 fields=fields)
        if notification_id is not None:
            created.append(notification_id)
    return created
