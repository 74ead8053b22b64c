"""Polls: who may vote, casting, results, staff management and the opening/closing sweeps.

For other packages (the bot above all) the entry points are:

- `open_polls_for_resident(resident)`: the open polls a resident can see, each with their
  `VoterStatus` (may they vote, and if not, why — in words for the resident);
- `cast_ballot(resident, poll_id, answers)`: one ballot, `answers` being
  `[{"question_id": int, "option_ids": [int, ...]}, ...]`, one entry per question;
- `poll_view_for_resident(resident, poll_id)`: a poll, the caller's status and the results
  when they may be shown.

Secrecy (see app/polls/models.py): this module records *that* a unit voted; only
app/polls/ballot_box.py touches what was chosen, and nothing passes a choice back out.
"""

from __future__ import annotations

import csv
import io
import logging
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app import audit, clock
from app.accounts.models import Household, Resident, Staff, VerificationLevel
from app.accounts.scoping import in_scope, require_in_scope
from app.accounts.service import get_resident_for_staff
from app.database import insert_ignoring_conflicts, repoint
from app.errors import Conflict, Forbidden, Invalid, NotFound, ServiceError
from app.extensions import db
from app.notifications import notify
from app.pagination import paginate
from app.polls import ballot_box
from app.polls.lifecycle import POLL
from app.polls.models import (
    Poll,
    PollOption,
    PollParticipation,
    PollQuestion,
    PollStatus,
    QuestionKind,
    ResultsVisibility,
    VotingUnit,
)
from app.regions.models import Region, RegionLevel

log = logging.getLogger(__name__)

POLL_NOT_FOUND = "找不到该投票"
# Regions a poll may cover: residents belong to communities, so a grid or courtyard poll could
# not tell who lives in it.
POLL_REGION_LEVELS = (RegionLevel.DISTRICT, RegionLevel.STREET, RegionLevel.COMMUNITY)
VERIFICATION_NEEDED = {
    VerificationLevel.PHONE: "参加此投票需要先在小程序“我的”页面绑定手机号",
    VerificationLevel.RESIDENCY: "参加此投票需要社区确认您的住户身份，请带上证件到社区办理",
}
HOUSEHOLD_NEEDED = "一户一票的投票需要社区确认您的住户和门牌，请带上证件到社区办理"
ALREADY_VOTED = {
    VotingUnit.PERSON: "您已经投过票了，每人只能投一次",
    VotingUnit.HOUSEHOLD: "您家已经投过票了，每户只能投一次",
}
NOT_OPEN = {
    PollStatus.CLOSED: "投票已结束",
    PollStatus.CANCELLED: "投票已取消",
}


def _page(poll: Poll) -> str:
    return f"pages/polls/detail?id={poll.id}"


# --- who may vote -----------------------------------------------------------------------------

def _covers(poll: Poll, resident: Resident) -> bool:
    """The resident's community lies in the poll's region."""
    return resident.community is not None and poll.region_id in resident.community.ancestor_ids


def _visible_to_residents(poll: Poll) -> bool:
    return poll.status in (PollStatus.OPEN, PollStatus.CLOSED, PollStatus.CANCELLED)


def ineligibility(resident: Resident, poll: Poll) -> str | None:
    """Why the resident may not vote in the poll, in words for them; None when they may.

    Open or not is a separate question (see `VoterStatus`): this is about the person.
    """
    if not _covers(poll, resident):
        return "您所在的社区不在此投票的范围内"
    if poll.unit == VotingUnit.HOUSEHOLD and (
            resident.household_id is None
            or resident.verification_level < VerificationLevel.RESIDENCY):
        return HOUSEHOLD_NEEDED
    if resident.verification_level < poll.min_verification:
        return VERIFICATION_NEEDED[VerificationLevel(poll.min_verification)]
    return None


def _unit_of(resident: Resident, poll: Poll) -> tuple[VotingUnit, int]:
    if poll.unit == VotingUnit.HOUSEHOLD:
        return VotingUnit.HOUSEHOLD, resident.household_id
    return VotingUnit.PERSON, resident.id


def _eligible_units(poll: Poll) -> sa.Select:
    """SELECT of the ids of the voter units eligible now (resident ids or household ids)."""
    communities = sa.select(Region.id).where(Region.path.startswith(poll.region.path))
    if poll.unit == VotingUnit.HOUSEHOLD:
        return (sa.select(Resident.household_id.label("unit_id"))
                .where(Resident.community_id.in_(communities),
                       Resident.household_id.is_not(None),
                       Resident.verification_level >= VerificationLevel.RESIDENCY)
                .distinct())
    return sa.select(Resident.id.label("unit_id")).where(
        Resident.community_id.in_(communities),
        Resident.verification_level >= poll.min_verification)


