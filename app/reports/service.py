"""随手拍 reports: filing, what each caller may see, handling, the resident's rating, and sweeps.

The mini-program API, the staff endpoints, the bot, Open311 and the jobs all call these
functions, with the caller passed explicitly; each one checks rights and rules, changes state,
writes the timeline, the audit log and the outbox in one transaction, and commits.

Every state change goes through `_transition()`: the next state comes from the one lifecycle
table (409 when the action is not allowed now), and the row is updated only if its status is
still the one the caller saw (compare-and-set), so two staff members pressing "受理" at once give
one acceptance and one 409.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import joinedload, selectinload

from app import audit, clock, geo, ratelimit
from app.accounts.models import Resident, Staff, StaffRole
from app.accounts.scoping import in_scope, is_in_scope
from app.categories.models import Category
from app.categories.service import get_active_by_code
from app.database import insert_ignoring_conflicts, repoint
from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.extensions import db
from app.moderation import screen_text
from app.notifications import notify, notify_staff_covering
from app.pagination import paginate
from app.regions.models import Region
from app.regions.service import find_grid, subtree_ids
from app.reports.lifecycle import (
    HANDLER_ACTIONS,
    OPEN_STATES,
    REJECTED,
    REPORT,
    RESOLVED,
    STAFF_ACTIONS,
    SUBMITTED,
)
from app.reports.models import (
    ActorKind,
    PhotoKind,
    Report,
    ReportEvent,
    ReportFollower,
    ReportNumberCounter,
    ReportPhoto,
    ReportRating,
    ReportSource,
)
from app.uploads import claim_uploads
from app.uploads.models import Upload
from app.uploads.service import MAX_PHOTOS

if TYPE_CHECKING:
    from app.open311.models import Partner

log = logging.getLogger(__name__)

DESCRIPTION_MAX = 500
ADDRESS_MAX = 200
NOTE_MAX = 500
# The resident may rate within this long after the resolution; then it closes unrated.
RATING_WINDOW = timedelta(days=7)
NEARBY_RADIUS_M = 100.0
NEARBY_LIMIT = 20
NOT_FOUND = "找不到该报事"
# How an anonymous reporter appears in exports.
ANONYMOUS_REPORTER = "（匿名）"
DETAIL_PAGE = "pages/reports/detail?id={id}"

Actor = Resident | Staff | None


# --- numbers and routing --------------------------------------------------------------------

def next_number(moment: datetime) -> str:
    """The next public number of the local day of `moment`: SSP-YYYYMMDD-NNNN.

    One statement increments the day's counter row and returns the new value (the row is
    created by the first filing of the day), so concurrent filings never share a number; on
    PostgreSQL the row stays locked until the filing commits, and a rolled-back filing gives
    its number back. The UNIQUE constraint on reports.number is the backstop.
    """
    day = clock.to_local(moment).date()
    table = ReportNumberCounter.__table__
    insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = (
        insert(table)
        .values(day=day, last_value=1)
        .on_conflict_do_update(index_elements=["day"], set_={"last_value": table.c.last_value + 1})
        .returning(table.c.last_value)
    )
    value = db.session.execute(statement).scalar_one()
    return f"SSP-{day:%Y%m%d}-{value:04d}"


def route(lat: float, lng: float, reporter: Resident | None) -> Region:
    """The region a report at this point belongs to: the grid containing it, else the
    reporter's community; 422 when neither exists."""
    grid = find_grid(lat, lng)
    if grid is not None:
        return grid
    if reporter is not None and reporter.community is not None:
        return reporter.community
    message = "这个位置不在本平台服务的社区内，请确认位置，或先在“我的”里选择所在社区"
    raise Invalid(message, errors={"location": [message]})


# --- filing ---------------------------------------------------------------------------------

def may_file_for(staff: Staff, resident: Resident) -> bool:
    """代办: staff may file for residents of a community they cover, or the one they work in
    (a grid's 网格员 serves the whole community's residents)."""
    if resident.community_id is None:
        return False
    return (resident.community_id in staff.region.ancestor_ids
            or is_in_scope(staff, resident.community_id))


def get_resident_for_filing(staff: Staff, resident_id: int) -> Resident:
    """The resident a staff member may file for (代办); 404 otherwise."""
    resident = db.session.get(Resident, resident_id)
    if resident is None or not may_file_for(staff, resident):
        raise NotFound("找不到该居民")
    return resident


