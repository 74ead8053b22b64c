"""The notification outbox's services: recording, the in-app lists, grants, delivery reports.

Delivery itself runs as jobs (notifications.jobs, notifications.delivery).
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import aliased

from app import clock
from app.accounts.models import Resident, Staff
from app.database import insert_ignoring_conflicts, repoint
from app.errors import NotFound
from app.extensions import db
from app.notifications import templates
from app.notifications.delivery import STAFF_IN_APP_ONLY
from app.notifications.jobs import enqueue_delivery
from app.notifications.models import Notification, NotificationStatus, SubscriptionGrant

log = logging.getLogger(__name__)

# Grants kept per resident and template: enough for months of one-time subscriptions, and a
# bound on what a client can claim (a wrong count costs one 43101 and is then zeroed).
MAX_GRANTS_PER_TEMPLATE = 100


# --- recording ---------------------------------------------------------------------------------

def notify(*, kind: str, dedupe_key: str, text: str, resident_id: int | None = None,
           staff_id: int | None = None, title: str | None = None, page: str | None = None,
           fields: dict | None = None, in_app_only: str = "") -> int | None:
    """Record one notification in the caller's transaction; return its id, or None if the same
    event was already recorded (same `dedupe_key`).

    `text` is one short plain sentence, read aloud to elderly residents as it is; `title` a few
    words; `page` the mini-program page to open; `fields` the values template messages need
    (e.g. {"number": "SSP-20261124-0007", "phrase": "已受理", "thing": "路灯损坏",
    "time": "2026-11-24T10:00:00+08:00"}; see notifications.templates).

    A resident's notification is delivered by a job enqueued when the transaction commits (and
    by the outbox sweep if that job is lost); a staff member's is in-app only and recorded as
    `skipped` ("staff: in-app only"). `in_app_only`, a reason, keeps a resident's notification
    in the app too, recorded as `skipped` with that reason: for news the resident has already
    been told where they are (the bot's own reply).
    """
    if (resident_id is None) == (staff_id is None):
        raise ValueError("a notification has exactly one recipient")
    payload = {"title": title or "", "text": text, "page": page or "", "fields": fields or {}}
    now = clock.now()
    if staff_id is not None:
        in_app_only = STAFF_IN_APP_ONLY
    notification_id = insert_ignoring_conflicts(
        db.session,
        Notification.__table__,
        {
            "resident_id": resident_id,
            "staff_id": staff_id,
            "kind": kind,
            "payload": payload,
            "dedupe_key": dedupe_key[:160],
            "status": (NotificationStatus.SKIPPED if in_app_only
                       else NotificationStatus.PENDING).value,
            "last_error": in_app_only or None,
            "attempts": 0,
            "next_attempt_at": None if in_app_only else now,
            "created_at": now,
        },
        ["dedupe_key"],
    )
    if notification_id is not None and not in_app_only:
        enqueue_delivery(notification_id)
    return notification_id


def staff_covering(region_id: int, roles: tuple[str, ...] | None = None) -> list:
    """Active staff whose scope contains the region (its own staff and those above it)."""
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


# --- the in-app lists ------------------------------------------------------------------------

def _recipient_column(recipient: Resident | Staff):
    if isinstance(recipient, Staff):
        return Notification.staff_id
    return Notification.resident_id


def notifications_query(recipient: Resident | Staff, *, unread_only: bool = False) -> sa.Select:
    """A resident's or a staff member's notifications, newest first (for `paginate`)."""
    query = (sa.select(Notification)
             .where(_recipient_column(recipient) == recipient.id)
             .order_by(Notification.created_at.desc(), Notification.id.desc()))
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    return query


def list_notifications(recipient: Resident | Staff, *, page: int, per_page: int,
                       unread_only: bool = False) -> dict:
    """One page of the recipient's notifications, with how many are unread in all."""
    from app.pagination import paginate

    result = paginate(notifications_query(recipient, unread_only=unread_only), page, per_page)
    return {**result, "unread": unread_count(recipient)}


def unread_count(recipient: Resident | Staff) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(Notification.id))
        .where(_recipient_column(recipient) == recipient.id, Notification.read_at.is_(None)))


def get_notification_for(recipient: Resident | Staff, notification_id: int) -> Notification:
    """One of the recipient's own notifications; anyone else's is 404."""
    notification = db.session.get(Notification, notification_id)
    if notification is None or \
            getattr(notification, _recipient_column(recipient).key) != recipient.id:
        raise NotFound("找不到这条通知")
    return notification


