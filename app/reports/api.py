"""Resident endpoints of 随手拍: /api/v1/reports/*."""

from flask import g, jsonify

from app.accounts.auth import BEARER, resident_required
from app.api import Blueprint
from app.pagination import page_of
from app.regions.service import get_region
from app.reports import schemas, service
from app.reports.models import ReportSource
from app.reports.schemas import (
    FollowOut,
    MyReportsArgs,
    MyReportSummaryOut,
    NearbyArgs,
    NearbyOut,
    PublicReportsArgs,
    RatingIn,
    ReportIn,
    ReportOut,
    ReportSummaryOut,
)

blp = Blueprint("reports", __name__, url_prefix="/api/v1/reports", description="随手拍")


@blp.route("", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(ReportIn)
@blp.response(201, ReportOut)
@resident_required
def file_report(args):
    """反映问题（随手拍）：类别、描述、1–9 张照片、位置、是否匿名"""
    location = args["location"]
    report = service.file_report(
        reporter=g.resident, source=ReportSource.MINIPROGRAM, category_code=args["category"],
        description=args["description"], photo_ids=args["photo_ids"], lat=location["lat"],
        lng=location["lng"], address=location["address"], anonymous=args["anonymous"])
    return schemas.resident_view(report, g.resident)


@blp.route("", methods=["GET"])
@blp.doc(security=BEARER)
@blp.arguments(MyReportsArgs, location="query")
@blp.response(200, page_of(MyReportSummaryOut))
@resident_required
def my_reports(args):
    """我反映的问题（可按状态筛选）"""
    page = service.summary_page(
        service.resident_reports_query(g.resident, status=args.get("status")),
        args["page"], args["per_page"])
    # Items are already in MyReportSummaryOut's JSON form: no schema dump for this hot list.
    return jsonify({**page, "items": [schemas.my_summary_of_row(row) for row in page["items"]]})


@blp.route("/public", methods=["GET"])
@blp.doc(security=BEARER)
@blp.arguments(PublicReportsArgs, location="query")
@blp.response(200, page_of(ReportSummaryOut))
@resident_required
def public_reports(args):
    """公开的问题列表（可按状态、类别、区域筛选）"""
    region = get_region(args["region_id"]) if "region_id" in args else None
    query = service.public_reports_query(
        statuses=[args["status"]] if "status" in args else None,
        category_codes=[args["category"]] if "category" in args else None, region=region)
    page = service.summary_page(query, args["page"], args["per_page"])
    # Items are already in ReportSummaryOut's JSON form: no schema dump for this hot list.
    return jsonify({**page, "items": [schemas.summary_of_row(row) for row in page["items"]]})


@blp.route("/nearby", methods=["GET"])
@blp.doc(security=BEARER)
@blp.arguments(NearbyArgs, location="query")
@blp.response(200, NearbyOut)
@resident_required
def nearby(args):
    """附近 100 米内同类别、仍在处理的问题（可点“我也遇到”，不必重复反映）"""
    found = service.nearby_reports(args["lat"], args["lng"], args["category"])
    followed = service.followed_ids(g.resident, [report.id for report, _ in found])
    return {"items": [schemas.nearby_item(report, distance, resident=g.resident,
                                          followed=followed) for report, distance in found]}


@blp.route("/<int:report_id>", methods=["GET"])
@blp.doc(security=BEARER)
@blp.response(200, ReportOut)
@resident_required
def get_report(report_id):
    """问题详情与处理进展（别人的问题只显示公开内容）"""
    return schemas.resident_view(service.get_report_for_resident(g.resident, report_id),
                                 g.resident)


@blp.route("/<int:report_id>/rating", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(RatingIn)
@blp.response(200, ReportOut)
@resident_required
def rate(args, report_id):
    """评价处理结果：已解决则办结，未解决则退回重办（处理后 7 天内）"""
    report = service.rate_report(g.resident, report_id, solved=args["solved"],
                                 satisfaction=args["satisfaction"], comment=args["comment"])
    return schemas.resident_view(report, g.resident)


@blp.route("/<int:report_id>/follow", methods=["POST"])
@blp.doc(security=BEARER)
@blp.response(200, FollowOut)
@resident_required
def follow(report_id):
    """我也遇到：关注这个问题，处理后通知我"""
    report = service.follow_report(g.resident, report_id)
    return {"following": True, "follower_count": report.follower_count}


@blp.route("/<int:report_id>/follow", methods=["DELETE"])
@blp.doc(security=BEARER)
@blp.response(200, FollowOut)
@resident_required
def unfollow(report_id):
    """取消“我也遇到”"""
    report = service.unfollow_report(g.resident, report_id)
    return {"following": False, "follower_count": report.follower_count}
