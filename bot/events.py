"""WeChat events about message delivery, handed to the notifications service.

Each runs inside the push's handling, so a retried event is applied once (bot/pushes.py):

- `template_send_finished` (TEMPLATESENDJOBFINISH): WeChat's final word on a template message,
  recorded on the notification with that msgid (app.notifications.record_template_delivery).
- `subscribe_message_event`: the official account's 订阅通知. subscribe_msg_popup_event "accept"
  gives the follower one more grant for each accepted template (record_subscription_grants with
  channel "oa_subscribe": these are the account's templates, not the mini-program's);
  subscribe_msg_change_event "reject" (turned off in WeChat's settings) withdraws the unused
  grants; subscribe_msg_sent_event (the delivery result of a 订阅通知) is only logged, since
  WeChat's answer to bizsend carries no id to match it with.

wechatpy 1.8.18 parses the subscribe_msg_* events as UnknownMessage, so they are read from the
raw XML fields (reference/wechat.md §1.3).
"""

from __future__ import annotations

import logging

from app import notifications
from app.accounts import service as accounts

log = logging.getLogger(__name__)

SUBSCRIBE_MESSAGE_EVENTS = frozenset({
    "subscribe_msg_popup_event", "subscribe_msg_change_event", "subscribe_msg_sent_event",
})
_CONTAINERS = {
    "subscribe_msg_popup_event": "SubscribeMsgPopupEvent",
    "subscribe_msg_change_event": "SubscribeMsgChangeEvent",
    "subscribe_msg_sent_event": "SubscribeMsgSentEvent",
}
_FIELDS = {
    "TemplateId": "template_id",
    "SubscribeStatusString": "status",
    "PopupScene": "scene",
    "MsgID": "msgid",
    "ErrorCode": "error_code",
    "ErrorStatus": "error_status",
}


def subscribe_message_items(data: dict, event: str) -> list[dict[str, str]]:
    """The per-template items of a subscribe_msg_* event, as plain dicts.

    WeChat's <List> holds one item as an element and several as repeated elements, so
    xmltodict gives a dict or a list of dicts.
    """
    container = data.get(_CONTAINERS.get(event, "")) or {}
    items = container.get("List") if isinstance(container, dict) else None
    if isinstance(items, dict):
        items = [items]
    if not isinstance(items, list):
        return []
    return [{name: str(item.get(field) or "") for field, name in _FIELDS.items()
             if field in item}
            for item in items if isinstance(item, dict)]


def template_send_finished(*, openid: str, msgid: str, status: str) -> None:
    """TEMPLATESENDJOBFINISH: WeChat's delivery result of a template message."""
    if not msgid:
        return
    notifications.record_template_delivery(msgid, status)


def subscribe_message_event(*, openid: str, event: str, items: list[dict[str, str]]) -> None:
    """subscribe_msg_popup/change/sent_event: grants given or withdrawn, or a delivery result."""
    if event == "subscribe_msg_sent_event":
        for item in items:
            log.info("订阅通知 %s to %s: error code %s (%s)", item.get("template_id"), openid,
                     item.get("error_code"), item.get("error_status"))
        return
    wanted = "accept" if event == "subscribe_msg_popup_event" else "reject"
    template_ids = [item["template_id"] for item in items
                    if item.get("status") == wanted and item.get("template_id")]
    if not template_ids:
        return
    if wanted == "accept":
        resident = accounts.resident_for_official_account(openid)
        notifications.record_subscription_grants(resident, template_ids, channel="oa_subscribe")
        return
    resident = accounts.resident_for_official_account(openid, create=False)
    if resident is not None:
        notifications.withdraw_subscription_grants(resident, template_ids)
