"""Two records of one resident merged: their flags and the items they wrote."""

from __future__ import annotations

import sqlalchemy as sa

from app.accounts import service as accounts
from app.extensions import db
from app.moderation import record_flag
from app.moderation.models import Flag, ModeratedItem
from tests.factories import ResidentFactory


def merge(source, target) -> None:
    accounts.merge_residents(source=source, target=target)
    db.session.commit()


def pair(regions):
    source = ResidentFactory(mp_openid=None, oa_openid="oBOT-ONLY", community=regions.community)
    return source, ResidentFactory(community=regions.community)


def flag(resident, regions, item_id=7, author_id=None) -> None:
    record_flag(resident, "comment", item_id, reason="spam", region_id=regions.community.id,
                author_id=author_id)
    db.session.commit()


def item(item_id=7) -> ModeratedItem:
    return db.session.scalar(sa.select(ModeratedItem).where(ModeratedItem.item_id == item_id))


def test_an_item_both_records_flagged_keeps_one_flag_and_its_counts_drop(regions):
    source, target = pair(regions)
    flag(source, regions)
    flag(target, regions)

    merge(source, target)

    assert list(db.session.scalars(sa.select(Flag.resident_id))) == [target.id]
    assert (item().flag_count, item().pending_flags) == (1, 1)


def test_authorship_moves_and_a_flag_on_what_is_now_ones_own_item_is_dropped(regions):
    source, target = pair(regions)
    flag(target, regions, author_id=source.id)

    merge(source, target)

    assert item().author_id == target.id
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Flag)) == 0
    assert item().flag_count == 0


def test_a_flag_on_someone_elses_item_moves(regions):
    source, target = pair(regions)
    flag(source, regions, author_id=ResidentFactory().id)

    merge(source, target)

    assert db.session.scalar(sa.select(Flag.resident_id)) == target.id
