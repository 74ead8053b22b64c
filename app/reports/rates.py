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

For the dashboard: `rates_by` splits a period's cohort by category or by the regions right below
the chosen one, `open_counts` tells what is open and overdue now, `weekly_trend` gives the
figures of each of the last weeks. Each loads the rows it needs in one or two queries and
groups them here, never one query per line.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from app import clock
from app.categories.models import Category
from app.extensions import db
from app.regions.models import Region
from app.regions.service import subtree_ids
from app.reports.lifecycle import CLOSED, DUPLICATE, OPEN_STATES, REJECTED
from app.reports.models import Report
from app.reports.service import overdue_clause

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


def _cohort_query(region: Region, *, category_code: str | None, start: datetime | None,
                  end: datetime | None, handler_id: int | None) -> sa.Select:
    """The columns every rate needs, of the reports filed in [start, end) in the subtree."""
    query = (sa.select(
        Report.status, Report.created_at, Report.dispatched_at, Report.first_contact_at,
        Report.resolved_at, Report.response_due_at, Report.completion_due_at, Report.rated_at,
        Report.solved, Report.satisfaction, Report.reopen_count, Report.category_id,
        Region.path.label("region_path"),
    ).join(Region, Report.region_id == Region.id)
        .where(Report.region_id.in_(subtree_ids(region))))
    if category_code is not None:
        query = query.where(Report.category_id.in_(
            sa.select(Category.id).where(Category.code == category_code)))
    if start is not None:
        query = query.where(Report.created_at >= start)
    if end is not None:
        query = query.where(Report.created_at < end)
    if handler_id is not None:
        query = query.where(Report.assignee_id == handler_id)
    return query


def _rates_of(rows: Sequence, now: datetime) -> ReportRates:
    """The figures of one cohort's rows (see the module docstring)."""
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


def compute_rates(region: Region, *, category_code: str | None = None,
                  start: datetime | None = None, end: datetime | None = None,
                  handler_id: int | None = None, now: datetime | None = None) -> ReportRates:
    """The rates of the reports filed in [start, end) in `region`'s subtree (see the module
    docstring for the exact definitions)."""
    rows = db.session.execute(_cohort_query(region, category_code=category_code, start=start,
                                            end=end, handler_id=handler_id)).all()
    return _rates_of(rows, now or clock.now())


# --- breakdowns for the dashboard -----------------------------------------------------------

BREAKDOWNS = ("category", "region")


@dataclass(frozen=True)
class RatesRow:
    """One line of a breakdown: a category, or a region below the chosen one (`key` is the
    Category or the Region; for reports routed to the chosen region itself, that region)."""

    key: Category | Region
    rates: ReportRates
    open: int
    overdue: int


def _child_below(region: Region, region_path: str) -> int:
    """The id of the region right below `region` on the way to `region_path` (the region's own
    id when the path ends at it)."""
    ids = [int(part) for part in region_path.strip("/").split("/") if part]
    depth = len(region.ancestor_ids)
    return ids[depth] if len(ids) > depth else region.id


def _open_rows(region: Region, now: datetime) -> list:
    """What is open in the subtree now, per category and region path: (category_id,
    region_path, open, overdue) — one grouped query that every grouping is folded from."""
    overdue = overdue_clause(now)
    return db.session.execute(
        sa.select(Report.category_id, Region.path.label("region_path"),
                  sa.func.count(Report.id).label("open"),
                  sa.func.sum(sa.case((overdue, 1), else_=0)).label("overdue"))
        .join(Region, Report.region_id == Region.id)
        .where(Report.region_id.in_(subtree_ids(region)), Report.status.in_(OPEN_STATES))
        .group_by(Report.category_id, Region.path)).all()


def _group_key(region: Region, by: str | None, row) -> int | None:
    if by == "category":
        return row.category_id
    if by == "region":
        return _child_below(region, row.region_path)
    return None


def _fold_open(region: Region, by: str | None, open_rows: list) -> dict:
    totals: dict = {}
    for row in open_rows:
        counts = totals.setdefault(_group_key(region, by, row), {"open": 0, "overdue": 0})
        counts["open"] += row.open
        counts["overdue"] += int(row.overdue or 0)
    return totals


def open_counts(region: Region, *, by: str | None = None,
                now: datetime | None = None) -> dict:
    """Reports still being worked on in the subtree now, and how many of those are overdue:
    {"open": n, "overdue": m}, or per category id / per region below (`by`) a dict of those.
    One grouped query."""
    totals = _fold_open(region, by, _open_rows(region, now or clock.now()))
    if by is None:
        return totals.get(None, {"open": 0, "overdue": 0})
    return totals


