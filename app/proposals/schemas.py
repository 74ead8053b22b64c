"""Proposal schemas: what residents and staff send, and the shapes presenting.py fills."""

from marshmallow import fields, validate

from app.moderation.models import Decision, FlagReason
from app.pagination import PageArgs
from app.proposals.lifecycle import PROPOSAL
from app.uploads.schemas import PhotoOut
from app.validation import (
    InputSchema,
    LocalDateTime,
    OutputSchema,
    QueryInteger,
    StrictInteger,
    Text,
)

SCOPE_LEVEL_CHOICES = ["courtyard", "community", "street"]
PHOTO_IDS = {"validate": validate.Length(max=9),
             "metadata": {"description": "POST /api/v1/uploads 得到的照片编号，最多 9 张"}}


# --- input --------------------------------------------------------------------------------

class ProposalIn(InputSchema):
    title = Text(required=True, validate=validate.Length(min=5, max=60),
                 metadata={"description": "标题，5–60 字"})
    body = Text(required=True, validate=validate.Length(min=10, max=5000),
                metadata={"description": "具体内容，10–5000 字"})
    region_id = StrictInteger(required=True, metadata={
        "description": "提案范围：本人所在的院落、社区或街道（见 GET /api/v1/proposals/scopes）"})
    photo_ids = fields.List(StrictInteger(), load_default=list, **PHOTO_IDS)


class ProposalPatchIn(InputSchema):
    """Only while a draft; send what changes (photo_ids replaces all the photos)."""

    title = Text(validate=validate.Length(min=5, max=60))
    body = Text(validate=validate.Length(min=10, max=5000))
    region_id = StrictInteger()
    photo_ids = fields.List(StrictInteger(), **PHOTO_IDS)


class ProposalListArgs(PageArgs):
    status = fields.String(validate=validate.OneOf(PROPOSAL.states))
    scope_level = fields.String(validate=validate.OneOf(SCOPE_LEVEL_CHOICES))
    region_id = QueryInteger(metadata={"description": "只看该区域（及其下级）的提案"})
    mine = fields.Boolean(load_default=False, metadata={"description": "只看我发起的（含草稿）"})
    sort = fields.String(load_default="newest",
                         validate=validate.OneOf(["newest", "most_supported", "closing_soon"]),
                         metadata={"description": "newest 最新，most_supported 附议最多，"
                                                  "closing_soon 即将截止（仅征集中）"})


class StaffProposalListArgs(PageArgs):
    status = fields.String(validate=validate.OneOf(PROPOSAL.states))
    scope_level = fields.String(validate=validate.OneOf(SCOPE_LEVEL_CHOICES))
    region_id = QueryInteger()
    sort = fields.String(load_default="newest", validate=validate.OneOf(
        ["newest", "oldest", "most_supported", "closing_soon"]))


class WithdrawIn(InputSchema):
    reason = Text(load_default="", validate=validate.Length(max=200))


class CommentIn(InputSchema):
    body = Text(required=True, validate=validate.Length(min=1, max=1000))


class FlagIn(InputSchema):
    reason = fields.String(required=True, validate=validate.OneOf([r.value for r in FlagReason]),
                           metadata={"description": "spam 垃圾广告，offensive 辱骂或冒犯，"
                                                    "off_topic 与主题无关，privacy 泄露他人隐私"})


class ProposalRatingIn(InputSchema):
    score = StrictInteger(required=True, validate=validate.Range(min=1, max=5))
    comment = Text(load_default="", validate=validate.Length(max=200),
                   metadata={"description": "给工作人员的意见（不公开）"})


class ApproveIn(InputSchema):
    note = Text(load_default="", validate=validate.Length(max=500),
                metadata={"description": "给提案人的说明（可选）"})


class ProposalRejectIn(InputSchema):
    reason = Text(required=True, validate=validate.Length(min=2, max=500),
                  metadata={"description": "驳回理由，提案人可见"})


class AnswerIn(InputSchema):
    decision = fields.String(required=True, validate=validate.OneOf(["accepted", "not_adopted"]))
    text = Text(required=True, validate=validate.Length(min=5, max=2000),
                metadata={"description": "采纳时写实施方案，不予采纳时写理由"})


class ProgressIn(InputSchema):
    text = Text(required=True, validate=validate.Length(min=2, max=2000))
    photo_ids = fields.List(StrictInteger(), load_default=list, **PHOTO_IDS)


