"""Notification schemas: the in-app list, mark-read answers, subscribe grants, status counts."""

from marshmallow import fields, validate

from app.pagination import PageArgs, PageMeta
from app.validation import InputSchema, LocalDateTime, OutputSchema


class NotificationListArgs(PageArgs):
    unread_only = fields.Boolean(load_default=False, metadata={"description": "只看未读"})


class NotificationOut(OutputSchema):
    id = fields.Integer()
    kind = fields.String(metadata={"description": "类型，例如 report.accepted"})
    title = fields.Function(lambda n: (n.payload or {}).get("title", ""))
    text = fields.Function(lambda n: (n.payload or {}).get("text", ""),
                           metadata={"description": "一句话通知（长辈模式朗读）"})
    page = fields.Function(lambda n: (n.payload or {}).get("page", ""),
                           metadata={"description": "点开后进入的小程序页面"})
    created_at = LocalDateTime()
    read = fields.Function(lambda n: n.read_at is not None)
    read_at = LocalDateTime(allow_none=True)


class NotificationListOut(OutputSchema):
    items = fields.List(fields.Nested(NotificationOut))
    meta = fields.Nested(PageMeta)
    unread = fields.Integer(metadata={"description": "未读条数"})


class MarkAllReadOut(OutputSchema):
    marked = fields.Integer(metadata={"description": "本次标为已读的条数"})
    unread = fields.Integer()


class SubscriptionsIn(InputSchema):
    template_ids = fields.List(
        fields.String(validate=validate.Length(min=1, max=128)), required=True,
        validate=validate.Length(min=1, max=5),
        metadata={"description": "wx.requestSubscribeMessage 中用户选择“允许”的模板 id"})


class GrantOut(OutputSchema):
    template_id = fields.String()
    remaining = fields.Integer(metadata={"description": "还可发送的订阅消息条数"})


class SubscriptionsOut(OutputSchema):
    grants = fields.List(fields.Nested(GrantOut))
    ignored = fields.List(fields.String(), metadata={"description": "未配置的模板 id（未记录）"})


class SubscribeTemplateOut(OutputSchema):
    template_id = fields.String()
    kinds = fields.List(fields.String(), metadata={"description": "该模板用于的通知类型"})
    remaining = fields.Integer()


class SubscribeTemplatesOut(OutputSchema):
    templates = fields.List(fields.Nested(SubscribeTemplateOut))


class StatusCountsOut(OutputSchema):
    pending = fields.Integer(metadata={"description": "待发送"})
    sending = fields.Integer(metadata={"description": "发送中"})
    sent = fields.Integer(metadata={"description": "已发送"})
    failed = fields.Integer(metadata={"description": "发送失败"})
    skipped = fields.Integer(metadata={"description": "无可用渠道（仅站内）"})
