"""Recording notifications in the outbox."""

import sqlalchemy as sa

from app.accounts.models import StaffRole
from app.extensions import db
from app.notifications import notify, notify_staff_covering, staff_covering
from app.notifications.models import Notification
from tests.factories import ResidentFactory, StaffFactory


def test_the_same_event_is_recorded_once(regions):
    resident = ResidentFactory(community=regions.community)
    first = notify(kind="report.accepted", dedupe_key="report:1:accepted", text="您的报事已受理",
                   resident_id=resident.id)
    again = notify(kind="report.accepted", dedupe_key="report:1:accepted", text="您的报事已受理",
                   resident_id=resident.id)
    db.session.commit()
    assert first is not None and again is None
    assert db.session.scalar(sa.select(sa.func.count(Notification.id))) == 1


def test_staff_covering_a_grid_are_its_own_and_those_above(regions):
    grid_handler = StaffFactory(region=regions.grid)
    community_moderator = StaffFactory(region=regions.community, role=StaffRole.MODERATOR)
    street_admin = StaffFactory(region=regions.street, role=StaffRole.ADMIN)
    StaffFactory(region=regions.grid2)
    StaffFactory(region=regions.other_community)
    StaffFactory(region=regions.grid, active=False)
    assert staff_covering(regions.grid.id) == [grid_handler, community_moderator, street_admin]
    assert staff_covering(regions.grid.id, roles=("moderator",)) == [community_moderator]


def test_notify_staff_covering_records_one_row_each(regions):
    StaffFactory(region=regions.community, role=StaffRole.MODERATOR)
    StaffFactory(region=regions.street, role=StaffRole.ADMIN)
    ids = notify_staff_covering(regions.grid.id, kind="report.overdue",
                                dedupe_key="report:9:overdue", text="有报事超时")
    db.session.commit()
    assert len(ids) == 2
    assert all(n.staff_id for n in db.session.scalars(sa.select(Notification)))
