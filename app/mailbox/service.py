"""The residents' mailbox (居民信箱): mailboxes, letters and their threads, deadlines, public Q&A.

Who sees a letter:
- among residents, only its author; anyone else gets 404;
- among staff, those whose region covers the letter's community (`can_use_mailbox`); for a
  restricted mailbox (书记信箱, where residents may complain about staff) only its members and
  the admins/moderators above the community (street, district). Everyone else gets 404.
Every staff opening of a letter and every staff action is written to the audit log.

Who is told: a new or transferred-in letter and a follow-up go to the mailbox's responsible staff
(`responsible_staff`); an overdue letter also to the supervisors (`overdue_recipients`); the
resident hears when the letter is read, replied to, transferred, closed and published.
"""

from __future__ import annotations

import statistics
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from app import audit, clock, ratelimit
from app.accounts.models import Resident, Staff, StaffRole
from app.accounts.scoping import in_scope, is_in_scope
from app.database import repoint
from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.extensions import db
from app.mailbox.lifecycle import AWAITING_REPLY, LETTER
from app.mailbox.models import (
    Letter,
    LetterMessage,
    LetterMessagePhoto,
    LetterPublication,
    Mailbox,
    MessageKind,
    mailbox_staff,
)
from app.mailbox.redaction import mask_private
from app.moderation import ContentVerdict, screen_text
from app.notifications import notify, staff_covering
from app.regions.models import Region, RegionLevel
from app.uploads import claim_uploads
from app.uploads.models import Upload

MAX_SUBJECT = 60
MAX_BODY = 5000
MAX_PHOTOS = 9
SOURCES = ("miniprogram", "bot")
# Staff who supervise a community's mailboxes from its level or above.
SUPERVISOR_ROLES = (StaffRole.ADMIN, StaffRole.MODERATOR)
RESIDENT_PAGE = "pages/letters/detail?id={id}"

NOT_FOUND = "找不到该信件"
MAILBOX_NOT_FOUND = "找不到该信箱"


# --- who may see what ------------------------------------------------------------------------

def can_use_mailbox(staff: Staff, mailbox: Mailbox) -> bool:
    """May `staff` read and answer the letters of `mailbox`? (the rule in the module docstring)"""
    if not staff.active or not is_in_scope(staff, mailbox.community_id):
        return False
    if not mailbox.restricted:
        return True
    if staff.role in SUPERVISOR_ROLES and staff.region_id != mailbox.community_id:
        return True
    return any(member.id == staff.id for member in mailbox.members)


def _letters_visible_to(staff: Staff) -> sa.ColumnElement[bool]:
    """`can_use_mailbox` as a WHERE clause on letters joined to their mailbox."""
    is_member = sa.exists().where(mailbox_staff.c.mailbox_id == Letter.mailbox_id,
                                  mailbox_staff.c.staff_id == staff.id)
    allowed = [Mailbox.restricted.is_(False), is_member]
    if staff.role in SUPERVISOR_ROLES:
        # In scope and not the community itself: the staff member sits above it.
        allowed.append(Letter.community_id != staff.region_id)
    return sa.and_(in_scope(Letter.community_id, staff), sa.or_(*allowed))


def responsible_staff(mailbox: Mailbox) -> list[Staff]:
    """Who answers the mailbox: its active members; without members, the admins and
    moderators of the community itself, or failing those, the nearest ones above who may."""
    members = [staff for staff in mailbox.members if staff.active]
    if members:
        return members
    covering = [staff for staff in staff_covering(mailbox.community_id, roles=SUPERVISOR_ROLES)
                if can_use_mailbox(staff, mailbox)]
    own = [staff for staff in covering if staff.region_id == mailbox.community_id]
    return own or covering


def overdue_recipients(mailbox: Mailbox) -> list[Staff]:
    """The responsible staff and their supervisors (admins/moderators covering the community
    who may read the mailbox's letters)."""
    recipients = {staff.id: staff for staff in responsible_staff(mailbox)}
    for staff in staff_covering(mailbox.community_id, roles=SUPERVISOR_ROLES):
        if staff.id not in recipients and can_use_mailbox(staff, mailbox):
            recipients[staff.id] = staff
    return sorted(recipients.values(), key=lambda staff: staff.id)


# --- mailboxes --------------------------------------------------------------------------------

def mailboxes_for_resident(resident: Resident) -> list[Mailbox]:
    """The active mailboxes of the resident's community, in display order (empty without a
    community). The mini-program's form and the bot's menu list these."""
    if resident.community_id is None:
        return []
    return list(db.session.scalars(
        sa.select(Mailbox)
        .where(Mailbox.community_id == resident.community_id, Mailbox.active.is_(True))
        .order_by(Mailbox.sort_order, Mailbox.id)))


def mailboxes_for_staff_query(staff: Staff, *, community_id: int | None = None) -> sa.Select:
    """The mailboxes of the communities in the staff member's scope."""
    query = (sa.select(Mailbox).options(selectinload(Mailbox.members), joinedload(Mailbox.community))
             .where(in_scope(Mailbox.community_id, staff))
             .order_by(Mailbox.community_id, Mailbox.sort_order, Mailbox.id))
    if community_id is not None:
        query = query.where(Mailbox.community_id == community_id)
    return query