def participant_count(poll_id: int) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(PollParticipation)
                             .where(PollParticipation.poll_id == poll_id))


def eligible_count(poll: Poll) -> int:
    """How many voter units could take part: those who did, plus those eligible now who have
    not (so that someone who voted and then moved away still counts). Frozen at closing."""
    if poll.eligible_count is not None:
        return poll.eligible_count
    units = _eligible_units(poll).subquery()
    voted = sa.select(PollParticipation.unit_id).where(
        PollParticipation.poll_id == poll.id, PollParticipation.unit_type == poll.unit)
    not_voted = db.session.scalar(sa.select(sa.func.count()).select_from(units)
                                  .where(units.c.unit_id.not_in(voted)))
    return not_voted + participant_count(poll.id)


@dataclass(frozen=True)
class VoterStatus:
    """Where a resident stands in one poll. Never says what anyone chose."""

    can_vote: bool
    # Why not, in words for the resident (None when they can vote).
    reason: str | None
    voted: bool
    # "me", or "household" when another member used the household's ballot.
    voted_by: str | None = None
    voted_on: date | None = None
    # Cast for them by a staff member (代投); only shown on their own participation.
    assisted: bool = False


def voter_statuses(resident: Resident, polls: list[Poll]) -> dict[int, VoterStatus]:
    """The resident's status in each poll, with one query for the participations."""
    if not polls:
        return {}
    mine = [PollParticipation.resident_id == resident.id,
            sa.and_(PollParticipation.unit_type == VotingUnit.PERSON,
                    PollParticipation.unit_id == resident.id)]
    if resident.household_id is not None:
        mine.append(sa.and_(PollParticipation.unit_type == VotingUnit.HOUSEHOLD,
                            PollParticipation.unit_id == resident.household_id))
    rows = db.session.execute(
        sa.select(PollParticipation.poll_id, PollParticipation.resident_id,
                  PollParticipation.assisted_by_id, PollParticipation.voted_on)
        .where(PollParticipation.poll_id.in_([p.id for p in polls]), sa.or_(*mine))
        .order_by((PollParticipation.resident_id == resident.id).desc())
    ).all()
    participation = {}
    for row in rows:
        participation.setdefault(row.poll_id, row)
    statuses = {}
    for poll in polls:
        row = participation.get(poll.id)
        if row is not None:
            by_me = row.resident_id == resident.id
            statuses[poll.id] = VoterStatus(
                can_vote=False,
                reason="您已经投过票了" if by_me else "您家已由家人投过票了",
                voted=True, voted_by="me" if by_me else "household", voted_on=row.voted_on,
                assisted=by_me and row.assisted_by_id is not None)
            continue
        reason = NOT_OPEN.get(poll.status) or ineligibility(resident, poll)
        if reason is None and clock.now() >= poll.closes_at:
            reason = NOT_OPEN[PollStatus.CLOSED]
        statuses[poll.id] = VoterStatus(can_vote=reason is None, reason=reason, voted=False)
    return statuses


# --- residents: seeing polls --------------------------------------------------------------------

def get_poll_for_resident(resident: Resident, poll_id: int) -> Poll:
    """A poll the resident may see (open, closed or cancelled, covering their community)."""
    poll = db.session.get(Poll, poll_id)
    if poll is None or not _visible_to_residents(poll) or not _covers(poll, resident):
        raise NotFound(POLL_NOT_FOUND)
    return poll


def polls_for_resident_query(resident: Resident, status: str = PollStatus.OPEN) -> sa.Select:
    """Open (soonest closing first) or closed (latest first) polls covering the resident."""
    if resident.community is None:
        return sa.select(Poll).where(sa.false())
    query = sa.select(Poll).where(Poll.region_id.in_(resident.community.ancestor_ids),
                                  Poll.status == status)
    if status == PollStatus.OPEN:
        return query.order_by(Poll.closes_at, Poll.id)
    return query.order_by(Poll.closed_at.desc(), Poll.id.desc())


