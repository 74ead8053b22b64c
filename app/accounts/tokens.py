"""Bearer tokens and staff web sessions: random, stored only as a SHA-256, expiring, revocable.

A staff web session (the /staff pages' cookie) is an `AuthToken` row too, so that logging out,
a password change and deactivation revoke both kinds in one place. Its hash is taken over
`WEB_SESSION_DOMAIN + value`, which keeps the two kinds apart: a session cookie is never accepted
as a bearer token, nor a bearer token as a session cookie.
"""

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


# The presented token's row, if it is neither revoked nor expired (bound by `_find`).
_LIVE = (AuthToken.token_hash == sa.bindparam("token_hash"),
         AuthToken.revoked_at.is_(None),
         AuthToken.expires_at > sa.bindparam("now", type_=AuthToken.expires_at.type))

# Built once: composing eager-load options costs more than running the query. Each loads, in one
# query, the owner and what every response about them shows.
_RESIDENT_BY_TOKEN = (
    sa.select(Resident)
    .join(AuthToken, AuthToken.resident_id == Resident.id)
    .options(joinedload(Resident.community), joinedload(Resident.household))
    .where(*_LIVE)
)
_STAFF_TOKEN = (
    sa.select(AuthToken)
    .options(joinedload(AuthToken.staff).joinedload(Staff.region))
    .where(*_LIVE, AuthToken.staff_id.is_not(None))
)
_ANY_TOKEN = sa.select(AuthToken).where(*_LIVE)


def _find(statement: sa.Select, token: str, *, domain: str = ""):
    if not token or len(token) > 200:
        return None
    return db.session.scalar(statement,
                             {"token_hash": hash_token(domain + token), "now": clock.now()})


def find_resident(token: str) -> Resident | None:
    """The resident whose live token (not expired, not revoked) this is, or None.

    Loads the resident only, not the token row: every resident request pays for this query
    (benchmarks/api_throughput.py), and only logging out needs the row (`find_valid_token`).
    """
    return _find(_RESIDENT_BY_TOKEN, token)


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


# --- staff web sessions -----------------------------------------------------------------------

WEB_SESSION_DOMAIN = "staff-web-session:"
# A session's idle deadline is moved forward at most once per this interval: one write a minute
# per busy staff member instead of one per page.
_EXTEND_STEP = timedelta(minutes=1)


def issue_web_session(staff: Staff, *, idle: timedelta, lifetime: timedelta) -> str:
    """Start a web session for `staff`; return the cookie value. The caller commits."""
    value = secrets.token_urlsafe(32)
    now = clock.now()
    db.session.add(AuthToken(token_hash=hash_token(WEB_SESSION_DOMAIN + value), staff=staff,
                             created_at=now, expires_at=now + min(idle, lifetime)))
    return value


def find_web_session(value: str) -> AuthToken | None:
    """The live web session row for a cookie value (idle deadline not passed, not revoked)."""
    return _find(_STAFF_TOKEN, value, domain=WEB_SESSION_DOMAIN)


def extend_web_session(row: AuthToken, *, idle: timedelta, lifetime: timedelta) -> bool:
    """Move the idle deadline to now + idle, never past the absolute end (created + lifetime).

    Returns whether the row changed (the caller commits).
    """
    deadline = min(clock.now() + idle, row.created_at + lifetime)
    if deadline - row.expires_at < _EXTEND_STEP:
        return False
    row.expires_at = deadline
    return True
