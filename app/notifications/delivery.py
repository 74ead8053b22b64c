"""Delivering outbox rows to WeChat: claim, choose a channel, send, record the outcome.

Channels, in this order, for a resident (issue 7, reference/wechat.md §2.3, §2.4, §3.3):
1. a mini-program subscribe message, when the kind has a subscribe template and the resident
   has an unused grant for it (one is used per send);
2. an official-account 订阅通知 (bizsend), when the kind has one, the resident follows the
   account and has an unused grant from its subscribe popup (one is used per send);
3. an official-account template message, when the kind has a template and the resident follows
   the account (its openid is known, joined through the unionid);
4. a customer-service text, when the resident follows the account and wrote to the bot within
   the last 48 hours;
else the row is `skipped` with the reason (the in-app list still shows it). Staff rows are
in-app only and never reach this module's sending part. The follow flag (Resident.oa_subscribed)
is kept by the bot from WeChat's own events: set by every message and by subscribe, cleared by
unsubscribe; WeChat delivers nothing of the account's to someone who left it.

WeChat's answers (reference/wechat.md §2.6): -1, 45009, 45011 and network errors are retried
with exponential backoff (at most NOTIFICATION_MAX_ATTEMPTS attempts, then `failed`); any other
error rules the channel out for this row and the next channel is tried at once (43101 also
marks the subscribe grant used up). When no channel is left after an error, the row is
`failed`.

Exactly once: a job claims its row with one conditional UPDATE (pending and due -> sending)
before sending, so a doubled job, a doubled enqueue or two workers send once. A worker that
dies mid-send leaves the row `sending`; `recover_stuck()` hands it back after CLAIM_TIMEOUT
(WeChat may then get it twice: the one case where at-least-once wins over at-most-once).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from app import clock
from app.accounts.models import Resident
from app.extensions import db
from app.notifications import templates
from app.notifications.models import Channel, Notification, NotificationStatus, SubscriptionGrant
from app.wechat.errors import WeChatError
from app.wechat.gateway import get_gateway
from app.wechat.limits import CUSTOM_TEXT_MAX_BYTES, TemplateValueError, fit_utf8

log = logging.getLogger(__name__)

STAFF_IN_APP_ONLY = "staff: in-app only"
# Backoff before the next attempt: 1, 2, 4, 8, 16 minutes … at most an hour.
RETRY_BASE_SECONDS = 60
RETRY_MAX_SECONDS = 3600
# A claimed row still `sending` after this long had its worker die (a delivery takes seconds:
# at most three WeChat calls with a 5-second timeout each, well under JOB_TIMEOUT_SECONDS).
CLAIM_TIMEOUT = timedelta(minutes=10)
# The sweep hands a pending row to the queue only when nothing did so this recently: a row's own
# job (enqueued by notify()) normally delivers it within seconds.
REQUEUE_AFTER = timedelta(minutes=2)
SWEEP_BATCH = 500
CUSTOMER_SERVICE_WINDOW = timedelta(hours=48)
# Subscribe messages: the resident's grants for this template are used up (or were refused).
QUOTA_USED_UP = 43101
# Channels that use one of the resident's grants per message.
GRANT_CHANNELS = (Channel.SUBSCRIBE, Channel.OA_SUBSCRIBE)
_ERROR_MAX_CHARS = 500


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th attempt failed with a retryable error."""
    return timedelta(seconds=min(RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0),
                                 RETRY_MAX_SECONDS))


@dataclass
class _Row:
    """What one attempt needs, copied out so no transaction stays open while WeChat answers."""

    id: int
    attempt: int
    kind: str
    payload: dict
    created_at: datetime
    resident_id: int | None
    staff_id: int | None
    mp_openid: str | None = None
    oa_openid: str | None = None
    oa_subscribed: bool = False
    last_bot_message_at: datetime | None = None
    ruled_out: list[str] = field(default_factory=list)
    grants: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def is_ruled_out(self, channel: str) -> bool:
        return any(entry.split(":")[0] == channel for entry in self.ruled_out)


class _Unusable(Exception):
    """This channel cannot carry this notification (the reason is in the message)."""


# --- the job ---------------------------------------------------------------------------------

def deliver(notification_id: int) -> str | None:
    """Deliver one outbox row if it is pending, due and not claimed by another job.

    Returns the row's new status, or None when this call did not claim it (already delivered,
    not yet due, or another job has it).
    """
    attempt = _claim(notification_id)
    if attempt is None:
        return None
    try:
        return _attempt(notification_id, attempt)
    except Exception as exc:
        db.session.rollback()
        _give_back(notification_id, attempt, f"unexpected {type(exc).__name__}: {exc}")
        raise


