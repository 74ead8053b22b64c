"""Flagging, auto-hiding and moderators' decisions, for any kind of public item.

A domain that shows residents' text (proposals, comments, ...) keeps its own tables and calls:

- `record_flag(...)` when a resident flags an item they can see: one flag per resident and
  item (a UNIQUE constraint), and the item is hidden, exactly once, when the flags since the
  last moderator decision reach MODERATION_HIDE_AFTER_FLAGS (3, as Decidim does);
- `hold_for_review(...)` when the content check was doubtful: hidden from the start;
- `hidden_item_ids(item_type)` in its resident queries, to leave hidden items out;
- `decide(...)` for a moderator's restore / keep_hidden, audit-logged.

These functions do not commit: the caller commits with its own changes. Who flagged is never
shown to anyone through them; only counts per reason are.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from flask import current_app

from app import audit, clock
from app.accounts.models import Resident, Staff
from app.accounts.scoping import in_scope, require_in_scope
from app.database import insert_ignoring_conflicts, repoint
from app.errors import Conflict, Forbidden
from app.extensions import db
from app.moderation.models import (
    Decision,
    Flag,
    FlagReason,
    HiddenReason,
    ModeratedItem,
    Visibility,
)

_ITEMS = ModeratedItem.__table__


def _item(item_type: str, item_id: int) -> sa.ColumnElement[bool]:
    return sa.and_(_ITEMS.c.item_type == item_type, _ITEMS.c.item_id == item_id)


def _ensure_row(item_type: str, item_id: int, region_id: int, author_id: int | None,
                **values) -> None:
    insert_ignoring_conflicts(db.session, _ITEMS, {
        "item_type": item_type, "item_id": item_id, "region_id": region_id,
        "author_id": author_id, "visibility": Visibility.VISIBLE.value, "flag_count": 0,
        "pending_flags": 0, "decision_note": "", "created_at": clock.now(), **values,
    }, ["item_type", "item_id"])


def record_flag(resident: Resident, item_type: str, item_id: int, *, reason: FlagReason | str,
                region_id: int, author_id: int | None) -> bool:
    """Record `resident`'s flag on an item they can see; return True when it hid the item.

    403 for one's own item, 409 for a second flag. The hiding UPDATE runs after the counter
    UPDATE has locked the row, so under concurrent flags exactly one caller sees the threshold.
    """
    if author_id is not None and author_id == resident.id:
        raise Forbidden("不能举报自己发布的内容")
    reason = FlagReason(reason)
    flag_id = insert_ignoring_conflicts(db.session, Flag.__table__, {
        "item_type": item_type, "item_id": item_id, "resident_id": resident.id,
        "reason": reason.value, "created_at": clock.now(),
    }, ["item_type", "item_id", "resident_id"])
    if flag_id is None:
        raise Conflict("您已经举报过该内容，工作人员会尽快处理")
    _ensure_row(item_type, item_id, region_id, author_id)
    db.session.execute(sa.update(_ITEMS).where(_item(item_type, item_id)).values(
        flag_count=_ITEMS.c.flag_count + 1, pending_flags=_ITEMS.c.pending_flags + 1))
    hidden = db.session.execute(sa.update(_ITEMS).where(
        _item(item_type, item_id),
        _ITEMS.c.visibility == Visibility.VISIBLE.value,
        _ITEMS.c.pending_flags >= current_app.config["MODERATION_HIDE_AFTER_FLAGS"],
    ).values(visibility=Visibility.HIDDEN.value, hidden_reason=HiddenReason.FLAGS.value,
             hidden_at=clock.now()))
    return hidden.rowcount == 1


def hold_for_review(item_type: str, item_id: int, *, region_id: int, author_id: int | None,
                    label: int | None = None) -> None:
    """Hide a new item until a moderator releases it (the content check was doubtful)."""
    _ensure_row(item_type, item_id, region_id, author_id,
                visibility=Visibility.HIDDEN.value, hidden_reason=HiddenReason.CONTENT_CHECK.value,
                content_label=label, hidden_at=clock.now())


def decide(staff: Staff, item_type: str, item_id: int, decision: Decision | str,
           note: str = "") -> ModeratedItem:
    """A moderator's decision on a hidden item: restore it, or keep it hidden (audit-logged).

    409 when the item is not waiting for a decision (never hidden, or already decided, also
    when two moderators decide at once); 404 outside the moderator's scope.
    """
    decision = Decision(decision)
    row = db.session.scalar(sa.select(ModeratedItem).where(
        ModeratedItem.item_type == item_type, ModeratedItem.item_id == item_id))
    if row is None or row.visibility != Visibility.HIDDEN:
        raise Conflict("该内容没有在等待处理")
    require_in_scope(staff, row.region_id)
    values = {"decision": decision.value, "decision_note": note[:200], "decided_at": clock.now(),
              "decided_by_id": staff.id}
    if decision == Decision.RESTORE:
        # Flags from before the decision cannot hide it again; three new ones can.
        values.update(visibility=Visibility.VISIBLE.value, pending_flags=0)
    else:
        values.update(visibility=Visibility.REMOVED.value)
    changed = db.session.execute(sa.update(_ITEMS).where(
        _item(item_type, item_id), _ITEMS.c.visibility == Visibility.HIDDEN.value).values(**values))
    if changed.rowcount != 1:
        raise Conflict("该内容已由其他工作人员处理")
    audit.record(staff, f"{item_type}.moderation", object_type=item_type, object_id=item_id,
                 region_id=row.region_id, decision=decision.value,
                 hidden_reason=row.hidden_reason, note=note)
    db.session.refresh(row)
    return row


def hidden_item_ids(item_type: str) -> sa.Select:
    """SELECT of the ids of items of this type that residents must not see."""
    return sa.select(ModeratedItem.item_id).where(
        ModeratedItem.item_type == item_type, ModeratedItem.visibility != Visibility.VISIBLE)


def moderation_states(item_type: str, item_ids: Iterable[int]) -> dict[int, ModeratedItem]:
    """The moderation rows of these items (items never flagged or held have none)."""
    ids = list(item_ids)
    if not ids:
        return {}
    return {row.item_id: row for row in db.session.scalars(sa.select(ModeratedItem).where(
        ModeratedItem.item_type == item_type, ModeratedItem.item_id.in_(ids)))}


def flag_counts(item_type: str, item_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """Flags per reason for each item: {item_id: {"spam": 2, ...}}; never who flagged."""
    ids = list(item_ids)
    counts: dict[int, dict[str, int]] = {}
    if not ids:
        return counts
    rows = db.session.execute(
        sa.select(Flag.item_id, Flag.reason, sa.func.count())
        .where(Flag.item_type == item_type, Flag.item_id.in_(ids))
        .group_by(Flag.item_id, Flag.reason))
    for item_id, reason, count in rows:
        counts.setdefault(item_id, {})[reason] = count
    return counts


def queue_query(staff: Staff, item_types: Iterable[str]) -> sa.Select:
    """Hidden items waiting for a decision in the staff member's scope, oldest first."""
    return (sa.select(ModeratedItem)
            .where(ModeratedItem.item_type.in_(list(item_types)),
                   ModeratedItem.visibility == Visibility.HIDDEN,
                   in_scope(ModeratedItem.region_id, staff))
            .order_by(ModeratedItem.hidden_at, ModeratedItem.id))


