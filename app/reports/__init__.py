"""随手拍 photo reports: filing, handling, the resident's rating, and the three rates.

Other packages (the bot, Open311, the staff web view, dashboards) call these functions; they
never write the reports tables themselves.
"""

from app.reports.lifecycle import OPEN_STATES, REPORT
from app.reports.rates import ReportRates, compute_rates
from app.reports.service import (
    accept_report,
    add_note,
    allowed_staff_actions,
    dispatch_report,
    file_report,
    follow_report,
    get_public_report,
    get_report_for_reporter,
    get_report_for_resident,
    get_report_for_staff,
    is_public,
    merge_report,
    nearby_reports,
    public_reports_query,
    rate_report,
    record_contact,
    reject_report,
    release_report,
    resident_reports_query,
    resolve_report,
    staff_reports_query,
    start_report,
    unfollow_report,
)

__all__ = [
    "OPEN_STATES",
    "REPORT",
    "ReportRates",
    "accept_report",
    "add_note",
    "allowed_staff_actions",
    "compute_rates",
    "dispatch_report",
    "file_report",
    "follow_report",
    "get_public_report",
    "get_report_for_reporter",
    "get_report_for_resident",
    "get_report_for_staff",
    "is_public",
    "merge_report",
    "nearby_reports",
    "public_reports_query",
    "rate_report",
    "record_contact",
    "reject_report",
    "release_report",
    "resident_reports_query",
    "resolve_report",
    "staff_reports_query",
    "start_report",
    "unfollow_report",
]
