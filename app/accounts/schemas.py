"""Account schemas: login, profile, staff."""

from marshmallow import fields, validate

from app.validation import InputSchema, LocalDateTime, OutputSchema, StrictInteger, Text


class LoginIn(InputSchema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=128),
                         metadata={"description": "wx.login 得到的 code（开发环境可用 dev:<名字>）"})


class CommunityOut(OutputSchema):
    id = fields.Integer()
    name = fields.String()


class ResidentOut(OutputSchema):
    id = fields.Integer()
    nickname = fields.String()
    community = fields.Nested(CommunityOut, allow_none=True)
    household = fields.Function(lambda r: r.household.label if r.household else None,
                                metadata={"description": "楼栋-单元-室"})
    phone = fields.String(attribute="phone_masked", allow_none=True,
                          metadata={"description": "脱敏后的手机号"})
    verification_level = fields.Integer(metadata={"description": "0 未认证，1 已绑手机，2 住户已确认"})
    elder_mode = fields.Boolean(metadata={"description": "长辈模式"})


class LoginOut(OutputSchema):
    token = fields.String()
    expires_at = LocalDateTime()
    resident = fields.Nested(ResidentOut)


class ProfileIn(InputSchema):
    nickname = Text(validate=validate.Length(min=1, max=32))
    community_id = StrictInteger()
    household = Text(allow_none=True, validate=validate.Length(max=40),
                     metadata={"description": "楼栋-单元-室，例如 3-2-501；null 表示清除"})
    elder_mode = fields.Boolean()


class PhoneIn(InputSchema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=128),
                         metadata={"description": "getPhoneNumber 得到的 code"})


class StaffLoginIn(InputSchema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=40))
    password = fields.String(required=True, validate=validate.Length(min=1, max=200))


class RegionRefOut(OutputSchema):
    id = fields.Integer()
    name = fields.String()
    level = fields.String()


class StaffOut(OutputSchema):
    id = fields.Integer()
    username = fields.String()
    display_name = fields.String()
    role = fields.String()
    region = fields.Nested(RegionRefOut)


class StaffLoginOut(OutputSchema):
    token = fields.String()
    expires_at = LocalDateTime()
    staff = fields.Nested(StaffOut)


class StaffResidentOut(ResidentOut):
    created_at = LocalDateTime()
    verified_at = LocalDateTime(allow_none=True)


class VerificationIn(InputSchema):
    level = StrictInteger(required=True, validate=validate.OneOf([0, 1, 2]))
    note = Text(load_default="", validate=validate.Length(max=200),
                metadata={"description": "依据（如：已核对房产证/租赁合同）"})


class BindingCodeOut(OutputSchema):
    code = fields.String(metadata={"description": "6 位数字；在公众号里发送“绑定 123456”"})
    expires_at = LocalDateTime(metadata={"description": "10 分钟后失效，只能用一次"})
