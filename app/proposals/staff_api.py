"""社区提案 for staff: /api/v1/staff/proposals/* (review, answer, follow-through, moderation).

Reading needs any staff role within scope; acting needs the moderator or admin role and the
proposal's current scope. The staff web view calls the same service functions.
"""

from flask import g

from app.accounts.auth import BEARER, staff_required
from app.accounts.models import StaffRole
from app.api import Blueprint
from app.pagination import PageArgs, page_of, paginate
from app.proposals import discussion, presenting, service
from app.proposals.schemas import (
    AnswerIn,
    ApproveIn,
    CompleteIn,
    EscalateIn,
    FlaggedArgs,
    FlaggedItemOut,
    ModerationDecisionIn,
    ModerationResultOut,
    ProgressIn,
    ProposalRejectIn,
    StaffCommentOut,
    StaffProposalItemOut,
    StaffProposalListArgs,
    StaffProposalOut,
)

blp = Blueprint("staff_proposals", __name__, url_prefix="/api/v1/staff/proposals",
                description="社区提案（工作人员）")

MODERATORS = (StaffRole.ADMIN, StaffRole.MODERATOR)


def _detail(proposal):
    return presenting.staff_detail(g.staff, proposal)


@blp.route("", methods=["GET"])
@blp.doc(security=BEARER)
@blp.arguments(StaffProposalListArgs, location="query")
@blp.response(200, page_of(StaffProposalItemOut))
@staff_required()
def list_proposals(args):
    """本辖区的提案（含从本辖区提交上级的）"""
    page, per_page = args.pop("page"), args.pop("per_page")
    return presenting.staff_page(g.staff, paginate(service.staff_list_query(g.staff, **args),
                                                   page, per_page))


@blp.route("/review-queue", methods=["GET"])
@blp.doc(security=BEARER)
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(StaffProposalItemOut))
@staff_required()
def review_queue(args):
    """待审核的提案（先提交的在前；content_review 标出需细看的）"""
    return presenting.staff_page(g.staff, paginate(service.review_queue_query(g.staff),
                                                   args["page"], args["per_page"]))


@blp.route("/flagged", methods=["GET"])
@blp.doc(security=BEARER)
@blp.arguments(FlaggedArgs, location="query")
@blp.response(200, page_of(FlaggedItemOut))
@staff_required()
def flagged_queue(args):
    """被举报隐藏或待审核的提案和评论（不显示举报人）"""
    query = discussion.flagged_queue_query(g.staff, args.get("item_type"))
    return presenting.flagged_page(paginate(query, args["page"], args["per_page"]))


@blp.route("/<int:proposal_id>", methods=["GET"])
@blp.doc(security=BEARER)
@blp.response(200, StaffProposalOut)
@staff_required()
def get_proposal(proposal_id):
    """提案详情（含内部记录、举报情况、评价意见）"""
    return _detail(service.get_proposal_for_staff(g.staff, proposal_id))


@blp.route("/<int:proposal_id>/comments", methods=["GET"])
@blp.doc(security=BEARER)
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(StaffCommentOut))
@staff_required()
def list_comments(args, proposal_id):
    """提案的全部评论（含被隐藏的）"""
    query = discussion.comments_for_staff_query(g.staff, proposal_id)
    return presenting.staff_comment_page(paginate(query, args["page"], args["per_page"]))


@blp.route("/<int:proposal_id>/approve", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(ApproveIn)
@blp.response(200, StaffProposalOut)
@staff_required(*MODERATORS)
def approve(args, proposal_id):
    """审核通过并发布，开始征集附议"""
    return _detail(service.approve_proposal(g.staff, proposal_id, args["note"]))


@blp.route("/<int:proposal_id>/reject", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(ProposalRejectIn)
@blp.response(200, StaffProposalOut)
@staff_required(*MODERATORS)
def reject(args, proposal_id):
    """驳回（理由提案人可见）"""
    return _detail(service.reject_proposal(g.staff, proposal_id, args["reason"]))


@blp.route("/<int:proposal_id>/answer", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(AnswerIn)
@blp.response(200, StaffProposalOut)
@staff_required(*MODERATORS)
def answer(args, proposal_id):
    """正式答复：采纳（附实施方案）或不予采纳（附理由）"""
    return _detail(service.answer_proposal(g.staff, proposal_id, args["decision"],
                                           args["text"]))


@blp.route("/<int:proposal_id>/progress", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(ProgressIn)
@blp.response(200, StaffProposalOut)
@staff_required(*MODERATORS)
def progress(args, proposal_id):
    """发布实施进展（第一次进展即进入“实施中”）"""
    return _detail(service.post_progress(g.staff, proposal_id, args["text"],
                                         args["photo_ids"]))


@blp.route("/<int:proposal_id>/complete", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(CompleteIn)
@blp.response(200, StaffProposalOut)
@staff_required(*MODERATORS)
def complete(args, proposal_id):
    """办结（附结果照片），请提案人和附议人评价"""
    return _detail(service.complete_proposal(g.staff, proposal_id, args["text"],
                                             args["photo_ids"]))


@blp.route("/<int:proposal_id>/escalate", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(EscalateIn)
@blp.response(200, StaffProposalOut)
@staff_required(*MODERATORS)
def escalate(args, proposal_id):
    """已采纳的院落/社区提案提交上一级研究答复（保留记录和附议人）"""
    return _detail(service.escalate_proposal(g.staff, proposal_id, args["reason"]))


@blp.route("/<int:proposal_id>/moderation", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(ModerationDecisionIn)
@blp.response(200, ModerationResultOut)
@staff_required(*MODERATORS)
def moderate_proposal(args, proposal_id):
    """处理被隐藏的提案：恢复显示或保持隐藏（记入审计日志）"""
    return presenting.moderation_result(discussion.decide_on_proposal(
        g.staff, proposal_id, args["decision"], args["note"]))


@blp.route("/comments/<int:comment_id>/moderation", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(ModerationDecisionIn)
@blp.response(200, ModerationResultOut)
@staff_required(*MODERATORS)
def moderate_comment(args, comment_id):
    """处理被隐藏或待审核的评论：恢复显示或保持隐藏（记入审计日志）"""
    return presenting.moderation_result(discussion.decide_on_comment(
        g.staff, comment_id, args["decision"], args["note"]))