def open_polls_for_resident(resident: Resident, *,
                            only_votable: bool = False) -> list[tuple[Poll, VoterStatus]]:
    """The open polls covering the resident with their status, soonest closing first; with
    `only_votable`, just those they can still vote in (for the bot's numbered menu)."""
    polls = list(db.session.scalars(polls_for_resident_query(resident)))
    statuses = voter_statuses(resident, polls)
    pairs = [(poll, statuses[poll.id]) for poll in polls]
    return [pair for pair in pairs if pair[1].can_vote] if only_votable else pairs


@dataclass(frozen=True)
class PollView:
    """A poll with what one caller may see of it; reads through to the poll's own fields."""

    poll: Poll
    me: VoterStatus | None = None
    turnout: Turnout | None = None
    results: Results | None = None

    def __getattr__(self, name: str):
        return getattr(self.poll, name)


def poll_view_for_resident(resident: Resident, poll_id: int) -> PollView:
    """A poll, the resident's status in it, and the results when they may be shown."""
    poll = get_poll_for_resident(resident, poll_id)
    return PollView(poll, me=voter_statuses(resident, [poll])[poll.id], results=results_of(poll))


def poll_page_for_resident(resident: Resident, status: str, page: int, per_page: int) -> dict:
    """One page of `polls_for_resident_query`, each poll with the resident's status."""
    result = paginate(polls_for_resident_query(resident, status), page, per_page)
    statuses = voter_statuses(resident, result["items"])
    result["items"] = [PollView(poll, me=statuses[poll.id]) for poll in result["items"]]
    return result


# --- casting --------------------------------------------------------------------------------

# Built once (the ballot endpoint is the hot path): composing a statement costs more than
# running these.
_POLL_FOR_VOTING = (sa.select(Poll).where(Poll.id == sa.bindparam("poll_id"))
                    .with_for_update(read=True))
_QUESTION_RULES = (
    sa.select(PollQuestion.id, PollQuestion.position, PollQuestion.kind,
              PollQuestion.max_choices, PollOption.id)
    .join(PollOption, PollOption.question_id == PollQuestion.id)
    .where(PollQuestion.poll_id == sa.bindparam("poll_id")).order_by(PollQuestion.position)
)


def _lock_poll_for_voting(resident: Resident, poll_id: int) -> Poll:
    # FOR SHARE: ballots may be cast side by side, but closing or cancelling (an UPDATE of the
    # poll) waits for ballots in flight, and ballots after it see the poll closed. (SQLite
    # serialises writers anyway.)
    poll = db.session.scalar(_POLL_FOR_VOTING, {"poll_id": poll_id})
    if poll is None or not _visible_to_residents(poll) or not _covers(poll, resident):
        raise NotFound(POLL_NOT_FOUND)
    return poll


def _questions(poll_id: int) -> list[PollQuestion]:
    return list(db.session.scalars(
        sa.select(PollQuestion).where(PollQuestion.poll_id == poll_id)
        .options(selectinload(PollQuestion.options)).order_by(PollQuestion.position)))


@dataclass(frozen=True)
class QuestionRule:
    """What a ballot must respect for one question."""

    id: int
    position: int
    kind: QuestionKind
    max_choices: int
    option_ids: frozenset[int]


def question_rules(poll_id: int) -> list[QuestionRule]:
    """The poll's questions as ballot rules, in order: one plain read (no ORM objects, and no
    lock on the option rows, which the ballot box updates)."""
    rows = db.session.execute(_QUESTION_RULES, {"poll_id": poll_id}).all()
    options: dict[int, set[int]] = {}
    questions: dict[int, tuple] = {}
    for question_id, position, kind, max_choices, option_id in rows:
        questions.setdefault(question_id, (position, kind, max_choices))
        options.setdefault(question_id, set()).add(option_id)
    return [QuestionRule(question_id, position, kind, max_choices,
                         frozenset(options[question_id]))
            for question_id, (position, kind, max_choices) in questions.items()]


