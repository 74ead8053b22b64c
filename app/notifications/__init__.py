"""The notification outbox: services record, jobs deliver."""

from app.notifications.service import notify, notify_staff_covering, staff_covering

__all__ = ["notify", "notify_staff_covering", "staff_covering"]
