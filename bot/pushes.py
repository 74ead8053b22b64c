"""Handling one verified WeChat push: dedupe, who it is, the dialog, the reply.

Everything here stays in the request: parse, one transaction on the database (the push's
receipt, the follower's record, the dialog row, the effect, the reply), and enqueueing jobs.
No call to WeChat is made while answering (reference/pitfalls.md, "WeChat callbacks"); what
needs WeChat runs as a job after the commit and answers by customer-service message.
"""

from __future__ import annotations

import logging

from wechatpy.messages import BaseMessage
from wechatpy.replies import TextReply

from app import clock
from app.accounts import service as accounts
from app.extensions import db
from bot import conversation, dedupe, dialogs, events
from bot.intents import Intent, IntentKind, parse, parse_menu_key
from bot.menus import number_of_msgmenu_item
from bot.text import escape_cdata
from bot.turn import Location, Message, Turn

log = logging.getLogger(__name__)

SORRY = "系统有点忙，请稍后再发一次。回复0返回菜单。"
# Events after which WeChat allows customer-service messages for 48 hours (§2.3).
_CONTACT_EVENTS = frozenset({"subscribe", "subscribe_scan", "scan", "click"})


def handle(message: BaseMessage) -> str:
    """Answer a verified, parsed push; returns the plaintext reply XML ("" means "success").

    A copy of a push already handled (WeChat's retry) gets the first arrival's reply and
    changes nothing.
    """
    claimed = dedupe.claim(dedupe.push_key(message._data))
    if not claimed.first:
        db.session.rollback()
        reply = dedupe.wait_for_reply(claimed)
        if reply is None:
            log.info("push %s: copy answered before the first arrival finished", claimed.key)
        return reply or ""
    try:
        xml = render(message, _respond(message))
        dedupe.record_reply(claimed, xml)
        db.session.commit()
    except Exception:
        db.session.rollback()
        log.exception("push %s from %s failed", claimed.key, message.source)
        xml = render(message, SORRY)
        dedupe.record_failure_reply(claimed, xml)
        return xml
    dedupe.publish_reply(claimed)
    return xml


def render(message: BaseMessage, text: str | None) -> str:
    """The passive text reply's XML, or "" when there is nothing to say."""
    if not text:
        return ""
    return TextReply(message=message, content=escape_cdata(text)).render()


def _respond(message: BaseMessage) -> str | None:
    data = message._data
    msg_type = str(data.get("MsgType") or "").lower()
    if msg_type == "event":
        return _respond_to_event(message, str(data.get("Event") or "").lower())
    resident = accounts.resident_for_official_account(message.source)
    accounts.touch_official_account(resident, messaged=True, subscribed=True)
    dialog = dialogs.load_locked(message.source)
    incoming = _incoming(message, msg_type)
    if incoming.location is not None:
        _remember_location(dialog, incoming.location)
    turn = Turn(resident, dialog, incoming, clock.now())
    reply = conversation.answer(turn)
    dialog.updated_at = turn.now
    return reply


def _incoming(message: BaseMessage, msg_type: str) -> Message:
    """The push as the conversation reads it."""
    data = message._data
    if msg_type == "text":
        number = number_of_msgmenu_item(data.get("bizmsgmenuid"))
        if number is not None:
            return Message("tap", Intent(IntentKind.NUMBER, number=number, text=str(number)))
        return Message("text", parse(data.get("Content")))
    if msg_type == "voice":
        # Recognition is absent or empty when WeChat did not transcribe: parse gives EMPTY.
        return Message("voice", parse(data.get("Recognition")), media_id=data.get("MediaId"))
    if msg_type == "image":
        return Message("image", parse(None), media_id=data.get("MediaId"))
    if msg_type == "location":
        location = _location(data.get("Location_X"), data.get("Location_Y"),
                             data.get("Label") or "")
        if location is not None:
            return Message("location", parse(None), location=location)
    return Message("other", parse(None))


def _location(lat, lng, label: str) -> Location | None:
    try:
        location = Location(float(lat), float(lng), str(label)[:100])
    except (TypeError, ValueError):
        return None
    if not (-90 <= location.lat <= 90 and -180 <= location.lng <= 180):
        return None
    return location


def _remember_location(dialog, location: Location) -> None:
    dialog.last_location = {"lat": location.lat, "lng": location.lng, "label": location.label,
                            "at": clock.now().isoformat()}


def _respond_to_event(message: BaseMessage, event: str) -> str | None:
    data = message._data
    openid = message.source
    if event in _CONTACT_EVENTS:
        resident = accounts.resident_for_official_account(openid)
        accounts.touch_official_account(resident, messaged=True, subscribed=True)
        dialog = dialogs.load_locked(openid)
        if event == "click":
            incoming = Message("tap", parse_menu_key(data.get("EventKey")))
            turn = Turn(resident, dialog, incoming, clock.now())
            reply = conversation.answer(turn)
        else:
            turn = Turn(resident, dialog, Message("tap", parse(None)), clock.now())
            reply = conversation.welcome(turn)
        dialog.updated_at = turn.now
        return reply
    if event == "unsubscribe":
        resident = accounts.resident_for_official_account(openid, create=False)
        if resident is not None:
            accounts.touch_official_account(resident, messaged=False, subscribed=False)
        return None
    if event == "location":
        location = _location(data.get("Latitude"), data.get("Longitude"), "")
        if location is not None and accounts.resident_for_official_account(
                openid, create=False) is not None:
            _remember_location(dialogs.load_locked(openid), location)
        return None
    if event == "templatesendjobfinish":
        events.template_send_finished(openid=openid, msgid=str(data.get("MsgID") or ""),
                                      status=str(data.get("Status") or ""))
        return None
    if event in events.SUBSCRIBE_MESSAGE_EVENTS:
        events.subscribe_message_event(openid=openid, event=event,
                                       items=events.subscribe_message_items(data, event))
        return None
    # VIEW (a link in the menu was opened), view_miniprogram and the rest need no answer.
    return None