def mailboxes_for_staff(staff: Staff, *, community_id: int | None = None) -> list[Mailbox]:
    return list(db.session.scalars(mailboxes_for_staff_query(staff, community_id=community_id)))


def usable_mailboxes(staff: Staff) -> list[Mailbox]:
    """The mailboxes in scope whose letters the staff member may read and answer
    (`can_use_mailbox`): the inbox's mailbox choices and the transfer targets."""
    return [mailbox for mailbox in mailboxes_for_staff(staff) if can_use_mailbox(staff, mailbox)]


def inbox_counts(staff: Staff) -> dict[int, dict[str, int]]:
    """Per mailbox id, the letters the staff member may see that owe a reply ("awaiting") and
    those of them past their due time ("overdue"). One grouped query."""
    overdue = sa.and_(Letter.reply_due_at.is_not(None), Letter.reply_due_at < clock.now())
    rows = db.session.execute(
        sa.select(Letter.mailbox_id, sa.func.count(Letter.id),
                  sa.func.sum(sa.case((overdue, 1), else_=0)))
        .join(Mailbox, Letter.mailbox_id == Mailbox.id)
        .where(_letters_visible_to(staff), Letter.status.in_(AWAITING_REPLY))
        .group_by(Letter.mailbox_id))
    return {mailbox_id: {"awaiting": awaiting, "overdue": int(late or 0)}
            for mailbox_id, awaiting, late in rows}


def member_candidates(admin: Staff, community_id: int) -> list[Staff]:
    """Who an admin may name to answer a community's mailbox (the choices `create_mailbox`
    and `update_mailbox` accept): active staff responsible for the community — of it or above
    it — that the admin manages (within the admin's scope)."""
    _require_admin(admin)
    community = db.session.get(Region, community_id)
    if community is None or not is_in_scope(admin, community_id):
        raise NotFound("找不到该社区")
    return list(db.session.scalars(
        sa.select(Staff).join(Region, Staff.region_id == Region.id)
        .where(Staff.active.is_(True), in_scope(Staff.region_id, admin),
               sa.literal(community.path).startswith(Region.path))
        .order_by(Staff.display_name, Staff.id)))


def get_mailbox_for_staff(staff: Staff, mailbox_id: int) -> Mailbox:
    mailbox = db.session.get(Mailbox, mailbox_id)
    if mailbox is None or not is_in_scope(staff, mailbox.community_id):
        raise NotFound(MAILBOX_NOT_FOUND)
    return mailbox


def _require_admin(staff: Staff) -> None:
    if staff.role != StaffRole.ADMIN:
        raise Forbidden("只有管理员可以设置信箱")


def _members(community_id: int, member_ids: list[int]) -> list[Staff]:
    """The staff with these ids, each active and responsible for the community."""
    ids = list(dict.fromkeys(member_ids))
    found = {staff.id: staff for staff in db.session.scalars(
        sa.select(Staff).where(Staff.id.in_(ids)))} if ids else {}
    for staff_id in ids:
        staff = found.get(staff_id)
        if staff is None or not staff.active or not is_in_scope(staff, community_id):
            message = "答复人员应为负责该社区的在职工作人员"
            raise Invalid(message, errors={"member_ids": [message]})
    return [found[staff_id] for staff_id in ids]


def _check_name_free(community_id: int, name: str, mailbox_id: int | None = None) -> None:
    query = sa.select(Mailbox.id).where(Mailbox.community_id == community_id, Mailbox.name == name)
    if mailbox_id is not None:
        query = query.where(Mailbox.id != mailbox_id)
    if db.session.scalar(query) is not None:
        raise Conflict("该社区已有同名信箱", errors={"name": ["该社区已有同名信箱"]})


def create_mailbox(staff: Staff, *, community_id: int, name: str, description: str = "",
                   reply_sla_hours: int = 72, restricted: bool = False,
                   member_ids: list[int] | tuple = (), sort_order: int = 0) -> Mailbox:
    """An admin covering the community defines a mailbox (name, who answers, reply SLA)."""
    _require_admin(staff)
    community = db.session.get(Region, community_id)
    if community is None or not is_in_scope(staff, community_id):
        raise NotFound("找不到该社区")
    if community.level != RegionLevel.COMMUNITY:
        raise Invalid("信箱应设在社区", errors={"community_id": ["请选择一个社区"]})
    _check_name_free(community_id, name)
    mailbox = Mailbox(community_id=community_id, name=name, description=description,
                      reply_sla_hours=reply_sla_hours, restricted=restricted,
                      sort_order=sort_order, members=_members(community_id, list(member_ids)))
    db.session.add(mailbox)
    db.session.flush()
    audit.record(staff, "mailbox.create", object_type="mailbox", object_id=mailbox.id,
                 region_id=community_id, name=name, restricted=restricted,
                 reply_sla_hours=reply_sla_hours, member_ids=[m.id for m in mailbox.members])
    db.session.commit()
    return mailbox


_EDITABLE = ("name", "description", "reply_sla_hours", "restricted", "active", "sort_order")


