"""Call-back requests (the bot's 人工 flow): recorded for a resident, worked off by staff.

The bot records a request inside the transaction of the push that asked for it (the caller
commits, bot/pushes.py); staff list the requests of their region and mark them done.
"""

from __future__ import annotations

import sqlalchemy as sa

from app import audit, clock
from app.accounts.models import Resident, Staff
from app.accounts.scoping import in_scope, require_in_scope
from app.database import repoint
from app.errors import Conflict, NotFound
from app.extensions import db
from app.notifications import notify_staff_covering
from bot.models import BotSubmission, CallbackRequest, CallbackStatus

NOTE_MAX_CHARS = 200


def open_callback_for(resident: Resident) -> CallbackRequest | None:
    """The resident's call-back request that staff have not done yet, if any."""
    return db.session.scalar(
        sa.select(CallbackRequest)
        .where(CallbackRequest.resident_id == resident.id,
               CallbackRequest.status == CallbackStatus.OPEN.value)
        .order_by(CallbackRequest.id.desc()).limit(1))


def request_callback(resident: Resident, *, region_id: int, phone: str,
                     note: str = "") -> CallbackRequest:
    """Record that the resident wants the office of `region_id` to call `phone`, and tell the
    staff covering that region. The caller commits."""
    request = CallbackRequest(resident_id=resident.id, region_id=region_id, phone=phone,
                              note=note[:NOTE_MAX_CHARS],
                              status=CallbackStatus.OPEN.value, created_at=clock.now())
    db.session.add(request)
    db.session.flush()
    notify_staff_covering(
        region_id, kind="callback.requested", dedupe_key=f"callback:{request.id}:requested",
        title="居民请求回电", text=f"有居民在公众号请求回电，电话 {phone}。",
        fields={"thing": "居民请求回电", "phone_number": phone,
                "time": clock.to_local(request.created_at).isoformat()})
    return request


def add_callback_note(request: CallbackRequest, note: str) -> None:
    """What the resident said the call is about (kept short). The caller commits."""
    request.note = note[:NOTE_MAX_CHARS]


def callbacks_for_staff_query(staff: Staff, status: str | None) -> sa.Select:
    """Call-back requests in the staff member's region, oldest open first."""
    query = sa.select(CallbackRequest).where(in_scope(CallbackRequest.region_id, staff))
    if status:
        query = query.where(CallbackRequest.status == status)
    return query.order_by(CallbackRequest.created_at, CallbackRequest.id)


def get_callback_for_staff(staff: Staff, callback_id: int) -> CallbackRequest:
    request = db.session.get(CallbackRequest, callback_id)
    if request is None:
        raise NotFound("找不到该回电请求")
    require_in_scope(staff, request.region_id, "找不到该回电请求")
    return request


def mark_callback_done(staff: Staff, callback_id: int) -> CallbackRequest:
    """Staff called the resident back. Audit-logged; a second time is a 409."""
    request = get_callback_for_staff(staff, callback_id)
    done = db.session.execute(
        sa.update(CallbackRequest)
        .where(CallbackRequest.id == request.id,
               CallbackRequest.status == CallbackStatus.OPEN.value)
        .values(status=CallbackStatus.DONE.value, done_at=clock.now(), done_by_id=staff.id)
    ).rowcount
    if not done:
        db.session.rollback()
        raise Conflict("该回电请求已经处理过了")
    audit.record(staff, "callback.done", object_type="callback_request", object_id=request.id,
                 region_id=request.region_id)
    db.session.commit()
    db.session.refresh(request)
    return request


def move_resident_rows(source_id: int, target_id: int) -> None:
    """Resident merge hook (app/accounts/service.py RESIDENT_MERGE_HOOKS): the bot-only
    record's call-back requests and submissions (reports and letters confirmed in the chat)
    become the merged resident's. Dialog state is keyed by the official-account openid, which
    moves with the merge, so it needs no move."""
    for column in (CallbackRequest.resident_id, BotSubmission.resident_id):
        repoint(column, source_id, target_id)