def validated_choices(questions: list[QuestionRule], answers: list[dict]) -> list[int]:
    """The chosen option ids when `answers` answer every question within its limits; else
    Invalid with one message per problem under `answers`."""
    by_id = {question.id: question for question in questions}
    errors: list[str] = []
    answered: set[int] = set()
    chosen: list[int] = []
    for answer in answers:
        question = by_id.get(answer.get("question_id"))
        if question is None:
            errors.append("有题目不属于此投票")
            continue
        number = question.position + 1
        if question.id in answered:
            errors.append(f"第{number}题重复作答")
            continue
        answered.add(question.id)
        option_ids = list(answer.get("option_ids") or [])
        if not option_ids:
            errors.append(f"第{number}题还没有选择")
        elif len(set(option_ids)) != len(option_ids):
            errors.append(f"第{number}题有重复的选项")
        elif not set(option_ids) <= question.option_ids:
            errors.append(f"第{number}题的选项不属于该题")
        elif question.kind == QuestionKind.SINGLE and len(option_ids) > 1:
            errors.append(f"第{number}题是单选题，只能选一项")
        elif len(option_ids) > question.max_choices:
            errors.append(f"第{number}题最多选{question.max_choices}项")
        else:
            chosen.extend(option_ids)
    errors.extend(f"第{question.position + 1}题还没有作答"
                  for question in questions if question.id not in answered)
    if errors:
        raise Invalid(errors[0], errors={"answers": errors})
    return chosen


def cast_ballot(resident: Resident, poll_id: int, answers: list[dict], *,
                assisted_by: Staff | None = None) -> VoterStatus:
    """Cast the resident's ballot — or their household's, for 一户一票 — and commit.

    404 when the poll is not theirs to see, 409 when it is not open or their unit has already
    voted (nothing is written then), 403 when they are not eligible, 422 when the answers do
    not fit the questions. The duplicate rule is the participation table's unique key: two
    ballots racing for the same unit cannot both be stored. `assisted_by` is the staff member
    casting it for a resident present in person (use `cast_assisted_ballot`).
    """
    try:
        poll = _lock_poll_for_voting(resident, poll_id)
        if poll.status != PollStatus.OPEN or clock.now() >= poll.closes_at:
            raise Conflict(NOT_OPEN.get(poll.status, NOT_OPEN[PollStatus.CLOSED]))
        reason = ineligibility(resident, poll)
        if reason is not None:
            raise Forbidden(reason)
        option_ids = validated_choices(question_rules(poll.id), answers)
        unit_type, unit_id = _unit_of(resident, poll)
        voted_on = clock.local_today()
        participation_id = insert_ignoring_conflicts(db.session, PollParticipation.__table__, {
            "poll_id": poll.id, "unit_type": unit_type, "unit_id": unit_id,
            "resident_id": resident.id,
            "assisted_by_id": assisted_by.id if assisted_by else None, "voted_on": voted_on,
        }, ["poll_id", "unit_type", "unit_id"])
        if participation_id is None:
            raise Conflict(ALREADY_VOTED[poll.unit])
    except ServiceError:
        # Release the poll lock at once; nothing has been written.
        db.session.rollback()
        raise
    ballot_box.drop(poll.id, option_ids)
    if assisted_by is not None:
        _record_assisted_vote(assisted_by, resident, poll)
    db.session.commit()
    return VoterStatus(can_vote=False, reason="您已经投过票了", voted=True, voted_by="me",
                       voted_on=voted_on, assisted=assisted_by is not None)


def _record_assisted_vote(staff: Staff, resident: Resident, poll: Poll) -> None:
    audit.record(staff, "poll.assisted_vote", object_type="poll", object_id=poll.id,
                 region_id=poll.region_id, resident_id=resident.id)
    notify(kind="poll.assisted", dedupe_key=f"poll:{poll.id}:assisted:resident:{resident.id}",
           resident_id=resident.id, title="工作人员代您投票",
           text=f"工作人员{staff.display_name}已按您的意愿，在社区帮您完成“{poll.title}”的投票。"
                "如不是您本人的意思，请联系社区。",
           page=_page(poll),
           fields={"thing": poll.title[:20], "phrase": "已代投",
                   "time": clock.to_local(clock.now()).isoformat()})


def cast_assisted_ballot(staff: Staff, poll_id: int, resident_id: int,
                         answers: list[dict]) -> VoterStatus:
    """A staff member casts the ballot of a resident of their region who is present in person
    (代投, e.g. an elderly resident at the community office). The participation records the
    staff member, the action is audited, and the resident is notified."""
    resident = get_resident_for_staff(staff, resident_id)
    return cast_ballot(resident, poll_id, answers, assisted_by=staff)


# --- results --------------------------------------------------------------------------------

@dataclass(frozen=True)
class OptionResult:
    id: int
    text: str
    votes: int
    # Share of the ballots that chose it (a multiple-choice question's shares add up to more).
    share: float | None


@dataclass(frozen=True)
class QuestionResult:
    id: int
    text: str
    kind: str
    options: list[OptionResult]


