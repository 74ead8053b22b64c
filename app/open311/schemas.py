"""Schemas of the admins' partner endpoints (/api/v1/staff/open311-partners)."""

from __future__ import annotations

from marshmallow import fields, validate

from app.accounts.schemas import RegionRefOut
from app.open311.service import DEFAULT_RATE_LIMIT
from app.validation import InputSchema, LocalDateTime, OutputSchema, StrictInteger, Text


class PartnerIn(InputSchema):
    name = Text(required=True, validate=validate.Length(min=1, max=80),
                metadata={"description": "合作方名称，如“锦江区12345热线平台”（记为报事来源）"})
    contact = Text(load_default="", validate=validate.Length(max=200),
                   metadata={"description": "对接人和联系方式"})
    region_id = StrictInteger(metadata={"description": "可报送的区域（默认为本人辖区）；"
                                                       "绑定到社区或网格时可仅凭地址报送"})
    rate_limit_per_minute = StrictInteger(
        load_default=DEFAULT_RATE_LIMIT, validate=validate.Range(min=1, max=6000),
        metadata={"description": "每分钟最多提交几条"})


class PartnerOut(OutputSchema):
    id = fields.Integer()
    name = fields.String()
    contact = fields.String()
    region = fields.Nested(RegionRefOut)
    key_prefix = fields.String(metadata={"description": "密钥开头几位，用于区分密钥"})
    active = fields.Boolean()
    rate_limit_per_minute = fields.Integer()
    created_at = LocalDateTime()
    revoked_at = LocalDateTime(allow_none=True)


class NewPartnerOut(PartnerOut):
    api_key = fields.String(metadata={"description": "API key，只显示这一次，请妥善转交合作方"})
