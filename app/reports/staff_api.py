"""Staff endpoints of 随手拍: /api/v1/staff/reports/* (the staff web view and the bot use the same
service functions)."""

from flask import g

from app.accounts.auth import BEARER, staff_required
from app.accounts.models import StaffRole
from app.accounts.scoping import require_in_scope
from app.api import Blueprint
from app.pagination import page_of, paginate
from app.regions.service import get_region
from app.reports import rates, schemas, service
from app.reports.models import ReportSource
from app.reports.schemas import (
    DispatchIn,
    MergeIn,
    NoteOnlyIn,
    RatesArgs,
    RatesOut,
    RejectIn,
    ReleaseIn,
    ReportNoteIn,
    ResolveIn,
    StaffReportIn,
    StaffReportOut,
    StaffReportsArgs,
    StaffReportSummaryOut,
)

blp = Blueprint("staff_reports", __name__, url_prefix="/api/v1/staff/reports",
                description="随手拍处置（工作人员）")


@blp.route("", methods=["GET"])
@blp.doc(security=BEARER)
@blp.arguments(StaffReportsArgs, location="query")
@blp.response(200, page_of(StaffReportSummaryOut))
@staff_required()
def list_reports(args):
    """本辖区的报事（按状态、类别、网格、处理人、超时、待审核筛选；默认按到期时间排序）"""
    page_number, per_page = args.pop("page"), args.pop("per_page")
    if "category" in args:
        args["category_code"] = args.pop("category")
    page = paginate(service.staff_reports_query(g.staff, **args), page_number, per_page)
    return {**page, "items": [schemas.staff_summary(r) for r in page["items"]]}


@blp.route("", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(StaffReportIn)
@blp.response(201, StaffReportOut)
@staff_required()
def file_for_resident(args):
    """代办：替居民登记问题（或登记自己巡查发现的问题）"""
    resident = (service.get_resident_for_filing(g.staff, args["resident_id"])
                if args["resident_id"] is not None else None)
    location = args["location"]
    report = service.file_report(
        reporter=resident, source=ReportSource.STAFF, filed_by=g.staff,
        category_code=args["category"], description=args["description"],
        photo_ids=args["photo_ids"], lat=location["lat"], lng=location["lng"],
        address=location["address"], anonymous=args["anonymous"],
        source_detail=args["source_detail"])
    return schemas.staff_view(report, g.staff)


@blp.route("/rates", methods=["GET"])
@blp.doc(security=BEARER)
@blp.arguments(RatesArgs, location="query")
@blp.response(200, RatesOut)
@staff_required()
def report_rates(args):
    """三率：响应率、解决率、满意率，及按期办结率、评价覆盖率、重办率、中位用时"""
    region = g.staff.region
    if "region_id" in args:
        region = get_region(args["region_id"])
        require_in_scope(g.staff, region.id, "找不到该区域")
    result = rates.compute_rates(region, category_code=args.get("category"),
                                 start=args.get("start"), end=args.get("end"),
                                 handler_id=args.get("handler_id"))
    return schemas.rates_view(region, result)


@blp.route("/<int:report_id>", methods=["GET"])
@blp.doc(security=BEARER)
@blp.response(200, StaffReportOut)
@staff_required()
def get_report(report_id):
    """报事详情（含内部备注的完整时间线）"""
    return schemas.staff_view(service.get_report_for_staff(g.staff, report_id), g.staff)


def _answer(report):
    return schemas.staff_view(report, g.staff)


@blp.route("/<int:report_id>/accept", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(NoteOnlyIn)
@blp.response(200, StaffReportOut)
@staff_required()
def accept(args, report_id):
    """受理"""
    return _answer(service.accept_report(g.staff, report_id, note=args["note"]))


@blp.route("/<int:report_id>/reject", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(RejectIn)
@blp.response(200, StaffReportOut)
@staff_required()
def reject(args, report_id):
    """不予受理（原因居民可见）"""
    return _answer(service.reject_report(g.staff, report_id, reason=args["reason"]))


@blp.route("/<int:report_id>/merge", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(MergeIn)
@blp.response(200, StaffReportOut)
@staff_required()
def merge(args, report_id):
    """合并为重复（反映人改为关注保留的那条）"""
    return _answer(service.merge_report(g.staff, report_id,
                                        duplicate_of_id=args["duplicate_of_id"], note=args["note"]))


@blp.route("/<int:report_id>/dispatch", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(DispatchIn)
@blp.response(200, StaffReportOut)
@staff_required()
def dispatch(args, report_id):
    """派单（或改派）给负责该区域的工作人员"""
    return _answer(service.dispatch_report(g.staff, report_id, handler_id=args["handler_id"],
                                           note=args["note"]))


@blp.route("/<int:report_id>/contact", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(NoteOnlyIn)
@blp.response(200, StaffReportOut)
@staff_required()
def contact(args, report_id):
    """记录已联系居民（首次联系计入响应率）"""
    return _answer(service.record_contact(g.staff, report_id, note=args["note"]))


@blp.route("/<int:report_id>/start", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(NoteOnlyIn)
@blp.response(200, StaffReportOut)
@staff_required()
def start(args, report_id):
    """开始处理"""
    return _answer(service.start_report(g.staff, report_id, note=args["note"]))


@blp.route("/<int:report_id>/resolve", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(ResolveIn)
@blp.response(200, StaffReportOut)
@staff_required()
def resolve(args, report_id):
    """办结反馈：处理结果与照片，请居民评价"""
    return _answer(service.resolve_report(g.staff, report_id, note=args["note"],
                                          photo_ids=args["photo_ids"]))


@blp.route("/<int:report_id>/note", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(ReportNoteIn)
@blp.response(200, StaffReportOut)
@staff_required()
def note(args, report_id):
    """添加备注（内部或居民可见）"""
    return _answer(service.add_note(g.staff, report_id, text=args["text"], public=args["public"]))


@blp.route("/<int:report_id>/release", methods=["POST"])
@blp.doc(security=BEARER)
@blp.arguments(ReleaseIn)
@blp.response(200, StaffReportOut)
@staff_required(StaffRole.ADMIN, StaffRole.MODERATOR)
def release(args, report_id):
    """内容审核通过，公开该报事（可修改描述）"""
    return _answer(service.release_report(g.staff, report_id,
                                          description=args.get("description")))
