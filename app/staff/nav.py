"""The navigation of the staff pages: one table, filtered by role.

A page area appears in the menu by adding a `NavItem` here. `roles` empty means every role;
`visible` (optional) further decides per staff member (e.g. only admins of a 区); `count`
(optional) puts a number beside the label (unread notifications), named by `count_unit` for
screen readers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flask import request, url_for

from app import mailbox, notifications, reports
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
    count: Callable[[Staff], int] | None = field(default=None, compare=False)
    count_unit: str = ""

    def allows(self, staff: Staff) -> bool:
        if self.roles and staff.role not in self.roles:
            return False
        return self.visible is None or self.visible(staff)


ADMIN = (StaffRole.ADMIN,)
ADMIN_OR_MODERATOR = (StaffRole.ADMIN, StaffRole.MODERATOR)
HANDLER = (StaffRole.HANDLER,)


def _uses_a_mailbox(staff: Staff) -> bool:
    return bool(mailbox.usable_mailboxes(staff))


def _open_tasks(staff: Staff) -> int:
    return reports.my_task_counts(staff)["open"]


def _unread_notifications(staff: Staff) -> int:
    return notifications.unread_count(staff)



def has_residents_in_scope(staff: Staff) -> bool:
    """Residents register with a community: a handler of a 网格 has none to help vote."""
    return (staff.role != StaffRole.HANDLER
            or staff.region.level in (RegionLevel.DISTRICT, RegionLevel.STREET,
                                      RegionLevel.COMMUNITY))


NAV: list[NavItem] = [
    NavItem("staff.home", "首页"),
    # A 网格员's work comes first: what is assigned to them, soonest due first.
    NavItem("staff.my_tasks", "我的任务", HANDLER, section="/staff/tasks", count=_open_tasks,
            count_unit="件待办"),
    NavItem("staff.reports_queue", "报事", section="/staff/reports"),
    NavItem("staff.inbox", "信箱", section="/staff/letters", visible=_uses_a_mailbox),
    NavItem("staff.dashboard", "统计", ADMIN_OR_MODERATOR, section="/staff/dashboard"),
    NavItem("staff.notifications_list", "通知", section="/staff/notifications",
            count=_unread_notifications, count_unit="条未读"),
    NavItem("staff.residents", "居民", ADMIN_OR_MODERATOR, section="/staff/residents"),
    NavItem("staff.proposals_list", "提案", ADMIN_OR_MODERATOR, section="/staff/proposals"),
    NavItem("staff.polls", "投票", section="/staff/polls", visible=has_residents_in_scope),
    NavItem("staff.regions_tree", "区域网格", ADMIN, section="/staff/admin/regions"),
    NavItem("staff.categories_list", "报事类别", ADMIN, section="/staff/admin/categories"),
    NavItem("staff.mailboxes_admin", "信箱设置", ADMIN, section="/staff/admin/mailboxes"),
    NavItem("staff.staff_list", "工作人员", ADMIN, section="/staff/admin/staff"),
    NavItem("staff.audit_log", "操作日志", ADMIN, section="/staff/admin/audit"),
]


def nav_for(staff: Staff | None) -> list[dict]:
    """The menu of this staff member: [{label, url, current, count, count_unit}] in table
    order."""
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
        count = item.count(staff) if item.count else 0
        items.append({"label": item.label, "url": url, "current": current, "count": count,
                      "count_unit": item.count_unit})
    return items
