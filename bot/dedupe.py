"""WeChat's retries: exactly one effect per push, and the same reply to every copy of it.

WeChat re-sends a push it got no answer to within 5 seconds, up to three times
(reference/wechat.md §1.5). A push is known by its MsgId (with its sender), or for events (which
have none) by FromUserName + CreateTime (+ the event's name, so that a subscribe and the
LOCATION report WeChat sends in the same second stay two pushes).

The first arrival claims the key and, once handled, stores its rendered reply for the window;
every later copy gets that stored reply and causes nothing.

- With Redis: `SET key "P" NX EX` claims; the reply replaces the marker after the commit.
- Without Redis (or when it is unreachable): a `bot_push_receipts` row inserted in the push's
  own transaction (INSERT … ON CONFLICT DO NOTHING). The reply is written in that transaction,
  so the claim, the effect and the reply commit together; a concurrent copy waits on the unique
  index until then (PostgreSQL) or on the write lock (SQLite) and reads the reply.

A copy that arrives while the first is still being handled waits (up to WAIT_SECONDS) for the
reply instead of answering differently.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import timedelta

import redis
import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite

from app import clock, jobs
from app.database import insert_ignoring_conflicts
from app.extensions import db
from bot.models import PushReceipt

log = logging.getLogger(__name__)

WINDOW_SECONDS = 300
WAIT_SECONDS = 3.0
_POLL_SECONDS = 0.05
_REDIS_PREFIX = "linli:bot:push:"
_PENDING = b"P"
_REPLY = b"R"


def push_key(data: dict) -> str:
    """The dedupe key of a parsed push (its raw fields, as xmltodict gives them)."""
    sender = str(data.get("FromUserName") or "")[:64]
    msg_id = str(data.get("MsgId") or "").strip()
    if msg_id.isdigit() and msg_id != "0":
        # The sender too: a MsgId repeated for another follower (it should never happen) must
        # not hand one follower's reply to another.
        return f"msg:{sender}:{msg_id[:24]}"
    created = str(data.get("CreateTime") or "")[:20]
    event = str(data.get("Event") or data.get("MsgType") or "")[:40]
    return f"evt:{sender}:{created}:{event}"


@dataclass
class Claim:
    """The outcome of claiming a push: `first` arrivals handle it; copies answer `reply`."""

    key: str
    first: bool
    backend: str  # "redis" or "database"
    reply: str | None = None


def claim(key: str) -> Claim:
    """Claim `key` for this request (inside the request's database transaction)."""
    if current_app.config.get("REDIS_URL"):
        try:
            first = jobs.redis_connection().set(_REDIS_PREFIX + key, _PENDING, nx=True,
                                                ex=WINDOW_SECONDS)
            return Claim(key, bool(first), "redis")
        except redis.RedisError as exc:
            log.warning("push dedupe falls back to the database, Redis unavailable: %s", exc)
    now = clock.now()
    created = db.session.execute(_claim_statement(), {
        "key": key, "expires_at": now + timedelta(seconds=WINDOW_SECONDS), "created_at": now,
    }).scalar_one_or_none()
    return Claim(key, created is not None, "database")


# Built once per dialect: composing these costs more than running them, on every push.
_CLAIM_STATEMENTS: dict[str, sa.Insert] = {}
_RECORD_REPLY = (sa.update(PushReceipt).where(PushReceipt.key == sa.bindparam("claimed_key"))
                 .values(reply=sa.bindparam("reply")))


def _claim_statement() -> sa.Insert:
    """INSERT … ON CONFLICT (key) DO NOTHING RETURNING id, the shape of
    app.database.insert_ignoring_conflicts, with bound parameters."""
    dialect = db.session.get_bind().dialect.name
    statement = _CLAIM_STATEMENTS.get(dialect)
    if statement is None:
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        table = PushReceipt.__table__
        statement = (insert(table)
                     .values(key=sa.bindparam("key"), reply=None,
                             expires_at=sa.bindparam("expires_at", type_=table.c.expires_at.type),
                             created_at=sa.bindparam("created_at", type_=table.c.created_at.type))
                     .on_conflict_do_nothing(index_elements=["key"])
                     .returning(table.c.id))
        _CLAIM_STATEMENTS[dialect] = statement
    return statement


def record_reply(claimed: Claim, reply: str) -> None:
    """Keep the reply of a first arrival. Database: before the commit (in the same
    transaction); Redis: after the commit (call `publish_reply`)."""
    claimed.reply = reply
    if claimed.backend == "database":
        db.session.execute(_RECORD_REPLY, {"claimed_key": claimed.key, "reply": reply})


def publish_reply(claimed: Claim) -> None:
    """After the commit: make the reply visible to copies (Redis only)."""
    if claimed.backend != "redis" or claimed.reply is None:
        return
    try:
        jobs.redis_connection().set(_REDIS_PREFIX + claimed.key,
                                    _REPLY + claimed.reply.encode("utf-8"),
                                    ex=WINDOW_SECONDS)
    except redis.RedisError as exc:
        log.warning("could not store the reply of push %s: %s", claimed.key, exc)


def record_failure_reply(claimed: Claim, reply: str) -> None:
    """After a failed first arrival was rolled back: answer copies with `reply` (commits).

    Never overwrites a reply already stored, and only adds a receipt if none exists (when the
    rollback removed ours, a copy may have claimed the push meanwhile and handles it itself).
    """
    claimed.reply = reply
    if claimed.backend == "redis":
        publish_reply(claimed)
        return
    now = clock.now()
    insert_ignoring_conflicts(db.session, PushReceipt.__table__, {
        "key": claimed.key, "reply": reply,
        "expires_at": now + timedelta(seconds=WINDOW_SECONDS), "created_at": now,
    }, ["key"])
    db.session.execute(sa.update(PushReceipt)
                       .where(PushReceipt.key == claimed.key, PushReceipt.reply.is_(None))
                       .values(reply=reply))
    db.session.commit()


def wait_for_reply(claimed: Claim, timeout: float = WAIT_SECONDS) -> str | None:
    """The reply the first arrival stored, waiting while it is still being handled; None if it
    did not come in time (the caller then answers "success", which WeChat does not retry)."""
    deadline = time.monotonic() + timeout
    while True:
        reply = _stored_reply(claimed)
        if reply is not None or time.monotonic() >= deadline:
            return reply
        time.sleep(_POLL_SECONDS)


def _stored_reply(claimed: Claim) -> str | None:
    if claimed.backend == "redis":
        try:
            value = jobs.redis_connection().get(_REDIS_PREFIX + claimed.key)
        except redis.RedisError as exc:
            log.warning("could not read the reply of push %s: %s", claimed.key, exc)
            return None
        if value is None or not value.startswith(_REPLY):
            return None
        return value[len(_REPLY):].decode("utf-8")
    reply = db.session.scalar(sa.select(PushReceipt.reply).where(PushReceipt.key == claimed.key))
    # End the transaction: SQLite would otherwise keep the write lock the first arrival needs,
    # and each look must see what has been committed since.
    db.session.rollback()
    return reply


def sweep_expired_receipts() -> int:
    """Delete receipts past their window; returns how many (Redis keys expire by themselves)."""
    result = db.session.execute(sa.delete(PushReceipt)
                                .where(PushReceipt.expires_at < clock.now()))
    db.session.commit()
    return result.rowcount or 0
