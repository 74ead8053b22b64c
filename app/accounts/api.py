"""Resident sign-in and profile: /api/v1/auth/*, /api/v1/me."""

from flask import g, request

from app import ratelimit
from app.accounts import service
from app.accounts.auth import BEARER, current_token, resident_required
from app.accounts.schemas import (
    BindingCodeOut,
    LoginIn,
    LoginOut,
    PhoneIn,
    ProfileIn,
    ResidentOut,
)
from app.api import Blueprint

blp = Blueprint("accounts", __name__, url_prefix="/api/v1", description="居民登录与个人资料")


def limit_logins() -> None:
    """Login attempts per client address (shared across processes)."""
    from flask import current_app

    ratelimit.hit(f"login:{request.remote_addr}",
                  limit=current_app.config["LOGIN_RATE_LIMIT_PER_MINUTE"],
                  message="登录尝试太频繁了，请一分钟后再试")


@blp.route("/auth/login", methods=["POST"])
@blp.arguments(LoginIn)
@blp.response(200, LoginOut)
def login(args):
    """用 wx.login 的 code 登录，得到令牌"""
    limit_logins()
    token, expires_at, resident = service.login_resident(args["code"])
    return {"token": token, "expires_at": expires_at, "resident": resident}


@blp.route("/auth/logout", methods=["POST"])
@blp.doc(security=BEARER)
@blp.response(204)
@resident_required
def logout():
    """注销当前令牌"""
    service.logout(current_token())


@blp.route("/me", methods=["GET"])
@blp.doc(security=BEARER)
@blp.response(200, ResidentOut)
@resident_required
def get_me():
    """我的资料"""
    return g.resident


@blp.route("/me", methods=["PATCH"])
@blp.doc(security=BEARER)
@blp.arguments(ProfileIn)
@blp.response(200, ResidentOut)
@resident_required
def update_me(changes):
    """修改昵称、社区、门牌、长辈模式"""
    return service.update_profile(g.resident, changes)


@blp.route("/me/phone", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(PhoneIn)
@blp.response(200, ResidentOut)
@resident_required
def bind_phone(args):
    """绑定微信手机号（认证等级 1）"""
    return service.bind_phone(g.resident, args["code"])


@blp.route("/me/bot-binding-code", methods=["POST"])
@blp.doc(security=BEARER)
@blp.response(201, BindingCodeOut)
@resident_required
def bot_binding_code():
    """取得公众号绑定码：在公众号里发送“绑定 123456”，把公众号和小程序账号连起来"""
    ratelimit.hit(f"binding-code:{g.resident.id}", limit=10, window_seconds=3600,
                  message="获取绑定码太频繁了，请一小时后再试")
    code, expires_at = service.issue_binding_code(g.resident)
    return {"code": code, "expires_at": expires_at}
