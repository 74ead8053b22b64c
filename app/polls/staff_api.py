"""Staff poll endpoints: /api/v1/staff/polls (create, edit, open, cancel, read, export, 代投)."""

from flask import Response, g

from app.accounts.auth import BEARER, staff_required
from app.accounts.models import StaffRole
from app.api import Blueprint
from app.pagination import PageArgs, page_of, paginate
from app.polls import service
from app.polls.schemas import (
    AssistedBallotIn,
    CancelIn,
    ParticipantOut,
    PollChangesIn,
    PollIn,
    PollListArgs,
    StaffPollItemOut,
    StaffPollOut,
    VoterStatusOut,
)

blp = Blueprint("staff_polls", __name__, url_prefix="/api/v1/staff",
                description="工作人员管理社区投票")

MANAGERS = (StaffRole.ADMIN, StaffRole.MODERATOR)


class StaffPollPageArgs(PageArgs, PollListArgs):
    pass


@blp.route("/polls", methods=["GET"])
@blp.doc(security=BEARER)
@blp.arguments(StaffPollPageArgs, location="query")
@blp.response(200, page_of(StaffPollItemOut))
@staff_required()
def list_polls(args):
    """本辖区的投票（可按状态筛选）"""
    status = args["status"].value if args["status"] else None
    return paginate(service.polls_for_staff_query(g.staff, status), args["page"],
                    args["per_page"])


@blp.route("/polls", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(PollIn)
@blp.response(201, StaffPollOut)
@staff_required(*MANAGERS)
def create_poll(args):
    """新建投票（草稿）"""
    return service.staff_view(service.create_poll(g.staff, args))


@blp.route("/polls/<int:poll_id>", methods=["GET"])
@blp.doc(security=BEARER)
@blp.response(200, StaffPollOut)
@staff_required()
def get_poll(poll_id):
    """投票详情：参与情况；结果在可公开时才有"""
    return service.poll_view_for_staff(g.staff, poll_id)


@blp.route("/polls/<int:poll_id>", methods=["PATCH"])
@blp.doc(security=BEARER)
@blp.arguments(PollChangesIn)
@blp.response(200, StaffPollOut)
@staff_required(*MANAGERS)
def update_poll(args, poll_id):
    """修改草稿（给出 questions 时整体替换题目）"""
    return service.staff_view(service.update_poll(g.staff, poll_id, args))


@blp.route("/polls/<int:poll_id>/schedule", methods=["POST"])
@blp.doc(security=BEARER)
@blp.response(200, StaffPollOut)
@staff_required(*MANAGERS)
def schedule_poll(poll_id):
    """定时发布：到开始时间自动开始"""
    return service.staff_view(service.schedule_poll(g.staff, poll_id))


@blp.route("/polls/<int:poll_id>/unschedule", methods=["POST"])
@blp.doc(security=BEARER)
@blp.response(200, StaffPollOut)
@staff_required(*MANAGERS)
def unschedule_poll(poll_id):
    """撤回定时发布，改回草稿"""
    return service.staff_view(service.unschedule_poll(g.staff, poll_id))


@blp.route("/polls/<int:poll_id>/open", methods=["POST"])
@blp.doc(security=BEARER)
@blp.response(200, StaffPollOut)
@staff_required(*MANAGERS)
def open_poll(poll_id):
    """立即开始投票"""
    return service.staff_view(service.open_poll(g.staff, poll_id))


@blp.route("/polls/<int:poll_id>/cancel", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(CancelIn)
@blp.response(200, StaffPollOut)
@staff_required(*MANAGERS)
def cancel_poll(args, poll_id):
    """取消投票（须说明原因；已投票的居民会收到通知）"""
    return service.staff_view(service.cancel_poll(g.staff, poll_id, args["reason"]))


@blp.route("/polls/<int:poll_id>/participants", methods=["GET"])
@blp.doc(security=BEARER)
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(ParticipantOut))
@staff_required()
def list_participants(args, poll_id):
    """已投票的居民（或户）：只有谁参与了，没有投了什么"""
    return paginate(service.participants_query(g.staff, poll_id), args["page"],
                    args["per_page"], scalars=False)


@blp.route("/polls/<int:poll_id>/results.csv", methods=["GET"])
@blp.doc(security=BEARER)
@blp.response(200, {"type": "string"}, content_type="text/csv",
              description="投票结果 CSV（UTF-8，Excel 可直接打开）")
@staff_required()
def export_results(poll_id):
    """导出投票结果（CSV）"""
    body = service.results_csv(g.staff, poll_id)
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="poll-{poll_id}-results.csv"'})


@blp.route("/polls/<int:poll_id>/assisted-ballots", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(AssistedBallotIn)
@blp.response(201, VoterStatusOut)
@staff_required()
def cast_assisted_ballot(args, poll_id):
    """代投：居民本人在场时由工作人员代为投票（记录代投人，并通知居民）"""
    return service.cast_assisted_ballot(g.staff, poll_id, args["resident_id"], args["answers"])
