"""Two records of one resident merged: their notifications and subscribe grants."""

from __future__ import annotations

import sqlalchemy as sa

from app.accounts import service as accounts
from app.extensions import db
from app.notifications.models import Notification, SubscriptionGrant
from app.notifications.service import MAX_GRANTS_PER_TEMPLATE
from tests.factories import (
    REPORT_OA_SUBSCRIBE_TEMPLATE,
    NotificationFactory,
    ResidentFactory,
    SubscriptionGrantFactory,
)


def merge(source, target) -> None:
    accounts.merge_residents(source=source, target=target)
    db.session.commit()


def pair():
    return ResidentFactory(mp_openid=None, oa_openid="oBOT-ONLY"), ResidentFactory()


def grants() -> list[tuple[int, str, int]]:
    return sorted(db.session.execute(sa.select(SubscriptionGrant.resident_id,
                                               SubscriptionGrant.template_id,
                                               SubscriptionGrant.remaining)).all())


def test_notifications_move_to_the_target(wechat):
    source, target = pair()
    NotificationFactory(resident_id=source.id)

    merge(source, target)

    assert db.session.scalar(sa.select(Notification.resident_id)) == target.id


def test_grants_move_and_grants_for_one_template_are_added_up(wechat):
    source, target = pair()
    SubscriptionGrantFactory(resident_id=source.id, template_id=REPORT_OA_SUBSCRIBE_TEMPLATE,
                             remaining=2)
    SubscriptionGrantFactory(resident_id=target.id, template_id=REPORT_OA_SUBSCRIBE_TEMPLATE,
                             remaining=1)
    SubscriptionGrantFactory(resident_id=source.id, template_id="EXAMPLE-oa-sub-poll-notice")

    merge(source, target)

    assert grants() == [(target.id, "EXAMPLE-oa-sub-poll-notice", 1),
                        (target.id, REPORT_OA_SUBSCRIBE_TEMPLATE, 3)]


def test_added_up_grants_stay_within_the_limit(wechat):
    source, target = pair()
    SubscriptionGrantFactory(resident_id=source.id, remaining=MAX_GRANTS_PER_TEMPLATE)
    SubscriptionGrantFactory(resident_id=target.id, remaining=5)

    merge(source, target)

    assert [remaining for *_, remaining in grants()] == [MAX_GRANTS_PER_TEMPLATE]