@dataclass(frozen=True)
class Turnout:
    participants: int
    eligible: int
    # participants ÷ eligible; None when nobody is eligible.
    rate: float | None


@dataclass(frozen=True)
class Results:
    # True once the poll has closed and these are the published results.
    final: bool
    turnout: Turnout
    questions: list[QuestionResult]


def results_visible(poll: Poll) -> bool:
    """Counts are shown for closed polls, and while open only for `live` ones; never for a
    cancelled poll. Staff see no more than residents: nobody peeks before the close.

    A live tally has a cost the schema cannot remove: whoever watches it move just as a
    neighbour votes learns that vote. Hence `after_close` is the default; `live` suits polls
    where that does not matter (a playground colour).
    """
    if poll.status == PollStatus.CLOSED:
        return True
    return poll.status == PollStatus.OPEN and poll.results_visibility == ResultsVisibility.LIVE


def turnout_of(poll: Poll) -> Turnout:
    participants = participant_count(poll.id)
    eligible = eligible_count(poll)
    return Turnout(participants, eligible, round(participants / eligible, 4) if eligible else None)


def results_of(poll: Poll) -> Results | None:
    """Per-option counts and turnout, or None when they may not be shown yet."""
    if not results_visible(poll):
        return None
    turnout = turnout_of(poll)
    questions = []
    for question in _questions(poll.id):
        options = [OptionResult(option.id, option.text, option.vote_count,
                                round(option.vote_count / turnout.participants, 4)
                                if turnout.participants else None)
                   for option in question.options]
        questions.append(QuestionResult(question.id, question.text, question.kind.value,
                                        options))
    return Results(poll.status == PollStatus.CLOSED, turnout, questions)


# --- staff: writing and running polls ---------------------------------------------------------

def _check_region(staff: Staff, region_id: int) -> Region:
    require_in_scope(staff, region_id, "找不到该区域")
    region = db.session.get(Region, region_id)
    if region.level not in POLL_REGION_LEVELS:
        message = "投票范围应为区、街道或社区"
        raise Invalid(message, errors={"region_id": [message]})
    return region


def _check_rules(poll: Poll) -> None:
    """Rules across fields that the schema cannot see (times, voting unit)."""
    errors: dict[str, list[str]] = {}
    if poll.unit == VotingUnit.HOUSEHOLD and poll.min_verification < VerificationLevel.RESIDENCY:
        errors["min_verification"] = ["一户一票需要住户身份已确认，认证等级应为 2"]
    if poll.closes_at <= clock.now():
        errors["closes_at"] = ["截止时间应晚于现在"]
    elif poll.opens_at is not None and poll.opens_at >= poll.closes_at:
        errors["closes_at"] = ["截止时间应晚于开始时间"]
    if errors:
        raise Invalid(next(iter(errors.values()))[0], errors=errors)


def _questions_from(data: list[dict], poll: Poll) -> list[PollQuestion]:
    questions = []
    for position, item in enumerate(data):
        kind = QuestionKind(item["kind"])
        question = PollQuestion(
            position=position, text=item["text"], kind=kind,
            max_choices=1 if kind == QuestionKind.SINGLE
            else item.get("max_choices") or len(item["options"]))
        question.options = [PollOption(poll=poll, position=i, text=option["text"], vote_count=0)
                            for i, option in enumerate(item["options"])]
        questions.append(question)
    return questions


_EDITABLE = ("title", "description", "unit", "min_verification", "opens_at", "closes_at",
             "results_visibility", "proposal_id")


_DEFAULTS = {"description": "", "unit": VotingUnit.PERSON,
             "min_verification": VerificationLevel.PHONE,
             "results_visibility": ResultsVisibility.AFTER_CLOSE}
_ENUMS = {"unit": VotingUnit, "results_visibility": ResultsVisibility}


def _field_values(data: dict) -> dict:
    return {name: _ENUMS[name](data[name]) if name in _ENUMS else data[name]
            for name in _EDITABLE if name in data}


def _check_linked_proposal(staff: Staff, proposal_id: int | None) -> None:
    """A poll may decide on a proposal the staff member can see (422 otherwise)."""
    if proposal_id is None:
        return
    from app.proposals import get_proposal_for_staff

    try:
        get_proposal_for_staff(staff, proposal_id)
    except NotFound:
        message = "找不到要关联的提案"
        raise Invalid(message, errors={"proposal_id": [message]}) from None


