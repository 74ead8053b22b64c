"""WeChat events about message delivery, handed to the notifications service.

PENDING INTEGRATION: the notifications service (delivery channels, template msgids, the
subscription quota) is being built on another branch. Until it lands these hooks only log;
the integrator makes each call the notifications service, inside the push's transaction (the
bot commits it with the push's receipt, so a retried event is applied once):

- `template_send_finished`: match `msgid` against Notification.wechat_msgid and record the
  delivery status ("success", "failed:user block", "failed: system failed").
- `subscribe_message_event`: for subscribe_msg_popup_event / subscribe_msg_change_event add or
  remove the follower's 服务号订阅通知 grants per template ("accept" / "reject"); for
  subscribe_msg_sent_event record each message's delivery (ErrorCode 0 = delivered).

wechatpy 1.8.18 parses the subscribe_msg_* events as UnknownMessage, so they are read from the
raw XML fields (reference/wechat.md §1.3).
"""

from __future__ import annotations

import logging

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
    """TEMPLATESENDJOBFINISH: WeChat's delivery result of a template message (pending
    integration with the notifications service, see the module docstring)."""
    log.info("template message %s to %s finished: %s", msgid, openid, status)


def subscribe_message_event(*, openid: str, event: str, items: list[dict[str, str]]) -> None:
    """subscribe_msg_popup/change/sent_event: grants given or withdrawn, or a delivery result
    (pending integration with the notifications service, see the module docstring)."""
    log.info("%s from %s: %s", event, openid, items)
