"""Report schemas, and the three views of a report: public, the reporter's own, and staff's.

What each viewer sees is decided here, once:
- public (any resident, Open311): number, category, status, description, photos, an approximate
  location (3 decimals, about 100 m) and the address, the public timeline, follower count,
  times; the reporter only as a nickname, and not at all when anonymous;
- the reporter: the same with the exact location, their rating, the deadlines and whether the
  report is held for review;
- staff: everything, with the reporter's identity, internal notes and escalations.
"""

from __future__ import annotations

from marshmallow import fields, validate

from app import clock
from app.pagination import PageArgs
from app.reports import service
from app.reports.lifecycle import REPORT, event_label
from app.reports.models import ActorKind, PhotoKind, Report, ReportEvent, ReportSource
from app.reports.rates import ReportRates
from app.storage import photo_key
from app.uploads import photo_urls
from app.uploads.schemas import PhotoOut
from app.uploads.service import media_url
from app.validation import (
    InputSchema,
    LocalDateTime,
    OutputSchema,
    QueryInteger,
    StrictInteger,
    Text,
)

STATUS_CHOICES = REPORT.states
PUBLIC_DECIMALS = 3
ANONYMOUS_NAME = "匿名居民"


# --- input ----------------------------------------------------------------------------------

class LocationIn(InputSchema):
    lat = fields.Float(required=True, validate=validate.Range(min=-90, max=90),
                       metadata={"description": "纬度（GCJ-02，wx.getLocation type=gcj02）"})
    lng = fields.Float(required=True, validate=validate.Range(min=-180, max=180),
                       metadata={"description": "经度（GCJ-02）"})
    address = Text(load_default="", validate=validate.Length(max=200),
                   metadata={"description": "地址文字，如“和平社区3栋门口”"})


class ReportIn(InputSchema):
    category = fields.String(required=True, validate=validate.Length(min=1, max=32),
                             metadata={"description": "类别代码（GET /api/v1/categories）"})
    description = Text(required=True, validate=validate.Length(min=1, max=500))
    photo_ids = fields.List(StrictInteger(), required=True,
                            validate=validate.Length(min=1, max=9, error="请上传 1 到 9 张照片"),
                            metadata={"description": "POST /api/v1/uploads 得到的照片 id，1–9 张"})
    location = fields.Nested(LocationIn, required=True)
    anonymous = fields.Boolean(load_default=False, metadata={"description": "公开时不显示我的昵称"})


class StaffReportIn(ReportIn):
    photo_ids = fields.List(StrictInteger(), load_default=list,
                            validate=validate.Length(max=9, error="最多上传 9 张照片"),
                            metadata={"description": "POST /api/v1/staff/uploads 得到的照片 id，0–9 张"})
    resident_id = StrictInteger(allow_none=True, load_default=None,
                                metadata={"description": "代办的居民；空表示工作人员自己发现的问题"})
    source_detail = Text(load_default="", validate=validate.Length(max=80),
                         metadata={"description": "备注，如“居民电话反映”"})


class MyReportsArgs(PageArgs):
    status = fields.String(validate=validate.OneOf(STATUS_CHOICES))


class PublicReportsArgs(PageArgs):
    status = fields.String(validate=validate.OneOf(STATUS_CHOICES))
    category = fields.String(validate=validate.Length(min=1, max=32))
    region_id = QueryInteger(metadata={"description": "只看该区域（含下级）"})


class NearbyArgs(InputSchema):
    lat = fields.Float(required=True, validate=validate.Range(min=-90, max=90))
    lng = fields.Float(required=True, validate=validate.Range(min=-180, max=180))
    category = fields.String(required=True, validate=validate.Length(min=1, max=32))


class RatingIn(InputSchema):
    solved = fields.Boolean(required=True, metadata={"description": "问题是否已解决"})
    satisfaction = StrictInteger(required=True, validate=validate.Range(min=1, max=5),
                                 metadata={"description": "满意度 1–5"})
    comment = Text(load_default="", validate=validate.Length(max=200))


