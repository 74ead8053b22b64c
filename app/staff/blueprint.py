"""The /staff blueprint: signing in before each page, CSRF on every unsafe request, safe headers,
and what every template may use (the signed-in staff member, the menu, 大字, time filters)."""

from __future__ import annotations

from flask import Blueprint, current_app, g, has_request_context, request
from flask_wtf.csrf import CSRFError

from app import clock
from app.audit import labels
from app.errors import BadRequest
from app.extensions import csrf
from app.reports.lifecycle import REPORT
from app.staff import auth
from app.staff.forms import photo_request_limit
from app.staff.nav import nav_for

bp = Blueprint("staff", __name__, url_prefix="/staff", template_folder="templates",
               static_folder="static", static_url_path="/static")

# Everything the pages need is served from here: no CDN, no inline script, no external font.
CONTENT_SECURITY_POLICY = ("default-src 'self'; img-src 'self' data:; style-src 'self'; "
                           "script-src 'self'; object-src 'none'; base-uri 'none'; "
                           "form-action 'self'; frame-ancestors 'none'")


@bp.before_request
def _sign_in_and_check_csrf():
    if request.endpoint == "staff.static":
        return
    auth.load_signed_in_staff()
    view = current_app.view_functions.get(request.endpoint)
    if g.staff is not None and getattr(view, "takes_photos", False):
        # Before the CSRF check reads the form: the body is parsed once, with this limit.
        request.max_content_length = photo_request_limit()
    try:
        csrf.protect()
    except CSRFError:
        raise BadRequest("页面已过期或来源不明，请返回上一页刷新后再提交") from None


@bp.after_request
def _page_headers(response):
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    if request.endpoint != "staff.static":
        # Pages show residents' data: never kept by the browser or a proxy.
        response.headers["Cache-Control"] = "no-store"
        if g.get("session_ended"):
            auth.clear_session_cookie(response)
    return response


@bp.app_context_processor
def _page_context():
    if not has_request_context():
        return {}
    return {"current_staff": g.get("staff"), "large_text": auth.large_text_enabled(),
            "staff_nav": lambda: nav_for(g.get("staff"))}


bp.add_app_template_global(labels.action_label, "action_label")
bp.add_app_template_global(labels.object_label, "object_label")
bp.add_app_template_global(labels.describe_detail, "describe_detail")
bp.add_app_template_global(REPORT.label, "report_state_label")


@bp.app_template_filter("localtime")
def _localtime(moment, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A stored UTC moment as China time."""
    return clock.to_local(moment).strftime(fmt) if moment else ""


@bp.app_template_filter("time_left")
def _time_left(due, now) -> str:
    """How long until a deadline, or how late it is, in words: 还剩 5 小时 / 已超时 1 天 3 小时."""
    if due is None:
        return ""
    seconds = (due - now).total_seconds()
    minutes = int(abs(seconds) // 60)
    days, hours = minutes // 1440, minutes % 1440 // 60
    if days:
        span = f"{days} 天" + (f" {hours} 小时" if hours else "")
    elif hours:
        span = f"{hours} 小时"
    else:
        span = f"{max(minutes, 1)} 分钟"
    return f"还剩 {span}" if seconds >= 0 else f"已超时 {span}"