def create_poll(staff: Staff, data: dict) -> Poll:
    """Create a draft poll in a region of the staff member's scope.

    `data` as schemas.PollIn loads it: region_id, title, questions and closes_at are needed;
    the rest defaults to 一人一票, phone-verified voters, results after the close.
    """
    region = _check_region(staff, data["region_id"])
    _check_linked_proposal(staff, data.get("proposal_id"))
    poll = Poll(region=region, created_by_id=staff.id, status=PollStatus.DRAFT,
                **_field_values({**_DEFAULTS, **data}))
    poll.questions = _questions_from(data["questions"], poll)
    _check_rules(poll)
    db.session.add(poll)
    db.session.flush()
    audit.record(staff, "poll.create", object_type="poll", object_id=poll.id,
                 region_id=poll.region_id, title=poll.title)
    db.session.commit()
    return poll


def _poll_for_staff_action(staff: Staff, poll_id: int) -> Poll:
    # FOR UPDATE: waits for ballots in flight, so a cancel or open sees the final state.
    poll = db.session.scalar(sa.select(Poll).where(Poll.id == poll_id).with_for_update())
    if poll is None:
        raise NotFound(POLL_NOT_FOUND)
    require_in_scope(staff, poll.region_id, POLL_NOT_FOUND)
    return poll


def update_poll(staff: Staff, poll_id: int, changes: dict) -> Poll:
    """Change a draft: any field, and the questions as a whole when given."""
    poll = _poll_for_staff_action(staff, poll_id)
    if poll.status != PollStatus.DRAFT:
        raise Conflict(f"该投票当前为“{POLL.label(poll.status)}”，只有草稿可以修改")
    if "region_id" in changes:
        poll.region = _check_region(staff, changes["region_id"])
    if "proposal_id" in changes:
        _check_linked_proposal(staff, changes["proposal_id"])
    for name, value in _field_values(changes).items():
        setattr(poll, name, value)
    if "questions" in changes:
        poll.questions = _questions_from(changes["questions"], poll)
    _check_rules(poll)
    audit.record(staff, "poll.update", object_type="poll", object_id=poll.id,
                 region_id=poll.region_id, fields=sorted(changes))
    db.session.commit()
    return poll


def schedule_poll(staff: Staff, poll_id: int) -> Poll:
    """Publish a draft to open by itself at its opens_at (which must lie ahead)."""
    poll = _poll_for_staff_action(staff, poll_id)
    status = POLL.next_state(poll.status, "schedule")
    if poll.opens_at is None or poll.opens_at <= clock.now():
        message = "定时发布需要一个晚于现在的开始时间"
        raise Invalid(message, errors={"opens_at": [message]})
    _check_rules(poll)
    poll.status = status
    audit.record(staff, "poll.schedule", object_type="poll", object_id=poll.id,
                 region_id=poll.region_id, opens_at=poll.opens_at.isoformat())
    db.session.commit()
    return poll


def unschedule_poll(staff: Staff, poll_id: int) -> Poll:
    """Take a scheduled poll back to a draft, to change it."""
    poll = _poll_for_staff_action(staff, poll_id)
    poll.status = POLL.next_state(poll.status, "unschedule")
    audit.record(staff, "poll.unschedule", object_type="poll", object_id=poll.id,
                 region_id=poll.region_id)
    db.session.commit()
    return poll


def open_poll(staff: Staff, poll_id: int) -> Poll:
    """Open a draft or scheduled poll now; residents can vote until closes_at."""
    poll = _poll_for_staff_action(staff, poll_id)
    status = POLL.next_state(poll.status, "open")
    now = clock.now()
    if poll.closes_at <= now:
        message = "截止时间已过，请先修改截止时间"
        raise Invalid(message, errors={"closes_at": [message]})
    poll.status, poll.opens_at, poll.opened_at = status, now, now
    audit.record(staff, "poll.open", object_type="poll", object_id=poll.id,
                 region_id=poll.region_id)
    db.session.commit()
    return poll


def cancel_poll(staff: Staff, poll_id: int, reason: str) -> Poll:
    """Stop a poll that has not closed. No results are published; whoever voted is told."""
    poll = _poll_for_staff_action(staff, poll_id)
    was_open = poll.status == PollStatus.OPEN
    poll.status = POLL.next_state(poll.status, "cancel")
    poll.cancel_reason = reason
    poll.cancelled_at = clock.now()
    if was_open:
        ballot_box.seal(poll.id)
        poll.eligible_count = eligible_count(poll)
        _notify_participants(poll, "cancelled", title="投票已取消",
                             text=f"您参加的“{poll.title}”已取消，原因：{reason}",
                             phrase="已取消")
    audit.record(staff, "poll.cancel", object_type="poll", object_id=poll.id,
                 region_id=poll.region_id, reason=reason)
    db.session.commit()
    return poll


