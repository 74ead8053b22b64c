"""Admins' endpoints for Open311 partners: /api/v1/staff/open311-partners (create, list, revoke)."""

from flask import g

from app.accounts.auth import BEARER, staff_required
from app.accounts.models import StaffRole
from app.api import Blueprint
from app.open311 import service
from app.open311.schemas import NewPartnerOut, PartnerIn, PartnerOut
from app.pagination import PageArgs, page_of, paginate
from app.regions.service import get_region

blp = Blueprint("staff_open311", __name__, url_prefix="/api/v1/staff/open311-partners",
                description="Open311 合作方与 API key（管理员）")


@blp.route("", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(PartnerIn)
@blp.response(201, NewPartnerOut)
@staff_required(StaffRole.ADMIN)
def create_partner(args):
    """新建合作方并生成 API key（密钥只在此返回一次，记入审计日志）"""
    region = get_region(args["region_id"]) if "region_id" in args else g.staff.region
    partner, api_key = service.create_partner(
        g.staff, name=args["name"], region=region, contact=args["contact"],
        rate_limit_per_minute=args["rate_limit_per_minute"])
    return {**{name: getattr(partner, name) for name in PartnerOut().fields}, "api_key": api_key}


@blp.route("", methods=["GET"])
@blp.doc(security=BEARER)
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(PartnerOut))
@staff_required(StaffRole.ADMIN)
def list_partners(args):
    """本辖区的合作方"""
    return paginate(service.partners_query(g.staff), args["page"], args["per_page"])


@blp.route("/<int:partner_id>", methods=["GET"])
@blp.doc(security=BEARER)
@blp.response(200, PartnerOut)
@staff_required(StaffRole.ADMIN)
def get_partner(partner_id):
    """一个合作方"""
    return service.get_partner_for_staff(g.staff, partner_id)


@blp.route("/<int:partner_id>/revoke", methods=["POST"])
@blp.doc(security=BEARER)
@blp.response(200, PartnerOut)
@staff_required(StaffRole.ADMIN)
def revoke_partner(partner_id):
    """吊销合作方的 API key（不可恢复；需要时新建合作方；记入审计日志）"""
    return service.revoke_partner(g.staff, service.get_partner_for_staff(g.staff, partner_id))
