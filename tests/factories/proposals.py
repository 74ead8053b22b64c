"""Factories for proposals (a trait per lifecycle state), supports, comments and photos."""

from __future__ import annotations

import hashlib
import itertools
from datetime import timedelta

import factory

from app import clock
from app.extensions import db
from app.proposals.models import Proposal, ProposalComment, ProposalSupport
from app.uploads.models import Upload
from tests.factories.core import ResidentFactory, _Base

_uploads = itertools.count(1)


def make_upload(*, resident=None, staff=None) -> Upload:
    """An Upload row owned by a resident or a staff member (no files: URLs need only the hash)."""
    n = next(_uploads)
    upload = Upload(resident_id=resident.id if resident else None,
                    staff_id=staff.id if staff else None,
                    sha256=hashlib.sha256(f"photo-{n}".encode()).hexdigest(),
                    source_format="JPEG", width=1600, height=1200, created_at=clock.now())
    db.session.add(upload)
    db.session.commit()
    return upload


def _later(days: int):
    return factory.LazyFunction(lambda: clock.now() + timedelta(days=days))


_now = factory.LazyFunction(lambda: clock.now())
_PUBLISHED = {"support_threshold": 3, "support_verification_level": 1,
              "deadline_at": _later(30), "submitted_at": _now, "reviewed_at": _now,
              "published_at": _now}
_ANSWERED = {**_PUBLISHED, "threshold_reached_at": _now, "answered_at": _now}


class ProposalFactory(_Base):
    class Meta:
        model = Proposal

    author = factory.SubFactory(ResidentFactory, phone_verified=True)
    region = factory.LazyAttribute(lambda o: o.author.community)
    origin_region_id = factory.LazyAttribute(lambda o: o.region.id)
    title = factory.Sequence(lambda n: f"公交站旁增设候车座椅{n}")
    body = "和平路公交站没有座椅，老人候车要站很久，建议增设两把长椅。"
    status = "draft"

    class Params:
        pending_review = factory.Trait(status="pending_review", submitted_at=_now)
        rejected = factory.Trait(status="rejected", submitted_at=_now, reviewed_at=_now,
                                 rejection_reason="与已有提案重复")
        published = factory.Trait(status="published", **_PUBLISHED)
        under_review = factory.Trait(status="under_review", **_PUBLISHED,
                                     threshold_reached_at=_now)
        expired = factory.Trait(status="expired", **_PUBLISHED)
        withdrawn = factory.Trait(status="withdrawn", closed_at=_now)
        accepted = factory.Trait(status="accepted", **_ANSWERED, answer_decision="accepted",
                                 answer_text="同意，计划下月安装两把长椅。")
        not_adopted = factory.Trait(status="not_adopted", **_ANSWERED,
                                    answer_decision="not_adopted",
                                    answer_text="人行道宽度不足，无法安装。")
        in_progress = factory.Trait(status="in_progress", **_ANSWERED, started_at=_now,
                                    answer_decision="accepted", answer_text="同意，下月安装。")
        completed = factory.Trait(status="completed", **_ANSWERED, started_at=_now,
                                  completed_at=_now, answer_decision="accepted",
                                  answer_text="同意，下月安装。")


def in_state(state: str, **kwargs) -> Proposal:
    """A proposal in any lifecycle state."""
    if state != "draft":
        kwargs[state] = True
    return ProposalFactory(**kwargs)


class SupportFactory(_Base):
    """A support row; keep Proposal.support_count in step yourself (see add_supports)."""

    class Meta:
        model = ProposalSupport

    proposal_id = None
    resident_id = None


def add_supports(proposal: Proposal, residents) -> None:
    """Record co-signatures and the matching count, as the service would."""
    for resident in residents:
        SupportFactory(proposal_id=proposal.id, resident_id=resident.id)
    proposal.support_count += len(residents)
    db.session.commit()


class CommentFactory(_Base):
    class Meta:
        model = ProposalComment

    proposal = None
    author = factory.SubFactory(ResidentFactory)
    body = "赞成，我家老人也常在那里等车。"
