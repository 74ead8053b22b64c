"""Helpers for the 随手拍 tests: request bodies, calls, and reading back what was written."""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.notifications.models import Notification
from app.reports.models import ReportEvent
from tests.factories import UploadFactory


def photo_ids(resident, count=1):
    return [UploadFactory(resident_id=resident.id).id for _ in range(count)]


def report_body(resident, regions, **overrides):
    lat, lng = regions.point_in_grid
    body = {
        "category": "streetlight",
        "description": "3栋门口的路灯坏了好几天，晚上很黑",
        "photo_ids": photo_ids(resident),
        "location": {"lat": lat, "lng": lng, "address": "和平社区3栋门口"},
    }
    body.update(overrides)
    return body


def file(client, headers, body):
    return client.post("/api/v1/reports", headers=headers, json=body)


def staff_post(client, headers, report_id, action, body=None):
    return client.post(f"/api/v1/staff/reports/{report_id}/{action}", headers=headers,
                       json=body or {})


def notifications(**filters) -> list[Notification]:
    query = sa.select(Notification).order_by(Notification.id)
    for name, value in filters.items():
        query = query.where(getattr(Notification, name) == value)
    return list(db.session.scalars(query))


def timeline(report_id) -> list[ReportEvent]:
    return list(db.session.scalars(sa.select(ReportEvent).where(
        ReportEvent.report_id == report_id).order_by(ReportEvent.id)))
