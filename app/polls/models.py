"""Polls (投票): questions and options, who took part, and the anonymous ballots.

Secrecy is built into the tables (DESIGN §4, §8). Who voted and what was chosen live in two
tables that share nothing but the poll:

- `poll_participations` names the voter unit (a resident, or a household for 一户一票), the
  resident who cast it, the staff member who assisted (代投), and only the *day* it happened.
  Its UNIQUE(poll_id, unit_type, unit_id) is what makes a second ballot impossible.
- `poll_ballots` holds the poll and the chosen option ids, nothing else: its key is a random
  UUID (no order to line up with participation ids), it has no timestamp, and no column refers
  to a person, a household, a staff member or a participation.

Both rows are written in one transaction (a vote is counted exactly when its participation
exists), so right after a vote they share what the database itself records about a write:
PostgreSQL's transaction id (`xmin`) and their place in insertion order (`ctid`, SQLite's
`rowid`). `ballot_box.seal()` removes that: it rewrites all of a poll's ballots in a random
order in one transaction (every minute while votes arrive, and at closing), after which every
ballot carries the sealer's transaction id and a shuffled position. The participation date is a
day, so it cannot be matched against anything finer.
"""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.database import UTCDateTime, utc_now_default
from app.extensions import db
from app.regions.models import Region


def _enum(enum_class: type[enum.Enum]) -> sa.Enum:
    return sa.Enum(enum_class, native_enum=False, length=16,
                   values_callable=lambda e: [m.value for m in e])


class PollStatus(enum.StrEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"  # staff published it; the sweep opens it at opens_at
    OPEN = "open"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class VotingUnit(enum.StrEnum):
    PERSON = "person"  # 一人一票
    HOUSEHOLD = "household"  # 一户一票

    @property
    def label(self) -> str:
        return {"person": "一人一票", "household": "一户一票"}[self.value]


class ResultsVisibility(enum.StrEnum):
    LIVE = "live"  # counts shown while the poll is open
    AFTER_CLOSE = "after_close"  # counts published when it closes


class QuestionKind(enum.StrEnum):
    SINGLE = "single"
    MULTIPLE = "multiple"


class Poll(db.Model):
    __tablename__ = "polls"
    __table_args__ = (
        sa.Index("ix_polls_status_opens_at", "status", "opens_at"),
        sa.Index("ix_polls_status_closes_at", "status", "closes_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Residents whose community lies in this region's subtree may take part.
    region_id: Mapped[int] = mapped_column(sa.ForeignKey("regions.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(60))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    unit: Mapped[VotingUnit] = mapped_column(_enum(VotingUnit))
    min_verification: Mapped[int] = mapped_column(sa.SmallInteger)
    # None until staff open it by hand; then the moment it opened.
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    results_visibility: Mapped[ResultsVisibility] = mapped_column(_enum(ResultsVisibility))
    # The proposal this poll decides on, if any.
    proposal_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("proposals.id", ondelete="SET NULL"), index=True)
    status: Mapped[PollStatus] = mapped_column(_enum(PollStatus), default=PollStatus.DRAFT)
    cancel_reason: Mapped[str | None] = mapped_column(sa.String(200))
    # Voter units that could take part, frozen when the poll closes (live count before).
    eligible_count: Mapped[int | None]
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now_default)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    results_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    region: Mapped[Region] = relationship()
    questions: Mapped[list[PollQuestion]] = relationship(
        back_populates="poll", order_by="PollQuestion.position", cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"<Poll {self.id} {self.status} {self.title!r}>"


class PollQuestion(db.Model):
    __tablename__ = "poll_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(sa.ForeignKey("polls.id"), index=True)
    position: Mapped[int] = mapped_column(sa.SmallInteger)
    text: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[QuestionKind] = mapped_column(_enum(QuestionKind))
    # 1 for a single choice; at most this many options for a multiple choice.
    max_choices: Mapped[int] = mapped_column(sa.SmallInteger)

    poll: Mapped[Poll] = relationship(back_populates="questions")
    options: Mapped[list[PollOption]] = relationship(
        back_populates="question", order_by="PollOption.position", cascade="all, delete-orphan")


class PollOption(db.Model):
    __tablename__ = "poll_options"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Repeated from the question so that a poll's tallies are one indexed read.
    poll_id: Mapped[int] = mapped_column(sa.ForeignKey("polls.id"), index=True)
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("poll_questions.id"), index=True)
    position: Mapped[int] = mapped_column(sa.SmallInteger)
    text: Mapped[str] = mapped_column(sa.String(60))
    # Maintained by the ballot box (`vote_count = vote_count + 1`) and checked against the
    # ballots when the poll closes.
    vote_count: Mapped[int] = mapped_column(default=0)

    question: Mapped[PollQuestion] = relationship(back_populates="options")
    poll: Mapped[Poll] = relationship()


class PollParticipation(db.Model):
    """That a voter unit took part: never what it chose."""

    __tablename__ = "poll_participations"
    __table_args__ = (sa.UniqueConstraint("poll_id", "unit_type", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(sa.ForeignKey("polls.id"))
    # "person" → unit_id is a resident id; "household" → a household id.
    unit_type: Mapped[VotingUnit] = mapped_column(_enum(VotingUnit))
    unit_id: Mapped[int]
    # Who cast it (for a household, the member who used the household's ballot).
    resident_id: Mapped[int] = mapped_column(sa.ForeignKey("residents.id"), index=True)
    # The staff member who cast it for the resident, present in person (代投).
    assisted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))
    # Only the day (China time): an exact moment could be matched to a ballot.
    voted_on: Mapped[date] = mapped_column(sa.Date)


class PollBallot(db.Model):
    """What one voter unit chose, with nothing that says who."""

    __tablename__ = "poll_ballots"
    __table_args__ = (sa.Index("ix_poll_ballots_poll_id_sealed", "poll_id", "sealed"),)

    # Random, so that ballot order says nothing; a new one each time the ballot is sealed.
    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    poll_id: Mapped[int] = mapped_column(sa.ForeignKey("polls.id"))
    # The chosen option ids of every question, sorted.
    choices: Mapped[list[int]] = mapped_column(sa.JSON)
    # False until the ballot box has rewritten it in shuffled order (see the module docstring).
    sealed: Mapped[bool] = mapped_column(default=False)
