"""Two records of one resident merged: their reports, timeline entries, ratings and follows."""

from __future__ import annotations

import sqlalchemy as sa

from app import clock
from app.accounts import service as accounts
from app.extensions import db
from app.reports.models import Report, ReportEvent, ReportFollower, ReportRating
from tests.factories import ReportFactory, ResidentFactory


def merge(source, target) -> None:
    accounts.merge_residents(source=source, target=target)
    db.session.commit()


def bot_only(regions):
    return ResidentFactory(mp_openid=None, oa_openid="oBOT-ONLY", community=regions.community)


def followers(report) -> list[int]:
    return list(db.session.scalars(sa.select(ReportFollower.resident_id)
                                   .where(ReportFollower.report_id == report.id)))


def follow(report, resident) -> None:
    db.session.add(ReportFollower(report_id=report.id, resident_id=resident.id,
                                  created_at=clock.now()))
    report.follower_count += 1
    db.session.commit()


def test_reports_timeline_entries_and_ratings_move_to_the_target(regions):
    source, target = bot_only(regions), ResidentFactory(community=regions.community)
    report = ReportFactory(reporter=source, region=regions.grid, closed=True)
    db.session.add_all([
        ReportEvent(report_id=report.id, action="file", actor_kind="resident",
                    actor_resident_id=source.id, to_status="submitted", created_at=clock.now()),
        ReportRating(report_id=report.id, resident_id=source.id, round=0, solved=True,
                     satisfaction=5, created_at=clock.now())])
    db.session.commit()

    merge(source, target)

    assert db.session.get(Report, report.id).reporter_id == target.id
    assert db.session.scalar(sa.select(ReportEvent.actor_resident_id)) == target.id
    assert db.session.scalar(sa.select(ReportRating.resident_id)) == target.id


def test_a_report_both_records_followed_keeps_one_follow(regions):
    source, target = bot_only(regions), ResidentFactory(community=regions.community)
    report = ReportFactory(reporter=ResidentFactory(), region=regions.grid)
    follow(report, source)
    follow(report, target)

    merge(source, target)

    assert followers(report) == [target.id]
    assert db.session.get(Report, report.id).follower_count == 1


def test_a_follow_of_what_is_now_ones_own_report_is_dropped(regions):
    source, target = bot_only(regions), ResidentFactory(community=regions.community)
    report = ReportFactory(reporter=source, region=regions.grid)
    follow(report, target)

    merge(source, target)

    assert followers(report) == []
    assert db.session.get(Report, report.id).follower_count == 0
