"""The staff member's own notifications (in-app only): the list, opening one (which marks it
read and goes to what it is about), and marking all read."""

from __future__ import annotations

import re

from flask import flash, g, redirect, render_template, request, url_for

from app import notifications
from app.notifications.models import Notification
from app.staff.auth import login_required
from app.staff.blueprint import bp
from app.staff.listing import paged

_REPORT_PAGE = re.compile(r"^pages/reports/detail\?id=(\d+)$")


def staff_link(notification: Notification) -> str | None:
    """The staff page a notification is about: its `page` when that is a staff page; a
    report's page for report notifications (they carry the mini-program's page path)."""
    page = (notification.payload or {}).get("page") or ""
    if page.startswith("/staff/"):
        return page
    match = _REPORT_PAGE.match(page)
    if match and notification.kind.startswith("report."):
        return url_for("staff.report", report_id=int(match.group(1)))
    return None


@bp.get("/notifications")
@login_required()
def notifications_list():
    unread_only = request.args.get("show") == "unread"
    page = paged(notifications.notifications_query(g.staff, unread_only=unread_only))
    tabs = [{"url": url_for("staff.notifications_list"), "label": "全部",
             "current": not unread_only, "count": None},
            {"url": url_for("staff.notifications_list", show="unread"), "label": "未读",
             "current": unread_only, "count": notifications.unread_count(g.staff)}]
    return render_template("staff/notifications.html", page=page, tabs=tabs,
                           links={n.id: staff_link(n) for n in page.items},
                           unread=tabs[1]["count"])


@bp.post("/notifications/<int:notification_id>/open")
@login_required()
def notification_open(notification_id: int):
    notification = notifications.mark_read(g.staff, notification_id)
    return redirect(staff_link(notification) or url_for("staff.notifications_list"))


@bp.post("/notifications/read-all")
@login_required()
def notifications_read_all():
    marked = notifications.mark_all_read(g.staff)
    flash(f"已将 {marked} 条通知标为已读" if marked else "没有未读通知", "success")
    return redirect(url_for("staff.notifications_list"))
