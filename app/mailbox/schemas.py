"""Mailbox schemas: letters in and out for residents, staff and the public Q&A."""

from marshmallow import fields, validate

from app import clock
from app.mailbox.lifecycle import LETTER, resident_actions, staff_actions
from app.mailbox.models import MessageKind
from app.mailbox.service import INBOX_VIEWS, MAX_BODY, MAX_PHOTOS, MAX_SUBJECT
from app.pagination import PageArgs
from app.uploads import photo_urls
from app.uploads.schemas import PhotoOut
from app.validation import (
    InputSchema,
    LocalDateTime,
    OutputSchema,
    QueryInteger,
    StrictInteger,
    Text,
)


def _photos(message) -> list[dict]:
    return PhotoOut(many=True).dump([
        {"id": upload.id, **photo_urls(upload), "width": upload.width, "height": upload.height}
        for upload in message.photos])


def _photo_ids(**kwargs):
    return fields.List(StrictInteger(), load_default=list,
                       validate=validate.Length(max=MAX_PHOTOS),
                       metadata={"description": f"POST /api/v1/uploads 得到的照片 id，最多 {MAX_PHOTOS} 张"},
                       **kwargs)


class RefOut(OutputSchema):
    id = fields.Integer()
    name = fields.String()


# --- residents --------------------------------------------------------------------------------

class MailboxOut(OutputSchema):
    id = fields.Integer()
    name = fields.String()
    description = fields.String()
    reply_sla_hours = fields.Integer(metadata={"description": "答复时限（小时）"})


class MailboxListOut(OutputSchema):
    mailboxes = fields.List(fields.Nested(MailboxOut))


class LetterIn(InputSchema):
    mailbox_id = StrictInteger(required=True)
    subject = Text(required=True, validate=validate.Length(min=1, max=MAX_SUBJECT))
    body = Text(required=True, validate=validate.Length(min=1, max=MAX_BODY))
    photo_ids = _photo_ids()
    consent_to_publish = fields.Boolean(
        load_default=False, metadata={"description": "同意隐去个人信息后公开信件和答复"})


class FollowUpIn(InputSchema):
    body = Text(required=True, validate=validate.Length(min=1, max=MAX_BODY))
    photo_ids = _photo_ids()


class ConsentIn(InputSchema):
    consent_to_publish = fields.Boolean(required=True)


class LetterMessageOut(OutputSchema):
    id = fields.Integer()
    kind = fields.String(metadata={"description": "resident 我的来信/追问，staff 答复，event 办理记录"})
    author = fields.Function(
        lambda m: "我" if m.kind == MessageKind.RESIDENT else m.author_label,
        metadata={"description": "署名（答复以信箱名义）"})
    body = fields.String()
    photos = fields.Function(_photos)
    created_at = LocalDateTime()


class LetterItemOut(OutputSchema):
    id = fields.Integer()
    subject = fields.String()
    mailbox = fields.Nested(RefOut)
    status = fields.String(metadata={"description": "new 未读, read 已读, replied 已答复, closed 已办结"})
    status_label = fields.Function(lambda letter: LETTER.label(letter.status))
    read_at = LocalDateTime(allow_none=True, metadata={"description": "工作人员阅读的时间（已读）"})
    reply_due_at = LocalDateTime(allow_none=True,
                                 metadata={"description": "最晚答复时间（等待答复时）"})
    created_at = LocalDateTime()
    updated_at = LocalDateTime()


class LetterOut(LetterItemOut):
    consent_to_publish = fields.Boolean()
    converted_report_id = fields.Integer(allow_none=True,
                                         metadata={"description": "转为的随手拍（报事）编号"})
    converted_proposal_id = fields.Integer(allow_none=True,
                                           metadata={"description": "转为的提案草稿"})
    published = fields.Function(lambda letter: letter.publication is not None)
    actions = fields.Function(lambda letter: resident_actions(letter.status),
                              metadata={"description": "居民现在可以做的操作"})
    messages = fields.List(fields.Nested(LetterMessageOut), attribute="resident_thread")


class PublicLetterArgs(PageArgs):
    community_id = QueryInteger()
    mailbox_id = QueryInteger()


