"""社区提案 for residents: /api/v1/proposals/*, /api/v1/comments/<id>/flag."""

from flask import current_app, g

from app import ratelimit
from app.accounts.auth import BEARER, resident_required
from app.api import Blueprint
from app.pagination import PageArgs, page_of, paginate
from app.proposals import discussion, presenting, service, supports
from app.proposals.schemas import (
    CommentIn,
    CommentOut,
    FlaggedOut,
    FlagIn,
    ProposalIn,
    ProposalItemOut,
    ProposalListArgs,
    ProposalOut,
    ProposalPatchIn,
    ProposalRatingIn,
    ScopeChoiceListOut,
    WithdrawIn,
)

blp = Blueprint("proposals", __name__, url_prefix="/api/v1", description="社区提案")

FLAG_THANKS = "已收到举报，工作人员会尽快核实处理"


def _detail(proposal):
    return presenting.resident_detail(g.resident, proposal)


@blp.route("/proposals", methods=["GET"])
@blp.doc(security=BEARER)
@blp.arguments(ProposalListArgs, location="query")
@blp.response(200, page_of(ProposalItemOut))
@resident_required
def list_proposals(args):
    """提案列表：默认为我可以附议的范围（本社区、所属院落和街道）；mine=true 看我发起的"""
    page, per_page = args.pop("page"), args.pop("per_page")
    query = service.resident_list_query(g.resident, **args)
    return presenting.resident_page(g.resident, paginate(query, page, per_page))


@blp.route("/proposals", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(ProposalIn)
@blp.response(201, ProposalOut)
@resident_required
def create_proposal(args):
    """新建提案草稿（仅自己可见，提交审核后由工作人员审核）"""
    ratelimit.hit(f"proposal:create:{g.resident.id}",
                  limit=current_app.config["PROPOSAL_RATE_LIMIT_PER_DAY"], window_seconds=86400,
                  message="今天发起的提案太多了，请明天再试")
    return _detail(service.create_proposal(g.resident, **args))


@blp.route("/proposals/scopes", methods=["GET"])
@blp.doc(security=BEARER)
@blp.response(200, ScopeChoiceListOut)
@resident_required
def list_scopes():
    """我可以发起提案的范围（院落、社区、街道）及各自的附议人数和期限"""
    return {"scopes": presenting.scope_choices(g.resident)}


@blp.route("/proposals/<int:proposal_id>", methods=["GET"])
@blp.doc(security=BEARER)
@blp.response(200, ProposalOut)
@resident_required
def get_proposal(proposal_id):
    """提案详情：附议人数、门槛、截止时间、正式答复、进展"""
    return _detail(service.get_proposal_for_resident(g.resident, proposal_id))


@blp.route("/proposals/<int:proposal_id>", methods=["PATCH"])
@blp.doc(security=BEARER)
@blp.arguments(ProposalPatchIn)
@blp.response(200, ProposalOut)
@resident_required
def update_proposal(changes, proposal_id):
    """修改草稿"""
    return _detail(service.update_draft(g.resident, proposal_id, changes))


@blp.route("/proposals/<int:proposal_id>/submit", methods=["POST"])
@blp.doc(security=BEARER)
@blp.response(200, ProposalOut)
@resident_required
def submit_proposal(proposal_id):
    """提交审核"""
    return _detail(service.submit_proposal(g.resident, proposal_id))


@blp.route("/proposals/<int:proposal_id>/withdraw", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(WithdrawIn)
@blp.response(200, ProposalOut)
@resident_required
def withdraw_proposal(args, proposal_id):
    """撤回提案（正式答复之前）"""
    return _detail(service.withdraw_proposal(g.resident, proposal_id, args["reason"]))


@blp.route("/proposals/<int:proposal_id>/support", methods=["POST"])
@blp.doc(security=BEARER)
@blp.response(200, ProposalOut)
@resident_required
def support_proposal(proposal_id):
    """附议（每人一次，需在提案范围内并达到认证等级，截止前）"""
    return _detail(supports.support_proposal(g.resident, proposal_id))


@blp.route("/proposals/<int:proposal_id>/support", methods=["DELETE"])
@blp.doc(security=BEARER)
@blp.response(200, ProposalOut)
@resident_required
def withdraw_support(proposal_id):
    """取消附议（征集期内）"""
    return _detail(supports.withdraw_support(g.resident, proposal_id))


@blp.route("/proposals/<int:proposal_id>/comments", methods=["GET"])
@blp.doc(security=BEARER)
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(CommentOut))
@resident_required
def list_comments(args, proposal_id):
    """提案的评论（从早到晚）"""
    query = discussion.comments_for_resident_query(g.resident, proposal_id)
    return presenting.comment_page(g.resident, paginate(query, args["page"], args["per_page"]))


@blp.route("/proposals/<int:proposal_id>/comments", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(CommentIn)
@blp.response(201, CommentOut)
@resident_required
def post_comment(args, proposal_id):
    """发表评论（经内容检测；存疑的评论审核后才公开）"""
    ratelimit.hit(f"proposal:comment:{g.resident.id}",
                  limit=current_app.config["COMMENT_RATE_LIMIT_PER_HOUR"], window_seconds=3600,
                  message="评论太频繁了，请稍后再试")
    comment = discussion.post_comment(g.resident, proposal_id, args["body"])
    return presenting.new_comment(g.resident, comment)


@blp.route("/proposals/<int:proposal_id>/flag", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(FlagIn)
@blp.response(201, FlaggedOut)
@resident_required
def flag_proposal(args, proposal_id):
    """举报提案（每人一次）"""
    discussion.flag_proposal(g.resident, proposal_id, args["reason"])
    return {"message": FLAG_THANKS}


@blp.route("/comments/<int:comment_id>/flag", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(FlagIn)
@blp.response(201, FlaggedOut)
@resident_required
def flag_comment(args, comment_id):
    """举报评论（每人一次）"""
    discussion.flag_comment(g.resident, comment_id, args["reason"])
    return {"message": FLAG_THANKS}


@blp.route("/proposals/<int:proposal_id>/rating", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(ProposalRatingIn)
@blp.response(201, ProposalOut)
@resident_required
def rate_proposal(args, proposal_id):
    """为已完成提案的结果打分（提案人和附议人，1–5 分，每人一次）"""
    return _detail(service.rate_proposal(g.resident, proposal_id, args["score"],
                                         args["comment"]))