def _claim(notification_id: int) -> int | None:
    """Take the row (pending and due -> sending) in one statement; returns this attempt's
    number, or None when the row is not there to take."""
    now = clock.now()
    attempt = db.session.execute(
        sa.update(Notification)
        .where(Notification.id == notification_id,
               Notification.status == NotificationStatus.PENDING.value,
               Notification.next_attempt_at <= now)
        .values(status=NotificationStatus.SENDING.value, attempts=Notification.attempts + 1,
                claimed_at=now)
        .returning(Notification.attempts)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    if attempt is None:
        db.session.rollback()
    # On success the transaction stays open: `_load` reads the row in it and commits the claim.
    return attempt


def _load(notification_id: int, attempt: int) -> _Row:
    notification = db.session.get(Notification, notification_id)
    row = _Row(id=notification.id, attempt=attempt, kind=notification.kind,
               payload=dict(notification.payload or {}), created_at=notification.created_at,
               resident_id=notification.resident_id, staff_id=notification.staff_id,
               ruled_out=[e for e in (notification.ruled_out or "").split(",") if e])
    if notification.resident_id is not None:
        resident = db.session.get(Resident, notification.resident_id)
        row.mp_openid = resident.mp_openid
        row.oa_openid = resident.oa_openid
        row.oa_subscribed = bool(resident.oa_subscribed)
        row.last_bot_message_at = resident.last_bot_message_at
        row.grants = dict(db.session.execute(
            sa.select(SubscriptionGrant.template_id, SubscriptionGrant.remaining)
            .where(SubscriptionGrant.resident_id == resident.id)).all())
    db.session.commit()
    return row


def _attempt(notification_id: int, attempt: int) -> str:
    row = _load(notification_id, attempt)
    if row.staff_id is not None:
        return _finish(row, NotificationStatus.SKIPPED, reason=STAFF_IN_APP_ONLY)
    mapping = current_app.config.get("NOTIFICATION_TEMPLATES") or {}
    while True:
        channel, reasons = _choose(row, mapping)
        if channel is None:
            if not row.ruled_out:
                return _finish(row, NotificationStatus.SKIPPED,
                               reason="no channel: " + "; ".join(reasons))
            # WeChat refused (now or in an earlier attempt) what could have carried it.
            reason = row.errors[-1] if row.errors else "no channel left: " + "; ".join(reasons)
            return _finish(row, NotificationStatus.FAILED, reason=reason)
        try:
            message = _prepare(row, channel, mapping)
        except _Unusable as exc:
            _rule_out(row, channel, "data", f"{channel}: {exc}")
            continue
        if channel in GRANT_CHANNELS and not _take_grant(row, message.template_id):
            continue
        try:
            msgid = message.send()
        except WeChatError as exc:
            outcome = _after_error(row, message, exc)
            if outcome is not None:
                return outcome
            continue
        return _finish(row, NotificationStatus.SENT, channel=channel, msgid=msgid)


# --- choosing ----------------------------------------------------------------------------------

def _choose(row: _Row, mapping: dict) -> tuple[str | None, list[str]]:
    """The first channel that can carry the row now, and why each earlier one cannot."""
    reasons = []
    for channel, check in ((Channel.SUBSCRIBE, _subscribe_unavailable),
                           (Channel.OA_SUBSCRIBE, _oa_subscribe_unavailable),
                           (Channel.TEMPLATE, _template_unavailable),
                           (Channel.TEXT, _text_unavailable)):
        if row.is_ruled_out(channel):
            reasons.append(f"{channel} ruled out")
            continue
        reason = check(row, mapping)
        if reason is None:
            return channel, reasons
        reasons.append(reason)
    return None, reasons


def _subscribe_unavailable(row: _Row, mapping: dict) -> str | None:
    spec = templates.spec_for(mapping, row.kind, Channel.SUBSCRIBE)
    if spec is None:
        return "no subscribe template for this kind"
    if not row.mp_openid:
        return "no mini-program openid"
    if row.grants.get(spec["template_id"], 0) <= 0:
        return "no subscribe grant"
    return None


def _oa_subscribe_unavailable(row: _Row, mapping: dict) -> str | None:
    spec = templates.spec_for(mapping, row.kind, Channel.OA_SUBSCRIBE)
    if spec is None:
        return "no official-account subscribe template for this kind"
    if not row.oa_openid or not row.oa_subscribed:
        return "no official-account subscription"
    if row.grants.get(spec["template_id"], 0) <= 0:
        return "no official-account subscribe grant"
    return None


def _template_unavailable(row: _Row, mapping: dict) -> str | None:
    if templates.spec_for(mapping, row.kind, Channel.TEMPLATE) is None:
        return "no template message for this kind"
    if not row.oa_openid:
        return "official-account openid unknown"
    if not row.oa_subscribed:
        return "does not follow the official account"
    return None


def _text_unavailable(row: _Row, mapping: dict) -> str | None:
    if not row.oa_openid:
        return "no bot conversation"
    if not row.oa_subscribed:
        return "no longer follows the official account"
    if row.last_bot_message_at is None or \
            clock.now() - row.last_bot_message_at > CUSTOMER_SERVICE_WINDOW:
        return "no bot message in the last 48 hours"
    if not (row.payload.get("text") or row.payload.get("title")):
        return "nothing to say in a text"
    return None


# --- sending -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Message:
    """One message ready for WeChat on one channel."""

    channel: str
    openid: str
    template_id: str | None = None
    data: dict[str, str] | None = None
    page: str | None = None
    miniprogram: dict | None = None
    text: str | None = None

    def send(self) -> str | None:
        """Send it through the gateway; returns the template message's msgid, if any."""
        gateway = get_gateway()
        if self.channel == Channel.SUBSCRIBE:
            gateway.send_subscribe_message(self.openid, self.template_id, self.data,
                                           page=self.page)
            return None
        if self.channel == Channel.OA_SUBSCRIBE:
            gateway.send_oa_subscribe_message(self.openid, self.template_id, self.data,
                                              miniprogram=self.miniprogram)
            return None
        if self.channel == Channel.TEMPLATE:
            return gateway.send_template_message(self.openid, self.template_id, self.data,
                                                 miniprogram=self.miniprogram)
        gateway.send_text(self.openid, self.text)
        return None


def _prepare(row: _Row, channel: str, mapping: dict) -> _Message:
    """The message `channel` would carry; raises `_Unusable` when the values do not fit."""
    page = row.payload.get("page") or None
    if channel == Channel.TEXT:
        text = row.payload.get("text") or row.payload.get("title")
        return _Message(channel, row.oa_openid, text=fit_utf8(text, CUSTOM_TEXT_MAX_BYTES))
    spec = templates.spec_for(mapping, row.kind, channel)
    try:
        data = templates.render_data(spec, row.payload, row.created_at)
    except TemplateValueError as exc:
        raise _Unusable(str(exc)) from None
    page = spec.get("page") or page
    if channel == Channel.SUBSCRIBE:
        return _Message(channel, row.mp_openid, spec["template_id"], data, page=page)
    mini_app = current_app.config.get("WECHAT_MP_APP_ID")
    miniprogram = {"appid": mini_app, "pagepath": page} if mini_app and page else None
    # The official account's templates and 订阅通知 both open the mini-program's page.
    return _Message(channel, row.oa_openid, spec["template_id"], data, miniprogram=miniprogram)


def _after_error(row: _Row, message: _Message, exc: WeChatError) -> str | None:
    """Record a WeChat error; returns the row's final status, or None to try the next channel."""
    channel = message.channel
    label = "unreachable" if exc.errcode is None and exc.retryable else exc.errcode
    error = f"{channel}: {label} {exc.errmsg}".strip()
    log.warning("notification %s attempt %s: %s", row.id, row.attempt, error)
    if channel in GRANT_CHANNELS:
        # 43101: no grant left at WeChat's end. Any other error: WeChat delivered nothing, so
        # the grant taken for this send is given back.
        _set_grant(row, message.template_id, used_up=exc.errcode == QUOTA_USED_UP)
    if exc.retryable:
        row.errors.append(error)
        if row.attempt >= current_app.config["NOTIFICATION_MAX_ATTEMPTS"]:
            return _finish(row, NotificationStatus.FAILED, reason=error)
        return _finish(row, NotificationStatus.PENDING, reason=error)
    _rule_out(row, channel, exc.errcode if exc.errcode is not None else "http", error)
    return None


def _rule_out(row: _Row, channel: str, code, message: str) -> None:
    row.ruled_out.append(f"{channel}:{code}")
    row.errors.append(message)


# --- grants ----------------------------------------------------------------------------------

def _take_grant(row: _Row, template_id: str) -> bool:
    """Use one of the resident's grants for the template; False when none is left."""
    result = db.session.execute(
        sa.update(SubscriptionGrant)
        .where(SubscriptionGrant.resident_id == row.resident_id,
               SubscriptionGrant.template_id == template_id,
               SubscriptionGrant.remaining > 0)
        .values(remaining=SubscriptionGrant.remaining - 1, updated_at=clock.now())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    taken = result.rowcount == 1
    row.grants[template_id] = row.grants.get(template_id, 1) - 1 if taken else 0
    return taken


def _set_grant(row: _Row, template_id: str, *, used_up: bool) -> None:
    """Give the grant taken for a failed send back, or mark them all used up (43101)."""
    values = {"remaining": 0} if used_up else {"remaining": SubscriptionGrant.remaining + 1}
    db.session.execute(
        sa.update(SubscriptionGrant)
        .where(SubscriptionGrant.resident_id == row.resident_id,
               SubscriptionGrant.template_id == template_id)
        .values(updated_at=clock.now(), **values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    row.grants[template_id] = 0 if used_up else row.grants.get(template_id, 0) + 1


# --- recording ---------------------------------------------------------------------------------

def _finish(row: _Row, status: NotificationStatus, *, reason: str | None = None,
            channel: str | None = None, msgid: str | None = None) -> str:
    """Write the attempt's outcome, if the row is still ours (claimed by this attempt)."""
    now = clock.now()
    values: dict = {"status": status.value, "ruled_out": ",".join(row.ruled_out)[:120] or None,
                    "claimed_at": None}
    if reason is not None:
        values["last_error"] = reason[:_ERROR_MAX_CHARS]
    if status == NotificationStatus.SENT:
        values.update(channel=channel, sent_at=now, wechat_msgid=msgid)
    elif status == NotificationStatus.PENDING:
        values.update(next_attempt_at=now + retry_delay(row.attempt), queued_at=None)
    result = db.session.execute(
        sa.update(Notification)
        .where(Notification.id == row.id,
               Notification.status == NotificationStatus.SENDING.value,
               Notification.attempts == row.attempt)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    if result.rowcount != 1:
        log.error("notification %s: attempt %s outlived its claim (outcome %s not recorded)",
                  row.id, row.attempt, status.value)
    return status.value


def _give_back(notification_id: int, attempt: int, error: str) -> None:
    """After an unexpected failure, put the row back for a later attempt (or fail it)."""
    max_attempts = current_app.config["NOTIFICATION_MAX_ATTEMPTS"]
    now = clock.now()
    status = NotificationStatus.FAILED if attempt >= max_attempts else NotificationStatus.PENDING
    db.session.execute(
        sa.update(Notification)
        .where(Notification.id == notification_id,
               Notification.status == NotificationStatus.SENDING.value,
               Notification.attempts == attempt)
        .values(status=status.value, claimed_at=None, queued_at=None,
                next_attempt_at=now + retry_delay(attempt), last_error=error[:_ERROR_MAX_CHARS])
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


# --- the sweep ---------------------------------------------------------------------------------

def recover_stuck() -> int:
    """Hand rows whose worker died mid-send back to the queue (or fail them when out of
    attempts); returns how many."""
    now = clock.now()
    stuck = sa.and_(Notification.status == NotificationStatus.SENDING.value,
                    Notification.claimed_at < now - CLAIM_TIMEOUT)
    max_attempts = current_app.config["NOTIFICATION_MAX_ATTEMPTS"]
    error = "the worker stopped while sending"
    recovered = 0
    for status, condition in ((NotificationStatus.FAILED, Notification.attempts >= max_attempts),
                              (NotificationStatus.PENDING, Notification.attempts < max_attempts)):
        result = db.session.execute(
            sa.update(Notification).where(stuck, condition)
            .values(status=status.value, claimed_at=None, queued_at=None, next_attempt_at=now,
                    last_error=error)
            .execution_options(synchronize_session=False)
        )
        recovered += result.rowcount
    db.session.commit()
    if recovered:
        log.warning("recovered %d notifications left sending by a stopped worker", recovered)
    return recovered


def take_due(limit: int = SWEEP_BATCH) -> list[int]:
    """Mark up to `limit` due pending rows as queued now and return their ids (the caller
    enqueues them in the same transaction).

    A row is due when its next attempt time has come and no job is on its way: retries whose
    backoff is over at once; rows written while Redis was down (or whose job was lost) once
    their own job had REQUEUE_AFTER to run.
    """
    now = clock.now()
    cutoff = now - REQUEUE_AFTER
    due = sa.and_(
        Notification.status == NotificationStatus.PENDING.value,
        Notification.next_attempt_at <= now,
        sa.or_(
            # Waiting for a retry, or given back after a stopped worker: no job is on its way.
            sa.and_(Notification.queued_at.is_(None), Notification.attempts > 0),
            # Never attempted: its own job (enqueued by notify) had time to run and did not.
            sa.and_(Notification.queued_at.is_(None), Notification.created_at <= cutoff),
            # Queued by an earlier sweep or retry-failed, and still not attempted.
            Notification.queued_at <= cutoff,
        ),
    )
    batch = (sa.select(Notification.id).where(due)
             .order_by(Notification.next_attempt_at, Notification.id).limit(limit))
    result = db.session.execute(
        sa.update(Notification)
        .where(Notification.id.in_(batch.scalar_subquery()), due)
        .values(queued_at=now)
        .returning(Notification.id)
        .execution_options(synchronize_session=False)
    )
    return sorted(result.scalars())
