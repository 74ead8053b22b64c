"""The three rates (三率) and their companions, over a region subtree, category, handler and period.

Definitions (DESIGN §4, reference/practice.md). The **cohort** is the reports filed (created_at)
in [start, end) whose region lies in the region's subtree, optionally of one category and
assigned to one handler. Deadlines are the due times stored at filing (category SLA counted
from filing: in Linli the community both receives and handles, so the resident's clock starts
when they report). `now` decides which deadlines have passed.

- **响应率** response_rate = responded_on_time / response_settled, over the *dispatched* reports
  (派单工单: dispatched_at set): settled = first contact recorded, or response due time passed;
  on time = first_contact_at ≤ response_due_at. Reports whose deadline is still ahead and who
  have not been contacted yet are not counted either way.
- **按期办结率** on_time_completion_rate = resolved_on_time / completion_settled, over the
  dispatched reports: settled = resolved (latest resolution, resolved_at set) or completion due
  time passed; on time = resolved_at ≤ completion_due_at. A reopened report counts by its
  latest resolution, against its original deadline.
- **解决率** resolution_rate = solved / rated: of the reports carrying a resident rating (the
  latest one), the share rated solved.
- **满意率** satisfaction_rate = satisfied / rated: the share with satisfaction ≥ 4 (of 5).
- **rating coverage** = closed_rated / closed: of the closed reports (status closed), the share
  the resident rated, so that a 满意率 over a tiny sample is visible as such.
- **reopen rate** = reopened / resolved_ever: of the reports resolved at least once, the share
  the resident reopened at least once.
- **median hours to first response**: first_contact_at − created_at over contacted reports;
  **to resolution**: resolved_at − created_at over resolved reports (latest resolution).

A rate is None when its denominator is 0.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from app import clock
from app.categories.models import Category
from app.extensions import db
from app.regions.models import Region
from app.regions.service import subtree_ids
from app.reports.lifecycle import CLOSED, DUPLICATE, REJECTED
from app.reports.models import Report

SATISFIED_FROM = 4


@dataclass(frozen=True)
class ReportRates:
    # Counts (the numerators and denominators below).
    filed: int
    rejected: int
    duplicate: int
    dispatched: int
    response_settled: int
    responded_on_time: int
    completion_settled: int
    resolved: int
    resolved_on_time: int
    rated: int
    solved: int
    satisfied: int
    closed: int
    closed_rated: int
    resolved_ever: int
    reopened: int
    # Rates in [0, 1], None when nothing is there to measure.
    response_rate: float | None
    on_time_completion_rate: float | None
    resolution_rate: float | None
    satisfaction_rate: float | None
    rating_coverage: float | None
    reopen_rate: float | None
    median_response_hours: float | None
    median_resolution_hours: float | None


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _median_hours(spans: list) -> float | None:
    return statistics.median(s.total_seconds() / 3600 for s in spans) if spans else None


def compute_rates(region: Region, *, category_code: str | None = None,
                  start: datetime | None = None, end: datetime | None = None,
                  handler_id: int | None = None, now: datetime | None = None) -> ReportRates:
    """The rates of the reports filed in [start, end) in `region`'s subtree (see the module
    docstring for the exact definitions)."""
    now = now or clock.now()
    query = sa.select(
        Report.status, Report.created_at, Report.dispatched_at, Report.first_contact_at,
        Report.resolved_at, Report.response_due_at, Report.completion_due_at, Report.rated_at,
        Report.solved, Report.satisfaction, Report.reopen_count,
    ).where(Report.region_id.in_(subtree_ids(region)))
    if category_code is not None:
        query = query.where(Report.category_id.in_(
            sa.select(Category.id).where(Category.code == category_code)))
    if start is not None:
        query = query.where(Report.created_at >= start)
    if end is not None:
        query = query.where(Report.created_at < end)
    if handler_id is not None:
        query = query.where(Report.assignee_id == handler_id)
    rows = db.session.execute(query).all()

    dispatched = [r for r in rows if r.dispatched_at is not None]
    response_settled = [r for r in dispatched
                        if r.first_contact_at is not None or r.response_due_at <= now]
    responded_on_time = [r for r in dispatched if r.first_contact_at is not None
                         and r.first_contact_at <= r.response_due_at]
    completion_settled = [r for r in dispatched
                          if r.resolved_at is not None or r.completion_due_at <= now]
    resolved_on_time = [r for r in dispatched if r.resolved_at is not None
                        and r.resolved_at <= r.completion_due_at]
    rated = [r for r in rows if r.rated_at is not None]
    solved = [r for r in rated if r.solved]
    satisfied = [r for r in rated if r.satisfaction >= SATISFIED_FROM]
    closed = [r for r in rows if r.status == CLOSED]
    closed_rated = [r for r in closed if r.rated_at is not None]
    resolved = [r for r in rows if r.resolved_at is not None]
    resolved_ever = [r for r in rows if r.resolved_at is not None or r.reopen_count > 0]
    reopened = [r for r in rows if r.reopen_count > 0]

    return ReportRates(
        filed=len(rows),
        rejected=sum(1 for r in rows if r.status == REJECTED),
        duplicate=sum(1 for r in rows if r.status == DUPLICATE),
        dispatched=len(dispatched),
        response_settled=len(response_settled),
        responded_on_time=len(responded_on_time),
        completion_settled=len(completion_settled),
        resolved=len(resolved),
        resolved_on_time=len(resolved_on_time),
        rated=len(rated),
        solved=len(solved),
        satisfied=len(satisfied),
        closed=len(closed),
        closed_rated=len(closed_rated),
        resolved_ever=len(resolved_ever),
        reopened=len(reopened),
        response_rate=_share(len(responded_on_time), len(response_settled)),
        on_time_completion_rate=_share(len(resolved_on_time), len(completion_settled)),
        resolution_rate=_share(len(solved), len(rated)),
        satisfaction_rate=_share(len(satisfied), len(rated)),
        rating_coverage=_share(len(closed_rated), len(closed)),
        reopen_rate=_share(len(reopened), len(resolved_ever)),
        median_response_hours=_median_hours(
            [r.first_contact_at - r.created_at for r in rows if r.first_contact_at is not None]),
        median_resolution_hours=_median_hours(
            [r.resolved_at - r.created_at for r in resolved]),
    )
