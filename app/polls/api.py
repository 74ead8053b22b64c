"""Resident poll endpoints: /api/v1/polls (DESIGN §5)."""

from flask import g

from app.accounts.auth import BEARER, resident_required
from app.api import Blueprint
from app.pagination import PageArgs, page_of
from app.polls import service
from app.polls.schemas import (
    BallotIn,
    ResidentPollItemOut,
    ResidentPollListArgs,
    ResidentPollOut,
    VoterStatusOut,
)

blp = Blueprint("polls", __name__, url_prefix="/api/v1", description="社区投票")


class ResidentPollPageArgs(PageArgs, ResidentPollListArgs):
    pass


@blp.route("/polls", methods=["GET"])
@blp.doc(security=BEARER)
@blp.arguments(ResidentPollPageArgs, location="query")
@blp.response(200, page_of(ResidentPollItemOut))
@resident_required
def list_polls(args):
    """我所在社区的投票（默认进行中的；status=closed 看已结束的）"""
    return service.poll_page_for_resident(g.resident, args["status"], args["page"],
                                          args["per_page"])


@blp.route("/polls/<int:poll_id>", methods=["GET"])
@blp.doc(security=BEARER)
@blp.response(200, ResidentPollOut)
@resident_required
def get_poll(poll_id):
    """投票详情：题目、我是否已投（不显示投了什么）、可公开时的结果"""
    return service.poll_view_for_resident(g.resident, poll_id)


@blp.route("/polls/<int:poll_id>/ballot", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(BallotIn)
@blp.response(201, VoterStatusOut)
@resident_required
def cast_ballot(args, poll_id):
    """投票：每题一项 {question_id, option_ids}；同一人（或同一户）再次投票为 409"""
    return service.cast_ballot(g.resident, poll_id, args["answers"])
