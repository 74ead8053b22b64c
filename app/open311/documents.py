"""What Open311 shows: discovery, services, service definitions, requests and request updates,
as plain data for `formats.render` (the same data becomes XML and JSON).

A report appears as the public sees it (reports.schemas' public view): description, address,
photos, the public timeline, an approximate location; never anything about who reported it
(no account id, name, email or phone, not even for the partner who filed it). Coordinates are
WGS84 here (we store GCJ-02) and rounded like the public view, about 100 m. Times are China
time with their offset.

Status mapping (our lifecycle → GeoReport v2 status, and the extended status of mySociety's
`servicerequestupdates`, reference/open311.md §6):

| our state   | label        | v2 status | extended status |
|-------------|--------------|-----------|-----------------|
| submitted   | 待受理        | open      | OPEN            |
| accepted    | 已受理        | open      | INVESTIGATING   |
| dispatched  | 已派单        | open      | ACTION_SCHEDULED|
| in_progress | 处理中        | open      | IN_PROGRESS     |
| resolved    | 已处理待评价   | open      | FIXED           |
| closed      | 已办结        | closed    | CLOSED          |
| duplicate   | 已合并        | closed    | DUPLICATE       |
| rejected    | 不予受理       | closed    | NO_FURTHER_ACTION |

A resolved report stays `open` in v2 because it is closed by the reporter's rating (or unrated
after 7 days) and a "not solved" rating sends it back to work; the update feed already says
FIXED. Rejected reports are not public; only the partner that filed one sees it.
"""

from __future__ import annotations

from datetime import datetime

from app import clock, geo
from app.categories.models import Category
from app.open311.attributes import attributes_of
from app.open311.formats import JSON_CONTENT_TYPE, XML_CONTENT_TYPE, w3c_datetime
from app.reports import OPEN_STATES, REPORT, visible_events
from app.reports.lifecycle import (
    ACCEPTED,
    CLOSED,
    DISPATCHED,
    DUPLICATE,
    IN_PROGRESS,
    REJECTED,
    RESOLVED,
    SUBMITTED,
)
from app.reports.models import PhotoKind, Report, ReportEvent
from app.reports.schemas import PUBLIC_DECIMALS
from app.uploads import photo_urls

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# When this endpoint's behaviour last changed (discovery's sortable changeset).
CHANGESET = "2026-11-24T00:00:00+08:00"

EXTENDED_STATUS = {
    SUBMITTED: "OPEN",
    ACCEPTED: "INVESTIGATING",
    DISPATCHED: "ACTION_SCHEDULED",
    IN_PROGRESS: "IN_PROGRESS",
    RESOLVED: "FIXED",
    CLOSED: "CLOSED",
    DUPLICATE: "DUPLICATE",
    REJECTED: "NO_FURTHER_ACTION",
}

# Timeline entries that are not lifecycle actions (reports.schemas labels them the same way).
_EVENT_LABELS = {"file": "提交", "note": "进展"}


def v2_status(state: str) -> str:
    return "open" if state in (*OPEN_STATES, RESOLVED) else "closed"


def timestamp(moment: datetime | None) -> str | None:
    return w3c_datetime(clock.to_local(moment)) if moment is not None else None


def discovery(*, base_url: str, production: bool, contact: str, key_service: str) -> dict:
    """The service discovery document: one endpoint, ours, in XML and JSON."""
    return {
        "changeset": CHANGESET,
        "contact": contact,
        "key_service": key_service,
        "endpoints": [{
            "specification": SPECIFICATION,
            "url": base_url,
            "changeset": CHANGESET,
            "type": "production" if production else "test",
            "formats": [XML_CONTENT_TYPE.split(";")[0], JSON_CONTENT_TYPE.split(";")[0]],
        }],
    }


def service(category: Category) -> dict:
    """One entry of GET services: a category; `metadata` when it asks extra questions."""
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description or None,
        "metadata": bool(attributes_of(category)),
        "type": "realtime",  # POST returns the service_request_id at once, never a token
        "keywords": category.keywords or None,
        "group": category.group_name or None,
    }


def service_definition(category: Category) -> dict:
    return {"service_code": category.code, "attributes": attributes_of(category)}


def _photo_url(report: Report, kind: PhotoKind, *, last: bool = False) -> str | None:
    photos = [photo for photo in report.photos if photo.kind == kind]
    if not photos:
        return None
    return photo_urls(photos[-1 if last else 0].upload)["url"]


def _wgs84(report: Report) -> tuple[float, float]:
    lat, lng = geo.gcj02_to_wgs84(report.lat, report.lng)
    return round(lat, PUBLIC_DECIMALS), round(lng, PUBLIC_DECIMALS)


def _note(event: ReportEvent) -> str:
    label = (REPORT.action_labels.get(event.action) or _EVENT_LABELS.get(event.action)
             or event.action)
    return f"{label}：{event.note}" if event.note else label


def status_notes(report: Report, events: list[ReportEvent]) -> str:
    """The state in Chinese, with the note that brought the report there, the handling result
    once resolved, and any public progress note since."""
    parts = [REPORT.label(report.status)]
    arrival = next((e for e in reversed(events) if e.to_status == report.status), None)
    if arrival is not None and arrival.note:
        parts[0] += f"：{arrival.note}"
    if report.status in (RESOLVED, CLOSED) and (arrival is None or arrival.action != "resolve"):
        resolution = next((e for e in reversed(events) if e.action == "resolve"), None)
        if resolution is not None and resolution.note:
            parts.append(f"处理结果：{resolution.note}")
    later = [e for e in events if e.action == "note" and e.note
             and (arrival is None or e.id > arrival.id)]
    if later:
        parts.append(f"最新进展：{later[-1].note}")
    return "。".join(parts)


def service_request(report: Report, *, address_only: bool = False) -> dict:
    """One entry of GET requests: the public view of a report in the spec's field order."""
    events = visible_events(report)
    lat, lng = (None, None) if address_only else _wgs84(report)
    return {
        "service_request_id": report.number,
        "status": v2_status(report.status),
        "status_notes": status_notes(report, events),
        "service_name": report.category.name,
        "service_code": report.category.code,
        "description": report.description,
        "agency_responsible": report.region.name,
        "service_notice": None,
        "requested_datetime": timestamp(report.created_at),
        # For a closed request this is when it was closed (its last public entry).
        "updated_datetime": timestamp(events[-1].created_at if events else report.created_at),
        "expected_datetime": (timestamp(report.completion_due_at)
                              if report.status in OPEN_STATES else None),
        "address": report.address or None,
        "address_id": None,
        "zipcode": None,
        "lat": lat,
        "long": lng,
        "media_url": _photo_url(report, PhotoKind.REPORT),
    }


def filed(report: Report) -> dict:
    """The answer to a POST: the new service_request_id and what happens next."""
    category = report.category
    return {
        "service_request_id": report.number,
        "service_notice": (f"已收到，编号{report.number}。{category.name}类问题"
                           f"{category.response_sla_hours}小时内响应，"
                           f"{category.completion_sla_hours}小时内办结。"),
    }


def request_update(report: Report, event: ReportEvent, state: str) -> dict:
    """One entry of GET servicerequestupdates (mySociety's extension)."""
    return {
        "update_id": str(event.id),
        "service_request_id": report.number,
        "status": EXTENDED_STATUS[state],
        "updated_datetime": timestamp(event.created_at),
        "description": _note(event),
        # The handler's result photo comes with the resolution.
        "media_url": (_photo_url(report, PhotoKind.RESULT, last=True)
                      if event.action == "resolve" else None),
    }
