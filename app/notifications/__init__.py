"""The notification outbox: services record, jobs deliver, residents and staff read in-app.

What other packages call:

- `notify(kind=, dedupe_key=, text=, resident_id= | staff_id=, title=, page=, fields=)`, inside
  the transaction of the change: records one row (the same `dedupe_key` never twice) and, for a
  resident, enqueues its delivery after the commit. Staff notifications are in-app only.
- `notify_staff_covering(region_id, ...)`: the same for every staff member covering a region.
- `record_subscription_grants(resident, template_ids, channel=)`: the resident accepted one
  more subscribe message for each template: the mini-program's ("subscribe", POST
  /api/v1/subscriptions) or the official account's 订阅通知 ("oa_subscribe": the bot calls it
  for subscribe_msg_popup_event). Returns {"grants": {id: remaining}, "ignored": [...]}.
- `withdraw_subscription_grants(resident, template_ids)`: the resident turned the account's
  订阅通知 off (subscribe_msg_change_event "reject").
- `record_template_delivery(msgid, status)`: the bot calls it for TEMPLATESENDJOBFINISH events
  (msgid = the event's MsgID, status = its Status); returns False for an unknown msgid.
- `list_notifications(recipient, page=, per_page=, unread_only=)`,
  `notifications_query(recipient)`, `unread_count(recipient)`, `mark_read(recipient, id)`,
  `mark_all_read(recipient)`: the in-app list of a resident or a staff member (the staff web
  view lists staff notifications with these).
- `status_counts(staff=None)`: how many rows are in each status (staff dashboard).
- `retry_failed(kind_prefix=None)`: put failed rows back in the queue.

Channels, error handling and exactly-once delivery: notifications.delivery. Which WeChat
template carries which kind: notifications.templates (configured by NOTIFICATION_TEMPLATES_FILE).
"""

from app.notifications.service import (
    list_notifications,
    mark_all_read,
    mark_read,
    notifications_query,
    notify,
    notify_staff_covering,
    record_subscription_grants,
    record_template_delivery,
    retry_failed,
    staff_covering,
    status_counts,
    unread_count,
    withdraw_subscription_grants,
)

__all__ = [
    "list_notifications",
    "mark_all_read",
    "mark_read",
    "notifications_query",
    "notify",
    "notify_staff_covering",
    "record_subscription_grants",
    "record_template_delivery",
    "retry_failed",
    "staff_covering",
    "status_counts",
    "unread_count",
    "withdraw_subscription_grants",
]
