"""Who is signed in to the staff pages, and the `login_required` decorator of every page.

The browser holds a random session value in an HttpOnly cookie; the database holds its hash
(app/accounts/tokens.py), so any web process can serve any request and a sign-out is immediate
everywhere. `load_signed_in_staff()` runs before every /staff request and sets `g.staff`
(None when nobody is signed in) and `g.staff_session`.
"""

from __future__ import annotations

import functools
from urllib.parse import urlsplit

from flask import Response, current_app, flash, g, redirect, request, url_for

from app.accounts import service as accounts
from app.accounts.models import StaffRole
from app.errors import Forbidden

SESSION_COOKIE = "linli_staff_session"
LARGE_TEXT_COOKIE = "linli_large_text"


def load_signed_in_staff() -> None:
    g.staff = None
    g.staff_session = None
    g.session_ended = False
    value = request.cookies.get(SESSION_COOKIE)
    if not value:
        return
    row = accounts.find_staff_session(value)
    if row is None:
        g.session_ended = True
        return
    g.staff_session = row
    g.staff = row.staff


def login_required(*roles: StaffRole):
    """The page needs a signed-in staff member (else: to the sign-in page, coming back after),
    with one of `roles` when given (else: 403)."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            if g.get("staff") is None:
                flash("登录已过期，请重新登录" if g.get("session_ended") else "请先登录", "info")
                back = request.full_path.rstrip("?") if request.method == "GET" else None
                return redirect(url_for("staff.login", next=back))
            if roles and g.staff.role not in roles:
                raise Forbidden("您的角色不能使用此页面")
            return view(*args, **kwargs)

        return wrapper

    return decorator


def set_session_cookie(response: Response, value: str) -> None:
    """Give the browser its new session (sign-in, own password change)."""
    # A stale cookie sent with this very request must not be cleared over the new one.
    g.session_ended = False
    config = current_app.config
    response.set_cookie(SESSION_COOKIE, value, max_age=config["STAFF_SESSION_MAX_HOURS"] * 3600,
                        path="/staff", httponly=True, samesite="Lax",
                        secure=config["SESSION_COOKIE_SECURE"])


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/staff", httponly=True, samesite="Lax",
                           secure=current_app.config["SESSION_COOKIE_SECURE"])


def large_text_enabled() -> bool:
    return request.cookies.get(LARGE_TEXT_COOKIE) == "1"


def safe_next(target: str | None, default: str | None = None) -> str:
    """A redirect target from the query or form, kept only when it is a page of /staff here."""
    default = default or url_for("staff.home")
    if not target or "\\" in target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not (parts.path == "/staff"
                                            or parts.path.startswith("/staff/")):
        return default
    return target
