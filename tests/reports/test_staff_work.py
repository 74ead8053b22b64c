"""Services behind the staff pages: 我的任务, whom to dispatch to, merge candidates, bulk
dispatch, the export rows, and the extra queue filters."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app import reports
from app.accounts.models import StaffRole
from app.audit.models import AuditEntry
from app.errors import Conflict, Forbidden, Invalid
from app.extensions import db
from app.reports.models import Report
from tests.factories import CategoryFactory, ReportFactory, ResidentFactory, StaffFactory


def audit_actions(action_prefix="report.") -> list[str]:
    return list(db.session.scalars(sa.select(AuditEntry.action).where(
        AuditEntry.action.startswith(action_prefix)).order_by(AuditEntry.id)))


# --- 我的任务 --------------------------------------------------------------------------------

def test_my_tasks_are_my_open_reports_soonest_due_first(regions, category, handler, clock):
    later = ReportFactory(region=regions.grid, category=category, dispatched=True,
                          assignee=handler)
    sooner = ReportFactory(region=regions.grid, category=category, dispatched=True,
                           assignee=handler, created_at=clock.moment - timedelta(hours=20))
    ReportFactory(region=regions.grid, category=category, resolved=True, assignee=handler)
    ReportFactory(region=regions.grid, category=category, dispatched=True,
                  assignee=StaffFactory(region=regions.grid, role=StaffRole.HANDLER))
    tasks = db.session.scalars(reports.my_tasks_query(handler)).all()
    assert [task.id for task in tasks] == [sooner.id, later.id]


def test_my_task_counts_say_how_many_are_overdue(regions, category, handler, clock):
    ReportFactory(region=regions.grid, category=category, dispatched=True, assignee=handler)
    ReportFactory(region=regions.grid, category=category, dispatched=True, assignee=handler,
                  created_at=clock.moment - timedelta(days=2))
    ReportFactory(region=regions.grid, category=category, closed=True, assignee=handler)
    assert reports.my_task_counts(handler) == {"open": 2, "overdue": 1}


# --- whom to dispatch to ---------------------------------------------------------------------

def test_dispatch_candidates_are_active_staff_covering_the_report_handlers_first(
        regions, category, handler, moderator):
    report = ReportFactory(region=regions.grid, category=category, accepted=True)
    street_admin = StaffFactory(region=regions.street, role=StaffRole.ADMIN)
    StaffFactory(region=regions.grid2, role=StaffRole.HANDLER)  # the other grid
    StaffFactory(region=regions.other_community, role=StaffRole.MODERATOR)
    StaffFactory(region=regions.grid, role=StaffRole.HANDLER, active=False)
    candidates = reports.dispatch_candidates(moderator, report)
    assert [staff.id for staff in candidates] == [handler.id, moderator.id, street_admin.id]


def test_dispatch_candidates_for_several_reports_meet_the_callers_scope(regions, handler,
                                                                        moderator):
    other_grid = StaffFactory(region=regions.grid2, role=StaffRole.HANDLER)
    street_admin = StaffFactory(region=regions.street, role=StaffRole.ADMIN)
    StaffFactory(region=regions.other_grid, role=StaffRole.HANDLER)
    ids = {staff.id for staff in reports.dispatch_candidates(moderator)}
    assert ids == {handler.id, other_grid.id, moderator.id, street_admin.id}


# --- merge candidates ------------------------------------------------------------------------

def test_merge_candidates_are_open_reports_of_the_category_nearby_nearest_first(
        regions, category, moderator):
    report = ReportFactory(region=regions.grid, category=category, lat=30.654, lng=104.082)
    eleven_metres = ReportFactory(region=regions.grid, category=category, lat=30.6541,
                                  lng=104.082)
    one_metre = ReportFactory(region=regions.grid, category=category, lat=30.65401, lng=104.082)
    across_the_street = ReportFactory(region=regions.grid, category=category, lat=30.654,
                                      lng=104.0835)  # about 144 m east
    ReportFactory(region=regions.grid, category=category, lat=30.660, lng=104.082)  # 670 m
    ReportFactory(region=regions.grid, category=CategoryFactory(), lat=30.654, lng=104.082)
    ReportFactory(region=regions.grid, category=category, closed=True, lat=30.654, lng=104.082)
    found = reports.merge_candidates(moderator, report)
    assert [other.id for other, _ in found] == [one_metre.id, eleven_metres.id,
                                                across_the_street.id]
    assert found[2][1] == pytest.approx(144, abs=2)


def test_merge_candidates_by_number_take_any_category_in_scope(regions, category, moderator):
    report = ReportFactory(region=regions.grid, category=category)
    wanted = ReportFactory(region=regions.grid2, category=CategoryFactory(), lat=30.0,
                           number="SSP-20261120-0042")
    ReportFactory(region=regions.other_grid, category=category, number="SSP-20261120-0142")
    found = reports.merge_candidates(moderator, report, number="20261120-0042")
    assert [other.id for other, _ in found] == [wanted.id]


def test_merge_candidates_leave_out_reports_outside_scope(regions, category, handler):
    report = ReportFactory(region=regions.grid, category=category)
    ReportFactory(region=regions.grid2, category=category)  # same place, the other grid
    assert reports.merge_candidates(handler, report) == []


# --- bulk dispatch ---------------------------------------------------------------------------

def test_bulk_dispatch_does_what_it_can_and_says_why_not_for_the_rest(
        regions, category, handler, moderator):
    ready = ReportFactory(region=regions.grid, category=category, accepted=True)
    not_accepted = ReportFactory(region=regions.grid, category=category)
    elsewhere = ReportFactory(region=regions.grid2, category=category, accepted=True)
    outcomes = reports.dispatch_reports(moderator, [ready.id, not_accepted.id, elsewhere.id],
                                        handler_id=handler.id, note="请今天处理")
    assert [(o.number, o.ok, o.code) for o in outcomes] == [
        (ready.number, True, 200), (not_accepted.number, False, 409),
        (elsewhere.number, False, 422)]
    assert "不负责" in outcomes[2].message
    db.session.expire_all()
    assert db.session.get(Report, ready.id).assignee_id == handler.id
    assert db.session.get(Report, not_accepted.id).status == "submitted"
    assert db.session.get(Report, elsewhere.id).assignee_id is None
    assert audit_actions() == ["report.dispatch"]


def test_bulk_dispatch_does_not_name_reports_outside_scope(regions, category, handler,
                                                          moderator):
    outside = ReportFactory(region=regions.other_grid, category=category, accepted=True)
    [outcome] = reports.dispatch_reports(moderator, [outside.id], handler_id=handler.id)
    assert (outcome.ok, outcome.code, outcome.number) == (False, 404, None)


def test_bulk_dispatch_needs_reports_and_a_limit(regions, handler, moderator):
    with pytest.raises(Invalid):
        reports.dispatch_reports(moderator, [], handler_id=handler.id)
    with pytest.raises(Invalid):
        reports.dispatch_reports(moderator, list(range(1, 52)), handler_id=handler.id)


def test_bulk_dispatch_to_an_inactive_handler_is_refused_at_once(regions, category,
                                                                 moderator):
    report = ReportFactory(region=regions.grid, category=category, accepted=True)
    gone = StaffFactory(region=regions.grid, role=StaffRole.HANDLER, active=False)
    with pytest.raises(Invalid):
        reports.dispatch_reports(moderator, [report.id], handler_id=gone.id)


# --- checking an action before doing it ------------------------------------------------------

def test_checking_an_action_gives_the_error_the_action_would(regions, category, handler):
    colleague = StaffFactory(region=regions.grid, role=StaffRole.HANDLER)
    theirs = ReportFactory(region=regions.grid, category=category, in_progress=True,
                           assignee=colleague)
    mine = ReportFactory(region=regions.grid, category=category, dispatched=True,
                         assignee=handler)
    with pytest.raises(Forbidden):
        reports.check_staff_action(handler, theirs.id, "resolve")
    with pytest.raises(Conflict):
        reports.check_staff_action(handler, mine.id, "resolve")
    assert reports.check_staff_action(handler, mine.id, "start").id == mine.id


# --- export rows -----------------------------------------------------------------------------

def test_export_rows_name_reporters_except_anonymous_ones_and_never_a_phone(
        regions, category, moderator):
    named = ResidentFactory(community=regions.community, nickname="张阿姨",
                            phone_masked="138****0000")
    shy = ResidentFactory(community=regions.community, nickname="刘叔")
    ReportFactory(region=regions.grid, category=category, reporter=named)
    ReportFactory(region=regions.grid, category=category, reporter=shy, anonymous=True)
    ReportFactory(region=regions.other_grid, category=category, reporter=named)
    rows = reports.export_reports(moderator, fmt="csv")
    assert sorted(row["reporter"] for row in rows) == ["张阿姨", "（匿名）"]
    assert not any("138" in str(value) for row in rows for value in row.values())
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "report.export"))
    assert entry.detail == {"rows": 2, "format": "csv"}
    assert entry.staff_id == moderator.id


def test_export_rows_follow_the_filters(regions, category, moderator, clock):
    old = ReportFactory(region=regions.grid, category=category,
                        created_at=clock.moment - timedelta(days=40))
    new = ReportFactory(region=regions.grid, category=category)
    rows = reports.export_reports(moderator, fmt="xlsx",
                                  start=clock.moment - timedelta(days=7))
    assert [row["number"] for row in rows] == [new.number]
    assert old.number not in {row["number"] for row in rows}


# --- the extra queue filters -----------------------------------------------------------------

def test_the_queue_finds_a_report_by_part_of_its_number(regions, category, moderator):
    wanted = ReportFactory(region=regions.grid, category=category, number="SSP-20261124-0007")
    ReportFactory(region=regions.grid, category=category, number="SSP-20261124-0008")
    found = db.session.scalars(reports.staff_reports_query(moderator, number="ssp-20261124-0007"))
    assert [report.id for report in found] == [wanted.id]


def test_the_queue_shows_unassigned_and_open_only_when_asked(regions, category, handler,
                                                            moderator):
    waiting = ReportFactory(region=regions.grid, category=category, accepted=True)
    ReportFactory(region=regions.grid, category=category, dispatched=True, assignee=handler)
    ReportFactory(region=regions.grid, category=category, rejected=True)
    found = db.session.scalars(reports.staff_reports_query(moderator, unassigned=True,
                                                           open_only=True))
    assert [report.id for report in found] == [waiting.id]
