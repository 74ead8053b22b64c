"""The generic flag/hide machinery, used here for an item type no feature owns yet."""

import pytest

from app.accounts.models import StaffRole
from app.errors import Conflict, Forbidden, NotFound
from app.extensions import db
from app.moderation import decide, flag_counts, hidden_item_ids, hold_for_review, record_flag
from tests.factories import ResidentFactory, StaffFactory

ITEM = ("letter", 42)


@pytest.fixture
def flaggers(regions):
    return [ResidentFactory(community=regions.community) for _ in range(4)]


def flag(resident, regions, reason="spam", item=ITEM, author_id=None):
    hidden = record_flag(resident, *item, reason=reason, region_id=regions.community.id,
                         author_id=author_id)
    db.session.commit()
    return hidden


def hidden_ids(item_type="letter"):
    return list(db.session.scalars(hidden_item_ids(item_type)))


def test_the_third_flag_hides_and_says_so_once(regions, flaggers):
    assert [flag(r, regions) for r in flaggers] == [False, False, True, False]
    assert hidden_ids() == [42]


def test_the_threshold_is_a_setting(app, monkeypatch, regions, flaggers):
    monkeypatch.setitem(app.config, "MODERATION_HIDE_AFTER_FLAGS", 2)
    assert [flag(r, regions) for r in flaggers[:2]] == [False, True]


def test_flags_are_counted_per_reason(regions, flaggers):
    for resident, reason in zip(flaggers[:3], ["spam", "privacy", "spam"], strict=True):
        flag(resident, regions, reason)
    assert flag_counts("letter", [42]) == {42: {"spam": 2, "privacy": 1}}


def test_items_of_other_types_are_unaffected(regions, flaggers):
    for resident in flaggers[:3]:
        flag(resident, regions)
    assert hidden_ids("proposal") == []


def test_a_second_flag_and_a_flag_on_ones_own_item_are_refused(regions, flaggers):
    flag(flaggers[0], regions)
    with pytest.raises(Conflict):
        flag(flaggers[0], regions)
    db.session.rollback()
    with pytest.raises(Forbidden):
        flag(flaggers[1], regions, author_id=flaggers[1].id)


def test_an_unknown_reason_is_refused(regions, flaggers):
    with pytest.raises(ValueError):
        flag(flaggers[0], regions, reason="boring")


def test_a_held_item_is_hidden_until_released(regions):
    moderator = StaffFactory(role=StaffRole.MODERATOR, region=regions.community)
    hold_for_review(*ITEM, region_id=regions.community.id, author_id=None, label=21000)
    db.session.commit()
    assert hidden_ids() == [42]
    row = decide(moderator, *ITEM, "restore")
    db.session.commit()
    assert (row.visibility, row.decided_by_id) == ("visible", moderator.id)
    assert hidden_ids() == []


def test_a_moderator_outside_the_items_region_cannot_decide(regions):
    outsider = StaffFactory(role=StaffRole.MODERATOR, region=regions.other_community)
    hold_for_review(*ITEM, region_id=regions.community.id, author_id=None)
    db.session.commit()
    with pytest.raises(NotFound):
        decide(outsider, *ITEM, "keep_hidden")
