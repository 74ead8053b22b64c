"""Open311 partners and their service requests: keys, filing, and what a partner may read.

Partners (12345 hotline platforms, other cities' systems) file 随手拍 reports through
`file_request`, which goes through the reports service like every other channel; the report
records the partner's name as its source and a `Filing` row records the partner itself. Reading
is open to anyone (GeoReport v2 GETs need no key) and shows public reports only, the way the
resident API does; a partner that passes its key also sees its own filings that are not public
(held for review, not accepted), as a resident sees their own reports.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from app import audit, clock, geo, ratelimit
from app.accounts.models import Staff, StaffRole
from app.accounts.scoping import in_scope, require_in_scope
from app.categories.models import Category
from app.errors import BadRequest, Conflict, Forbidden, Invalid, NotFound, PayloadTooLarge
from app.extensions import db
from app.open311.attributes import answer_lines
from app.open311.media_fetch import MediaFetchFailed, MediaRefused, fetch_media
from app.open311.models import Filing, Partner
from app.regions.models import Region, RegionLevel
from app.regions.service import find_grid
from app.reports import (
    OPEN_STATES,
    get_public_report,
    prepare_report,
    public_clause,
    public_reports_query,
)
from app.reports.lifecycle import CLOSED, DUPLICATE, REJECTED, RESOLVED
from app.reports.models import Report, ReportEvent, ReportSource
from app.uploads import store_photo
from app.uploads.service import discard_upload

log = logging.getLogger(__name__)

KEY_PREFIX = "o311_"
DEFAULT_RATE_LIMIT = 60
# GeoReport v2: "the most recent 90 days or the first 1000 requests, whichever is smaller",
# and a date range "may not span more than 90 days". The updates feed keeps the same bounds.
MAX_RESULTS = 1000
MAX_RANGE = timedelta(days=90)
MEDIA_TIMEOUT_SECONDS = 5.0
NOT_FOUND = "找不到该服务请求（service_request_id）"

# GeoReport v2 knows only open and closed. A resolved report is still open: it is closed by the
# reporter's rating, or unrated after 7 days, and a "not solved" rating sends it back to work.
V2_STATUSES = {
    "open": (*OPEN_STATES, RESOLVED),
    "closed": (CLOSED, REJECTED, DUPLICATE),
}


# --- partners and keys ----------------------------------------------------------------------

def hash_key(api_key: str) -> str:
    """What is stored of a key: its SHA-256 (the key itself is never stored)."""
    return hashlib.sha256(api_key.encode("utf-8")).hexdigest()


def _require_admin(staff: Staff | None) -> None:
    # None is the operator at the command line (flask open311 partner ...).
    if staff is not None and staff.role != StaffRole.ADMIN:
        raise Forbidden("只有管理员可以管理 Open311 合作方")


def create_partner(staff: Staff | None, *, name: str, region: Region, contact: str = "",
                   rate_limit_per_minute: int = DEFAULT_RATE_LIMIT) -> tuple[Partner, str]:
    """A new partner and its API key, which is returned here once and never again.

    `region` is where the partner may file (an admin's own subtree); `staff` None is the
    command line. Audit-logged, committed.
    """
    _require_admin(staff)
    if staff is not None:
        require_in_scope(staff, region.id, "找不到该区域")
    name = name.strip()
    if not name:
        raise Invalid("请填写合作方名称", errors={"name": ["此项必填"]})
    if not 1 <= rate_limit_per_minute <= 6000:
        raise Invalid("每分钟限额应在 1 到 6000 之间",
                      errors={"rate_limit_per_minute": ["应在 1 到 6000 之间"]})
    api_key = KEY_PREFIX + secrets.token_urlsafe(32)
    partner = Partner(name=name, contact=contact.strip(), region=region,
                      key_hash=hash_key(api_key), key_prefix=api_key[:10],
                      rate_limit_per_minute=rate_limit_per_minute, created_by=staff,
                      created_at=clock.now())
    db.session.add(partner)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict("已有同名的合作方", errors={"name": ["已有同名的合作方"]}) from None
    audit.record(staff, "open311_partner.create", object_type="open311_partner",
                 object_id=partner.id, region_id=region.id, name=name,
                 key_prefix=partner.key_prefix)
    db.session.commit()
    log.info("Open311 partner %s (%s) created for region %s", partner.id, name, region.id)
    return partner, api_key


def partners_query(staff: Staff) -> sa.Select:
    """The partners whose region lies in the admin's subtree, oldest first."""
    _require_admin(staff)
    return (sa.select(Partner).where(in_scope(Partner.region_id, staff))
            .options(joinedload(Partner.region)).order_by(Partner.id))


def get_partner_for_staff(staff: Staff, partner_id: int) -> Partner:
    """A partner in the admin's subtree; 404 otherwise."""
    _require_admin(staff)
    partner = db.session.get(Partner, partner_id)
    if partner is None:
        raise NotFound("找不到该合作方")
    require_in_scope(staff, partner.region_id, "找不到该合作方")
    return partner


def revoke_partner(staff: Staff | None, partner: Partner) -> Partner:
    """Revoke the partner's key for good (a new key means a new partner). Audit-logged."""
    _require_admin(staff)
    if partner.revoked_at is not None:
        raise Conflict("该合作方的密钥已经吊销")
    partner.active = False
    partner.revoked_at = clock.now()
    partner.revoked_by = staff
    audit.record(staff, "open311_partner.revoke", object_type="open311_partner",
                 object_id=partner.id, region_id=partner.region_id, name=partner.name)
    db.session.commit()
    log.info("Open311 partner %s (%s) revoked", partner.id, partner.name)
    return partner


def authenticate(api_key: str | None) -> Partner:
    """The active partner holding this key; 403 when the key is missing, unknown or revoked."""
    if not api_key:
        raise Forbidden("缺少 api_key（api_key missing）")
    partner = db.session.scalar(sa.select(Partner).where(Partner.key_hash == hash_key(api_key)))
    if partner is None or not partner.active:
        raise Forbidden("api_key 无效或已吊销（invalid api_key）")
    return partner


# --- services -------------------------------------------------------------------------------

def active_services() -> list[Category]:
    """The categories partners may file into, in the filing form's order."""
    return list(db.session.scalars(sa.select(Category).where(Category.active.is_(True))
                                   .order_by(Category.sort_order, Category.id)))


def get_service(service_code: str) -> Category:
    """An active category by its code (the service_code); 404 otherwise."""
    category = db.session.scalar(sa.select(Category).where(
        Category.code == service_code, Category.active.is_(True)))
    if category is None:
        raise NotFound(f"没有这个 service_code：{service_code}")
    return category


# --- filing ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Placement:
    """Where a partner's request goes: the point (GCJ-02) and region to file it with."""

    lat: float
    lng: float
    region: Region
    address_only: bool


def _place(partner: Partner, lat: float | None, lng: float | None, address: str,
           address_id: str | None) -> Placement:
    """Route a request by its WGS84 point, or by address alone for a partner bound to one
    community (there is no geocoder offline); 400 otherwise."""
    if lat is not None or lng is not None:
        if lat is None or lng is None:
            raise BadRequest("lat 和 long 需要同时提供")
        if not (-90 <= lat <= 90 and -180 <= lng <= 180):
            raise BadRequest("lat/long 超出范围（WGS84 度）")
        gcj_lat, gcj_lng = geo.wgs84_to_gcj02(lat, lng)
        grid = find_grid(gcj_lat, gcj_lng)
        if grid is None:
            raise BadRequest("该位置不在本平台服务的社区内（lat/long 为 WGS84）")
        if not partner.region.contains(grid):
            raise BadRequest("该位置不在本合作方可以报送的区域内")
        return Placement(gcj_lat, gcj_lng, grid, address_only=False)
    if address:
        region = partner.region
        point = _reference_point(region)
        if region.level not in (RegionLevel.COMMUNITY, RegionLevel.GRID) or point is None:
            raise BadRequest("仅凭 address_string 无法定位（本平台不做地址解析）：请提供 lat 和 long")
        return Placement(*point, region, address_only=True)
    if address_id:
        raise BadRequest("不支持 address_id：请提供 lat 和 long，或 address_string")
    raise BadRequest("缺少位置：请提供 lat 和 long，或 address_string")


def _reference_point(region: Region) -> tuple[float, float] | None:
    """A point inside the region (GCJ-02): its bounding box's centre when that is inside, else
    the first corner of its boundary; None without a boundary."""
    if not region.boundary or region.min_lat is None:
        return None
    lat = (region.min_lat + region.max_lat) / 2
    lng = (region.min_lng + region.max_lng) / 2
    if geo.geometry_contains(region.boundary, lat, lng):
        return lat, lng
    polygons = region.boundary["coordinates"]
    ring = polygons[0] if region.boundary["type"] == "Polygon" else polygons[0][0]
    return ring[0][1], ring[0][0]


def _download(partner_id: int, media_url: str) -> bytes:
    """The partner's photo at `media_url`; 400 when it is refused or fails. Touches no database
    (it runs outside any transaction)."""
    config = current_app.config
    try:
        return fetch_media(media_url, max_bytes=config["UPLOAD_MAX_BYTES"],
                           timeout=MEDIA_TIMEOUT_SECONDS,
                           allowed_networks=config["OPEN311_MEDIA_ALLOWED_NETWORKS"])
    except MediaRefused as exc:
        log.warning("Open311 partner %s: media_url refused: %s", partner_id, exc.reason)
        raise Invalid("media_url 被拒绝：只接受指向公网地址的 http 或 https 链接",
                      errors={"media_url": ["只接受指向公网地址的 http 或 https 链接"]}) from None
    except MediaFetchFailed as exc:
        log.info("Open311 partner %s: media_url failed: %s", partner_id, exc.reason)
        raise Invalid(f"media_url 无法获取照片：{exc.reason}",
                      errors={"media_url": [f"无法获取照片（{exc.reason}）"]}) from None


def _store(partner: Partner, data: bytes) -> int:
    """Store the downloaded photo as the partner's upload; its id (400 when it is no photo)."""
    try:
        return store_photo(data, partner=partner).upload.id
    except (Invalid, PayloadTooLarge) as exc:
        raise Invalid(f"media_url 不是可用的照片：{exc.message}",
                      errors={"media_url": [f"不是可用的照片：{exc.message}"]}) from None


def file_request(partner: Partner, *, service_code: str | None, lat: float | None,
                 lng: float | None, address: str = "", address_id: str | None = None,
                 description: str = "", media_url: str | None = None,
                 answers: Mapping[str, list[str]] | None = None) -> Report:
    """File a partner's service request as a 随手拍 report; return it (committed).

    `lat`/`lng` are WGS84 (converted to GCJ-02 here). Checks, in order: the partner's rate
    limit (429), the service code (400 missing, 404 unknown), the location (400), the
    category's required attributes (400), then fetches `media_url` (400 when refused or
    failing) and files. A request with no description is described by its category's name;
    attribute answers are appended to the description. The citizen's personal fields
    (email, names, phone, device and account ids) are not taken: the partner keeps them.
    """
    ratelimit.hit(f"open311:partner:{partner.id}", limit=partner.rate_limit_per_minute,
                  window_seconds=60, message="报送太频繁，请稍后再试（rate limit）")
    if not service_code:
        raise BadRequest("缺少 service_code")
    category = get_service(service_code)
    placement = _place(partner, lat, lng, address, address_id)
    lines = answer_lines(category, answers or {})
    text = "\n".join([description.strip() or category.name, *lines])
    upload_id = None
    if media_url:
        # The download may take seconds: hold no transaction (nor SQLite's write lock) while
        # it runs, and touch no expired object until it is done.
        partner_id = partner.id
        db.session.commit()
        upload_id = _store(partner, _download(partner_id, media_url))
    try:
        # The report and its filing row are one transaction: no case without its partner.
        report = prepare_report(
            reporter=None, source=ReportSource.OPEN311, source_detail=partner.name,
            partner=partner, category_code=category.code, description=text,
            lat=placement.lat, lng=placement.lng, address=address,
            photo_ids=[upload_id] if upload_id else [], region=placement.region)
        db.session.add(Filing(partner_id=partner.id, report_id=report.id,
                              address_only=placement.address_only, created_at=clock.now()))
        db.session.commit()
    except Exception:
        db.session.rollback()
        if upload_id is not None:
            discard_upload(upload_id)
        raise
    log.info("Open311 partner %s filed %s", partner.id, report.number)
    return report


# --- reading --------------------------------------------------------------------------------

def date_window(start: datetime | None, end: datetime | None) -> tuple[datetime, datetime]:
    """The [start, end] searched: at most 90 days; the most recent 90 days by default."""
    if start is None and end is None:
        end = clock.now()
    if start is None:
        start = end - MAX_RANGE
    if end is None:
        end = start + MAX_RANGE
    if end < start:
        raise BadRequest("end_date 早于 start_date")
    if end - start > MAX_RANGE:
        raise BadRequest("start_date 到 end_date 不能超过 90 天")
    return start, end


def _own_report_ids(partner: Partner | None) -> sa.Select | None:
    if partner is None:
        return None
    return sa.select(Filing.report_id).where(Filing.partner_id == partner.id)


def _statuses(names: Sequence[str] | None) -> list[str] | None:
    if not names:
        return None
    unknown = [name for name in names if name not in V2_STATUSES]
    if unknown:
        raise BadRequest(f"status 只能是 open 或 closed，收到：{'、'.join(unknown)}")
    return [state for name in dict.fromkeys(names) for state in V2_STATUSES[name]]


def _service_codes(codes: Sequence[str] | None) -> list[str] | None:
    if not codes:
        return None
    known = set(db.session.scalars(sa.select(Category.code).where(Category.code.in_(codes))))
    unknown = [code for code in codes if code not in known]
    if unknown:
        raise NotFound(f"没有这个 service_code：{'、'.join(unknown)}")
    return list(codes)


def _with_timelines(query: sa.Select) -> sa.Select:
    return query.options(selectinload(Report.events), joinedload(Report.region))


def find_requests(*, numbers: Sequence[str] | None = None,
                  service_codes: Sequence[str] | None = None,
                  statuses: Sequence[str] | None = None, start: datetime | None = None,
                  end: datetime | None = None, partner: Partner | None = None) -> list[Report]:
    """GET requests: public reports (and `partner`'s own), newest first, at most 1000.

    `numbers` (service_request_id) overrides every other filter, as the spec says. Otherwise
    reports filed in [start, end] (90 days at most, the last 90 by default), of these service
    codes (404 for an unknown one) and statuses (open/closed; 400 for others).
    """
    also = _own_report_ids(partner)
    if numbers:
        if len(numbers) > MAX_RESULTS:
            raise BadRequest(f"service_request_id 最多 {MAX_RESULTS} 个")
        query = public_reports_query(also=also).where(Report.number.in_(list(numbers)))
    else:
        start, end = date_window(start, end)
        query = public_reports_query(
            statuses=_statuses(statuses), category_codes=_service_codes(service_codes),
            start=start, end=end + timedelta(microseconds=1), also=also)
    return list(db.session.scalars(_with_timelines(query).limit(MAX_RESULTS)).unique())


def get_request(number: str, partner: Partner | None = None) -> Report:
    """GET requests/<id>: a public report by number, or `partner`'s own; 404 otherwise."""
    try:
        return get_public_report(number=number)
    except NotFound:
        if partner is None:
            raise NotFound(NOT_FOUND) from None
    report = db.session.scalar(sa.select(Report).join(Filing, Filing.report_id == Report.id)
                               .where(Report.number == number, Filing.partner_id == partner.id))
    if report is None:
        raise NotFound(NOT_FOUND)
    return report


def address_only_ids(reports: Sequence[Report]) -> set[int]:
    """Which of these reports a partner placed by address alone (shown without coordinates)."""
    if not reports:
        return set()
    return set(db.session.scalars(sa.select(Filing.report_id).where(
        Filing.report_id.in_([report.id for report in reports]),
        Filing.address_only.is_(True))))


@dataclass(frozen=True)
class Update:
    """One public timeline entry of a report, and the report's state right after it."""

    report: Report
    event: ReportEvent
    status: str


def states_after(report: Report) -> dict[int, str]:
    """Event id → the report's state right after that event (notes keep the state)."""
    states, state = {}, None
    for event in report.events:
        state = event.to_status or state
        states[event.id] = state
    return states


def find_updates(*, numbers: Sequence[str] | None = None, start: datetime | None = None,
                 end: datetime | None = None, partner: Partner | None = None) -> list[Update]:
    """GET servicerequestupdates: public timeline entries of public reports (and `partner`'s
    own), oldest first, at most 1000, so that a client moves `start_date` forward to page.

    `numbers` (service_request_id) gives all their updates, overriding the dates; otherwise
    entries made in [start, end] (90 days at most, the last 90 by default).
    """
    also = _own_report_ids(partner)
    visible = public_clause() if also is None else sa.or_(public_clause(), Report.id.in_(also))
    query = (sa.select(ReportEvent).join(Report, ReportEvent.report_id == Report.id)
             .where(ReportEvent.public.is_(True), visible)
             .order_by(ReportEvent.created_at, ReportEvent.id).limit(MAX_RESULTS))
    if numbers:
        if len(numbers) > MAX_RESULTS:
            raise BadRequest(f"service_request_id 最多 {MAX_RESULTS} 个")
        query = query.where(Report.number.in_(list(numbers)))
    else:
        start, end = date_window(start, end)
        query = query.where(ReportEvent.created_at >= start, ReportEvent.created_at <= end)
    events = list(db.session.scalars(query))
    report_ids = {event.report_id for event in events}
    reports = {report.id: report for report in db.session.scalars(
        sa.select(Report).where(Report.id.in_(report_ids))
        .options(selectinload(Report.events), joinedload(Report.category),
                 selectinload(Report.photos)))} if report_ids else {}
    states = {report_id: states_after(report) for report_id, report in reports.items()}
    return [Update(reports[event.report_id], event, states[event.report_id][event.id])
            for event in events]