class CompleteIn(InputSchema):
    text = Text(required=True, validate=validate.Length(min=2, max=2000),
                metadata={"description": "实施结果"})
    photo_ids = fields.List(StrictInteger(), required=True, validate=validate.Length(min=1, max=9),
                            metadata={"description": "结果照片（POST /api/v1/staff/uploads），1–9 张"})


class EscalateIn(InputSchema):
    reason = Text(required=True, validate=validate.Length(min=2, max=500),
                  metadata={"description": "为什么需要上级研究"})


class ModerationDecisionIn(InputSchema):
    decision = fields.String(required=True, validate=validate.OneOf([d.value for d in Decision]),
                             metadata={"description": "restore 恢复显示，keep_hidden 保持隐藏"})
    note = Text(load_default="", validate=validate.Length(max=200))


class FlaggedArgs(PageArgs):
    item_type = fields.String(validate=validate.OneOf(["proposal", "comment"]))


# --- output -------------------------------------------------------------------------------

class ScopeOut(OutputSchema):
    id = fields.Integer()
    name = fields.String()
    level = fields.String(metadata={"description": "courtyard 院落，community 社区，street 街道"})
    level_label = fields.String()


class ScopeChoiceOut(ScopeOut):
    support_threshold = fields.Integer(metadata={"description": "需要的附议人数"})
    support_days = fields.Integer(metadata={"description": "征集附议的天数"})
    verification_level = fields.Integer(metadata={"description": "发起和附议所需认证等级"})
    allowed = fields.Boolean(metadata={"description": "我的认证等级是否足够"})


class ScopeChoiceListOut(OutputSchema):
    scopes = fields.List(fields.Nested(ScopeChoiceOut))


class AuthorOut(OutputSchema):
    nickname = fields.String()


class AnswerOut(OutputSchema):
    decision = fields.String(metadata={"description": "accepted 采纳，not_adopted 不予采纳"})
    decision_label = fields.String()
    text = fields.String()
    answered_at = LocalDateTime()


class ProposalTimelineEntryOut(OutputSchema):
    id = fields.Integer()
    action = fields.String()
    action_label = fields.String()
    status = fields.String(allow_none=True)
    status_label = fields.String(allow_none=True)
    note = fields.String()
    actor = fields.String(metadata={"description": "提案人、某社区工作人员或系统"})
    photos = fields.List(fields.Nested(PhotoOut))
    created_at = LocalDateTime()


class RatingSummaryOut(OutputSchema):
    average = fields.Float(allow_none=True)
    count = fields.Integer()
    mine = fields.Integer(allow_none=True, metadata={"description": "我的评分"})


class _ProposalCommonOut(OutputSchema):
    id = fields.Integer()
    title = fields.String()
    body = fields.String()
    status = fields.String()
    status_label = fields.String()
    scope = fields.Nested(ScopeOut)
    escalated_from = fields.Nested(ScopeOut, allow_none=True,
                                   metadata={"description": "由哪个下级提交上来"})
    support_count = fields.Integer()
    support_threshold = fields.Integer(allow_none=True, metadata={"description": "发布后确定"})
    support_verification_level = fields.Integer(allow_none=True)
    deadline_at = LocalDateTime(allow_none=True, metadata={"description": "附议截止时间"})
    answer = fields.Nested(AnswerOut, allow_none=True, metadata={"description": "正式答复"})
    photos = fields.List(fields.Nested(PhotoOut))
    rejection_reason = fields.String(allow_none=True)
    comment_count = fields.Integer()
    created_at = LocalDateTime()
    submitted_at = LocalDateTime(allow_none=True)
    published_at = LocalDateTime(allow_none=True)
    answered_at = LocalDateTime(allow_none=True)
    completed_at = LocalDateTime(allow_none=True)


class ProposalOut(_ProposalCommonOut):
    author = fields.Nested(AuthorOut)
    is_mine = fields.Boolean()
    supported_by_me = fields.Boolean()
    support_refusal = fields.String(allow_none=True,
                                    metadata={"description": "征集中但我不能附议时的原因"})
    timeline = fields.List(fields.Nested(ProposalTimelineEntryOut),
                           metadata={"description": "审核、答复、进展、办结等记录"})
    rating = fields.Nested(RatingSummaryOut)
    hidden = fields.Boolean(metadata={"description": "被隐藏（只有提案人本人能看到）"})
    notice = fields.String(allow_none=True)
    actions = fields.List(fields.String(), metadata={
        "description": "我现在可以做的：edit、submit、withdraw、support、unsupport、comment、rate"})


