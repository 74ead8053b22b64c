"""Factories for uploads and reports (reports in any state, with believable timestamps)."""

from __future__ import annotations

from datetime import timedelta

import factory

from app import clock
from app.reports.models import Report
from app.uploads.models import Upload
from tests.factories.core import CategoryFactory, _Base


class UploadFactory(_Base):
    """An upload row without files (enough for claiming; URLs are built from the hash)."""

    class Meta:
        model = Upload

    resident_id = None
    staff_id = None
    sha256 = factory.Sequence(lambda n: f"{n + 1:064x}")
    source_format = "jpeg"
    width = 1600
    height = 1200


def _after(hours: float):
    return factory.LazyAttribute(lambda o: o.created_at + timedelta(hours=hours))


class ReportFactory(_Base):
    """A report in the given state: ReportFactory(region=..., dispatched=True, assignee=...)."""

    class Meta:
        model = Report

    # A day no real filing uses, so factory numbers never meet the counter's.
    number = factory.Sequence(lambda n: f"SSP-20000101-{n + 1:04d}")
    reporter = None
    source = "miniprogram"
    category = factory.SubFactory(CategoryFactory)
    description = "路灯不亮了，晚上很黑"
    lat = 30.654
    lng = 104.082
    address = "和平社区3栋旁"
    region = None
    status = "submitted"
    created_at = factory.LazyFunction(lambda: clock.now())
    updated_at = factory.LazyAttribute(lambda o: o.created_at)
    response_due_at = factory.LazyAttribute(
        lambda o: o.created_at + timedelta(hours=o.category.response_sla_hours))
    completion_due_at = factory.LazyAttribute(
        lambda o: o.created_at + timedelta(hours=o.category.completion_sla_hours))

    class Params:
        accepted = factory.Trait(status="accepted", accepted_at=_after(1))
        dispatched = factory.Trait(status="dispatched", accepted_at=_after(1),
                                   dispatched_at=_after(2))
        in_progress = factory.Trait(status="in_progress", accepted_at=_after(1),
                                    dispatched_at=_after(2), first_contact_at=_after(3),
                                    started_at=_after(4))
        resolved = factory.Trait(status="resolved", accepted_at=_after(1),
                                 dispatched_at=_after(2), first_contact_at=_after(3),
                                 started_at=_after(4), resolved_at=_after(5))
        closed = factory.Trait(status="closed", accepted_at=_after(1), dispatched_at=_after(2),
                               first_contact_at=_after(3), started_at=_after(4),
                               resolved_at=_after(5), closed_at=_after(6))
        rejected = factory.Trait(status="rejected", rejected_at=_after(1))
        duplicate = factory.Trait(status="duplicate", closed_at=_after(1))
