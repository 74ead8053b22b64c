"""Two records of one resident merged: their uploads, one per photo content."""

from __future__ import annotations

import sqlalchemy as sa

from app import clock
from app.accounts import service as accounts
from app.extensions import db
from app.reports.models import ReportPhoto
from app.uploads.models import Upload
from tests.factories import ReportFactory, ResidentFactory


def upload(resident, sha256: str) -> Upload:
    row = Upload(resident_id=resident.id, sha256=sha256, source_format="JPEG", width=800,
                 height=600, created_at=clock.now())
    db.session.add(row)
    db.session.commit()
    return row


def test_uploads_move_and_a_photo_both_uploaded_is_one_upload_everything_points_at(regions):
    source = ResidentFactory(mp_openid=None, oa_openid="oBOT-ONLY", community=regions.community)
    target = ResidentFactory(community=regions.community)
    shared_source, shared_target = upload(source, "a" * 64), upload(target, "a" * 64)
    own = upload(source, "b" * 64)
    report = ReportFactory(reporter=source, region=regions.grid)
    db.session.add(ReportPhoto(report_id=report.id, upload_id=shared_source.id, position=0))
    db.session.commit()

    accounts.merge_residents(source=source, target=target)
    db.session.commit()

    rows = db.session.execute(sa.select(Upload.id, Upload.resident_id)
                              .order_by(Upload.id)).all()
    assert rows == [(shared_target.id, target.id), (own.id, target.id)]
    assert db.session.scalar(sa.select(ReportPhoto.upload_id)) == shared_target.id
