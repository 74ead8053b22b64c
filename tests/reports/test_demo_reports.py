"""`flask demo seed` shows 随手拍 in several states, with photos through the real pipeline."""

import sqlalchemy as sa

from app.extensions import db
from app.reports.models import Report, ReportPhoto


def test_demo_seed_files_and_handles_reports(runner, media_root):
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    statuses = sorted(db.session.scalars(sa.select(Report.status)
                                         .where(Report.source == "miniprogram")))
    assert statuses == ["accepted", "closed", "in_progress", "resolved", "submitted"]
    closed = db.session.scalar(sa.select(Report).where(Report.status == "closed"))
    assert closed.satisfaction == 5
    # 5 photos of the reports, 2 of the results, 1 of the report made by chat (tests/bot)
    assert db.session.scalar(sa.select(sa.func.count(ReportPhoto.id))) == 8
    assert any(media_root.rglob("*-thumbnail.jpg"))