class ProposalItemOut(OutputSchema):
    id = fields.Integer()
    title = fields.String()
    status = fields.String()
    status_label = fields.String()
    scope = fields.Nested(ScopeOut)
    support_count = fields.Integer()
    support_threshold = fields.Integer(allow_none=True)
    deadline_at = LocalDateTime(allow_none=True)
    created_at = LocalDateTime()
    published_at = LocalDateTime(allow_none=True)
    thumbnail_url = fields.String(allow_none=True)
    supported_by_me = fields.Boolean()
    hidden = fields.Boolean()


class CommentAuthorOut(OutputSchema):
    nickname = fields.String()


class CommentOut(OutputSchema):
    id = fields.Integer()
    proposal_id = fields.Integer()
    author = fields.Nested(CommentAuthorOut)
    is_mine = fields.Boolean()
    body = fields.String()
    created_at = LocalDateTime()
    hidden = fields.Boolean(metadata={"description": "待审核或被隐藏（只有作者本人能看到）"})
    notice = fields.String(allow_none=True)


class FlaggedOut(OutputSchema):
    message = fields.String()


# --- staff output -------------------------------------------------------------------------

class FlagCountOut(OutputSchema):
    reason = fields.String()
    reason_label = fields.String()
    count = fields.Integer()


class ModerationStateOut(OutputSchema):
    visibility = fields.String(metadata={"description": "visible、hidden（待处理）、removed"})
    hidden_reason = fields.String(allow_none=True)
    hidden_reason_label = fields.String(allow_none=True)
    flag_count = fields.Integer()
    flags = fields.List(fields.Nested(FlagCountOut))
    hidden_at = LocalDateTime(allow_none=True)
    decision = fields.String(allow_none=True)
    decision_label = fields.String(allow_none=True)
    decision_note = fields.String()
    decided_at = LocalDateTime(allow_none=True)


class ContentReviewOut(OutputSchema):
    reason = fields.String()
    reason_label = fields.String()
    label = fields.Integer(allow_none=True, metadata={"description": "微信内容安全标签"})


class StaffAuthorOut(OutputSchema):
    id = fields.Integer()
    nickname = fields.String()
    phone = fields.String(allow_none=True)
    verification_level = fields.Integer()


class StaffProposalTimelineEntryOut(ProposalTimelineEntryOut):
    staff_name = fields.String(allow_none=True)
    public = fields.Boolean()


class RatingCommentOut(OutputSchema):
    score = fields.Integer()
    comment = fields.String()
    created_at = LocalDateTime()


class StaffRatingOut(RatingSummaryOut):
    comments = fields.List(fields.Nested(RatingCommentOut))


class StaffProposalOut(_ProposalCommonOut):
    author = fields.Nested(StaffAuthorOut)
    origin = fields.Nested(ScopeOut)
    content_review = fields.Nested(ContentReviewOut, allow_none=True,
                                   metadata={"description": "内容检测提示需人工复核"})
    supporters = fields.Integer()
    timeline = fields.List(fields.Nested(StaffProposalTimelineEntryOut))
    rating = fields.Nested(StaffRatingOut)
    moderation = fields.Nested(ModerationStateOut, allow_none=True)
    actions = fields.List(fields.String(), metadata={
        "description": "可用按钮：approve、reject、accept、decline、progress、complete、escalate"})


class StaffProposalItemOut(ProposalItemOut):
    content_review = fields.String(allow_none=True)
    submitted_at = LocalDateTime(allow_none=True)
    visibility = fields.String()


class StaffCommentAuthorOut(OutputSchema):
    id = fields.Integer()
    nickname = fields.String()


class StaffCommentOut(CommentOut):
    author = fields.Nested(StaffCommentAuthorOut)
    moderation = fields.Nested(ModerationStateOut, allow_none=True)


class ProposalRefOut(OutputSchema):
    id = fields.Integer()
    title = fields.String()


class FlaggedItemOut(OutputSchema):
    item_type = fields.String(metadata={"description": "proposal 或 comment"})
    item_id = fields.Integer()
    proposal = fields.Nested(ProposalRefOut)
    excerpt = fields.String()
    hidden_reason = fields.String()
    hidden_reason_label = fields.String()
    content_label = fields.Integer(allow_none=True)
    flag_count = fields.Integer()
    flags = fields.List(fields.Nested(FlagCountOut))
    hidden_at = LocalDateTime()


class ModerationResultOut(OutputSchema):
    item_type = fields.String()
    item_id = fields.Integer()
    visibility = fields.String()
    decision = fields.String()
    decision_label = fields.String()
    decided_at = LocalDateTime()