def _check_text(value: str, field: str, maximum: int, *, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise Invalid("请填写问题描述", errors={field: ["此项必填"]})
    if len(value) > maximum:
        raise Invalid(f"最多 {maximum} 个字", errors={field: [f"最多 {maximum} 个字"]})
    return value


def _check_location(lat: float, lng: float) -> None:
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise Invalid("位置坐标不正确", errors={"location": ["坐标超出范围"]})


def _limit_filing(resident: Resident) -> None:
    ratelimit.hit(f"report:resident:{resident.id}",
                  limit=current_app.config["REPORT_RATE_LIMIT_PER_DAY"], window_seconds=86400,
                  message="今天反映的问题已经很多了，请明天再提交，紧急情况请直接联系社区")


def _attach_photos(report: Report, uploads: Sequence, kind: PhotoKind) -> None:
    start = sum(1 for photo in report.photos if photo.kind == kind)
    for position, upload in enumerate(uploads, start=start):
        report.photos.append(ReportPhoto(upload=upload, kind=kind, position=position))


def file_report(*, reporter: Resident | None, source: ReportSource | str, category_code: str,
                description: str, lat: float, lng: float, address: str = "",
                photo_ids: Sequence[int] = (), anonymous: bool = False,
                filed_by: Staff | None = None, source_detail: str = "",
                reporter_photo_ids: Sequence[int] = (), source_letter_id: int | None = None,
                partner: Partner | None = None, region: Region | None = None) -> Report:
    """File a report and return it (committed); see `prepare_report` for the rules."""
    report = prepare_report(
        reporter=reporter, source=source, category_code=category_code, description=description,
        lat=lat, lng=lng, address=address, photo_ids=photo_ids, anonymous=anonymous,
        filed_by=filed_by, source_detail=source_detail, reporter_photo_ids=reporter_photo_ids,
        source_letter_id=source_letter_id, partner=partner, region=region)
    db.session.commit()
    log.info("report %s filed (%s) in region %s", report.number, report.source, report.region_id)
    return report


def prepare_report(*, reporter: Resident | None, source: ReportSource | str, category_code: str,
                   description: str, lat: float, lng: float, address: str = "",
                   photo_ids: Sequence[int] = (), anonymous: bool = False,
                   filed_by: Staff | None = None, source_detail: str = "",
                   reporter_photo_ids: Sequence[int] = (), source_letter_id: int | None = None,
                   partner: Partner | None = None, region: Region | None = None) -> Report:
    """File a report in the caller's transaction (flushed, not committed): for a service that
    files a report as part of its own change (a letter converted to a report, an Open311 POST).

    - `source` "miniprogram" / "bot": `reporter` is the resident filing; 1–9 photos (the
      mini-program) or 0–9 (the bot), uploads owned by the reporter; at most
      REPORT_RATE_LIMIT_PER_DAY filings per resident a day (429).
    - "staff": 代办 by `filed_by` for `reporter` (a resident in the staff member's scope), or a
      staff member's own finding (`reporter` None); 0–9 photos uploaded by `filed_by`, plus
      `reporter_photo_ids`: photos the reporter uploaded themselves (a converted letter's).
    - "open311": a partner system; `reporter` None, `source_detail` the partner's name; 0–9
      photos uploaded by `partner` (fetched from its `media_url`), none without a partner.
      `region` files it into that region instead of routing by the point: Open311 routes
      and checks the partner's scope itself, and a partner bound to one community may file by
      address alone (the point is then that region's reference point).

    `lat`/`lng` are GCJ-02 (convert Open311's WGS84 with app.geo.wgs84_to_gcj02 first). The
    report is routed to the grid containing the point, else the reporter's community (422 when
    neither). Doubtful text is accepted and held for a moderator; risky text is a 422.
    """
    source = ReportSource(source)
    if source != ReportSource.OPEN311 and (partner is not None or region is not None):
        raise ValueError("partner and region are for Open311 filings only")
    if source in (ReportSource.MINIPROGRAM, ReportSource.BOT) and reporter is None:
        raise ValueError(f"a {source} report needs the reporting resident")
    if source == ReportSource.STAFF and filed_by is None:
        raise ValueError("a staff filing needs filed_by")
    if source == ReportSource.OPEN311 and (reporter is not None or not source_detail):
        raise ValueError("an Open311 filing has no resident and names its partner")
    if source != ReportSource.STAFF and filed_by is not None:
        raise ValueError("filed_by is for staff filings only")
    if filed_by is not None and reporter is not None and not may_file_for(filed_by, reporter):
        raise NotFound("找不到该居民")

    if reporter is not None and source != ReportSource.STAFF:
        _limit_filing(reporter)
    description = _check_text(description, "description", DESCRIPTION_MAX)
    address = _check_text(address, "location", ADDRESS_MAX, required=False)
    _check_location(lat, lng)
    category = get_active_by_code(category_code)
    region = region or route(lat, lng, reporter)
    if filed_by is not None and not is_in_scope(filed_by, region.id):
        message = "该位置不在您负责的区域内"
        raise Invalid(message, errors={"location": [message]})

    minimum = 1 if source == ReportSource.MINIPROGRAM else 0
    if source == ReportSource.OPEN311:
        if photo_ids and partner is None:
            raise ValueError("an Open311 filing's photos are its partner's uploads")
        uploads = claim_uploads(list(photo_ids), partner=partner) if photo_ids else []
    elif filed_by is not None:
        uploads = claim_uploads(list(photo_ids), staff=filed_by, minimum=minimum)
        if reporter_photo_ids:
            if reporter is None:
                raise ValueError("reporter_photo_ids need a reporter")
            uploads += claim_uploads(list(reporter_photo_ids), resident=reporter,
                                     maximum=MAX_PHOTOS - len(uploads))
    else:
        uploads = claim_uploads(list(photo_ids), resident=reporter, minimum=minimum)

    verdict = screen_text(description, resident=reporter, field="description")

    now = clock.now()
    report = Report(
        # The counter row is taken last, just before commit: it is locked until then.
        number="", reporter=reporter, source=source.value,
        source_detail=source_detail[:80], filed_by=filed_by, category=category,
        source_letter_id=source_letter_id,
        description=description, lat=lat, lng=lng, address=address, region=region,
        status=SUBMITTED, anonymous=anonymous, held_for_review=verdict.needs_review,
        review_reason=verdict.reason if verdict.needs_review else "",
        created_at=now, updated_at=now,
        response_due_at=now + timedelta(hours=category.response_sla_hours),
        completion_due_at=now + timedelta(hours=category.completion_sla_hours),
    )
    _attach_photos(report, uploads, PhotoKind.REPORT)
    report.number = next_number(now)
    db.session.add(report)
    db.session.flush()
    note = "工作人员代为登记" if filed_by is not None and reporter is not None else ""
    event = _record(report, "file", actor=filed_by or reporter, from_status=None,
                    to_status=SUBMITTED, note=note)
    # The bot answers a filing with the number itself (bot/flows/report.py): a second message
    # saying the same would be noise, above all read aloud.
    _notify_reporter(report, event, f"您反映的问题已收到，编号{report.number}，我们会尽快处理。",
                     in_app_only="bot: the chat reply carries it" if source == ReportSource.BOT
                     else "")
    notify_staff_covering(
        report.region_id, kind="report.filed", dedupe_key=f"report:{report.id}:filed",
        roles=(StaffRole.HANDLER.value, StaffRole.MODERATOR.value),
        text=f"{region.name}有新的{category.name}报事：{_excerpt(description)}",
        title="新报事", page=DETAIL_PAGE.format(id=report.id), fields=_fields(report))
    if report.held_for_review:
        notify_staff_covering(
            report.region_id, kind="report.held", dedupe_key=f"report:{report.id}:held",
            roles=(StaffRole.MODERATOR.value, StaffRole.ADMIN.value),
            text=f"报事{report.number}的描述需要人工审核后才能公开。",
            title="内容待审核", fields=_fields(report))
    if filed_by is not None:
        audit.record(filed_by, "report.file", object_type="report", object_id=report.id,
                     region_id=report.region_id, reporter_id=reporter.id if reporter else None)
    return report


# --- what each caller may see ---------------------------------------------------------------

def is_public(report: Report) -> bool:
    """Whether residents other than the reporter (and Open311 readers) may see the report."""
    return not report.held_for_review and report.status != REJECTED


def get_report_for_reporter(resident: Resident, report_id: int) -> Report:
    """The resident's own report; anyone else's is 404."""
    report = db.session.get(Report, report_id)
    if report is None or report.reporter_id != resident.id:
        raise NotFound(NOT_FOUND)
    return report


def get_report_for_resident(resident: Resident | None, report_id: int) -> Report:
    """A report the resident may see: their own, or anyone's public one (404 otherwise).
    Whether to show the private fields is `report.reporter_id == resident.id`."""
    report = db.session.get(Report, report_id)
    if report is None:
        raise NotFound(NOT_FOUND)
    if resident is not None and report.reporter_id == resident.id:
        return report
    if not is_public(report):
        raise NotFound(NOT_FOUND)
    return report


def get_report_for_staff(staff: Staff, report_id: int) -> Report:
    """A report in the staff member's region subtree; outside it is 404."""
    report = db.session.get(Report, report_id)
    if report is None or not is_in_scope(staff, report.region_id):
        raise NotFound(NOT_FOUND)
    return report


def get_public_report(*, report_id: int | None = None, number: str | None = None) -> Report:
    """A public report by id or by its number (Open311's service_request_id); 404 otherwise."""
    if (report_id is None) == (number is None):
        raise ValueError("give report_id or number")
    if report_id is not None:
        report = db.session.get(Report, report_id)
    else:
        report = db.session.scalar(sa.select(Report).where(Report.number == number))
    if report is None or not is_public(report):
        raise NotFound(NOT_FOUND)
    return report


def is_following(resident: Resident | None, report: Report) -> bool:
    if resident is None:
        return False
    return db.session.scalar(sa.select(ReportFollower.id).where(
        ReportFollower.report_id == report.id,
        ReportFollower.resident_id == resident.id)) is not None


def visible_events(report: Report, *, staff: bool = False) -> list[ReportEvent]:
    """The timeline: everything for staff; for residents, the public entries only."""
    return [event for event in report.events if staff or event.public]


def ratings_of(report: Report) -> list[ReportRating]:
    """Every rating the report received, one per resolution round (staff view)."""
    return list(db.session.scalars(sa.select(ReportRating).where(
        ReportRating.report_id == report.id).order_by(ReportRating.round)))


def _list_options():
    return (joinedload(Report.category), selectinload(Report.photos))


def resident_reports_query(resident: Resident, *, status: str | None = None) -> sa.Select:
    """The resident's own reports, newest first."""
    query = (sa.select(Report).where(Report.reporter_id == resident.id)
             .options(*_list_options()).order_by(Report.id.desc()))
    if status:
        query = query.where(Report.status == status)
    return query


def public_clause() -> sa.ColumnElement[bool]:
    """`is_public()` in SQL: not held for review, not rejected."""
    return sa.and_(Report.held_for_review.is_(False), Report.status != REJECTED)


def public_reports_query(*, statuses: Sequence[str] | None = None,
                         category_codes: Sequence[str] | None = None,
                         start: datetime | None = None, end: datetime | None = None,
                         region: Region | None = None,
                         also: sa.Select | None = None) -> sa.Select:
    """Public reports, newest first: not held for review, not rejected (Open311's list).

    Filters: statuses, category codes, filed in [start, end), inside a region's subtree.
    `also` selects ids of reports the caller may see even when they are not public (an Open311
    partner's own filings); the filters apply to them too.
    """
    visible = public_clause() if also is None else sa.or_(public_clause(), Report.id.in_(also))
    query = (sa.select(Report).where(visible)
             .options(*_list_options()).order_by(Report.created_at.desc(), Report.id.desc()))
    if statuses:
        query = query.where(Report.status.in_(list(statuses)))
    if category_codes:
        query = query.where(Report.category_id.in_(
            sa.select(Category.id).where(Category.code.in_(list(category_codes)))))
    if start is not None:
        query = query.where(Report.created_at >= start)
    if end is not None:
        query = query.where(Report.created_at < end)
    if region is not None:
        query = query.where(Report.region_id.in_(subtree_ids(region)))
    return query


# The columns a list item shows (schemas.summary_of_row): one query, no ORM objects. The thumbnail
# is the first report photo's content hash.
_FIRST_PHOTO_SHA256 = (
    sa.select(Upload.sha256)
    .join(ReportPhoto, ReportPhoto.upload_id == Upload.id)
    .where(ReportPhoto.report_id == Report.id, ReportPhoto.kind == PhotoKind.REPORT)
    .order_by(ReportPhoto.position)
    .limit(1)
    .correlate(Report)
    .scalar_subquery()
)
_SUMMARY_COLUMNS = (
    Report.id, Report.number, Report.status, Report.description, Report.address,
    Report.follower_count, Report.created_at, Report.held_for_review, Report.resolved_at,
    Category.code.label("category_code"), Category.name.label("category_name"),
    _FIRST_PHOTO_SHA256.label("thumbnail_sha256"),
)


def summary_page(query: sa.Select, page: int, per_page: int) -> dict:
    """One page of a report list (`resident_reports_query`, `public_reports_query`) as plain
    rows of the summary's columns: the residents' hot lists, without loading ORM objects."""
    rows = (query.with_only_columns(*_SUMMARY_COLUMNS)
            .join_from(Report, Category, Report.category_id == Category.id))
    return paginate(rows, page, per_page, scalars=False)


def overdue_clause(now: datetime) -> sa.ColumnElement[bool]:
    """Open and past a deadline: no first contact by the response due time, or not resolved
    by the completion due time."""
    return sa.and_(
        Report.status.in_(OPEN_STATES),
        sa.or_(sa.and_(Report.first_contact_at.is_(None), Report.response_due_at < now),
               Report.completion_due_at < now),
    )


def is_overdue(report: Report, now: datetime | None = None) -> bool:
    now = now or clock.now()
    if report.status not in OPEN_STATES:
        return False
    return ((report.first_contact_at is None and report.response_due_at < now)
            or report.completion_due_at < now)


def next_due_at(report: Report) -> datetime | None:
    """The deadline the report is working towards now (first contact, then completion)."""
    if report.status not in OPEN_STATES:
        return None
    return report.response_due_at if report.first_contact_at is None else report.completion_due_at


def staff_reports_query(staff: Staff, *, status: str | None = None,
                        category_code: str | None = None, region_id: int | None = None,
                        assignee_id: int | None = None, overdue: bool | None = None,
                        held: bool | None = None, sort: str = "due",
                        unassigned: bool = False, open_only: bool = False,
                        start: datetime | None = None, end: datetime | None = None,
                        number: str = "") -> sa.Select:
    """The reports in the staff member's scope, filtered; `sort` "due" (next deadline first,
    finished ones last) or "created" (newest first). `unassigned`: nobody dispatched yet;
    `open_only`: still being worked on; `start`/`end`: filed in [start, end); `number`: part
    of the public number (e.g. "0007" or "20261124-0007")."""
    query = (sa.select(Report).where(in_scope(Report.region_id, staff))
             .options(*_list_options(), selectinload(Report.assignee),
                      selectinload(Report.region)))
    if status:
        query = query.where(Report.status == status)
    if open_only:
        query = query.where(Report.status.in_(OPEN_STATES))
    if unassigned:
        query = query.where(Report.assignee_id.is_(None))
    if start is not None:
        query = query.where(Report.created_at >= start)
    if end is not None:
        query = query.where(Report.created_at < end)
    if number.strip():
        query = query.where(Report.number.contains(number.strip().upper(), autoescape=True))
    if category_code:
        query = query.where(Report.category_id.in_(
            sa.select(Category.id).where(Category.code == category_code)))
    if region_id is not None:
        region = db.session.get(Region, region_id)
        query = query.where(Report.region_id.in_(subtree_ids(region)) if region else sa.false())
    if assignee_id is not None:
        query = query.where(Report.assignee_id == assignee_id)
    if overdue is not None:
        clause = overdue_clause(clock.now())
        query = query.where(clause if overdue else sa.not_(clause))
    if held is not None:
        query = query.where(Report.held_for_review.is_(held))
    if sort == "created":
        return query.order_by(Report.created_at.desc(), Report.id.desc())
    due = sa.case(
        (Report.status.not_in(OPEN_STATES), None),
        (Report.first_contact_at.is_(None), Report.response_due_at),
        else_=Report.completion_due_at,
    )
    return query.order_by(due.is_(None), due, Report.id)


def my_tasks_query(staff: Staff) -> sa.Select:
    """"我的任务": the open reports assigned to the staff member, the nearest deadline first."""
    return staff_reports_query(staff, assignee_id=staff.id, open_only=True)


def my_task_counts(staff: Staff) -> dict[str, int]:
    """How many open reports are assigned to the staff member, and how many of those are
    overdue: {"open": n, "overdue": m} (one query)."""
    overdue = overdue_clause(clock.now())
    row = db.session.execute(
        sa.select(sa.func.count(Report.id), sa.func.sum(sa.case((overdue, 1), else_=0)))
        .where(Report.assignee_id == staff.id, Report.status.in_(OPEN_STATES),
               in_scope(Report.region_id, staff))).one()
    return {"open": row[0], "overdue": int(row[1] or 0)}


_ROLE_ORDER = sa.case((Staff.role == StaffRole.HANDLER, 0), (Staff.role == StaffRole.MODERATOR, 1),
                      else_=2)


def dispatch_candidates(staff: Staff, report: Report | None = None) -> list[Staff]:
    """Who a report may be dispatched to, for the select box: with `report`, the active staff
    whose scope covers its region (what `dispatch_report` accepts); without, for dispatching
    several reports at once, the active staff whose scope meets the staff member's own (those
    within it and those above it; `dispatch_report` still checks each report). 网格员 first,
    then the nearest level, then by name."""
    query = sa.select(Staff).join(Region, Staff.region_id == Region.id).where(
        Staff.active.is_(True))
    if report is not None:
        query = query.where(sa.literal(report.region.path).startswith(Region.path))
    else:
        query = query.where(sa.or_(in_scope(Staff.region_id, staff),
                                   sa.literal(staff.region.path).startswith(Region.path)))
    query = query.order_by(_ROLE_ORDER, sa.func.length(Region.path).desc(),
                           Staff.display_name, Staff.id)
    return list(db.session.scalars(query.options(joinedload(Staff.region))))


MERGE_RADIUS_M = 300.0
MERGE_LIMIT = 10


def merge_candidates(staff: Staff, report: Report, *,
                     number: str = "") -> list[tuple[Report, float]]:
    """Reports this one may be merged into, with their distances in metres: open reports in
    the staff member's scope other than itself — of the same category within MERGE_RADIUS_M,
    nearest first; or, when `number` is given, those whose number contains it (any category).
    At most MERGE_LIMIT."""
    query = (sa.select(Report)
             .where(in_scope(Report.region_id, staff), Report.status.in_(OPEN_STATES),
                    Report.id != report.id)
             .options(*_list_options()))
    number = number.strip()
    if number:
        query = query.where(Report.number.contains(number.upper(), autoescape=True))
        query = query.order_by(Report.created_at.desc(), Report.id.desc()).limit(MERGE_LIMIT)
        return [(found, geo.distance_m(report.lat, report.lng, found.lat, found.lng))
                for found in db.session.scalars(query)]
    min_lat, max_lat, min_lng, max_lng = geo.degree_box(report.lat, report.lng, MERGE_RADIUS_M)
    query = query.where(Report.category_id == report.category_id,
                        Report.lat.between(min_lat, max_lat), Report.lng.between(min_lng, max_lng))
    found = [(other, geo.distance_m(report.lat, report.lng, other.lat, other.lng))
             for other in db.session.scalars(query)]
    found = [(other, distance) for other, distance in found if distance <= MERGE_RADIUS_M]
    found.sort(key=lambda pair: (pair[1], pair[0].id))
    return found[:MERGE_LIMIT]


MAX_BULK_DISPATCH = 50


@dataclass(frozen=True)
class DispatchOutcome:
    """What became of one report of a bulk dispatch: done, or refused with the code and
    message the single dispatch gives (409 not in a state to dispatch, 403 a colleague's, …)."""

    report_id: int
    number: str | None
    ok: bool
    code: int
    message: str


def dispatch_reports(staff: Staff, report_ids: Sequence[int], *, handler_id: int,
                     note: str = "") -> list[DispatchOutcome]:
    """批量派单: `dispatch_report` for each report in turn, each in its own transaction (and
    audit entry), so one refusal does not undo the others. Returns one outcome per report, in
    the order given. At most MAX_BULK_DISPATCH reports at once."""
    ids = list(dict.fromkeys(report_ids))
    if not ids:
        raise Invalid("请先勾选要派单的报事", errors={"report_ids": ["请至少勾选一条"]})
    if len(ids) > MAX_BULK_DISPATCH:
        message = f"一次最多派 {MAX_BULK_DISPATCH} 条"
        raise Invalid(message, errors={"report_ids": [message]})
    handler = db.session.get(Staff, handler_id)
    if handler is None or not handler.active:
        raise Invalid("请选择负责该区域的工作人员", errors={"handler_id": ["找不到该工作人员"]})
    outcomes = []
    for report_id in ids:
        try:
            report = dispatch_report(staff, report_id, handler_id=handler_id, note=note)
        except (Conflict, Forbidden, Invalid, NotFound) as exc:
            db.session.rollback()
            found = db.session.get(Report, report_id)
            number = found.number if found is not None and is_in_scope(
                staff, found.region_id) else None
            message = exc.message
            if isinstance(exc, Invalid) and exc.errors.get("handler_id"):
                message = f"{handler.display_name}不负责该报事所在区域"
            outcomes.append(DispatchOutcome(report_id, number, False, exc.code, message))
        else:
            outcomes.append(DispatchOutcome(report.id, report.number, True, 200,
                                            f"已派给{handler.display_name}"))
    return outcomes


EXPORT_MAX_ROWS = 10_000


def export_reports(staff: Staff, *, fmt: str, **filters) -> list[dict]:
    """The reports of `staff_reports_query(staff, **filters)` (newest first, at most
    EXPORT_MAX_ROWS) as rows for a spreadsheet, audit-logged. No phone numbers; the reporter's
    nickname only when they did not ask to be anonymous (a file travels further than a page)."""
    filters.setdefault("sort", "created")
    query = staff_reports_query(staff, **filters).options(selectinload(Report.reporter))
    reports = list(db.session.scalars(query.limit(EXPORT_MAX_ROWS)))
    rows = []
    for report in reports:
        if report.reporter is None:
            reporter = report.source_detail or ("工作人员登记" if report.filed_by_staff_id else "")
        elif report.anonymous:
            reporter = ANONYMOUS_REPORTER
        else:
            reporter = report.reporter.nickname or "居民"
        rows.append({
            "number": report.number, "category": report.category.name,
            "status": REPORT.label(report.status), "region": report.region.name,
            "address": report.address, "reporter": reporter,
            "assignee": report.assignee.display_name if report.assignee else "",
            "filed_at": report.created_at, "response_due_at": report.response_due_at,
            "completion_due_at": report.completion_due_at,
            "first_contact_at": report.first_contact_at, "resolved_at": report.resolved_at,
            "closed_at": report.closed_at, "overdue": is_overdue(report),
            "solved": report.solved, "satisfaction": report.satisfaction,
            "reopen_count": report.reopen_count,
        })
    audit.record(staff, "report.export", object_type="report", region_id=staff.region_id,
                 rows=len(rows), format=fmt)
    db.session.commit()
    return rows


def record_figures_export(staff: Staff, region: Region, *, rows: int, fmt: str) -> None:
    """Audit-log that the staff member downloaded the dashboard's figures of a region."""
    audit.record(staff, "report.export_figures", object_type="report", region_id=region.id,
                 rows=rows, format=fmt)
    db.session.commit()


# --- nearby and following -------------------------------------------------------------------

def nearby_reports(lat: float, lng: float, category_code: str, *,
                   radius_m: float = NEARBY_RADIUS_M,
                   limit: int = NEARBY_LIMIT) -> list[tuple[Report, float]]:
    """Open public reports of the category within `radius_m` metres, nearest first, with
    their distances: to follow ("我也遇到") instead of filing a duplicate."""
    _check_location(lat, lng)
    category_id = db.session.scalar(sa.select(Category.id).where(Category.code == category_code))
    if category_id is None:
        raise Invalid("请选择有效的类别", errors={"category": ["没有这个类别"]})
    min_lat, max_lat, min_lng, max_lng = geo.degree_box(lat, lng, radius_m)
    candidates = db.session.scalars(
        sa.select(Report)
        .where(Report.lat.between(min_lat, max_lat), Report.lng.between(min_lng, max_lng),
               Report.category_id == category_id, Report.status.in_(OPEN_STATES),
               Report.held_for_review.is_(False))
        .options(*_list_options())
    )
    found = [(report, geo.distance_m(lat, lng, report.lat, report.lng)) for report in candidates]
    found = [(report, distance) for report, distance in found if distance <= radius_m]
    found.sort(key=lambda pair: (pair[1], pair[0].id))
    return found[:limit]


def followed_ids(resident: Resident, report_ids: Sequence[int]) -> set[int]:
    """Which of these reports the resident follows (one query for a whole list)."""
    if not report_ids:
        return set()
    return set(db.session.scalars(sa.select(ReportFollower.report_id).where(
        ReportFollower.resident_id == resident.id,
        ReportFollower.report_id.in_(list(report_ids)))))


def _add_follower(report_id: int, resident_id: int) -> bool:
    inserted = insert_ignoring_conflicts(
        db.session, ReportFollower.__table__,
        {"report_id": report_id, "resident_id": resident_id, "created_at": clock.now()},
        ["report_id", "resident_id"])
    if inserted is not None:
        db.session.execute(sa.update(Report).where(Report.id == report_id)
                           .values(follower_count=Report.follower_count + 1)
                           .execution_options(synchronize_session=False))
    return inserted is not None


def follow_report(resident: Resident, report_id: int) -> Report:
    """"我也遇到": the resident follows an open public report (once; counted on the report)."""
    report = get_report_for_resident(resident, report_id)
    if report.reporter_id == resident.id:
        raise Conflict("这是您自己反映的问题，处理进展会通知您")
    if report.status not in OPEN_STATES:
        raise Conflict(f"该问题{REPORT.label(report.status)}，无需再关注")
    _add_follower(report.id, resident.id)
    db.session.commit()
    return report


def unfollow_report(resident: Resident, report_id: int) -> Report:
    """Stop following; doing it twice is harmless."""
    report = get_report_for_resident(resident, report_id)
    deleted = db.session.execute(sa.delete(ReportFollower).where(
        ReportFollower.report_id == report.id, ReportFollower.resident_id == resident.id))
    if deleted.rowcount:
        db.session.execute(sa.update(Report).where(Report.id == report.id)
                           .values(follower_count=Report.follower_count - 1)
                           .execution_options(synchronize_session=False))
    db.session.commit()
    return report


# --- timeline, transitions, notifications ---------------------------------------------------

def _record(report: Report, action: str, *, actor: Actor, from_status: str | None,
            to_status: str | None, note: str = "", public: bool = True) -> ReportEvent:
    event = ReportEvent(
        report=report, action=action, from_status=from_status, to_status=to_status,
        note=note[:NOTE_MAX], public=public, created_at=clock.now(),
        actor_kind=(ActorKind.RESIDENT if isinstance(actor, Resident)
                    else ActorKind.STAFF if isinstance(actor, Staff) else ActorKind.SYSTEM).value,
        actor_resident_id=actor.id if isinstance(actor, Resident) else None,
        actor_staff_id=actor.id if isinstance(actor, Staff) else None,
    )
    db.session.add(event)
    db.session.flush()
    return event


def _transition(report: Report, action: str, *, actor: Actor, note: str = "",
                public: bool = True, **values) -> ReportEvent:
    """Move the report by `action` (409 when not allowed now, or when someone else moved it
    first), set `values`, and write the timeline entry."""
    before = report.status
    after = REPORT.next_state(before, action)
    now = clock.now()
    result = db.session.execute(
        sa.update(Report)
        .where(Report.id == report.id, Report.status == before)
        .values(status=after, updated_at=now, **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.rollback()
        raise Conflict("该报事刚被其他人处理过，请刷新后再试")
    db.session.refresh(report)
    return _record(report, action, actor=actor, from_status=before, to_status=after, note=note,
                   public=public)


def _excerpt(text: str, length: int = 20) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def _fields(report: Report) -> dict:
    """Values for template messages (thing ≤ 20 characters in WeChat's templates)."""
    return {"number": report.number, "thing": _excerpt(report.category.name),
            "phrase": REPORT.label(report.status),
            "time": clock.to_local(report.updated_at or clock.now()).isoformat(timespec="minutes")}


def _notify_reporter(report: Report, event: ReportEvent, text: str, *,
                     in_app_only: str = "") -> None:
    if report.reporter_id is None:
        return
    notify(kind=f"report.{event.action}",
           dedupe_key=f"report:{report.id}:{event.action}:{event.id}:resident:{report.reporter_id}",
           text=text, resident_id=report.reporter_id, title="随手拍进度",
           page=DETAIL_PAGE.format(id=report.id), fields=_fields(report), in_app_only=in_app_only)


def _notify_followers(report: Report, event: ReportEvent, text: str) -> None:
    follower_ids = db.session.scalars(sa.select(ReportFollower.resident_id).where(
        ReportFollower.report_id == report.id))
    for resident_id in follower_ids:
        notify(kind=f"report.{event.action}.follower",
               dedupe_key=f"report:{report.id}:{event.action}:{event.id}:follower:{resident_id}",
               text=text, resident_id=resident_id, title="您关注的问题有进展",
               page=DETAIL_PAGE.format(id=report.id), fields=_fields(report))


def _notify_staff(report: Report, event: ReportEvent, staff_id: int, text: str) -> None:
    notify(kind=f"report.{event.action}.staff",
           dedupe_key=f"report:{report.id}:{event.action}:{event.id}:staff:{staff_id}",
           text=text, staff_id=staff_id, title="报事待处理",
           page=DETAIL_PAGE.format(id=report.id), fields=_fields(report))


def _audit(staff: Staff, action: str, report: Report, **detail) -> None:
    audit.record(staff, f"report.{action}", object_type="report", object_id=report.id,
                 region_id=report.region_id, number=report.number, **detail)


# --- handling (staff) -----------------------------------------------------------------------

def _require_handler(staff: Staff, report: Report, action: str) -> None:
    """Contact, start and resolve belong to the assigned handler; moderators and admins in
    scope may act for them."""
    if staff.role != StaffRole.HANDLER:
        return
    if action in HANDLER_ACTIONS and report.assignee_id != staff.id:
        raise Forbidden("该报事已派给其他工作人员处理")
    # A handler may hand over an unassigned report or their own, not a colleague's.
    if action == "dispatch" and report.assignee_id not in (None, staff.id):
        raise Forbidden("该报事已派给其他工作人员处理")


def _load_for_action(staff: Staff, report_id: int, action: str) -> Report:
    report = get_report_for_staff(staff, report_id)
    REPORT.next_state(report.status, action)  # 409 before any other check
    _require_handler(staff, report, action)
    return report


def check_staff_action(staff: Staff, report_id: int, action: str) -> Report:
    """The report, if the staff member may take `action` on it now; otherwise the 404, 409 or
    403 the action itself would give. For work to do before the action (storing its photos)."""
    return _load_for_action(staff, report_id, action)


def accept_report(staff: Staff, report_id: int, *, note: str = "") -> Report:
    """受理: the community takes the report on."""
    report = _load_for_action(staff, report_id, "accept")
    event = _transition(report, "accept", actor=staff, note=note, accepted_at=clock.now())
    _notify_reporter(report, event, f"您反映的问题（{report.number}）已受理，我们会尽快安排处理。")
    _audit(staff, "accept", report)
    db.session.commit()
    return report


def reject_report(staff: Staff, report_id: int, *, reason: str) -> Report:
    """不予受理, with a reason the reporter reads."""
    reason = _check_text(reason, "reason", NOTE_MAX)
    report = _load_for_action(staff, report_id, "reject")
    event = _transition(report, "reject", actor=staff, note=reason, rejected_at=clock.now())
    _notify_reporter(report, event, f"您反映的问题（{report.number}）未予受理：{reason}")
    _audit(staff, "reject", report, reason=reason)
    db.session.commit()
    return report


def merge_report(staff: Staff, report_id: int, *, duplicate_of_id: int, note: str = "") -> Report:
    """合并: the report is the same problem as another open report in scope; its reporter
    follows that one from now on (and hears when it is resolved)."""
    report = _load_for_action(staff, report_id, "merge")
    target = db.session.get(Report, duplicate_of_id)
    if target is None or target.id == report.id or not is_in_scope(staff, target.region_id):
        raise Invalid("请选择辖区内的另一条报事", errors={"duplicate_of_id": ["找不到该报事"]})
    if target.status not in OPEN_STATES:
        raise Invalid("只能合并到仍在处理中的报事",
                      errors={"duplicate_of_id": [f"该报事{REPORT.label(target.status)}"]})
    event = _transition(report, "merge", actor=staff, note=note or f"与{target.number}为同一问题",
                        duplicate_of_id=target.id, closed_at=clock.now())
    if report.reporter_id is not None and report.reporter_id != target.reporter_id:
        _add_follower(target.id, report.reporter_id)
    _notify_reporter(report, event, f"您反映的问题与{target.number}是同一问题，已合并处理，"
                                    "进展会一并通知您。")
    _audit(staff, "merge", report, duplicate_of=target.id)
    db.session.commit()
    return report


def dispatch_report(staff: Staff, report_id: int, *, handler_id: int, note: str = "") -> Report:
    """派单 (or re-assign): to an active staff member whose scope covers the report."""
    report = _load_for_action(staff, report_id, "dispatch")
    handler = db.session.get(Staff, handler_id)
    if handler is None or not handler.active or not is_in_scope(handler, report.region_id):
        raise Invalid("请选择负责该区域的工作人员", errors={"handler_id": ["该工作人员不负责这个区域"]})
    if handler.id == report.assignee_id:
        raise Conflict(f"该报事已派给{handler.display_name}")
    now = clock.now()
    event = _transition(report, "dispatch", actor=staff, note=note, assignee_id=handler.id,
                        dispatched_at=report.dispatched_at or now)
    _notify_reporter(report, event, f"您反映的问题（{report.number}）已派给工作人员处理。")
    _notify_staff(report, event, handler.id,
                  f"新派单{report.number}：{report.category.name}，{_excerpt(report.description)}")
    _audit(staff, "dispatch", report, handler_id=handler.id)
    db.session.commit()
    return report


def record_contact(staff: Staff, report_id: int, *, note: str = "") -> Report:
    """先行联系: the handler has reached the resident (the first contact counts for 响应率)."""
    report = _load_for_action(staff, report_id, "contact")
    event = _transition(report, "contact", actor=staff, note=note,
                        first_contact_at=report.first_contact_at or clock.now())
    _notify_reporter(report, event, f"工作人员已与您联系，正在跟进您反映的问题（{report.number}）。")
    _audit(staff, "contact", report)
    db.session.commit()
    return report


def start_report(staff: Staff, report_id: int, *, note: str = "") -> Report:
    """开始处理 (on site). Going to work on it also counts as responding, if nobody had yet."""
    report = _load_for_action(staff, report_id, "start")
    now = clock.now()
    event = _transition(report, "start", actor=staff, note=note,
                        started_at=report.started_at or now,
                        first_contact_at=report.first_contact_at or now)
    _notify_reporter(report, event, f"您反映的问题（{report.number}）正在处理中。")
    _audit(staff, "start", report)
    db.session.commit()
    return report


def resolve_report(staff: Staff, report_id: int, *, note: str,
                   photo_ids: Sequence[int] = ()) -> Report:
    """办结反馈: what was done, with result photos (the handler's own uploads). The reporter is
    asked to rate it within 7 days; followers hear too."""
    note = _check_text(note, "note", NOTE_MAX)
    report = _load_for_action(staff, report_id, "resolve")
    uploads = claim_uploads(list(photo_ids), staff=staff, minimum=0)
    now = clock.now()
    event = _transition(report, "resolve", actor=staff, note=note, resolved_at=now,
                        first_contact_at=report.first_contact_at or now)
    _attach_photos(report, uploads, PhotoKind.RESULT)
    _notify_reporter(report, event, f"您反映的问题（{report.number}）已处理：{_excerpt(note, 40)}"
                                    "。请在7天内评价是否解决。")
    _notify_followers(report, event, f"您关注的问题（{report.number}）已处理：{_excerpt(note, 40)}")
    _audit(staff, "resolve", report, photos=len(uploads))
    db.session.commit()
    return report


def add_note(staff: Staff, report_id: int, *, text: str, public: bool = False) -> Report:
    """A note on the timeline: internal (staff only) by default, or public (the reporter is
    told). Allowed in every state."""
    text = _check_text(text, "text", NOTE_MAX)
    report = get_report_for_staff(staff, report_id)
    event = _record(report, "note", actor=staff, from_status=None, to_status=None, note=text,
                    public=public)
    if public:
        _notify_reporter(report, event, f"您反映的问题（{report.number}）有新进展：{_excerpt(text, 40)}")
    _audit(staff, "note", report, public=public)
    db.session.commit()
    return report


def release_report(staff: Staff, report_id: int, *, description: str | None = None) -> Report:
    """A moderator lets a held report be public, optionally with a redacted description."""
    if staff.role not in (StaffRole.MODERATOR, StaffRole.ADMIN):
        raise Forbidden("只有社区工作人员或管理员可以审核内容")
    report = get_report_for_staff(staff, report_id)
    if not report.held_for_review:
        raise Conflict("该报事不需要审核")
    before = report.description
    if description is not None:
        report.description = _check_text(description, "description", DESCRIPTION_MAX)
    report.held_for_review = False
    _record(report, "release", actor=staff, from_status=None, to_status=None,
            note="描述已修改后公开" if report.description != before else "", public=False)
    _audit(staff, "release", report, edited=report.description != before,
           **({"before": before} if report.description != before else {}))
    db.session.commit()
    return report


def allowed_staff_actions(staff: Staff, report: Report) -> list[str]:
    """The lifecycle actions this staff member may take on the report now (the buttons)."""
    actions = []
    for action in REPORT.allowed_actions(report.status):
        if action not in STAFF_ACTIONS:
            continue
        try:
            _require_handler(staff, report, action)
        except Forbidden:
            continue
        actions.append(action)
    return actions


# --- the resident's rating ------------------------------------------------------------------

def rating_deadline(report: Report) -> datetime | None:
    if report.status != RESOLVED or report.resolved_at is None:
        return None
    return report.resolved_at + RATING_WINDOW


def rate_report(resident: Resident, report_id: int, *, solved: bool, satisfaction: int,
                comment: str = "") -> Report:
    """The reporter's verdict on a resolved report: solved closes it; not solved reopens it
    (back to its handler, reopen count + 1). Only within 7 days of the resolution."""
    if not 1 <= satisfaction <= 5:
        raise Invalid("满意度应为 1 到 5", errors={"satisfaction": ["应为 1 到 5"]})
    comment = _check_text(comment, "comment", 200, required=False)
    report = get_report_for_reporter(resident, report_id)
    action = "confirm" if solved else "reopen"
    REPORT.next_state(report.status, action)
    now = clock.now()
    if now > rating_deadline(report):
        raise Conflict("评价期已过（处理后 7 天内可评价）")
    rating = {"rated_at": now, "solved": solved, "satisfaction": satisfaction,
              "rating_comment": comment}
    rating_round = report.reopen_count
    # The transition comes first: a second rating racing this one waits on the row, then
    # finds it moved (409) instead of colliding on the ratings' unique key.
    if solved:
        _transition(report, "confirm", actor=resident, closed_at=now, **rating)
    else:
        event = _transition(report, "reopen", actor=resident, resolved_at=None,
                            reopen_count=Report.reopen_count + 1, **rating)
        if report.assignee_id is not None:
            _notify_staff(report, event, report.assignee_id,
                          f"居民反馈{report.number}未解决，已退回重办。")
    db.session.add(ReportRating(report_id=report.id, resident_id=resident.id,
                                round=rating_round, solved=solved, satisfaction=satisfaction,
                                comment=comment, created_at=now))
    db.session.commit()
    return report


# --- sweeps ---------------------------------------------------------------------------------

def close_unrated(now: datetime | None = None) -> int:
    """Close resolved reports nobody rated within 7 days; returns how many it closed.
    Safe to run twice at once: each report moves once (the other run gets a conflict)."""
    now = now or clock.now()
    ids = list(db.session.scalars(sa.select(Report.id).where(
        Report.status == RESOLVED, Report.resolved_at < now - RATING_WINDOW)))
    db.session.rollback()
    closed = 0
    for report_id in ids:
        report = db.session.get(Report, report_id)
        try:
            event = _transition(report, "expire", actor=None, closed_at=now,
                                note="7天内未评价，自动办结")
        except Conflict:
            continue
        _notify_reporter(report, event, f"您反映的问题（{report.number}）已办结。如仍有问题，欢迎再次反映。")
        db.session.commit()
        closed += 1
    return closed


_OVERDUE_TEXT = {"response": "超过响应时限仍未联系居民", "completion": "超过办结时限仍未办结"}


def _escalate(report_id: int, kind: str, now: datetime) -> bool:
    column = Report.response_overdue_at if kind == "response" else Report.completion_overdue_at
    conditions = [Report.id == report_id, column.is_(None), Report.status.in_(OPEN_STATES)]
    if kind == "response":
        conditions += [Report.first_contact_at.is_(None), Report.response_due_at < now]
    else:
        conditions.append(Report.completion_due_at < now)
    result = db.session.execute(sa.update(Report).where(*conditions).values({column: now})
                                .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        db.session.rollback()
        return False
    report = db.session.get(Report, report_id)
    db.session.refresh(report)
    event = _record(report, "overdue", actor=None, from_status=None, to_status=None,
                    note=_OVERDUE_TEXT[kind], public=False)
    notify_staff_covering(
        report.region_id, kind="report.overdue",
        dedupe_key=f"report:{report.id}:overdue:{kind}:{event.id}",
        roles=(StaffRole.MODERATOR.value, StaffRole.ADMIN.value),
        text=f"报事{report.number}（{report.category.name}）{_OVERDUE_TEXT[kind]}，请督办。",
        title="报事超时", page=DETAIL_PAGE.format(id=report.id), fields=_fields(report))
    db.session.commit()
    return True


def escalate_overdue(now: datetime | None = None) -> int:
    """Mark open reports past a deadline as overdue and tell the supervisors (moderators and
    admins covering the report's region); each deadline is escalated exactly once."""
    now = now or clock.now()
    response_ids = list(db.session.scalars(sa.select(Report.id).where(
        Report.status.in_(OPEN_STATES), Report.first_contact_at.is_(None),
        Report.response_due_at < now, Report.response_overdue_at.is_(None))))
    completion_ids = list(db.session.scalars(sa.select(Report.id).where(
        Report.status.in_(OPEN_STATES), Report.completion_due_at < now,
        Report.completion_overdue_at.is_(None))))
    db.session.rollback()
    escalated = 0
    for report_id in response_ids:
        escalated += _escalate(report_id, "response", now)
    for report_id in completion_ids:
        escalated += _escalate(report_id, "completion", now)
    return escalated



# --- two records of one resident ------------------------------------------------------------

def move_resident_rows(source_id: int, target_id: int) -> None:
    """Resident merge hook (app/accounts/service.py RESIDENT_MERGE_HOOKS): the source record's
    reports, timeline entries, ratings and follows become the target's. A report both followed
    keeps one follow; a follow of a report that is now the target's own is dropped (one does
    not follow one's own report); follower counts move with the rows. The caller commits."""
    followers = ReportFollower.__table__
    both = sa.select(followers.c.report_id).where(followers.c.resident_id == target_id)
    _drop_follows(sa.and_(followers.c.resident_id == source_id, followers.c.report_id.in_(both)))
    repoint(ReportFollower.resident_id, source_id, target_id)
    repoint(Report.reporter_id, source_id, target_id)
    own = sa.select(Report.id).where(Report.reporter_id == target_id)
    _drop_follows(sa.and_(followers.c.resident_id == target_id, followers.c.report_id.in_(own)))
    repoint(ReportEvent.actor_resident_id, source_id, target_id)
    repoint(ReportRating.resident_id, source_id, target_id)


def _drop_follows(condition: sa.ColumnElement[bool]) -> None:
    followers = ReportFollower.__table__
    report_ids = list(db.session.execute(
        sa.delete(followers).where(condition).returning(followers.c.report_id)).scalars())
    for report_id in report_ids:
        db.session.execute(sa.update(Report).where(Report.id == report_id)
                           .values(follower_count=Report.follower_count - 1)
                           .execution_options(synchronize_session=False))
