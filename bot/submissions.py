"""Reports and letters confirmed in the chat, handed to a job to file exactly once.

A flow calls `submit(turn, kind, draft, job)` when the resident confirms: the draft is stored as
a `BotSubmission` row in the push's transaction and `job(submission_id)` runs after the commit.
The job calls `claim(id)`, which moves the row pending → done with one conditional UPDATE in
the job's transaction; the domain service then commits that claim together with what it files,
so a job run twice (a retry, two workers) files once, and a filing that fails leaves the row
pending for rq's retry. When the service refuses, the job rolls back and calls `refuse()`.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

from app import clock, jobs
from app.extensions import db
from bot import dialogs
from bot import jobs as bot_jobs
from bot.menus import join
from bot.models import BotSubmission, SubmissionStatus
from bot.turn import Turn, job_turn

ERROR_MAX_CHARS = 200


def submit(turn: Turn, kind: str, draft: dict, job: Callable[[int], None]) -> BotSubmission:
    """Keep the confirmed draft and enqueue `job(submission_id)` for after this push commits."""
    submission = BotSubmission(resident_id=turn.resident.id, openid=turn.openid, kind=kind,
                               draft=dict(draft), status=SubmissionStatus.PENDING.value,
                               created_at=turn.now)
    db.session.add(submission)
    db.session.flush()
    turn.enqueue(job, submission.id)
    return submission


def claim(submission_id: int) -> BotSubmission | None:
    """Take a pending submission for filing in the current transaction; None when another job
    has it or it was filed already (the caller then does nothing)."""
    claimed = db.session.execute(
        sa.update(BotSubmission)
        .where(BotSubmission.id == submission_id,
               BotSubmission.status == SubmissionStatus.PENDING.value)
        .values(status=SubmissionStatus.DONE.value, done_at=clock.now())
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        db.session.rollback()
        return None
    return db.session.get(BotSubmission, submission_id, populate_existing=True)


def record_result(submission_id: int, object_id: int) -> None:
    """What the filed submission became (after the service committed the filing)."""
    db.session.execute(sa.update(BotSubmission).where(BotSubmission.id == submission_id)
                       .values(object_id=object_id))


def refuse(submission_id: int, message: str) -> None:
    """The service refused the draft (after the job rolled its claim back): keep why."""
    db.session.execute(
        sa.update(BotSubmission)
        .where(BotSubmission.id == submission_id,
               BotSubmission.status == SubmissionStatus.PENDING.value)
        .values(status=SubmissionStatus.REFUSED.value, error=message[:ERROR_MAX_CHARS],
                done_at=clock.now()))


def tell_or_reopen(openid: str, *, flow: str, lead: str, retry: str, data: dict | None,
                   ask: Callable[[Turn], str]) -> None:
    """After a refusal (in the job, before its commit): tell the resident `lead`. With `data`
    (the draft without what was refused) and the resident not busy with another flow, `flow`
    is reopened with it and `ask(turn)` asks what is now missing; otherwise `retry` says how
    to start again."""
    turn = job_turn(openid)
    if turn is None or data is None or dialogs.is_active(turn.dialog, turn.now):
        jobs.enqueue(bot_jobs.send_text, openid, join(lead, retry))
        return
    dialogs.start_flow(turn.dialog, flow, turn.now)
    turn.dialog.data = data
    turn.send_later(join(lead, ask(turn)))


def sweep_old_submissions(days: int = 30) -> int:
    """Delete finished submissions older than `days` (pending ones are kept for their job)."""
    from datetime import timedelta

    result = db.session.execute(
        sa.delete(BotSubmission)
        .where(BotSubmission.status != SubmissionStatus.PENDING.value,
               BotSubmission.created_at < clock.now() - timedelta(days=days)))
    db.session.commit()
    return result.rowcount or 0
