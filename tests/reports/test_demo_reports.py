"""`flask demo seed` shows 随手拍 in several states, with photos through the real pipeline, and
a history of handled reports over the past weeks for the dashboard."""

from datetime import timedelta

import sqlalchemy as sa

from app import clock
from app.extensions import db
from app.reports.models import Report, ReportPhoto


def test_demo_seed_files_and_handles_reports(runner, media_root):
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    statuses = sorted(db.session.scalars(sa.select(Report.status).where(
        Report.source == "miniprogram", Report.created_at > clock.now() - timedelta(hours=1))))
    assert statuses == ["accepted", "closed", "in_progress", "resolved", "submitted"]
    closed = db.session.scalar(sa.select(Report).where(
        Report.status == "closed", Report.source == "miniprogram",
        Report.created_at > clock.now() - timedelta(hours=1)))
    assert closed.satisfaction == 5
    # 5 photos of the reports, 2 of the results, 1 of the report made by chat (tests/bot)
    assert db.session.scalar(sa.select(sa.func.count(ReportPhoto.id))) == 8
    assert any(media_root.rglob("*-thumbnail.jpg"))


def test_demo_history_spreads_handled_reports_over_the_past_weeks(runner):
    runner.invoke(args=["demo", "seed"])
    history = db.session.scalars(sa.select(Report).where(
        Report.created_at < clock.now() - timedelta(days=5))).all()
    weeks = {(clock.now() - report.created_at).days // 7 for report in history}
    assert len(weeks) >= 6
    statuses = {report.status for report in history}
    assert statuses == {"closed", "rejected"}
    assert any(report.reopen_count for report in history)
    late = [r for r in history if r.first_contact_at and r.first_contact_at > r.response_due_at]
    assert late and any(report.satisfaction == 5 for report in history)
