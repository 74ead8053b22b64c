"""Residents' notifications and subscribe grants: /api/v1/notifications, /api/v1/subscriptions."""

from flask import g

from app.accounts.auth import BEARER, resident_required
from app.api import Blueprint
from app.notifications import service
from app.notifications.schemas import (
    MarkAllReadOut,
    NotificationListArgs,
    NotificationListOut,
    NotificationOut,
    SubscribeTemplatesOut,
    SubscriptionsIn,
    SubscriptionsOut,
)

blp = Blueprint("notifications", __name__, url_prefix="/api/v1", description="我的通知与订阅消息")


@blp.route("/notifications", methods=["GET"])
@blp.doc(security=BEARER)
@blp.arguments(NotificationListArgs, location="query")
@blp.response(200, NotificationListOut)
@resident_required
def list_notifications(args):
    """我的通知（最新在前），含未读条数"""
    return service.list_notifications(g.resident, **args)


@blp.route("/notifications/<int:notification_id>/read", methods=["POST"])
@blp.doc(security=BEARER)
@blp.response(200, NotificationOut)
@resident_required
def read_notification(notification_id):
    """标为已读"""
    return service.mark_read(g.resident, notification_id)


@blp.route("/notifications/read-all", methods=["POST"])
@blp.doc(security=BEARER)
@blp.response(200, MarkAllReadOut)
@resident_required
def read_all_notifications():
    """全部标为已读"""
    return {"marked": service.mark_all_read(g.resident), "unread": 0}


@blp.route("/subscriptions", methods=["GET"])
@blp.doc(security=BEARER)
@blp.response(200, SubscribeTemplatesOut)
@resident_required
def list_subscriptions():
    """可订阅的消息模板（供 wx.requestSubscribeMessage 使用）及我剩余的条数"""
    return service.subscription_overview(g.resident)


@blp.route("/subscriptions", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(SubscriptionsIn)
@blp.response(200, SubscriptionsOut)
@resident_required
def record_subscriptions(args):
    """记录用户在订阅消息弹窗中“允许”的模板（每允许一次可发送一条）"""
    result = service.record_subscription_grants(g.resident, args["template_ids"])
    return {"grants": [{"template_id": t, "remaining": n} for t, n in result["grants"].items()],
            "ignored": result["ignored"]}
