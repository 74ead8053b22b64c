"""The navigation of the staff pages: one table, filtered by role.

A page area appears in the menu by adding a `NavItem` here. `roles` empty means every role;
`visible` (optional) further decides per staff member (e.g. only admins of a 区).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flask import request, url_for

from app.accounts.models import Staff, StaffRole
from app.regions.models import RegionLevel


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: str
    roles: tuple[StaffRole, ...] = ()
    # URL prefix that marks the item current; defaults to the endpoint's own URL.
    section: str | None = None
    visible: Callable[[Staff], bool] | None = field(default=None, compare=False)

    def allows(self, staff: Staff) -> bool:
        if self.roles and staff.role not in self.roles:
            return False
        return self.visible is None or self.visible(staff)


ADMIN = (StaffRole.ADMIN,)
ADMIN_OR_MODERATOR = (StaffRole.ADMIN, StaffRole.MODERATOR)


def has_residents_in_scope(staff: Staff) -> bool:
    """Residents register with a community: a handler of a 网格 has none to help vote."""
    return (staff.role != StaffRole.HANDLER
            or staff.region.level in (RegionLevel.DISTRICT, RegionLevel.STREET,
                                      RegionLevel.COMMUNITY))


NAV: list[NavItem] = [
    NavItem("staff.home", "首页"),
    NavItem("staff.residents", "居民", ADMIN_OR_MODERATOR, section="/staff/residents"),
    NavItem("staff.proposals_list", "提案", ADMIN_OR_MODERATOR, section="/staff/proposals"),
    NavItem("staff.polls", "投票", section="/staff/polls", visible=has_residents_in_scope),
    NavItem("staff.regions_tree", "区域网格", ADMIN, section="/staff/admin/regions"),
    NavItem("staff.categories_list", "报事类别", ADMIN, section="/staff/admin/categories"),
    NavItem("staff.staff_list", "工作人员", ADMIN, section="/staff/admin/staff"),
    NavItem("staff.audit_log", "操作日志", ADMIN, section="/staff/admin/audit"),
]


def nav_for(staff: Staff | None) -> list[dict]:
    """The menu of this staff member: [{label, url, current}] in table order."""
    if staff is None:
        return []
    items = []
    for item in NAV:
        if not item.allows(staff):
            continue
        url = url_for(item.endpoint)
        section = item.section or url
        current = (request.endpoint == item.endpoint
                   or (item.section is not None and request.path.startswith(section)))
        items.append({"label": item.label, "url": url, "current": current})
    return items
