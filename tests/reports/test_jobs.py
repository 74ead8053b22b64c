"""The periodic sweeps: closing unrated reports after 7 days, escalating overdue ones once."""

from datetime import timedelta

import pytest

from app import periodic
from app.accounts.models import StaffRole
from app.extensions import db
from app.reports.jobs import sweep_overdue_reports, sweep_unrated_reports
from app.reports.models import Report
from tests.factories import ReportFactory, StaffFactory
from tests.reports.helpers import notifications, staff_post, timeline


def reload(report) -> Report:
    db.session.expire_all()
    return db.session.get(Report, report.id)


@pytest.fixture
def resolved(resident, regions, category, handler, clock):
    return ReportFactory(region=regions.grid, reporter=resident, category=category,
                         resolved=True, assignee=handler,
                         created_at=clock.moment - timedelta(hours=5))


def test_the_sweeps_are_declared_every_five_minutes():
    periodic.load_sweeps()
    for func in (sweep_unrated_reports, sweep_overdue_reports):
        sweep = periodic.SWEEPS[f"{func.__module__}.{func.__qualname__}"]
        assert sweep.interval_seconds == 300


def test_a_resolved_report_unrated_for_seven_days_is_closed_unrated(resident, resolved, clock):
    clock.advance(days=7, minutes=1)
    sweep_unrated_reports()
    report = reload(resolved)
    assert (report.status, report.closed_at, report.rated_at) == ("closed", clock.moment, None)
    event = timeline(report.id)[-1]
    assert (event.action, event.actor_kind, event.to_status) == ("expire", "system", "closed")
    [told] = notifications(resident_id=resident.id)
    assert told.kind == "report.expire"


def test_a_resolved_report_within_seven_days_stays_open_for_rating(resolved, clock):
    clock.advance(days=6, hours=23)
    sweep_unrated_reports()
    assert reload(resolved).status == "resolved"


def test_closing_unrated_reports_twice_closes_each_once(resident, resolved, clock):
    clock.advance(days=8)
    sweep_unrated_reports()
    sweep_unrated_reports()
    assert [e.action for e in timeline(resolved.id)] == ["expire"]
    assert len(notifications(resident_id=resident.id)) == 1


def test_a_report_without_first_contact_past_its_response_due_is_escalated_once(
        regions, category, handler, clock):
    supervisor = StaffFactory(region=regions.community, role=StaffRole.MODERATOR)
    admin = StaffFactory(region=regions.street, role=StaffRole.ADMIN)
    report = ReportFactory(region=regions.grid, category=category, dispatched=True,
                           assignee=handler)
    clock.advance(hours=24, minutes=1)
    sweep_overdue_reports()
    sweep_overdue_reports()
    assert reload(report).response_overdue_at == clock.moment
    assert reload(report).completion_overdue_at is None
    escalations = notifications(kind="report.overdue")
    assert sorted(n.staff_id for n in escalations) == sorted([supervisor.id, admin.id])
    assert "督办" in escalations[0].payload["text"]
    [event] = timeline(report.id)
    assert (event.action, event.public) == ("overdue", False)


def test_nothing_is_escalated_before_the_due_time(regions, category, handler, clock):
    report = ReportFactory(region=regions.grid, category=category, dispatched=True,
                           assignee=handler)
    clock.advance(hours=23, minutes=59)
    sweep_overdue_reports()
    assert reload(report).response_overdue_at is None
    assert notifications(kind="report.overdue") == []


def test_a_contacted_report_is_not_escalated_for_response(client, regions, category, handler,
                                                          auth_headers, clock):
    report = ReportFactory(region=regions.grid, category=category, dispatched=True,
                           assignee=handler)
    staff_post(client, auth_headers(handler), report.id, "contact")
    clock.advance(hours=30)
    sweep_overdue_reports()
    assert reload(report).response_overdue_at is None


def test_an_unresolved_report_past_its_completion_due_is_escalated(regions, category, handler,
                                                                   clock):
    report = ReportFactory(region=regions.grid, category=category, in_progress=True,
                           assignee=handler)
    clock.advance(hours=72, minutes=1)
    sweep_overdue_reports()
    report = reload(report)
    assert report.completion_overdue_at == clock.moment
    assert report.response_overdue_at is None  # it was contacted in time


def test_a_submitted_report_nobody_touched_is_escalated_for_both_deadlines(regions, category,
                                                                           clock):
    StaffFactory(region=regions.community, role=StaffRole.MODERATOR)
    report = ReportFactory(region=regions.grid, category=category)
    clock.advance(days=4)
    sweep_overdue_reports()
    report = reload(report)
    assert report.response_overdue_at and report.completion_overdue_at
    assert len(notifications(kind="report.overdue")) == 2


@pytest.mark.parametrize("state", ["resolved", "closed", "rejected", "duplicate"])
def test_finished_reports_are_never_overdue(regions, category, clock, state):
    report = ReportFactory(region=regions.grid, category=category, status=state)
    clock.advance(days=10)
    sweep_overdue_reports()
    assert reload(report).response_overdue_at is None
    assert reload(report).completion_overdue_at is None


def test_overdue_reports_are_flagged_in_the_staff_list(client, regions, category, moderator,
                                                       auth_headers, clock):
    late = ReportFactory(region=regions.grid, category=category, dispatched=True,
                         created_at=clock.moment - timedelta(hours=30))
    ReportFactory(region=regions.grid, category=category, dispatched=True)
    response = client.get("/api/v1/staff/reports?overdue=true", headers=auth_headers(moderator))
    assert [r["id"] for r in response.json["items"]] == [late.id]
    assert response.json["items"][0]["overdue"] is True