class StaffReportsArgs(PageArgs):
    status = fields.String(validate=validate.OneOf(STATUS_CHOICES))
    category = fields.String(validate=validate.Length(min=1, max=32))
    region_id = QueryInteger(metadata={"description": "网格或社区（含下级）"})
    assignee_id = QueryInteger()
    overdue = fields.Boolean()
    held = fields.Boolean(metadata={"description": "待内容审核"})
    sort = fields.String(load_default="due", validate=validate.OneOf(["due", "created"]),
                         metadata={"description": "due 按到期时间，created 按提交时间"})


class NoteOnlyIn(InputSchema):
    note = Text(load_default="", validate=validate.Length(max=500),
                metadata={"description": "给居民看的说明（可空）"})


class RejectIn(InputSchema):
    reason = Text(required=True, validate=validate.Length(min=1, max=500),
                  metadata={"description": "不予受理的原因（居民可见）"})


class MergeIn(NoteOnlyIn):
    duplicate_of_id = StrictInteger(required=True, metadata={"description": "保留的那条报事"})


class DispatchIn(NoteOnlyIn):
    handler_id = StrictInteger(required=True, metadata={"description": "负责该区域的工作人员"})


class ResolveIn(InputSchema):
    note = Text(required=True, validate=validate.Length(min=1, max=500),
                metadata={"description": "处理结果（居民可见）"})
    photo_ids = fields.List(StrictInteger(), load_default=list,
                            validate=validate.Length(max=9, error="最多上传 9 张照片"),
                            metadata={"description": "处理结果照片（POST /api/v1/staff/uploads）"})


class ReportNoteIn(InputSchema):
    text = Text(required=True, validate=validate.Length(min=1, max=500))
    public = fields.Boolean(load_default=False, metadata={"description": "true 居民可见，false 仅内部"})


class ReleaseIn(InputSchema):
    description = Text(validate=validate.Length(min=1, max=500),
                       metadata={"description": "修改后公开的描述（不填则原样公开）"})


class RatesArgs(InputSchema):
    region_id = QueryInteger(metadata={"description": "默认为本人辖区"})
    category = fields.String(validate=validate.Length(min=1, max=32))
    handler_id = QueryInteger()
    start = LocalDateTime(metadata={"description": "提交时间起（含）"})
    end = LocalDateTime(metadata={"description": "提交时间止（不含）"})


# --- output ---------------------------------------------------------------------------------

class CategoryRefOut(OutputSchema):
    code = fields.String()
    name = fields.String()


class ReportLocationOut(OutputSchema):
    lat = fields.Float()
    lng = fields.Float()
    address = fields.String()


class TimelineEntryOut(OutputSchema):
    action = fields.String()
    action_label = fields.String()
    status = fields.String(allow_none=True, metadata={"description": "这一步之后的状态"})
    status_label = fields.String(allow_none=True)
    note = fields.String()
    actor = fields.String(metadata={"description": "居民 / 工作人员 / 系统"})
    created_at = LocalDateTime()


class StaffTimelineEntryOut(TimelineEntryOut):
    id = fields.Integer()
    public = fields.Boolean()
    from_status = fields.String(allow_none=True)
    actor_kind = fields.String()
    actor_name = fields.String(allow_none=True)


class ReportSummaryOut(OutputSchema):
    id = fields.Integer()
    number = fields.String()
    category = fields.Nested(CategoryRefOut)
    status = fields.String()
    status_label = fields.String()
    description = fields.String()
    address = fields.String()
    thumbnail_url = fields.String(allow_none=True)
    follower_count = fields.Integer()
    created_at = LocalDateTime()


class MyReportSummaryOut(ReportSummaryOut):
    held_for_review = fields.Boolean(metadata={"description": "描述待审核，暂不公开"})
    can_rate = fields.Boolean()


class NearbyReportOut(ReportSummaryOut):
    distance_m = fields.Float(metadata={"description": "与所给位置的距离（米）"})
    mine = fields.Boolean()
    following = fields.Boolean(metadata={"description": "我已点过“我也遇到”"})


class NearbyOut(OutputSchema):
    items = fields.List(fields.Nested(NearbyReportOut))


class ReportRefOut(OutputSchema):
    id = fields.Integer()
    number = fields.String()


class MyRatingOut(OutputSchema):
    solved = fields.Boolean()
    satisfaction = fields.Integer()
    comment = fields.String()
    rated_at = LocalDateTime()