def update_mailbox(staff: Staff, mailbox_id: int, changes: dict) -> Mailbox:
    """An admin edits a mailbox; `member_ids` replaces who answers. Letters already written
    keep their due times."""
    _require_admin(staff)
    mailbox = get_mailbox_for_staff(staff, mailbox_id)
    if "name" in changes:
        _check_name_free(mailbox.community_id, changes["name"], mailbox.id)
    changed = {}
    for key in _EDITABLE:
        if key in changes and getattr(mailbox, key) != changes[key]:
            changed[key] = changes[key]
            setattr(mailbox, key, changes[key])
    if "member_ids" in changes:
        members = _members(mailbox.community_id, changes["member_ids"])
        if {m.id for m in members} != {m.id for m in mailbox.members}:
            mailbox.members = members
            changed["member_ids"] = [m.id for m in members]
    audit.record(staff, "mailbox.update", object_type="mailbox", object_id=mailbox.id,
                 region_id=mailbox.community_id, **changed)
    db.session.commit()
    return mailbox


# --- loading letters --------------------------------------------------------------------------

_DETAIL_OPTIONS = (
    joinedload(Letter.mailbox),
    joinedload(Letter.community),
    selectinload(Letter.messages).selectinload(LetterMessage.photo_links),
    selectinload(Letter.messages).joinedload(LetterMessage.author_staff),
    selectinload(Letter.publication),
)


def _load(letter_id: int) -> Letter | None:
    return db.session.scalar(sa.select(Letter).options(*_DETAIL_OPTIONS)
                             .where(Letter.id == letter_id))


def get_letter_for_resident(resident: Resident, letter_id: int) -> Letter:
    """The resident's own letter with its thread; 404 for anyone else's."""
    letter = _load(letter_id)
    if letter is None or letter.resident_id != resident.id:
        raise NotFound(NOT_FOUND)
    return letter


def get_letter_for_staff(staff: Staff, letter_id: int) -> Letter:
    """A letter the staff member may see (no audit entry: use `open_letter` to read one)."""
    letter = _load(letter_id)
    if letter is None or not can_use_mailbox(staff, letter.mailbox):
        raise NotFound(NOT_FOUND)
    return letter


def letters_of_resident_query(resident: Resident) -> sa.Select:
    """The resident's letters, latest activity first."""
    return (sa.select(Letter).options(joinedload(Letter.mailbox))
            .where(Letter.resident_id == resident.id)
            .order_by(Letter.updated_at.desc(), Letter.id.desc()))


INBOX_VIEWS = ("new", "awaiting_reply", "overdue", "replied", "closed", "all")


def inbox_query(staff: Staff, *, view: str = "awaiting_reply", mailbox_id: int | None = None,
                flagged: bool | None = None) -> sa.Select:
    """The letters the staff member may see, filtered: `new` (unread), `awaiting_reply` (new or
    read), `overdue` (awaiting past the due time), `replied`, `closed` or `all`. Letters owing a
    reply come soonest-due first; the others latest first."""
    query = (sa.select(Letter)
             .join(Mailbox, Letter.mailbox_id == Mailbox.id)
             .options(joinedload(Letter.mailbox), joinedload(Letter.community),
                      joinedload(Letter.resident).joinedload(Resident.household))
             .where(_letters_visible_to(staff)))
    if mailbox_id is not None:
        query = query.where(Letter.mailbox_id == mailbox_id)
    if flagged is not None:
        query = query.where(Letter.flagged.is_(flagged))
    if view == "new":
        query = query.where(Letter.status == "new")
    elif view == "awaiting_reply":
        query = query.where(Letter.status.in_(AWAITING_REPLY))
    elif view == "overdue":
        query = query.where(Letter.status.in_(AWAITING_REPLY), Letter.reply_due_at < clock.now())
    elif view in ("replied", "closed"):
        query = query.where(Letter.status == view)
    elif view != "all":
        raise Invalid("没有这个筛选项", errors={"view": ["没有这个筛选项"]})
    if view in ("new", "awaiting_reply", "overdue"):
        return query.order_by(Letter.reply_due_at, Letter.id)
    return query.order_by(Letter.updated_at.desc(), Letter.id.desc())


# --- state changes ----------------------------------------------------------------------------

