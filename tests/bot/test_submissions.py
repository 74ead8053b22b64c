"""Drafts confirmed in the chat: claimed once by their job, forgotten a month after filing."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from app.extensions import db
from bot import submissions
from bot.jobs import sweep_bot_state
from bot.models import BotSubmission
from tests.factories import ResidentFactory


def submission(status: str = "pending", **values) -> BotSubmission:
    row = BotSubmission(resident_id=ResidentFactory().id, openid="oFOLLOWER", kind="report",
                        draft={}, status=status, **values)
    db.session.add(row)
    db.session.commit()
    return row


def test_a_pending_submission_is_claimed_once(clock):
    row = submission()

    first = submissions.claim(row.id)
    db.session.commit()
    second = submissions.claim(row.id)

    assert first is not None and first.status == "done"
    assert second is None


def test_a_refused_submission_keeps_why(clock):
    row = submission()

    submissions.refuse(row.id, "您提交的内容含有不适宜公开的信息")
    db.session.commit()

    db.session.refresh(row)
    assert (row.status, row.error) == ("refused", "您提交的内容含有不适宜公开的信息")


def test_the_sweep_forgets_finished_submissions_after_a_month_but_never_pending_ones(clock):
    submission("done", created_at=clock.moment - timedelta(days=31))
    old_pending = submission(created_at=clock.moment - timedelta(days=31)).id
    recent_done = submission("done", created_at=clock.moment - timedelta(days=2)).id

    sweep_bot_state()

    assert set(db.session.scalars(sa.select(BotSubmission.id))) == {old_pending, recent_done}