def _notify_participants(poll: Poll, event: str, *, title: str, text: str, phrase: str) -> None:
    """One notification per participation, to the resident who cast it (for a household
    poll, the member who used the household's ballot)."""
    time = clock.to_local(clock.now()).isoformat()
    for resident_id in db.session.scalars(sa.select(PollParticipation.resident_id)
                                          .where(PollParticipation.poll_id == poll.id)):
        notify(kind=f"poll.{event}", dedupe_key=f"poll:{poll.id}:{event}:resident:{resident_id}",
               resident_id=resident_id, title=title, text=text, page=_page(poll),
               fields={"thing": poll.title[:20], "phrase": phrase, "time": time})


# --- staff: reading -------------------------------------------------------------------------

def get_poll_for_staff(staff: Staff, poll_id: int) -> Poll:
    """A poll of the staff member's region subtree (404 outside it)."""
    poll = db.session.get(Poll, poll_id)
    if poll is None:
        raise NotFound(POLL_NOT_FOUND)
    require_in_scope(staff, poll.region_id, POLL_NOT_FOUND)
    return poll


def poll_view_for_staff(staff: Staff, poll_id: int) -> PollView:
    """A poll of the staff member's scope with its turnout, and its results when visible."""
    return staff_view(get_poll_for_staff(staff, poll_id))


def staff_view(poll: Poll) -> PollView:
    return PollView(poll, turnout=turnout_of(poll), results=results_of(poll))


def polls_for_staff_query(staff: Staff, status: str | None = None) -> sa.Select:
    query = sa.select(Poll).where(in_scope(Poll.region_id, staff)).order_by(Poll.id.desc())
    if status:
        query = query.where(Poll.status == status)
    return query


def participants_query(staff: Staff, poll_id: int) -> sa.Select:
    """Who took part (never what they chose): resident, household, day, assisting staff."""
    poll = get_poll_for_staff(staff, poll_id)
    assistant = sa.orm.aliased(Staff)
    return (
        sa.select(PollParticipation.resident_id, Resident.nickname,
                  Household.building, Household.unit, Household.room,
                  PollParticipation.voted_on,
                  assistant.display_name.label("assisted_by"))
        .join(Resident, Resident.id == PollParticipation.resident_id)
        .outerjoin(Household, sa.and_(PollParticipation.unit_type == VotingUnit.HOUSEHOLD,
                                      Household.id == PollParticipation.unit_id))
        .outerjoin(assistant, assistant.id == PollParticipation.assisted_by_id)
        .where(PollParticipation.poll_id == poll.id)
        .order_by(PollParticipation.id)
    )


def results_csv(staff: Staff, poll_id: int) -> str:
    """The results as CSV for Excel (UTF-8 with BOM); 409 before they may be shown."""
    poll = get_poll_for_staff(staff, poll_id)
    results = results_of(poll)
    if results is None:
        raise Conflict("此投票的结果尚未公布" if poll.status != PollStatus.CANCELLED
                       else "投票已取消，没有结果")
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    turnout = results.turnout
    writer.writerow(["投票", poll.title])
    writer.writerow(["状态", POLL.label(poll.status)])
    writer.writerow(["参与", turnout.participants])
    writer.writerow(["应参与", turnout.eligible])
    writer.writerow(["参与率", f"{turnout.rate:.2%}" if turnout.rate is not None else ""])
    writer.writerow([])
    writer.writerow(["题号", "题目", "选项", "票数", "占比"])
    for number, question in enumerate(results.questions, start=1):
        for option in question.options:
            writer.writerow([number, question.text, option.text, option.votes,
                             f"{option.share:.2%}" if option.share is not None else ""])
    audit.record(staff, "poll.export_results", object_type="poll", object_id=poll.id,
                 region_id=poll.region_id)
    db.session.commit()
    return out.getvalue()


# --- sweeps ---------------------------------------------------------------------------------

