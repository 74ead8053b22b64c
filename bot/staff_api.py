"""Staff endpoints for call-back requests from the bot: /api/v1/staff/callbacks."""

from flask import g

from app.accounts.auth import BEARER, staff_required
from app.api import Blueprint
from app.pagination import page_of, paginate
from bot import service
from bot.schemas import CallbackListArgs, CallbackOut

blp = Blueprint("staff_callbacks", __name__, url_prefix="/api/v1/staff",
                description="居民在公众号里请求的回电")


@blp.route("/callbacks", methods=["GET"])
@blp.doc(security=BEARER)
@blp.arguments(CallbackListArgs, location="query")
@blp.response(200, page_of(CallbackOut))
@staff_required()
def list_callbacks(args):
    """本辖区居民的回电请求（默认只列待回电的，先来的在前）"""
    query = service.callbacks_for_staff_query(g.staff, args["status"])
    return paginate(query, args["page"], args["per_page"])


@blp.route("/callbacks/<int:callback_id>/done", methods=["POST"])
@blp.doc(security=BEARER)
@blp.response(200, CallbackOut)
@staff_required()
def mark_done(callback_id):
    """标记已回电（记入审计日志）"""
    return service.mark_callback_done(g.staff, callback_id)
