"""Poll schemas: writing a poll (staff), casting a ballot, and what residents and staff see."""

from marshmallow import ValidationError, fields, validate, validates_schema

from app.accounts.schemas import RegionRefOut
from app.polls.lifecycle import POLL, staff_actions
from app.polls.models import PollStatus, QuestionKind, ResultsVisibility, VotingUnit
from app.validation import InputSchema, LocalDateTime, OutputSchema, StrictInteger, Text

MAX_QUESTIONS = 10
MIN_OPTIONS, MAX_OPTIONS = 2, 20


# --- in -------------------------------------------------------------------------------------

class OptionIn(InputSchema):
    text = Text(required=True, validate=validate.Length(min=1, max=60))


class QuestionIn(InputSchema):
    text = Text(required=True, validate=validate.Length(min=1, max=200))
    kind = fields.Enum(QuestionKind, by_value=True, required=True,
                       metadata={"description": "single 单选，multiple 多选"})
    max_choices = StrictInteger(
        validate=validate.Range(min=2, max=MAX_OPTIONS),
        metadata={"description": "多选题最多可选几项（默认为选项数）；单选题不填"})
    options = fields.List(fields.Nested(OptionIn), required=True,
                          validate=validate.Length(min=MIN_OPTIONS, max=MAX_OPTIONS,
                                                   error=f"选项应为 {MIN_OPTIONS} 到 "
                                                         f"{MAX_OPTIONS} 个"))

    @validates_schema
    def _choices_fit(self, data, **_kwargs):
        options = data.get("options") or []
        texts = [option["text"] for option in options]
        if len(set(texts)) != len(texts):
            raise ValidationError("选项不能重复", "options")
        maximum = data.get("max_choices")
        if maximum is None:
            return
        if data.get("kind") == QuestionKind.SINGLE:
            raise ValidationError("单选题不设最多可选数", "max_choices")
        if options and maximum > len(options):
            raise ValidationError("最多可选数不能超过选项数", "max_choices")


class PollIn(InputSchema):
    region_id = StrictInteger(required=True,
                              metadata={"description": "投票范围：区、街道或社区，须在本人辖区内"})
    title = Text(required=True, validate=validate.Length(min=1, max=60))
    description = Text(load_default="", validate=validate.Length(max=2000))
    questions = fields.List(fields.Nested(QuestionIn), required=True,
                            validate=validate.Length(min=1, max=MAX_QUESTIONS,
                                                     error=f"题目应为 1 到 {MAX_QUESTIONS} 个"))
    unit = fields.Enum(VotingUnit, by_value=True, load_default=VotingUnit.PERSON,
                       metadata={"description": "person 一人一票，household 一户一票"})
    min_verification = StrictInteger(
        load_default=1, validate=validate.OneOf([0, 1, 2]),
        metadata={"description": "最低认证等级：0 不限，1 已绑手机，2 住户已确认（一户一票须为 2）"})
    opens_at = LocalDateTime(load_default=None, allow_none=True,
                             metadata={"description": "定时发布时的开始时间；不填则由工作人员手动开始"})
    closes_at = LocalDateTime(required=True)
    results_visibility = fields.Enum(
        ResultsVisibility, by_value=True, load_default=ResultsVisibility.AFTER_CLOSE,
        metadata={"description": "live 投票中即公开结果，after_close 结束后公布"})
    proposal_id = StrictInteger(load_default=None, allow_none=True,
                                metadata={"description": "关联的社区提案（可不填）"})


class PollChangesIn(PollIn):
    """PATCH of a draft: any field; `questions`, when given, replaces all questions."""

    def __init__(self, **kwargs):
        # Top-level fields may be left out (and get no defaults); a question given is checked
        # in full.
        kwargs.setdefault("partial", tuple(PollIn._declared_fields))
        super().__init__(**kwargs)


class PollListArgs(InputSchema):
    status = fields.Enum(PollStatus, by_value=True, load_default=None)


class ResidentPollListArgs(InputSchema):
    status = fields.String(load_default="open", validate=validate.OneOf(["open", "closed"]),
                           metadata={"description": "open 进行中（默认），closed 已结束"})


class CancelIn(InputSchema):
    reason = Text(required=True, validate=validate.Length(min=2, max=200))


class BallotAnswerIn(InputSchema):
    question_id = StrictInteger(required=True)
    option_ids = fields.List(StrictInteger(), required=True,
                             validate=validate.Length(min=1, max=MAX_OPTIONS,
                                                      error="每题至少选择一项"))