class ReportOut(OutputSchema):
    """A report as residents see it; the private fields are null unless it is the caller's own."""

    id = fields.Integer()
    number = fields.String()
    category = fields.Nested(CategoryRefOut)
    status = fields.String()
    status_label = fields.String()
    description = fields.String()
    location = fields.Nested(ReportLocationOut)
    photos = fields.List(fields.Nested(PhotoOut))
    result_photos = fields.List(fields.Nested(PhotoOut), metadata={"description": "处理结果照片"})
    reporter_name = fields.String(metadata={"description": "公开显示的反映人（匿名时为“匿名居民”）"})
    follower_count = fields.Integer(metadata={"description": "“我也遇到”的人数"})
    duplicate_of = fields.Nested(ReportRefOut, allow_none=True,
                                 metadata={"description": "已合并到的那条报事"})
    created_at = LocalDateTime()
    resolved_at = LocalDateTime(allow_none=True)
    closed_at = LocalDateTime(allow_none=True)
    timeline = fields.List(fields.Nested(TimelineEntryOut))
    mine = fields.Boolean()
    following = fields.Boolean()
    # The reporter's own fields.
    anonymous = fields.Boolean(allow_none=True)
    held_for_review = fields.Boolean(allow_none=True)
    response_due_at = LocalDateTime(allow_none=True)
    completion_due_at = LocalDateTime(allow_none=True)
    reopen_count = fields.Integer(allow_none=True)
    can_rate = fields.Boolean(allow_none=True)
    rating_due_at = LocalDateTime(allow_none=True, metadata={"description": "评价截止时间"})
    rating = fields.Nested(MyRatingOut, allow_none=True, metadata={"description": "我的评价"})


class FollowOut(OutputSchema):
    following = fields.Boolean()
    follower_count = fields.Integer()


class PersonOut(OutputSchema):
    id = fields.Integer()
    name = fields.String()


class ReporterOut(OutputSchema):
    id = fields.Integer()
    nickname = fields.String()
    phone = fields.String(allow_none=True, metadata={"description": "脱敏手机号"})
    household = fields.String(allow_none=True)
    community = fields.String(allow_none=True)


class ActionOut(OutputSchema):
    action = fields.String()
    label = fields.String()


class RatingOut(OutputSchema):
    round = fields.Integer()
    solved = fields.Boolean()
    satisfaction = fields.Integer()
    comment = fields.String()
    created_at = LocalDateTime()


class StaffReportSummaryOut(ReportSummaryOut):
    region = fields.Nested(PersonOut, metadata={"description": "网格或社区"})
    assignee = fields.Nested(PersonOut, allow_none=True)
    source = fields.String()
    anonymous = fields.Boolean()
    held_for_review = fields.Boolean()
    overdue = fields.Boolean()
    next_due_at = LocalDateTime(allow_none=True, metadata={"description": "当前步骤的到期时间"})
    reopen_count = fields.Integer()


class StaffReportOut(StaffReportSummaryOut):
    lat = fields.Float()
    lng = fields.Float()
    photos = fields.List(fields.Nested(PhotoOut))
    result_photos = fields.List(fields.Nested(PhotoOut))
    reporter = fields.Nested(ReporterOut, allow_none=True)
    source_detail = fields.String()
    filed_by = fields.Nested(PersonOut, allow_none=True)
    review_reason = fields.String()
    duplicate_of = fields.Nested(ReportRefOut, allow_none=True)
    accepted_at = LocalDateTime(allow_none=True)
    dispatched_at = LocalDateTime(allow_none=True)
    first_contact_at = LocalDateTime(allow_none=True)
    started_at = LocalDateTime(allow_none=True)
    resolved_at = LocalDateTime(allow_none=True)
    closed_at = LocalDateTime(allow_none=True)
    rejected_at = LocalDateTime(allow_none=True)
    response_due_at = LocalDateTime()
    completion_due_at = LocalDateTime()
    response_overdue_at = LocalDateTime(allow_none=True)
    completion_overdue_at = LocalDateTime(allow_none=True)
    rated_at = LocalDateTime(allow_none=True)
    solved = fields.Boolean(allow_none=True)
    satisfaction = fields.Integer(allow_none=True)
    rating_comment = fields.String()
    ratings = fields.List(fields.Nested(RatingOut))
    timeline = fields.List(fields.Nested(StaffTimelineEntryOut))
    allowed_actions = fields.List(fields.Nested(ActionOut), metadata={"description": "可操作的按钮"})