def move_region(item_type: str, item_id: int, region_id: int) -> None:
    """The item now belongs to another region (e.g. an escalated proposal)."""
    db.session.execute(sa.update(_ITEMS).where(_item(item_type, item_id))
                       .values(region_id=region_id))


# --- two records of one resident --------------------------------------------------------------

def move_resident_rows(source_id: int, target_id: int) -> None:
    """Resident merge hook (app/accounts/service.py RESIDENT_MERGE_HOOKS): the source record's
    flags and authorship of moderated items become the target's.

    An item both records flagged keeps one flag, and a flag on an item that is now the target's
    own is dropped (one cannot flag one's own item); the item's counts lose the dropped flag
    (its pending count too when the flag came after the last decision). An item hidden by
    flags stays as it is: a moderator decides it. The caller commits."""
    flags = Flag.__table__
    target_flags = sa.select(flags.c.item_type, flags.c.item_id).where(
        flags.c.resident_id == target_id)
    _drop_flags(sa.and_(flags.c.resident_id == source_id,
                        sa.tuple_(flags.c.item_type, flags.c.item_id).in_(target_flags)))
    repoint(Flag.resident_id, source_id, target_id)
    repoint(ModeratedItem.author_id, source_id, target_id)
    own = sa.select(_ITEMS.c.item_type, _ITEMS.c.item_id).where(_ITEMS.c.author_id == target_id)
    _drop_flags(sa.and_(flags.c.resident_id == target_id,
                        sa.tuple_(flags.c.item_type, flags.c.item_id).in_(own)))


def _drop_flags(condition: sa.ColumnElement[bool]) -> None:
    flags = Flag.__table__
    dropped = db.session.execute(
        sa.delete(flags).where(condition)
        .returning(flags.c.item_type, flags.c.item_id, flags.c.created_at)).all()
    for item_type, item_id, created_at in dropped:
        item = db.session.scalar(sa.select(ModeratedItem).where(_item(item_type, item_id)))
        if item is None:
            continue
        item.flag_count = max(item.flag_count - 1, 0)
        if item.pending_flags > 0 and (item.decided_at is None or created_at > item.decided_at):
            item.pending_flags -= 1
