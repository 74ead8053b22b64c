"""Staff sign-in and resident administration for the JSON API: /api/v1/staff/*."""

from flask import g

from app.accounts import service
from app.accounts.api import limit_logins
from app.accounts.auth import BEARER, current_token, staff_required
from app.accounts.models import StaffRole
from app.accounts.schemas import (
    StaffLoginIn,
    StaffLoginOut,
    StaffOut,
    StaffResidentOut,
    VerificationIn,
)
from app.api import Blueprint
from app.pagination import PageArgs, page_of, paginate

blp = Blueprint("staff_accounts", __name__, url_prefix="/api/v1/staff",
                description="工作人员登录与居民管理")


@blp.route("/login", methods=["POST"])
@blp.arguments(StaffLoginIn)
@blp.response(200, StaffLoginOut)
def login(args):
    """工作人员用户名密码登录，得到令牌（多次失败会临时锁定）"""
    limit_logins()
    token, expires_at, staff = service.login_staff(args["username"], args["password"])
    return {"token": token, "expires_at": expires_at, "staff": staff}


@blp.route("/logout", methods=["POST"])
@blp.doc(security=BEARER)
@blp.response(204)
@staff_required()
def logout():
    """注销当前令牌"""
    service.logout(current_token())


@blp.route("/me", methods=["GET"])
@blp.doc(security=BEARER)
@blp.response(200, StaffOut)
@staff_required()
def me():
    """当前工作人员"""
    return g.staff


@blp.route("/residents", methods=["GET"])
@blp.doc(security=BEARER)
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(StaffResidentOut))
@staff_required()
def list_residents(args):
    """本辖区的居民"""
    return paginate(service.residents_in_scope_query(g.staff), args["page"], args["per_page"])


@blp.route("/residents/<int:resident_id>", methods=["GET"])
@blp.doc(security=BEARER)
@blp.response(200, StaffResidentOut)
@staff_required()
def get_resident(resident_id):
    """本辖区的一位居民"""
    return service.get_resident_for_staff(g.staff, resident_id)


@blp.route("/residents/<int:resident_id>/verification", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(VerificationIn)
@blp.response(200, StaffResidentOut)
@staff_required(StaffRole.ADMIN, StaffRole.MODERATOR)
def set_verification(args, resident_id):
    """确认或撤销居民的住户身份（记入审计日志）"""
    return service.set_verification(g.staff, resident_id, args["level"], args["note"])