class PublicLetterOut(OutputSchema):
    id = fields.Integer()
    community = fields.Nested(RefOut)
    mailbox = fields.Nested(RefOut)
    subject = fields.String()
    body = fields.String()
    reply = fields.String()
    asked_on = fields.Function(lambda p: clock.to_local(p.asked_at).date().isoformat(),
                               metadata={"description": "来信日期"})
    published_at = LocalDateTime()


# --- staff ------------------------------------------------------------------------------------

class StaffRefOut(OutputSchema):
    id = fields.Integer()
    display_name = fields.String()
    role = fields.String()


class StaffMailboxOut(MailboxOut):
    community = fields.Nested(RefOut)
    restricted = fields.Boolean(metadata={"description": "仅答复人员和上级可阅（如书记信箱）"})
    active = fields.Boolean()
    sort_order = fields.Integer()
    members = fields.List(fields.Nested(StaffRefOut), metadata={"description": "答复人员"})


class StaffMailboxArgs(InputSchema):
    community_id = QueryInteger()


class StaffMailboxListOut(OutputSchema):
    mailboxes = fields.List(fields.Nested(StaffMailboxOut))


class MailboxIn(InputSchema):
    community_id = StrictInteger(required=True)
    name = Text(required=True, validate=validate.Length(min=1, max=30))
    description = Text(load_default="", validate=validate.Length(max=300))
    reply_sla_hours = StrictInteger(load_default=72, validate=validate.Range(min=1, max=720))
    restricted = fields.Boolean(load_default=False)
    member_ids = fields.List(StrictInteger(), load_default=list,
                             validate=validate.Length(max=50))
    sort_order = StrictInteger(load_default=0, validate=validate.Range(min=0, max=1000))


class MailboxPatchIn(InputSchema):
    name = Text(validate=validate.Length(min=1, max=30))
    description = Text(validate=validate.Length(max=300))
    reply_sla_hours = StrictInteger(validate=validate.Range(min=1, max=720))
    restricted = fields.Boolean()
    active = fields.Boolean()
    member_ids = fields.List(StrictInteger(), validate=validate.Length(max=50))
    sort_order = StrictInteger(validate=validate.Range(min=0, max=1000))


class InboxArgs(PageArgs):
    view = fields.String(load_default="awaiting_reply", validate=validate.OneOf(INBOX_VIEWS),
                         metadata={"description": "new 未读, awaiting_reply 待答复, overdue 已超时, "
                                                  "replied 已答复, closed 已办结, all 全部"})
    mailbox_id = QueryInteger()
    flagged = fields.Boolean(metadata={"description": "只看（或不看）内容待审核的信件"})


class LetterResidentOut(OutputSchema):
    id = fields.Integer()
    nickname = fields.String()
    phone = fields.String(attribute="phone_masked", allow_none=True)
    household = fields.Function(lambda r: r.household.label if r.household else None)
    verification_level = fields.Integer()


class StaffLetterItemOut(OutputSchema):
    id = fields.Integer()
    subject = fields.String()
    mailbox = fields.Nested(RefOut)
    community = fields.Nested(RefOut)
    resident = fields.Nested(LetterResidentOut)
    status = fields.String()
    status_label = fields.Function(lambda letter: LETTER.label(letter.status))
    flagged = fields.Boolean(metadata={"description": "有内容未通过自动审核，请留意"})
    overdue = fields.Function(lambda letter: letter.is_overdue(clock.now()))
    reply_due_at = LocalDateTime(allow_none=True)
    created_at = LocalDateTime()
    updated_at = LocalDateTime()


class StaffLetterMessageOut(OutputSchema):
    id = fields.Integer()
    kind = fields.String(metadata={"description": "resident 来信/追问，staff 答复，note 内部备注，event 办理记录"})
    author = fields.Function(
        lambda m: m.author_staff.display_name if m.author_staff else
        ("居民" if m.kind == MessageKind.RESIDENT else m.author_label))
    body = fields.String()
    needs_review = fields.Boolean()
    review_reason = fields.String()
    photos = fields.Function(_photos)
    created_at = LocalDateTime()