def _try_transition(letter: Letter, action: str) -> bool:
    """Move the letter on by `action` unless someone else changed its state meanwhile.

    A guarded UPDATE (`WHERE status = <the state we saw>`), so that two staff opening, or a
    reply racing a close, cannot both win."""
    target = LETTER.next_state(letter.status, action)
    now = clock.now()
    result = db.session.execute(
        sa.update(Letter).where(Letter.id == letter.id, Letter.status == letter.status)
        .values(status=target, updated_at=now)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        return False
    set_committed_value(letter, "status", target)
    set_committed_value(letter, "updated_at", now)
    return True


def _transition(letter: Letter, action: str) -> None:
    LETTER.next_state(letter.status, action)  # the 409 naming the current state comes first
    if not _try_transition(letter, action):
        raise Conflict("信件状态刚刚有了变化，请刷新后再试")


def _add_message(letter: Letter, *, kind: MessageKind, body: str, author_label: str = "",
                 staff: Staff | None = None, verdict: ContentVerdict | None = None,
                 uploads: list[Upload] = ()) -> LetterMessage:
    message = LetterMessage(kind=kind.value, body=body, author_label=author_label,
                            author_staff=staff, created_at=clock.now(),
                            needs_review=bool(verdict and verdict.needs_review),
                            review_reason=verdict.reason if verdict else "")
    message.photo_links = [LetterMessagePhoto(upload=upload, position=position)
                           for position, upload in enumerate(uploads)]
    letter.messages.append(message)
    if message.needs_review:
        letter.flagged = True
    return message


def _fields(letter: Letter, phrase: str) -> dict:
    return {"thing": letter.subject[:20], "phrase": phrase,
            "name": letter.mailbox.name[:20], "time": clock.to_local(clock.now()).isoformat(),
            "number": str(letter.id)}


def _notify_resident(letter: Letter, kind: str, key: str, text: str, phrase: str) -> None:
    notify(kind=f"letter.{kind}", dedupe_key=f"letter:{letter.id}:{key}",
           resident_id=letter.resident_id, title=f"信件{phrase}", text=text,
           page=RESIDENT_PAGE.format(id=letter.id), fields=_fields(letter, phrase))


def _notify_staff(letter: Letter, recipients: list[Staff], kind: str, key: str, text: str,
                  phrase: str) -> None:
    for staff in recipients:
        notify(kind=f"letter.{kind}", dedupe_key=f"letter:{letter.id}:{key}:staff:{staff.id}",
               staff_id=staff.id, title=f"信件{phrase}", text=text,
               page=f"/staff/letters/{letter.id}", fields=_fields(letter, phrase))


def _notify_new_letter(letter: Letter) -> None:
    _notify_staff(letter, responsible_staff(letter.mailbox), "new", f"new:{letter.turn}",
                  f"{letter.mailbox.name}收到一封信件：{letter.subject[:20]}，请及时答复。",
                  "待答复")


def subject_from(body: str) -> str:
    """A subject for a letter given without one (the bot): its first sentence, shortened."""
    first = body.strip()
    for stop in "\n。！？!?":
        first = first.split(stop, 1)[0]
    first = first.strip() or body.strip()
    return first if len(first) <= 20 else first[:19] + "…"


def _check_text(value: str, field: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise Invalid("此项必填", errors={field: ["此项必填"]})
    if len(value) > limit:
        raise Invalid(f"最多 {limit} 个字", errors={field: [f"最多 {limit} 个字"]})
    return value


def write_letter(resident: Resident, *, mailbox_id: int, body: str, subject: str | None = None,
                 photo_ids: list[int] | tuple = (), consent_to_publish: bool = False,
                 source: str = "miniprogram") -> Letter:
    """A resident writes to a mailbox of their own community; returns the new letter.

    `subject` ≤ 60 characters (derived from the body's first sentence when omitted, as the bot
    may do), `body` ≤ 5000, up to 9 of the resident's uploads. The text is content-checked:
    risky text is refused (422 naming `body`); doubtful text is kept and marked for staff.
    Rate-limited per resident per day (429). The first reply is due one mailbox SLA later.
    """
    if source not in SOURCES:
        raise ValueError(f"unknown letter source {source!r}")
    body = _check_text(body, "body", MAX_BODY)
    subject = _check_text(subject or subject_from(body), "subject", MAX_SUBJECT)
    if resident.community_id is None:
        raise Invalid("请先在“我的”里选择所在社区", errors={"mailbox_id": ["请先选择所在社区"]})
    mailbox = db.session.get(Mailbox, mailbox_id)
    if mailbox is None or not mailbox.active or mailbox.community_id != resident.community_id:
        raise Invalid("请选择本社区的信箱", errors={"mailbox_id": ["请选择本社区的信箱"]})
    uploads = claim_uploads(list(photo_ids), resident=resident, field="photo_ids",
                            maximum=MAX_PHOTOS)
    ratelimit.hit(f"letter:resident:{resident.id}",
                  limit=current_app.config["LETTER_RATE_LIMIT_PER_DAY"], window_seconds=86400,
                  message="今天写的信已经很多了，请明天再写")
    verdict = screen_text(subject, body, resident=resident, field="body")
    now = clock.now()
    due = now + timedelta(hours=mailbox.reply_sla_hours)
    letter = Letter(resident=resident, mailbox=mailbox, community_id=mailbox.community_id,
                    subject=subject, status="new", source=source,
                    consent_to_publish=consent_to_publish, first_reply_due_at=due,
                    reply_due_at=due, created_at=now, updated_at=now)
    _add_message(letter, kind=MessageKind.RESIDENT, body=body, verdict=verdict, uploads=uploads)
    db.session.add(letter)
    db.session.flush()
    _notify_new_letter(letter)
    db.session.commit()
    return letter


def follow_up(resident: Resident, letter_id: int, *, body: str,
              photo_ids: list[int] | tuple = ()) -> Letter:
    """The resident adds to their letter. On a replied letter this reopens it: unread again,
    with a new reply due one mailbox SLA from now. A closed letter cannot be followed up (409)."""
    body = _check_text(body, "body", MAX_BODY)
    letter = get_letter_for_resident(resident, letter_id)
    LETTER.next_state(letter.status, "follow_up")
    uploads = claim_uploads(list(photo_ids), resident=resident, field="photo_ids",
                            maximum=MAX_PHOTOS)
    ratelimit.hit(f"letter-follow-up:resident:{resident.id}",
                  limit=current_app.config["LETTER_FOLLOW_UP_RATE_LIMIT_PER_HOUR"],
                  window_seconds=3600, message="追问太频繁了，请稍后再试")
    verdict = screen_text(body, resident=resident, field="body")
    reopened = letter.status == "replied"
    _transition(letter, "follow_up")
    now = clock.now()
    letter.turn += 1
    letter.read_at = None
    if reopened:
        letter.reply_due_at = now + timedelta(hours=letter.mailbox.reply_sla_hours)
        letter.overdue_at = None
    message = _add_message(letter, kind=MessageKind.RESIDENT, body=body, verdict=verdict,
                           uploads=uploads)
    db.session.flush()
    _notify_staff(letter, responsible_staff(letter.mailbox), "follow_up", f"follow_up:{message.id}",
                  f"居民对信件“{letter.subject[:20]}”有追问，请及时答复。", "有追问")
    db.session.commit()
    return _load(letter.id)


def set_consent(resident: Resident, letter_id: int, consent: bool) -> Letter:
    """The resident gives or withdraws consent to publish their letter anonymised; withdrawing
    takes down the published copy at once."""
    letter = get_letter_for_resident(resident, letter_id)
    letter.consent_to_publish = consent
    if not consent:
        letter.publication = None  # delete-orphan: the published copy goes with the consent
    db.session.commit()
    return _load(letter.id)


def _mark_read(letter: Letter) -> bool:
    """Record that staff read the current turn (the resident sees "已读"); False if it was."""
    if letter.status != "new" or not _try_transition(letter, "read"):
        return False
    now = clock.now()
    letter.read_at = now
    letter.first_read_at = letter.first_read_at or now
    _notify_resident(letter, "read", f"read:{letter.turn}",
                     f"您写给{letter.mailbox.name}的信件“{letter.subject[:20]}”已读。", "已读")
    return True


def open_letter(staff: Staff, letter_id: int) -> Letter:
    """Staff read a letter: audit-logged every time; the first opening of a turn marks it read."""
    letter = get_letter_for_staff(staff, letter_id)
    marked = _mark_read(letter)
    audit.record(staff, "letter.view", object_type="letter", object_id=letter.id,
                 region_id=letter.community_id, marked_read=marked)
    db.session.commit()
    return _load(letter_id)


def mark_read(staff: Staff, letter_id: int) -> Letter:
    """Staff mark a letter read without opening it (no change when it is read already)."""
    letter = get_letter_for_staff(staff, letter_id)
    if _mark_read(letter):
        audit.record(staff, "letter.read", object_type="letter", object_id=letter.id,
                     region_id=letter.community_id)
    db.session.commit()
    return _load(letter_id)


def _record_reply(letter: Letter, staff: Staff, body: str, uploads: list[Upload]) -> LetterMessage:
    now = clock.now()
    message = _add_message(letter, kind=MessageKind.STAFF, body=body,
                           author_label=letter.mailbox.name, staff=staff, uploads=uploads)
    letter.read_at = letter.read_at or now
    letter.first_read_at = letter.first_read_at or now
    letter.first_replied_at = letter.first_replied_at or now
    letter.last_replied_at = now
    letter.reply_due_at = None
    db.session.flush()
    return message


def reply(staff: Staff, letter_id: int, *, body: str, photo_ids: list[int] | tuple = ()) -> Letter:
    """Staff answer the letter; the resident sees it signed with the mailbox's name."""
    body = _check_text(body, "body", MAX_BODY)
    letter = get_letter_for_staff(staff, letter_id)
    uploads = claim_uploads(list(photo_ids), staff=staff, field="photo_ids", maximum=MAX_PHOTOS)
    _transition(letter, "reply")
    message = _record_reply(letter, staff, body, uploads)
    _notify_resident(letter, "replied", f"replied:{message.id}",
                     f"{letter.mailbox.name}回复了您的信件“{letter.subject[:20]}”，请查看。",
                     "已答复")
    audit.record(staff, "letter.reply", object_type="letter", object_id=letter.id,
                 region_id=letter.community_id, message_id=message.id)
    db.session.commit()
    return _load(letter_id)


def add_note(staff: Staff, letter_id: int, *, body: str) -> Letter:
    """An internal note on the letter, never shown to the resident (any state)."""
    body = _check_text(body, "body", 2000)
    letter = get_letter_for_staff(staff, letter_id)
    message = _add_message(letter, kind=MessageKind.NOTE, body=body, staff=staff,
                           author_label=staff.display_name)
    db.session.flush()
    audit.record(staff, "letter.note", object_type="letter", object_id=letter.id,
                 region_id=letter.community_id, message_id=message.id)
    db.session.commit()
    return _load(letter_id)


def transfer(staff: Staff, letter_id: int, *, mailbox_id: int, note: str = "") -> Letter:
    """Move an unanswered letter to another mailbox the staff member may use (also of another
    community in their scope). It is unread there; the due time stays, since the resident has
    been waiting all along. The resident and the new mailbox's staff are told."""
    letter = get_letter_for_staff(staff, letter_id)
    LETTER.next_state(letter.status, "transfer")
    target = db.session.get(Mailbox, mailbox_id)
    if target is None or not can_use_mailbox(staff, target):
        raise NotFound(MAILBOX_NOT_FOUND)
    if not target.active:
        raise Invalid("该信箱已停用", errors={"mailbox_id": ["该信箱已停用"]})
    if target.id == letter.mailbox_id:
        raise Invalid("信件已在该信箱", errors={"mailbox_id": ["信件已在该信箱"]})
    _transition(letter, "transfer")
    source = letter.mailbox
    letter.mailbox = target
    letter.community_id = target.community_id
    letter.turn += 1
    letter.read_at = None
    _add_message(letter, kind=MessageKind.EVENT,
                 body=f"信件已由“{source.name}”转交至“{target.name}”。")
    if note.strip():
        _add_message(letter, kind=MessageKind.NOTE, body=f"转交说明：{note.strip()}",
                     staff=staff, author_label=staff.display_name)
    db.session.flush()
    _notify_resident(letter, "transferred", f"transferred:{letter.turn}",
                     f"您的信件“{letter.subject[:20]}”已转交给{target.name}办理。", "已转交")
    _notify_new_letter(letter)
    audit.record(staff, "letter.transfer", object_type="letter", object_id=letter.id,
                 region_id=target.community_id, from_mailbox_id=source.id,
                 to_mailbox_id=target.id, from_region_id=source.community_id,
                 note=note.strip())
    db.session.commit()
    return _load(letter_id)


def close(staff: Staff, letter_id: int, *, message: str = "") -> Letter:
    """Close the letter (final). `message`, shown to the resident, is required when the letter
    was never answered, and then counts as the reply."""
    message = (message or "").strip()
    if len(message) > MAX_BODY:
        raise Invalid(f"最多 {MAX_BODY} 个字", errors={"message": [f"最多 {MAX_BODY} 个字"]})
    letter = get_letter_for_staff(staff, letter_id)
    LETTER.next_state(letter.status, "close")
    if not message and letter.first_replied_at is None:
        raise Invalid("这封信还没有答复，请填写办结说明告诉居民",
                      errors={"message": ["请填写办结说明"]})
    _transition(letter, "close")
    if message:
        _record_reply(letter, staff, message, [])
    _add_message(letter, kind=MessageKind.EVENT, body="信件已办结。")
    letter.closed_at = clock.now()
    letter.reply_due_at = None
    _notify_resident(letter, "closed", "closed",
                     f"您的信件“{letter.subject[:20]}”已办结，感谢您的来信。", "已办结")
    audit.record(staff, "letter.close", object_type="letter", object_id=letter.id,
                 region_id=letter.community_id, with_message=bool(message))
    db.session.commit()
    return _load(letter_id)


# --- conversion into a 随手拍 report or a proposal draft ------------------------------------------

def _resident_words_and_photos(letter: Letter) -> tuple[str, list[int]]:
    messages = [m for m in letter.messages if m.kind == MessageKind.RESIDENT]
    body = "\n".join(m.body for m in messages)
    photo_ids = [upload.id for m in messages for upload in m.photos]
    return body, photo_ids


def _finish_conversion(staff: Staff, letter: Letter, action: str, event: str, *, kind: str,
                       text: str, object_type: str, object_id: int) -> Letter:
    _transition(letter, action)
    _add_message(letter, kind=MessageKind.EVENT, body=event)
    letter.closed_at = clock.now()
    letter.reply_due_at = None
    _notify_resident(letter, kind, kind, text, "已转办")
    audit.record(staff, f"letter.{action}", object_type="letter", object_id=letter.id,
                 region_id=letter.community_id, **{f"{object_type}_id": object_id})
    db.session.commit()
    return _load(letter.id)


def convert_to_report(staff: Staff, letter_id: int, *, category_code: str,
                      lat: float | None = None, lng: float | None = None, address: str = "",
                      description: str | None = None) -> Letter:
    """Turn a letter that is really a 随手拍 case into a report filed for its writer (代办,
    with the letter's photos), linked both ways; the letter is closed — the case goes on there.

    Without a position the report is placed at the middle of the resident's community, which
    routes it to that community's staff to locate and grid it.
    """
    from app import reports
    from app.geo import bounding_box
    from app.reports.service import DESCRIPTION_MAX

    letter = get_letter_for_staff(staff, letter_id)
    LETTER.next_state(letter.status, "convert_to_report")
    words, photo_ids = _resident_words_and_photos(letter)
    if lat is None or lng is None:
        community = letter.community
        if community.boundary is None:
            message = "请填写问题所在的位置"
            raise Invalid(message, errors={"location": [message]})
        min_lat, max_lat, min_lng, max_lng = bounding_box(community.boundary)
        lat, lng = (min_lat + max_lat) / 2, (min_lng + max_lng) / 2
    report = reports.prepare_report(
        reporter=letter.resident, source="staff", filed_by=staff, category_code=category_code,
        description=(description or words)[:DESCRIPTION_MAX],
        lat=lat, lng=lng, address=address, reporter_photo_ids=photo_ids[:9],
        source_detail="居民信箱转办", source_letter_id=letter.id)
    letter.converted_report_id = report.id
    return _finish_conversion(
        staff, letter, "convert_to_report", f"已转为随手拍 {report.number}", kind="converted",
        text=f"您的来信“{letter.subject[:20]}”已转为随手拍 {report.number}，可在“我的报事”查看进度。",
        object_type="report", object_id=report.id)


def convert_to_proposal_draft(staff: Staff, letter_id: int, *, title: str | None = None,
                              region_id: int | None = None) -> Letter:
    """Turn a letter that is really a suggestion into a proposal DRAFT authored by its writer
    (the resident decides whether to submit it), linked both ways; the letter is closed."""
    from app import proposals

    letter = get_letter_for_staff(staff, letter_id)
    LETTER.next_state(letter.status, "convert_to_proposal")
    words, photo_ids = _resident_words_and_photos(letter)
    title = (title or letter.subject).strip()
    if not 5 <= len(title) <= 60:
        message = "提案标题应为 5 到 60 个字"
        raise Invalid(message, errors={"title": [message]})
    proposal = proposals.prepare_draft(
        letter.resident, title=title, body=words[:5000],
        region_id=region_id or letter.community_id, photo_ids=photo_ids[:9],
        source_letter_id=letter.id)
    letter.converted_proposal_id = proposal.id
    return _finish_conversion(
        staff, letter, "convert_to_proposal", "已转为提案草稿", kind="converted",
        text=f"您的来信“{letter.subject[:20]}”已整理成提案草稿，请在小程序“我的提案”里查看并提交。",
        object_type="proposal", object_id=proposal.id)


# --- deadlines --------------------------------------------------------------------------------

def mark_overdue_letters() -> int:
    """Mark letters whose owed reply is late, once per turn, and tell the mailbox's staff and
    their supervisors. Idempotent: two sweeps at once mark and notify each letter once."""
    now = clock.now()
    marked = db.session.execute(
        sa.update(Letter)
        .where(Letter.status.in_(AWAITING_REPLY), Letter.reply_due_at < now,
               Letter.overdue_at.is_(None))
        .values(overdue_at=now)
        .returning(Letter.id)
        .execution_options(synchronize_session=False)).scalars().all()
    for letter_id in marked:
        letter = db.session.get(Letter, letter_id)
        _notify_staff(letter, overdue_recipients(letter.mailbox), "overdue",
                      f"overdue:{letter.turn}",
                      f"{letter.mailbox.name}的信件“{letter.subject[:20]}”已超过答复时限，请尽快答复。",
                      "已超时")
    db.session.commit()
    return len(marked)


MAX_METRICS_DAYS = 366


def mailbox_metrics(staff: Staff, *, start: date | None = None, end: date | None = None,
                    community_id: int | None = None) -> dict:
    """Per mailbox in scope, over letters written from `start` to `end` (local dates, both
    included; default the last 30 days): how many, how many answered, the on-time reply rate
    and the average and median hours to the first reply.

    On time means the first reply came by the first-reply due time. The rate's denominator is
    the letters that can be judged: answered, or unanswered past their due time; letters still
    within their time are left out. Letters count for the mailbox they are in now.
    """
    end = end or clock.local_today()
    start = start or end - timedelta(days=29)
    if start > end or (end - start).days >= MAX_METRICS_DAYS:
        message = "统计区间应在一年以内，且起始不晚于截止"
        raise Invalid(message, errors={"start": [message]})
    since = datetime.combine(start, time.min, tzinfo=clock.LOCAL_ZONE)
    until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=clock.LOCAL_ZONE)
    mailboxes = mailboxes_for_staff(staff, community_id=community_id)
    rows = db.session.execute(
        sa.select(Letter.mailbox_id, Letter.created_at, Letter.first_reply_due_at,
                  Letter.first_replied_at)
        .where(Letter.mailbox_id.in_([m.id for m in mailboxes]),
               Letter.created_at >= since, Letter.created_at < until)).all()
    now = clock.now()
    results = []
    for mailbox in mailboxes:
        mine = [row for row in rows if row.mailbox_id == mailbox.id]
        replied = [row for row in mine if row.first_replied_at is not None]
        on_time = [row for row in replied if row.first_replied_at <= row.first_reply_due_at]
        judged = len(replied) + sum(1 for row in mine
                                    if row.first_replied_at is None and row.first_reply_due_at < now)
        hours = [(row.first_replied_at - row.created_at).total_seconds() / 3600 for row in replied]
        results.append({
            "mailbox": mailbox,
            "community": mailbox.community,
            "letters": len(mine),
            "replied": len(replied),
            "replied_on_time": len(on_time),
            "judged": judged,
            "on_time_rate": round(len(on_time) / judged, 4) if judged else None,
            "average_first_response_hours": round(statistics.fmean(hours), 2) if hours else None,
            "median_first_response_hours": round(statistics.median(hours), 2) if hours else None,
        })
    return {"start": start, "end": end, "mailboxes": results}


# --- public Q&A -------------------------------------------------------------------------------

def _default_texts(letter: Letter) -> dict:
    resident_parts = [m.body for m in letter.messages if m.kind == MessageKind.RESIDENT]
    body = "\n\n".join([resident_parts[0], *(f"追问：{part}" for part in resident_parts[1:])]) \
        if resident_parts else ""
    reply_text = "\n\n".join(m.body for m in letter.messages if m.kind == MessageKind.STAFF)
    return {"subject": letter.subject, "body": body, "reply": reply_text}


def _author_names(letter: Letter) -> list[str]:
    return [letter.resident.nickname] if letter.resident.nickname else []


def _publication_view(letter: Letter) -> dict:
    """The published copy, or the draft one: the letter's texts masked."""
    publication = letter.publication
    if publication is not None:
        texts = {"subject": publication.subject, "body": publication.body,
                 "reply": publication.reply}
    else:
        names = _author_names(letter)
        texts = {key: mask_private(value, names=names)
                 for key, value in _default_texts(letter).items()}
    return {**texts, "published": publication is not None,
            "published_at": publication.published_at if publication else None,
            "consent_to_publish": letter.consent_to_publish}


def publication_draft(staff: Staff, letter_id: int) -> dict:
    """What is published, or would be by default (texts masked), for staff to edit. A staff
    read of the letter's text, so audit-logged like `open_letter`."""
    letter = get_letter_for_staff(staff, letter_id)
    audit.record(staff, "letter.view_publication", object_type="letter", object_id=letter.id,
                 region_id=letter.community_id)
    db.session.commit()
    return _publication_view(_load(letter_id))


def publish(staff: Staff, letter_id: int, *, subject: str | None = None, body: str | None = None,
            reply_text: str | None = None, names_to_mask: list[str] | tuple = ()) -> dict:
    """Publish (or re-publish) the anonymised copy of an answered letter whose author consented.

    Staff may supply the texts; whatever they supply or leave to the originals is masked
    (phones, ID numbers, addresses, the author's nickname and `names_to_mask`) before it is
    stored. The private letter is not changed. Returns what is now published.
    """
    if staff.role not in SUPERVISOR_ROLES:
        raise Forbidden("只有管理员或社区工作人员可以公开信件")
    letter = get_letter_for_staff(staff, letter_id)
    if not letter.consent_to_publish:
        raise Conflict("居民没有同意公开这封信")
    if letter.first_replied_at is None:
        raise Conflict("答复后才能公开这封信")
    defaults = _default_texts(letter)
    supplied = {"subject": subject, "body": body, "reply": reply_text}
    names = [*_author_names(letter), *names_to_mask]
    texts = {}
    for key, value in supplied.items():
        text = value.strip() if value is not None and value.strip() else defaults[key]
        texts[key] = mask_private(text, names=names)
    publication = letter.publication
    first_time = publication is None
    if first_time:
        publication = LetterPublication(letter=letter, asked_at=letter.created_at)
        db.session.add(publication)
    publication.mailbox_id = letter.mailbox_id
    publication.community_id = letter.community_id
    publication.subject = texts["subject"][:120]
    publication.body = texts["body"]
    publication.reply = texts["reply"]
    publication.published_by_id = staff.id
    db.session.flush()
    if first_time:
        _notify_resident(letter, "published", "published",
                         f"您的信件“{letter.subject[:20]}”已隐去个人信息后公开，谢谢您的同意。",
                         "已公开")
    audit.record(staff, "letter.publish", object_type="letter", object_id=letter.id,
                 region_id=letter.community_id, publication_id=publication.id,
                 names_masked=len(names_to_mask), first_time=first_time)
    db.session.commit()
    return _publication_view(_load(letter_id))


def unpublish(staff: Staff, letter_id: int) -> None:
    """Take the published copy down (nothing happens when there is none)."""
    if staff.role not in SUPERVISOR_ROLES:
        raise Forbidden("只有管理员或社区工作人员可以撤下公开的信件")
    letter = get_letter_for_staff(staff, letter_id)
    if letter.publication is None:
        return
    audit.record(staff, "letter.unpublish", object_type="letter", object_id=letter.id,
                 region_id=letter.community_id, publication_id=letter.publication.id)
    db.session.delete(letter.publication)
    db.session.commit()


def public_letters_query(*, community_id: int | None = None,
                         mailbox_id: int | None = None) -> sa.Select:
    """Published copies, newest first; they carry nothing that identifies the author."""
    query = (sa.select(LetterPublication)
             .options(joinedload(LetterPublication.mailbox),
                      joinedload(LetterPublication.community))
             .order_by(LetterPublication.published_at.desc(), LetterPublication.id.desc()))
    if community_id is not None:
        query = query.where(LetterPublication.community_id == community_id)
    if mailbox_id is not None:
        query = query.where(LetterPublication.mailbox_id == mailbox_id)
    return query


def get_public_letter(publication_id: int) -> LetterPublication:
    publication = db.session.get(LetterPublication, publication_id)
    if publication is None:
        raise NotFound(NOT_FOUND)
    return publication


# --- two records of one resident --------------------------------------------------------------

def move_resident_rows(source_id: int, target_id: int) -> None:
    """Resident merge hook (app/accounts/service.py RESIDENT_MERGE_HOOKS): the source record's
    letters become the target's (their threads and published copies follow the letter). The
    caller commits."""
    repoint(Letter.resident_id, source_id, target_id)