def _advance(poll_id: int, action: str, due: sa.ColumnElement[bool], **values) -> bool:
    """Apply `action` to the poll if it is still in a state that allows it and `due` holds:
    one guarded UPDATE, so two sweeps running at once change it once."""
    sources = [PollStatus(state) for state in POLL.states if POLL.can(state, action)]
    target = PollStatus({POLL.next_state(state, action) for state in sources}.pop())
    table = Poll.__table__
    result = db.session.execute(
        sa.update(table).where(table.c.id == poll_id, table.c.status.in_(sources), due)
        .values(status=target, **values))
    return result.rowcount == 1


def open_due_polls() -> list[int]:
    """Open every scheduled poll whose opening time has come; return their ids."""
    now = clock.now()
    opened = []
    due_ids = db.session.scalars(sa.select(Poll.id).where(
        Poll.status == PollStatus.SCHEDULED, Poll.opens_at <= now).order_by(Poll.id)).all()
    for poll_id in due_ids:
        if _advance(poll_id, "open", Poll.__table__.c.opens_at <= now, opened_at=now):
            opened.append(poll_id)
        db.session.commit()
    return opened


def close_due_polls() -> list[int]:
    """Close every open poll whose closing time has passed and publish its results."""
    now = clock.now()
    due_ids = db.session.scalars(sa.select(Poll.id).where(
        Poll.status == PollStatus.OPEN, Poll.closes_at <= now).order_by(Poll.id)).all()
    return [poll_id for poll_id in due_ids if close_poll(poll_id)]


def close_poll(poll_id: int) -> bool:
    """Close a poll past its closing time: seal and recount the ballots, freeze the turnout,
    publish, and tell every participant. False when it is not (or no longer) due."""
    now = clock.now()
    # This UPDATE waits for ballots in flight (they hold the poll FOR SHARE), so every ballot
    # cast before the close is in; later ones find the poll closed.
    if not _advance(poll_id, "close", Poll.__table__.c.closes_at <= now,
                    closed_at=now, results_published_at=now):
        db.session.rollback()
        return False
    poll = db.session.get(Poll, poll_id, populate_existing=True)
    ballot_box.seal(poll_id)
    wrong = ballot_box.reconcile(poll_id)
    if wrong:
        log.error("poll %s: tallies differed from the ballots, corrected: %s", poll_id, wrong)
    poll.eligible_count = eligible_count(poll)
    _notify_participants(poll, "results", title="投票结果已公布",
                         text=f"您参加的“{poll.title}”已结束，结果已公布，欢迎查看。",
                         phrase="已结束")
    db.session.commit()
    log.info("poll %s closed with %s participants", poll_id, participant_count(poll_id))
    return True


def seal_ballots() -> int:
    """Seal the ballots of every poll that received some since the last seal; return how many
    polls were sealed."""
    poll_ids = ballot_box.polls_with_unsealed_ballots()
    for poll_id in poll_ids:
        ballot_box.seal(poll_id)
        db.session.commit()
    return len(poll_ids)


# --- two records of one resident --------------------------------------------------------------

def move_resident_rows(source_id: int, target_id: int) -> None:
    """Resident merge hook (app/accounts/service.py RESIDENT_MERGE_HOOKS): the source record's
    participations become the target's.

    When both records took part in the same 一人一票 poll (possible only while they were two
    records: a bot-only record rarely can vote, since polls ask for a bound phone by default),
    the target's participation is kept and the source's is dropped, so the person counts once
    in the turnout. Their two ballots both stay in the tally: ballots are anonymous by design
    (app/polls/models.py), so nothing can say which one was the source's, and removing either
    would break secrecy for everyone. The double vote is logged for staff to judge. Household
    participations only change who used the household's ballot. The caller commits.
    """
    participations = PollParticipation.__table__
    person = participations.c.unit_type == VotingUnit.PERSON
    target_polls = sa.select(participations.c.poll_id).where(person,
                                                             participations.c.unit_id == target_id)
    doubled = list(db.session.execute(
        sa.delete(participations)
        .where(person, participations.c.unit_id == source_id,
               participations.c.poll_id.in_(target_polls))
        .returning(participations.c.poll_id)).scalars())
    for poll_id in doubled:
        log.warning("resident %s voted in poll %s also as resident %s: one participation kept, "
                    "both anonymous ballots stay counted", target_id, poll_id, source_id)
    db.session.execute(sa.update(PollParticipation)
                       .where(PollParticipation.unit_type == VotingUnit.PERSON,
                              PollParticipation.unit_id == source_id)
                       .values(unit_id=target_id)
                       .execution_options(synchronize_session=False))
    repoint(PollParticipation.resident_id, source_id, target_id)
