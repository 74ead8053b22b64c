"""Staff notifications (in-app only) and outbox counts: /api/v1/staff/notifications."""

from flask import g

from app.accounts.auth import BEARER, staff_required
from app.accounts.models import StaffRole
from app.api import Blueprint
from app.notifications import service
from app.notifications.schemas import (
    MarkAllReadOut,
    NotificationListArgs,
    NotificationListOut,
    NotificationOut,
    StatusCountsOut,
)

blp = Blueprint("staff_notifications", __name__, url_prefix="/api/v1/staff",
                description="工作人员的站内通知与通知发送情况")


@blp.route("/notifications", methods=["GET"])
@blp.doc(security=BEARER)
@blp.arguments(NotificationListArgs, location="query")
@blp.response(200, NotificationListOut)
@staff_required()
def list_notifications(args):
    """我的站内通知（最新在前），含未读条数"""
    return service.list_notifications(g.staff, **args)


@blp.route("/notifications/<int:notification_id>/read", methods=["POST"])
@blp.doc(security=BEARER)
@blp.response(200, NotificationOut)
@staff_required()
def read_notification(notification_id):
    """标为已读"""
    return service.mark_read(g.staff, notification_id)


@blp.route("/notifications/read-all", methods=["POST"])
@blp.doc(security=BEARER)
@blp.response(200, MarkAllReadOut)
@staff_required()
def read_all_notifications():
    """全部标为已读"""
    return {"marked": service.mark_all_read(g.staff), "unread": 0}


@blp.route("/notifications/stats", methods=["GET"])
@blp.doc(security=BEARER)
@blp.response(200, StatusCountsOut)
@staff_required(StaffRole.ADMIN, StaffRole.MODERATOR)
def notification_stats():
    """本辖区居民与工作人员的通知按发送状态计数（工作台）"""
    return service.status_counts(g.staff)