def mark_read(recipient: Resident | Staff, notification_id: int) -> Notification:
    """Mark one of the recipient's notifications read (reading it again changes nothing)."""
    notification = get_notification_for(recipient, notification_id)
    if notification.read_at is None:
        notification.read_at = clock.now()
        db.session.commit()
    return notification


def mark_all_read(recipient: Resident | Staff) -> int:
    """Mark every unread notification of the recipient read; returns how many."""
    result = db.session.execute(
        sa.update(Notification)
        .where(_recipient_column(recipient) == recipient.id, Notification.read_at.is_(None))
        .values(read_at=clock.now())
        .execution_options(synchronize_session=False))
    db.session.commit()
    return result.rowcount


# --- subscribe-message grants ------------------------------------------------------------------

def subscribe_templates(channel: str = "subscribe") -> dict[str, list[str]]:
    """The configured subscribe template ids of `channel` ("subscribe": the mini-program's,
    "oa_subscribe": the official account's) and the kinds each one carries."""
    return templates.subscribe_template_ids(current_app.config.get("NOTIFICATION_TEMPLATES"),
                                            channel)


def grants_of(resident: Resident) -> dict[str, int]:
    """The resident's unused grants per template id."""
    return dict(db.session.execute(
        sa.select(SubscriptionGrant.template_id, SubscriptionGrant.remaining)
        .where(SubscriptionGrant.resident_id == resident.id)).all())


def subscription_overview(resident: Resident) -> dict:
    """The subscribe templates a mini-program may ask for, with the resident's unused grants."""
    grants = grants_of(resident)
    return {"templates": [{"template_id": template_id, "kinds": kinds,
                           "remaining": grants.get(template_id, 0)}
                          for template_id, kinds in subscribe_templates().items()]}


def record_subscription_grants(resident: Resident, template_ids: list[str], *,
                               channel: str = "subscribe") -> dict:
    """Record that the resident accepted one more subscribe message for each template id:
    `wx.requestSubscribeMessage` answered "accept" (channel "subscribe", the mini-program's
    templates), or an accept in the official account's subscribe popup (the bot's
    subscribe_msg_popup_event; channel "oa_subscribe", the account's templates).

    Ids Linli has no template for on that channel are ignored. Returns {"grants":
    {template_id: remaining}, "ignored": [template_id, ...]}.
    """
    known = subscribe_templates(channel)
    accepted = [t for t in dict.fromkeys(template_ids) if t in known]
    ignored = [t for t in dict.fromkeys(template_ids) if t not in known]
    if ignored:
        log.info("resident %s: ignoring grants for unconfigured templates %s", resident.id,
                 ignored)
    now = clock.now()
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = SubscriptionGrant.__table__
    for template_id in accepted:
        statement = insert(table).values(resident_id=resident.id, template_id=template_id,
                                         remaining=1, updated_at=now)
        one_more = table.c.remaining + 1
        statement = statement.on_conflict_do_update(
            index_elements=["resident_id", "template_id"],
            set_={"remaining": sa.case((one_more > MAX_GRANTS_PER_TEMPLATE,
                                        MAX_GRANTS_PER_TEMPLATE), else_=one_more),
                  "updated_at": now},
        )
        db.session.execute(statement)
    db.session.commit()
    grants = grants_of(resident)
    return {"grants": {t: grants.get(t, 0) for t in accepted}, "ignored": ignored}


def withdraw_subscription_grants(resident: Resident, template_ids: list[str]) -> int:
    """The resident turned these subscribe templates off (the official account's
    subscribe_msg_change_event "reject"): their unused grants are gone. Commits; returns how
    many templates had grants left."""
    if not template_ids:
        return 0
    result = db.session.execute(
        sa.update(SubscriptionGrant)
        .where(SubscriptionGrant.resident_id == resident.id,
               SubscriptionGrant.template_id.in_(list(template_ids)),
               SubscriptionGrant.remaining > 0)
        .values(remaining=0, updated_at=clock.now())
        .execution_options(synchronize_session=False))
    db.session.commit()
    return result.rowcount


# --- delivery reports and operations -----------------------------------------------------------

