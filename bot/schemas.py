"""Schemas of the staff endpoints for call-back requests."""

from marshmallow import fields, validate

from app.pagination import PageArgs
from app.validation import LocalDateTime, OutputSchema
from bot.models import CallbackStatus


class CallbackListArgs(PageArgs):
    status = fields.String(load_default=CallbackStatus.OPEN.value,
                           validate=validate.OneOf([s.value for s in CallbackStatus]),
                           metadata={"description": "open 待回电（默认），done 已回电"})


class CallbackResidentOut(OutputSchema):
    id = fields.Integer()
    nickname = fields.String()


class CallbackRegionOut(OutputSchema):
    id = fields.Integer()
    name = fields.String()


class CallbackStaffOut(OutputSchema):
    id = fields.Integer()
    display_name = fields.String()


class CallbackOut(OutputSchema):
    id = fields.Integer()
    resident = fields.Nested(CallbackResidentOut)
    region = fields.Nested(CallbackRegionOut)
    phone = fields.String(metadata={"description": "居民留下的回电号码"})
    note = fields.String(metadata={"description": "居民说明的事由（可能为空）"})
    status = fields.String(metadata={"description": "open 待回电，done 已回电"})
    status_label = fields.Function(lambda r: CallbackStatus(r.status).label)
    created_at = LocalDateTime()
    done_at = LocalDateTime(allow_none=True)
    done_by = fields.Nested(CallbackStaffOut, allow_none=True)