class BallotIn(InputSchema):
    answers = fields.List(fields.Nested(BallotAnswerIn), required=True,
                          validate=validate.Length(min=1, max=MAX_QUESTIONS,
                                                   error="请回答每一道题"))


class AssistedBallotIn(BallotIn):
    resident_id = StrictInteger(required=True)
    in_person = fields.Boolean(
        required=True, validate=validate.Equal(True, error="代投仅限居民本人在场时进行"),
        metadata={"description": "确认居民本人在场并表达了自己的选择"})


# --- out ------------------------------------------------------------------------------------

class OptionOut(OutputSchema):
    id = fields.Integer()
    text = fields.String()


class QuestionOut(OutputSchema):
    id = fields.Integer()
    text = fields.String()
    kind = fields.String()
    max_choices = fields.Integer()
    options = fields.List(fields.Nested(OptionOut))


class VoterStatusOut(OutputSchema):
    can_vote = fields.Boolean()
    reason = fields.String(allow_none=True, metadata={"description": "不能投票的原因"})
    voted = fields.Boolean(metadata={"description": "我（或我家）已投票；不显示投了什么"})
    voted_by = fields.String(allow_none=True, metadata={"description": "me 本人，household 家人"})
    voted_on = fields.Date(allow_none=True)
    assisted = fields.Boolean(metadata={"description": "由工作人员代投"})


class OptionResultOut(OutputSchema):
    id = fields.Integer()
    text = fields.String()
    votes = fields.Integer()
    share = fields.Float(allow_none=True, metadata={"description": "选择此项的选票比例"})


class QuestionResultOut(OutputSchema):
    id = fields.Integer()
    text = fields.String()
    kind = fields.String()
    options = fields.List(fields.Nested(OptionResultOut))


class TurnoutOut(OutputSchema):
    participants = fields.Integer(metadata={"description": "已投票（人或户）"})
    eligible = fields.Integer(metadata={"description": "有资格投票（人或户）"})
    rate = fields.Float(allow_none=True, metadata={"description": "参与率"})


class ResultsOut(OutputSchema):
    final = fields.Boolean(metadata={"description": "投票已结束，结果为最终结果"})
    turnout = fields.Nested(TurnoutOut)
    questions = fields.List(fields.Nested(QuestionResultOut))


class _PollBaseOut(OutputSchema):
    id = fields.Integer()
    title = fields.String()
    status = fields.String()
    status_label = fields.Function(lambda p: POLL.label(p.status))
    unit = fields.String()
    unit_label = fields.Function(lambda p: p.unit.label)
    region = fields.Nested(RegionRefOut)
    opens_at = LocalDateTime(allow_none=True)
    closes_at = LocalDateTime()
    results_visibility = fields.String()


class ResidentPollItemOut(_PollBaseOut):
    me = fields.Nested(VoterStatusOut)


class ResidentPollOut(ResidentPollItemOut):
    description = fields.String()
    questions = fields.List(fields.Nested(QuestionOut))
    cancel_reason = fields.String(allow_none=True)
    results = fields.Nested(ResultsOut, allow_none=True,
                            metadata={"description": "可公开时的结果；未到公布时间为 null"})


class StaffPollItemOut(_PollBaseOut):
    min_verification = fields.Integer()
    proposal_id = fields.Integer(allow_none=True)
    created_at = LocalDateTime()


class StaffPollOut(StaffPollItemOut):
    description = fields.String()
    questions = fields.List(fields.Nested(QuestionOut))
    cancel_reason = fields.String(allow_none=True)
    opened_at = LocalDateTime(allow_none=True)
    closed_at = LocalDateTime(allow_none=True)
    cancelled_at = LocalDateTime(allow_none=True)
    results_published_at = LocalDateTime(allow_none=True)
    actions = fields.Function(lambda p: staff_actions(p.status),
                              metadata={"description": "当前可进行的操作"})
    turnout = fields.Nested(TurnoutOut)
    results = fields.Nested(ResultsOut, allow_none=True)


class ParticipantOut(OutputSchema):
    resident_id = fields.Integer()
    nickname = fields.String()
    household = fields.Function(
        lambda row: f"{row['building']}-{row['unit']}-{row['room']}" if row["building"] else None,
        metadata={"description": "一户一票时为投票的户（楼栋-单元-室）"})
    voted_on = fields.Date(metadata={"description": "投票日期（只记到日）"})
    assisted_by = fields.String(allow_none=True, metadata={"description": "代投的工作人员"})