def record_template_delivery(msgid: str, status: str) -> bool:
    """Record a TEMPLATESENDJOBFINISH event: WeChat's final word on a template message.

    `status` is the event's Status ("success", "failed:user block", "failed: system failed").
    A failed delivery turns the row `failed` (so `flask notifications retry-failed` can try it
    again). Repeated events change nothing more. Returns False when no row has that msgid.
    """
    msgid = str(msgid)
    status = (status or "").strip()[:40]
    matches = sa.and_(Notification.wechat_msgid == msgid, Notification.channel == "template")
    result = db.session.execute(
        sa.update(Notification).where(matches).values(delivery_status=status)
        .execution_options(synchronize_session=False))
    if result.rowcount and status != "success":
        db.session.execute(
            sa.update(Notification)
            .where(matches, Notification.status == NotificationStatus.SENT.value)
            .values(status=NotificationStatus.FAILED.value,
                    last_error=f"template: delivery {status}")
            .execution_options(synchronize_session=False))
    db.session.commit()
    if not result.rowcount:
        log.info("TEMPLATESENDJOBFINISH for unknown msgid %s (%s)", msgid, status)
    return bool(result.rowcount)


def status_counts(staff: Staff | None = None) -> dict[str, int]:
    """How many notifications are in each status: all of them, or (for a staff member) those
    of residents of communities and of staff in their scope."""
    from app.accounts.scoping import in_scope

    query = sa.select(Notification.status, sa.func.count(Notification.id))
    if staff is not None:
        recipient_staff = aliased(Staff)
        query = (query.outerjoin(Resident, Notification.resident_id == Resident.id)
                 .outerjoin(recipient_staff, Notification.staff_id == recipient_staff.id)
                 .where(sa.or_(in_scope(Resident.community_id, staff),
                               in_scope(recipient_staff.region_id, staff))))
    counts = {status.value: 0 for status in NotificationStatus}
    counts.update(dict(db.session.execute(query.group_by(Notification.status)).all()))
    return counts


def retry_failed(kind_prefix: str | None = None) -> int:
    """Put failed notifications back in the queue with fresh attempts and every channel
    possible again (after fixing a template, or once WeChat is back); returns how many."""
    now = clock.now()
    condition = Notification.status == NotificationStatus.FAILED.value
    if kind_prefix:
        condition = sa.and_(condition, Notification.kind.startswith(kind_prefix))
    ids = db.session.execute(
        sa.update(Notification).where(condition)
        .values(status=NotificationStatus.PENDING.value, attempts=0, next_attempt_at=now,
                queued_at=now, ruled_out=None, claimed_at=None, delivery_status=None)
        .returning(Notification.id)
        .execution_options(synchronize_session=False)).scalars().all()
    for notification_id in ids:
        enqueue_delivery(notification_id)
    db.session.commit()
    return len(ids)


# --- two records of one resident --------------------------------------------------------------

def move_resident_rows(source_id: int, target_id: int) -> None:
    """Resident merge hook (app/accounts/service.py RESIDENT_MERGE_HOOKS): the source record's
    notifications and subscribe grants become the target's. Grants for a template both records
    hold are added up (within MAX_GRANTS_PER_TEMPLATE): WeChat counts them per user and
    template, and both were given by the same person. The caller commits."""
    repoint(Notification.resident_id, source_id, target_id)
    grants = SubscriptionGrant.__table__
    source_grants = dict(db.session.execute(
        sa.select(grants.c.template_id, grants.c.remaining)
        .where(grants.c.resident_id == source_id)).all())
    shared = list(db.session.scalars(
        sa.select(grants.c.template_id).where(grants.c.resident_id == target_id,
                                              grants.c.template_id.in_(list(source_grants)))))
    for template_id in shared:
        added = grants.c.remaining + source_grants[template_id]
        total = sa.case((added > MAX_GRANTS_PER_TEMPLATE, MAX_GRANTS_PER_TEMPLATE), else_=added)
        db.session.execute(sa.update(grants)
                           .where(grants.c.resident_id == target_id,
                                  grants.c.template_id == template_id)
                           .values(remaining=total, updated_at=clock.now()))
    db.session.execute(sa.delete(grants).where(grants.c.resident_id == source_id,
                                               grants.c.template_id.in_(shared)))
    db.session.execute(sa.update(grants).where(grants.c.resident_id == source_id)
                       .values(resident_id=target_id))
