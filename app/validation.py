"""Input validation shared by every schema: Chinese messages, strict numbers, local times.

Residents read these messages on their phones, so marshmallow's English defaults are replaced
once, here, for every field and validator. Every request schema derives from `InputSchema`
(unknown fields are refused); response schemas derive from `OutputSchema`.
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from marshmallow import RAISE, Schema, fields, validate

from app.clock import LOCAL_ZONE, to_local

_FIELD_MESSAGES = {
    fields.Field: {
        "required": "此项必填",
        "null": "此项不能为空",
        "validator_failed": "内容不符合要求",
    },
    fields.String: {"invalid": "应为文字", "invalid_utf8": "文字编码不正确"},
    fields.Number: {"invalid": "应为数字", "too_large": "数字太大"},
    fields.Integer: {"invalid": "应为整数"},
    fields.Float: {"special": "应为有效数字"},
    fields.Decimal: {"special": "应为有效数字"},
    fields.Boolean: {"invalid": "应为“是”或“否”"},
    fields.List: {"invalid": "应为列表"},
    fields.Tuple: {"invalid": "应为列表"},
    fields.Nested: {"type": "格式不正确"},
    fields.Mapping: {"invalid": "格式不正确"},
    fields.Date: {"invalid": "日期格式不正确，例如 2026-11-24", "format": "日期格式不正确"},
    fields.DateTime: {
        "invalid": "时间格式不正确，例如 2026-11-24T09:30:00+08:00",
        "invalid_awareness": "时间格式不正确",
        "format": "时间格式不正确",
    },
    fields.Url: {"invalid": "网址格式不正确"},
    fields.Email: {"invalid": "邮箱格式不正确"},
    fields.UUID: {"invalid_uuid": "编号格式不正确"},
    fields.Enum: {"unknown": "应为以下之一：{choices}"},
}


def _install_chinese_messages() -> None:
    for field_class, messages in _FIELD_MESSAGES.items():
        field_class.default_error_messages = {**field_class.default_error_messages, **messages}
    validate.Length.message_min = "至少 {min} 个字"
    validate.Length.message_max = "最多 {max} 个字"
    validate.Length.message_all = "长度应在 {min} 到 {max} 之间"
    validate.Length.message_equal = "长度应为 {equal}"
    validate.Range.message_min = "应{min_op} {{min}}"
    validate.Range.message_max = "应{max_op} {{max}}"
    validate.Range.message_all = "应{min_op} {{min}}，且{max_op} {{max}}"
    validate.Range.message_gte = "不小于"
    validate.Range.message_gt = "大于"
    validate.Range.message_lte = "不大于"
    validate.Range.message_lt = "小于"
    validate.OneOf.default_message = "应为以下之一：{choices}"
    validate.ContainsOnly.default_message = "包含不允许的选项"
    validate.Regexp.default_message = "格式不正确"
    validate.Equal.default_message = "应为 {other}"
    validate.URL.default_message = "网址格式不正确"
    validate.Email.default_message = "邮箱格式不正确"


_install_chinese_messages()


class InputSchema(Schema):
    """Base of request schemas: unknown fields are an error, messages are Chinese."""

    class Meta:
        unknown = RAISE

    error_messages = {
        "unknown": "不认识的字段",
        "type": "请求内容应为 JSON 对象",
    }


class OutputSchema(Schema):
    """Base of response schemas."""


class StrictInteger(fields.Integer):
    """An integer that refuses 1.5, '2' and 2.589e-42 instead of truncating them."""

    def __init__(self, **kwargs):
        kwargs.setdefault("strict", True)
        super().__init__(**kwargs)


class QueryInteger(fields.Integer):
    """An integer from a query string, where every value is text: "2" yes; "1.5", "2e3" no."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str) and not _DIGITS.fullmatch(value):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


_DIGITS = re.compile(r"[+-]?[0-9]{1,18}")


class Text(fields.String):
    """User text: surrounding whitespace stripped before the length checks run."""

    def _deserialize(self, value, attr, data, **kwargs):
        result = super()._deserialize(value, attr, data, **kwargs)
        return result.strip()


class LocalDateTime(fields.DateTime):
    """ISO 8601 with the China offset on output; input without an offset is read as China time."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        return to_local(value).isoformat()

    def _deserialize(self, value, attr, data, **kwargs) -> datetime:
        result = super()._deserialize(value, attr, data, **kwargs)
        if result.tzinfo is None:
            result = result.replace(tzinfo=LOCAL_ZONE)
        return result.astimezone(ZoneInfo("UTC"))
