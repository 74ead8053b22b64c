"""Who is calling: bearer-token authentication for API views.

`@resident_required` and `@staff_required(...)` load the caller into `g.resident` / `g.staff`
or answer 401/403; `current_token()` gives the token row itself (to log out). Views pass the caller to services explicitly; services
never read `g` or the request themselves.
"""

from __future__ import annotations

import functools

from flask import g, request

from app.accounts import tokens
from app.accounts.models import AuthToken, StaffRole
from app.errors import Forbidden, Unauthorized

# OpenAPI security requirement for views behind a bearer token: `@blp.doc(security=BEARER)`.
BEARER = [{"bearer": []}]

_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="linli"'}


def _presented_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def _authenticate(find, refusal: str):
    """Load what `find` finds for the caller's token; a live token of the other kind gets 403."""
    token = _presented_token()
    if token is None:
        raise Unauthorized("请先登录", headers=_CHALLENGE)
    found = find(token)
    if found is None:
        if tokens.find_valid_token(token) is not None:
            raise Forbidden(refusal)
        raise Unauthorized("登录已过期，请重新登录", headers=_CHALLENGE)
    return found


def current_token() -> AuthToken:
    """The live token row the caller authenticated with, inside a view behind one of the
    decorators below."""
    row = tokens.find_valid_token(_presented_token() or "")
    if row is None:  # revoked by a concurrent request since the decorator checked it
        raise Unauthorized("登录已过期，请重新登录", headers=_CHALLENGE)
    return row


def resident_required(view):
    """The caller must be a resident with a live token."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        g.resident = _authenticate(tokens.find_resident, "该功能仅限居民使用")
        return view(*args, **kwargs)

    return wrapper


def staff_required(*roles: StaffRole):
    """The caller must be an active staff member, with one of `roles` when given."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            row = _authenticate(tokens.find_staff_token, "该功能仅限工作人员使用")
            staff = row.staff
            if not staff.active:
                raise Forbidden("该功能仅限工作人员使用")
            if roles and staff.role not in roles:
                raise Forbidden("您的角色不能进行此操作")
            g.staff = staff
            return view(*args, **kwargs)

        return wrapper

    return decorator
