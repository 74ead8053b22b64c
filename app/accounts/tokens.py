"""Bearer tokens: random, stored only as a SHA-256, expiring, revocable."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from app import clock
from app.accounts.models import AuthToken, Resident, Staff
from app.extensions import db


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(*, ttl: timedelta, resident: Resident | None = None,
                staff: Staff | None = None) -> tuple[str, datetime]:
    """Create a token for exactly one owner; return (token, expires_at). The caller commits."""
    token = secrets.token_urlsafe(32)
    expires_at = clock.now() + ttl
    db.session.add(AuthToken(token_hash=hash_token(token), resident=resident, staff=staff,
                             expires_at=expires_at))
    return token, expires_at


def _live_token(*owner_loads) -> sa.Select:
    return (
        sa.select(AuthToken)
        .options(*owner_loads)
        .where(AuthToken.token_hash == sa.bindparam("token_hash"),
               AuthToken.revoked_at.is_(None),
               AuthToken.expires_at > sa.bindparam("now", type_=AuthToken.expires_at.type))
    )


# Built once: composing eager-load options costs more than running the query. Each loads, in one
# query, the owner and what every response about them shows.
_RESIDENT_TOKEN = _live_token(
    joinedload(AuthToken.resident).joinedload(Resident.community),
    joinedload(AuthToken.resident).joinedload(Resident.household),
).where(AuthToken.resident_id.is_not(None))
_STAFF_TOKEN = _live_token(
    joinedload(AuthToken.staff).joinedload(Staff.region),
).where(AuthToken.staff_id.is_not(None))
_ANY_TOKEN = _live_token()


def _find(statement: sa.Select, token: str) -> AuthToken | None:
    if not token or len(token) > 200:
        return None
    return db.session.scalar(statement, {"token_hash": hash_token(token), "now": clock.now()})


def find_resident_token(token: str) -> AuthToken | None:
    """The live resident token row for a presented token (not expired, not revoked), or None."""
    return _find(_RESIDENT_TOKEN, token)


def find_staff_token(token: str) -> AuthToken | None:
    """The live staff token row for a presented token, or None."""
    return _find(_STAFF_TOKEN, token)


def find_valid_token(token: str) -> AuthToken | None:
    """The live token row of either kind, or None."""
    return _find(_ANY_TOKEN, token)


def revoke(token_row: AuthToken) -> None:
    token_row.revoked_at = clock.now()


def revoke_all_for_staff(staff: Staff) -> None:
    db.session.execute(
        sa.update(AuthToken)
        .where(AuthToken.staff_id == staff.id, AuthToken.revoked_at.is_(None))
        .values(revoked_at=clock.now())
    )
