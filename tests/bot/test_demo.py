"""The demo community shows the bot's side too."""

import sqlalchemy as sa

from app.accounts.models import Resident, Staff
from app.demo import seed
from app.extensions import db
from bot import service


def test_demo_moderator_has_the_elderly_followers_callback_request_to_work_off():
    seed()
    moderator = db.session.scalar(sa.select(Staff).where(Staff.username == "moderator"))

    [request] = db.session.scalars(service.callbacks_for_staff_query(moderator, "open")).all()

    assert request.resident.nickname == "王奶奶"
    assert request.resident.elder_mode is True and request.resident.mp_openid is None


def test_demo_elderly_follower_has_a_report_and_a_letter_sent_by_chat():
    from app.mailbox.models import Letter
    from app.reports.models import Report

    seed()

    [report] = db.session.scalars(sa.select(Report).join(Report.reporter).where(
        Report.source == "bot", Resident.oa_openid == "demo-oa-wangnainai")).all()
    [letter] = db.session.scalars(sa.select(Letter).where(Letter.source == "bot")).all()
    assert report.reporter.nickname == "王奶奶" and report.status == "accepted"
    assert report.region.path.startswith(report.reporter.community.path)
    assert letter.resident_id == report.reporter_id and letter.mailbox.name == "书记信箱"
