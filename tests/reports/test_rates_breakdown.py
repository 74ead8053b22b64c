"""The dashboard's breakdowns: rates by category and by the regions below, what is open and
overdue now, and the weekly trend (weeks Monday to Sunday, China time)."""

from datetime import UTC, date, datetime, timedelta

import pytest

from app.reports import breakdown, compute_rates, open_counts, rates_by, weekly_trend
from tests.factories import CategoryFactory, ReportFactory


@pytest.fixture
def garbage():
    return CategoryFactory(code="garbage", name="垃圾堆放", sort_order=-1)


def test_rates_by_category_match_the_rates_of_each_category_alone(regions, category, garbage,
                                                                  clock):
    start = clock.moment - timedelta(days=10)
    ReportFactory(region=regions.grid, category=category, created_at=start, closed=True,
                  rated_at=start + timedelta(hours=7), solved=True, satisfaction=5)
    ReportFactory(region=regions.grid, category=category, created_at=start, dispatched=True)
    ReportFactory(region=regions.grid2, category=garbage, created_at=start, closed=True,
                  rated_at=start + timedelta(hours=7), solved=False, satisfaction=2)
    rows = rates_by(regions.community, "category", start=start)
    assert [row.key.code for row in rows] == ["garbage", "streetlight"]  # the categories' order
    for row in rows:
        alone = compute_rates(regions.community, category_code=row.key.code, start=start)
        assert row.rates == alone
    assert rows[1].rates.filed == 2 and rows[1].rates.satisfaction_rate == 1.0


def test_rates_by_region_group_a_streets_reports_by_community(regions, category, clock):
    ReportFactory(region=regions.grid, category=category)
    ReportFactory(region=regions.grid2, category=category)
    ReportFactory(region=regions.other_grid, category=category)
    rows = rates_by(regions.street, "region", start=clock.moment - timedelta(days=1))
    assert [(row.key.name, row.rates.filed) for row in rows] == [("和平社区", 2), ("桂花巷社区", 1)]


def test_reports_routed_to_the_region_itself_have_their_own_line(regions, category, clock):
    ReportFactory(region=regions.grid, category=category)
    ReportFactory(region=regions.community, category=category)  # outside every grid
    rows = rates_by(regions.community, "region", start=clock.moment - timedelta(days=1))
    assert [(row.key.id, row.rates.filed) for row in rows] == [(regions.grid.id, 1),
                                                               (regions.community.id, 1)]


def test_a_line_with_only_open_reports_from_before_the_period_is_kept(regions, category,
                                                                     clock):
    ReportFactory(region=regions.grid2, category=category, accepted=True,
                  created_at=clock.moment - timedelta(days=60))
    [row] = rates_by(regions.community, "region", start=clock.moment - timedelta(days=7))
    assert (row.key.id, row.rates.filed, row.open, row.overdue) == (regions.grid2.id, 0, 1, 1)


def test_an_unknown_breakdown_is_a_programming_error(regions):
    with pytest.raises(ValueError):
        rates_by(regions.community, "handler")


def test_open_counts_are_now_whatever_the_filing_time(regions, category, handler, clock):
    ReportFactory(region=regions.grid, category=category)  # due in 24 h
    ReportFactory(region=regions.grid, category=category, dispatched=True, assignee=handler,
                  created_at=clock.moment - timedelta(days=30))  # long overdue
    ReportFactory(region=regions.grid2, category=category, in_progress=True,
                  created_at=clock.moment - timedelta(hours=30))  # contacted, not yet due
    ReportFactory(region=regions.grid, category=category, closed=True)
    ReportFactory(region=regions.other_grid, category=category)
    assert open_counts(regions.community) == {"open": 3, "overdue": 1}
    by_grid = open_counts(regions.community, by="region")
    assert by_grid == {regions.grid.id: {"open": 2, "overdue": 1},
                       regions.grid2.id: {"open": 1, "overdue": 0}}
    assert open_counts(regions.community, by="category") == {
        category.id: {"open": 3, "overdue": 1}}


def test_weekly_trend_counts_filed_and_resolved_by_china_week(regions, category, clock):
    # Wednesday 2026-11-25 10:00 in Shanghai: this week began on Monday 11-23.
    clock.set(datetime(2026, 11, 25, 2, 0, tzinfo=UTC))
    monday_early = datetime(2026, 11, 22, 16, 30, tzinfo=UTC)  # Monday 11-23 00:30 in China
    ReportFactory(region=regions.grid, category=category, created_at=monday_early,
                  dispatched=True, first_contact_at=monday_early + timedelta(hours=1))
    ReportFactory(region=regions.grid, category=category,
                  created_at=datetime(2026, 11, 22, 15, 59, tzinfo=UTC),
                  resolved=True)  # Sunday 11-22 23:59 in China, resolved 5 h later
    weeks = weekly_trend(regions.community, weeks=3)
    assert [week.week_start for week in weeks] == [date(2026, 11, 9), date(2026, 11, 16),
                                                   date(2026, 11, 23)]
    assert [week.filed for week in weeks] == [0, 1, 1]
    assert [week.resolved for week in weeks] == [0, 0, 1]
    assert weeks[2].rates.response_rate == 1.0
    assert weeks[0].rates.response_rate is None


def test_weekly_trend_ends_with_the_week_asked_for(regions, category, clock):
    ReportFactory(region=regions.grid, category=category,
                  created_at=clock.moment - timedelta(days=21))
    weeks = weekly_trend(regions.community, weeks=2,
                         until=(clock.moment - timedelta(days=21)).date())
    assert weeks[-1].filed == 1 and weeks[0].filed == 0


def test_the_breakdown_is_the_separate_figures_read_once(regions, category, garbage, handler,
                                                         clock):
    start = clock.moment - timedelta(days=10)
    ReportFactory(region=regions.grid, category=category, created_at=start, closed=True,
                  rated_at=start + timedelta(hours=7), solved=True, satisfaction=4)
    ReportFactory(region=regions.grid2, category=garbage, created_at=start, dispatched=True,
                  assignee=handler)
    ReportFactory(region=regions.community, category=garbage, accepted=True,
                  created_at=clock.moment - timedelta(days=40))
    figures = breakdown(regions.community, start=start)
    assert figures.totals == compute_rates(regions.community, start=start)
    assert figures.open == open_counts(regions.community)
    assert figures.by_category == rates_by(regions.community, "category", start=start)
    assert figures.by_region == rates_by(regions.community, "region", start=start)
    assert len(figures.by_region) == 3  # both grids, and the community itself
