"""Bearer tokens: random, stored only as a SHA-256, expiring, revocable."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa

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


def find_valid_token(token: str) -> AuthToken | None:
    """The live token row for a presented token (not expired, not revoked), or None."""
    if not token or len(token) > 200:
        return None
    return db.session.scalar(
        sa.select(AuthToken).where(
            AuthToken.token_hash == hash_token(token),
            AuthToken.revoked_at.is_(None),
            AuthToken.expires_at > clock.now(),
        )
    )


def revoke(token_row: AuthToken) -> None:
    token_row.revoked_at = clock.now()


def revoke_all_for_staff(staff: Staff) -> None:
    db.session.execute(
        sa.update(AuthToken)
        .where(AuthToken.staff_id == staff.id, AuthToken.revoked_at.is_(None))
        .values(revoked_at=clock.now())
    )
