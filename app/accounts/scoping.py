"""Region scope: staff see and act on their region's subtree only.

Every staff query goes through `in_scope(column, staff)`; every staff action on one object goes
through `require_in_scope(staff, region_id)`. Outside the scope is 404, not 403: staff of one
community cannot even learn that another community's object exists.
"""

from __future__ import annotations

import sqlalchemy as sa

from app.accounts.models import Staff
from app.errors import NotFound
from app.extensions import db
from app.regions.models import Region
from app.regions.service import subtree_ids


def in_scope(region_column, staff: Staff) -> sa.ColumnElement[bool]:
    """A WHERE clause keeping rows whose region lies in the staff member's subtree."""
    return region_column.in_(subtree_ids(staff.region))


def is_in_scope(staff: Staff, region_id: int | None) -> bool:
    if region_id is None:
        return False
    region = db.session.get(Region, region_id)
    return region is not None and staff.region.contains(region)


def require_in_scope(staff: Staff, region_id: int | None, message: str = "找不到该内容") -> None:
    if not is_in_scope(staff, region_id):
        raise NotFound(message)