class RatesOut(OutputSchema):
    region = fields.Nested(PersonOut)
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    response_rate = fields.Float(allow_none=True, metadata={"description": "响应率"})
    resolution_rate = fields.Float(allow_none=True, metadata={"description": "解决率"})
    satisfaction_rate = fields.Float(allow_none=True, metadata={"description": "满意率"})
    on_time_completion_rate = fields.Float(allow_none=True, metadata={"description": "按期办结率"})
    rating_coverage = fields.Float(allow_none=True, metadata={"description": "评价覆盖率"})
    reopen_rate = fields.Float(allow_none=True, metadata={"description": "重办率"})
    median_response_hours = fields.Float(allow_none=True)
    median_resolution_hours = fields.Float(allow_none=True)


# --- the views ------------------------------------------------------------------------------

def _photos(report: Report, kind: PhotoKind) -> list[dict]:
    return [{"id": p.upload.id, **photo_urls(p.upload), "width": p.upload.width,
             "height": p.upload.height} for p in report.photos if p.kind == kind]


def _thumbnail(report: Report) -> str | None:
    for photo in report.photos:
        if photo.kind == PhotoKind.REPORT:
            return photo_urls(photo.upload)["thumbnail_url"]
    return None


_ACTOR_LABELS = {ActorKind.RESIDENT: "居民", ActorKind.STAFF: "工作人员", ActorKind.SYSTEM: "系统"}


def _event(event: ReportEvent) -> dict:
    return {
        "id": event.id, "action": event.action,
        "action_label": event_label(event.action),
        "status": event.to_status,
        "status_label": REPORT.label(event.to_status) if event.to_status else None,
        "from_status": event.from_status, "note": event.note, "public": event.public,
        "actor": _ACTOR_LABELS[ActorKind(event.actor_kind)], "actor_kind": event.actor_kind,
        "actor_name": event.actor_staff.display_name if event.actor_staff else None,
        "created_at": event.created_at,
    }


def summary(report: Report) -> dict:
    return {
        "id": report.id, "number": report.number,
        "category": {"code": report.category.code, "name": report.category.name},
        "status": report.status, "status_label": REPORT.label(report.status),
        "description": report.description, "address": report.address,
        "thumbnail_url": _thumbnail(report), "follower_count": report.follower_count,
        "created_at": report.created_at,
    }


def summary_of_row(row) -> dict:
    """`summary` from a row of `service.summary_page`, already in ReportSummaryOut's JSON form
    (the hot lists skip the schema dump, which costs more than the query)."""
    thumbnail = (media_url(photo_key(row["thumbnail_sha256"], "thumbnail"))
                 if row["thumbnail_sha256"] else None)
    return {
        "id": row["id"], "number": row["number"],
        "category": {"code": row["category_code"], "name": row["category_name"]},
        "status": row["status"], "status_label": REPORT.label(row["status"]),
        "description": row["description"], "address": row["address"],
        "thumbnail_url": thumbnail, "follower_count": row["follower_count"],
        "created_at": clock.to_local(row["created_at"]).isoformat(),
    }


def my_summary_of_row(row) -> dict:
    """`my_summary` from a row of `service.summary_page`."""
    deadline = (row["resolved_at"] + service.RATING_WINDOW
                if row["status"] == "resolved" and row["resolved_at"] else None)
    return {**summary_of_row(row), "held_for_review": row["held_for_review"],
            "can_rate": deadline is not None and clock.now() <= deadline}


def my_summary(report: Report) -> dict:
    return {**summary(report), "held_for_review": report.held_for_review,
            "can_rate": service.rating_deadline(report) is not None
            and clock.now() <= service.rating_deadline(report)}


def nearby_item(report: Report, distance_m: float, *, resident, followed: set[int]) -> dict:
    return {**summary(report), "distance_m": round(distance_m, 1),
            "mine": resident is not None and report.reporter_id == resident.id,
            "following": report.id in followed}


def _reporter_name(report: Report) -> str:
    if report.reporter is None:
        if report.source == ReportSource.OPEN311:
            return f"{report.source_detail}转来"
        return "工作人员登记"
    if report.anonymous:
        return ANONYMOUS_NAME
    return report.reporter.nickname or "居民"