def _lines(region: Region, by: str, rows: Sequence, open_rows: list,
           now: datetime) -> list[RatesRow]:
    groups: dict[int, list] = {}
    for row in rows:
        groups.setdefault(_group_key(region, by, row), []).append(row)
    current = _fold_open(region, by, open_rows)
    wanted = set(groups) | set(current)
    if by == "category":
        keys = list(db.session.scalars(sa.select(Category).where(Category.id.in_(wanted))
                                       .order_by(Category.sort_order, Category.id)))
    else:
        keys = [child for child in region.children if child.id in wanted]
        if region.id in wanted:
            keys.append(region)
    return [RatesRow(key=key, rates=_rates_of(groups.get(key.id, []), now),
                     open=current.get(key.id, {}).get("open", 0),
                     overdue=current.get(key.id, {}).get("overdue", 0)) for key in keys]


def rates_by(region: Region, by: str, *, start: datetime | None = None,
             end: datetime | None = None, now: datetime | None = None) -> list[RatesRow]:
    """The rates of the period's cohort in `region`'s subtree per category (`by="category"`,
    in the categories' order) or per region right below it (`by="region"`: its grids for a
    community, its communities for a street; reports routed to the region itself form their
    own line), with what is open and overdue now in each. Lines with neither reports in the
    period nor open reports are left out. A few queries, whatever the number of lines."""
    if by not in BREAKDOWNS:
        raise ValueError(f"unknown breakdown {by!r}")
    now = now or clock.now()
    rows = db.session.execute(_cohort_query(region, category_code=None, start=start, end=end,
                                            handler_id=None)).all()
    return _lines(region, by, rows, _open_rows(region, now), now)


@dataclass(frozen=True)
class Breakdown:
    """Everything the dashboard shows of one region and period, from one load of the rows."""

    totals: ReportRates
    open: dict[str, int]  # {"open": n, "overdue": m} now
    by_category: list[RatesRow]
    by_region: list[RatesRow]


def breakdown(region: Region, *, start: datetime | None = None, end: datetime | None = None,
              now: datetime | None = None) -> Breakdown:
    """`compute_rates`, `open_counts` and both `rates_by` at once: the period's rows and what is
    open now are each read once and grouped here (the dashboard's one big read)."""
    now = now or clock.now()
    rows = db.session.execute(_cohort_query(region, category_code=None, start=start, end=end,
                                            handler_id=None)).all()
    open_rows = _open_rows(region, now)
    return Breakdown(
        totals=_rates_of(rows, now),
        open=_fold_open(region, None, open_rows).get(None, {"open": 0, "overdue": 0}),
        by_category=_lines(region, "category", rows, open_rows, now),
        by_region=_lines(region, "region", rows, open_rows, now))


@dataclass(frozen=True)
class WeekFigures:
    """One week (Monday to Sunday, China time) of the trend."""

    week_start: date
    filed: int
    resolved: int
    rates: ReportRates


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=clock.LOCAL_ZONE)


def weekly_trend(region: Region, *, weeks: int = 8, until: date | None = None,
                 category_code: str | None = None,
                 now: datetime | None = None) -> list[WeekFigures]:
    """The last `weeks` weeks up to the one containing `until` (default today), oldest first:
    reports filed in each week with that week's rates (by filing week, like `compute_rates`),
    and reports resolved in each week (by their latest resolution). Two queries."""
    now = now or clock.now()
    until = until or clock.local_today()
    first_monday = until - timedelta(days=until.weekday() + 7 * (weeks - 1))
    start = _local_midnight(first_monday)
    end = _local_midnight(first_monday + timedelta(weeks=weeks))

    def week_of(moment: datetime) -> int:
        return (clock.to_local(moment).date() - first_monday).days // 7

    filed: list[list] = [[] for _ in range(weeks)]
    for row in db.session.execute(_cohort_query(region, category_code=category_code,
                                                start=start, end=end, handler_id=None)):
        filed[week_of(row.created_at)].append(row)
    resolved = [0] * weeks
    query = sa.select(Report.resolved_at).where(
        Report.region_id.in_(subtree_ids(region)), Report.resolved_at >= start,
        Report.resolved_at < end)
    if category_code is not None:
        query = query.where(Report.category_id.in_(
            sa.select(Category.id).where(Category.code == category_code)))
    for moment in db.session.scalars(query):
        resolved[week_of(moment)] += 1
    return [WeekFigures(week_start=first_monday + timedelta(weeks=index),
                        filed=len(filed[index]), resolved=resolved[index],
                        rates=_rates_of(filed[index], now)) for index in range(weeks)]
