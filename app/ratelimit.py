"""Fixed-window rate limits shared by every process: in Redis when configured, else in the
database (so the embedded default also holds across gunicorn workers)."""

from __future__ import annotations

import logging
import math
import time

import redis
import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from app import jobs
from app.errors import RateLimited
from app.extensions import db

log = logging.getLogger(__name__)


class RateLimitBucket(db.Model):
    """Counts for one key in one window (used only when Redis is not configured)."""

    __tablename__ = "rate_limit_buckets"

    key: Mapped[str] = mapped_column(sa.String(160), primary_key=True)
    window_start: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True)
    count: Mapped[int] = mapped_column(default=0)


def _hit_redis(key: str, window_start: int, window_seconds: int) -> int:
    client = jobs.redis_connection()
    name = f"linli:rate:{key}:{window_start}"
    pipe = client.pipeline()
    pipe.incr(name)
    pipe.expire(name, window_seconds + 1)
    count, _ = pipe.execute()
    return int(count)


def _hit_database(key: str, window_start: int) -> int:
    engine = db.engine
    insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
    table = RateLimitBucket.__table__
    statement = (
        insert(table)
        .values(key=key, window_start=window_start, count=1)
        .on_conflict_do_update(index_elements=["key", "window_start"],
                               set_={"count": table.c.count + 1})
        .returning(table.c.count)
    )
    session = db.session()
    if engine.dialect.name == "sqlite" and session.in_transaction():
        # SQLite has one writer: a second connection would wait for this request's own lock.
        # Counted in the request's transaction, an attempt that fails and rolls back is not
        # counted; call hit() before touching the database where that matters (logins do).
        return session.execute(statement).scalar_one()
    # Otherwise on its own connection, so the count stands even if the caller's work fails.
    with engine.begin() as connection:
        count = connection.execute(statement).scalar_one()
        if count == 1:
            connection.execute(sa.delete(table).where(table.c.window_start < window_start - 86400))
    return count


def hit(key: str, *, limit: int, window_seconds: int = 60,
        message: str = "操作太频繁了，请稍后再试") -> None:
    """Count one attempt for `key`; raise RateLimited (429) past `limit` in the window."""
    now = time.time()
    window_start = int(now // window_seconds * window_seconds)
    count = None
    if current_app.config.get("REDIS_URL"):
        try:
            count = _hit_redis(key, window_start, window_seconds)
        except redis.RedisError as exc:
            log.warning("rate limit falls back to the database, Redis unavailable: %s", exc)
    if count is None:
        count = _hit_database(key, window_start)
    if count > limit:
        retry_after = max(1, math.ceil(window_start + window_seconds - now))
        raise RateLimited(message, headers={"Retry-After": str(retry_after)})