def resident_view(report: Report, resident=None) -> dict:
    """The report for a resident: the public view, plus the private fields when it is theirs."""
    mine = resident is not None and report.reporter_id == resident.id
    decimals = None if mine else PUBLIC_DECIMALS
    view = {
        **summary(report),
        "location": {"lat": report.lat if mine else round(report.lat, decimals),
                     "lng": report.lng if mine else round(report.lng, decimals),
                     "address": report.address},
        "photos": _photos(report, PhotoKind.REPORT),
        "result_photos": _photos(report, PhotoKind.RESULT),
        "reporter_name": _reporter_name(report),
        "duplicate_of": ({"id": report.duplicate_of.id, "number": report.duplicate_of.number}
                         if report.duplicate_of else None),
        "resolved_at": report.resolved_at, "closed_at": report.closed_at,
        "timeline": [_event(e) for e in service.visible_events(report)],
        "mine": mine,
        "following": False if mine else service.is_following(resident, report),
        "anonymous": None, "held_for_review": None, "response_due_at": None,
        "completion_due_at": None, "reopen_count": None, "can_rate": None,
        "rating_due_at": None, "rating": None,
    }
    if mine:
        deadline = service.rating_deadline(report)
        view.update({
            "anonymous": report.anonymous, "held_for_review": report.held_for_review,
            "response_due_at": report.response_due_at,
            "completion_due_at": report.completion_due_at,
            "reopen_count": report.reopen_count,
            "can_rate": deadline is not None and clock.now() <= deadline,
            "rating_due_at": deadline,
            "rating": ({"solved": report.solved, "satisfaction": report.satisfaction,
                        "comment": report.rating_comment, "rated_at": report.rated_at}
                       if report.rated_at else None),
        })
    return view


def staff_summary(report: Report) -> dict:
    return {
        **summary(report),
        "region": {"id": report.region.id, "name": report.region.name},
        "assignee": ({"id": report.assignee.id, "name": report.assignee.display_name}
                     if report.assignee else None),
        "source": report.source, "anonymous": report.anonymous,
        "held_for_review": report.held_for_review,
        "overdue": service.is_overdue(report),
        "next_due_at": service.next_due_at(report),
        "reopen_count": report.reopen_count,
    }


def staff_view(report: Report, staff) -> dict:
    """Everything about the report, for staff in scope."""
    reporter = report.reporter
    return {
        **staff_summary(report),
        "lat": report.lat, "lng": report.lng,
        "photos": _photos(report, PhotoKind.REPORT),
        "result_photos": _photos(report, PhotoKind.RESULT),
        "reporter": ({"id": reporter.id, "nickname": reporter.nickname,
                      "phone": reporter.phone_masked,
                      "household": reporter.household.label if reporter.household else None,
                      "community": reporter.community.name if reporter.community else None}
                     if reporter else None),
        "source_detail": report.source_detail,
        "filed_by": ({"id": report.filed_by.id, "name": report.filed_by.display_name}
                     if report.filed_by else None),
        "review_reason": report.review_reason,
        "duplicate_of": ({"id": report.duplicate_of.id, "number": report.duplicate_of.number}
                         if report.duplicate_of else None),
        **{name: getattr(report, name) for name in (
            "accepted_at", "dispatched_at", "first_contact_at", "started_at", "resolved_at",
            "closed_at", "rejected_at", "response_due_at", "completion_due_at",
            "response_overdue_at", "completion_overdue_at", "rated_at", "solved",
            "satisfaction", "rating_comment")},
        "ratings": service.ratings_of(report),
        "timeline": [_event(e) for e in service.visible_events(report, staff=True)],
        "allowed_actions": [{"action": a, "label": REPORT.action_labels[a]}
                            for a in service.allowed_staff_actions(staff, report)],
    }


def rates_view(region, rates: ReportRates) -> dict:
    data = vars(rates)
    rate_names = ("response_rate", "resolution_rate", "satisfaction_rate",
                  "on_time_completion_rate", "rating_coverage", "reopen_rate",
                  "median_response_hours", "median_resolution_hours")
    return {"region": {"id": region.id, "name": region.name},
            "counts": {k: v for k, v in data.items() if k not in rate_names},
            **{k: data[k] for k in rate_names}}