class StaffLetterOut(StaffLetterItemOut):
    source = fields.String()
    consent_to_publish = fields.Boolean()
    published = fields.Function(lambda letter: letter.publication is not None)
    first_reply_due_at = LocalDateTime()
    first_read_at = LocalDateTime(allow_none=True)
    read_at = LocalDateTime(allow_none=True)
    first_replied_at = LocalDateTime(allow_none=True)
    closed_at = LocalDateTime(allow_none=True)
    converted_report_id = fields.Integer(allow_none=True)
    converted_proposal_id = fields.Integer(allow_none=True)
    actions = fields.Function(lambda letter: staff_actions(letter.status))
    messages = fields.List(fields.Nested(StaffLetterMessageOut))


class ReplyIn(InputSchema):
    body = Text(required=True, validate=validate.Length(min=1, max=MAX_BODY))
    photo_ids = _photo_ids()


class LetterNoteIn(InputSchema):
    body = Text(required=True, validate=validate.Length(min=1, max=2000))


class TransferIn(InputSchema):
    mailbox_id = StrictInteger(required=True)
    note = Text(load_default="", validate=validate.Length(max=200),
                metadata={"description": "内部说明，居民看不到"})


class CloseIn(InputSchema):
    message = Text(load_default="", validate=validate.Length(max=MAX_BODY),
                   metadata={"description": "给居民的办结说明；未答复过的信件必填"})


class ConvertToReportIn(InputSchema):
    category = fields.String(required=True, validate=validate.Length(min=1, max=32),
                             metadata={"description": "随手拍类别代码"})
    lat = fields.Float(validate=validate.Range(min=-90, max=90),
                       metadata={"description": "问题位置（GCJ-02）；不填则定在居民所在社区"})
    lng = fields.Float(validate=validate.Range(min=-180, max=180))
    address = Text(load_default="", validate=validate.Length(max=120))
    description = Text(validate=validate.Length(min=1, max=500),
                       metadata={"description": "报事描述；不填则用来信内容"})


class ConvertToProposalIn(InputSchema):
    title = Text(validate=validate.Length(min=5, max=60),
                 metadata={"description": "提案标题；不填则用信件标题"})
    region_id = StrictInteger(metadata={"description": "提案范围（院落/社区/街道）；不填则为居民所在社区"})


class PublishIn(InputSchema):
    subject = Text(allow_none=True, validate=validate.Length(max=MAX_SUBJECT))
    body = Text(allow_none=True, validate=validate.Length(max=MAX_BODY))
    reply = Text(allow_none=True, validate=validate.Length(max=2 * MAX_BODY))
    names_to_mask = fields.List(Text(validate=validate.Length(min=2, max=32)), load_default=list,
                                validate=validate.Length(max=20),
                                metadata={"description": "还要隐去的姓名等（作者昵称总会隐去）"})


class PublicationOut(OutputSchema):
    subject = fields.String()
    body = fields.String()
    reply = fields.String()
    published = fields.Boolean()
    published_at = LocalDateTime(allow_none=True)
    consent_to_publish = fields.Boolean()


class MetricsArgs(InputSchema):
    start = fields.Date(metadata={"description": "起始日期（含），默认 30 天前"})
    end = fields.Date(metadata={"description": "截止日期（含），默认今天"})
    community_id = QueryInteger()


class MailboxMetricsOut(OutputSchema):
    mailbox = fields.Nested(RefOut)
    community = fields.Nested(RefOut)
    letters = fields.Integer(metadata={"description": "期间来信数"})
    replied = fields.Integer(metadata={"description": "已答复数"})
    replied_on_time = fields.Integer(metadata={"description": "按时答复数"})
    judged = fields.Integer(metadata={"description": "可考核数（已答复或已过时限）"})
    on_time_rate = fields.Float(allow_none=True, metadata={"description": "按时答复率"})
    average_first_response_hours = fields.Float(allow_none=True)
    median_first_response_hours = fields.Float(allow_none=True)


class MetricsOut(OutputSchema):
    start = fields.Date()
    end = fields.Date()
    mailboxes = fields.List(fields.Nested(MailboxMetricsOut))
