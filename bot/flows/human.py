"""Flow 5, 人工: how to reach the community office, and a call-back request for its staff.

Steps: (community → community_pick, bot/flows/community.py, when the resident has none yet) →
offer (phone and office hours, "1 需要回电 2 不用了") → phone (the number to call) → note (what
it is about, optional).
The office's phone and hours come from the resident's community, else from the nearest region
above it that has them.
"""

from __future__ import annotations

import re

from app.accounts.service import mask_phone
from app.extensions import db
from app.regions.models import Region
from bot import service
from bot.flows import Flow, Reply, community
from bot.intents import IntentKind
from bot.menus import join
from bot.models import CallbackRequest
from bot.text import numbered_menu
from bot.turn import Turn

BACK = "回复0返回"
_PHONE_SEPARATORS = re.compile(r"[\s\-－—–()（）]")
_PHONE = re.compile(r"\+?\d{7,15}")


def office_contact(region: Region) -> tuple[str, str | None, str | None]:
    """(office name, phone, hours) of the region, phone and hours taken from the nearest
    region up the tree that has them."""
    phone = hours = None
    name = region.name
    current: Region | None = region
    while current is not None and (phone is None or hours is None):
        if phone is None and current.contact_phone:
            phone, name = current.contact_phone, current.name
        if hours is None and current.office_hours:
            hours = current.office_hours
        current = current.parent
    return name, phone, hours


def _phone_from(text: str) -> str | None:
    digits = _PHONE_SEPARATORS.sub("", text).removeprefix("+86")
    return digits if _PHONE.fullmatch(digits) else None


# --- screens -------------------------------------------------------------------------------

def _offer(turn: Turn) -> str:
    turn.goto("offer")
    name, phone, hours = office_contact(turn.resident.community)
    if turn.elder:
        lines = [f"社区电话：{phone}" if phone else "社区电话还没登记。",
                 f"上班时间：{hours}" if hours else "",
                 numbered_menu("要我们给您回电话吗？", ["要", "不要"], footer=BACK)]
    else:
        lines = [f"{name}办公室",
                 f"电话：{phone}" if phone else "电话：暂未登记",
                 f"办公时间：{hours}" if hours else "",
                 numbered_menu("需要工作人员给您回电话吗？", ["需要回电", "不用了"], footer=BACK)]
    return join(*lines)


def _ask_phone(turn: Turn) -> str:
    if turn.elder:
        return join("请说您的电话号码。", BACK)
    return join("请说出或输入您的电话号码，工作人员会打这个号码。", BACK)


def _ask_note(turn: Turn) -> str:
    if turn.elder:
        return join("有什么事要先说吗？直接说；没有就回复0。")
    return "想先说明是什么事吗？直接发文字或语音；不用就回复0。"


# --- the flow ------------------------------------------------------------------------------

def start(turn: Turn) -> Reply:
    if turn.resident.community is None:
        return community.ask(turn)
    return _offer(turn)


def handle(turn: Turn) -> Reply:
    step = turn.step
    if step in community.STEPS:
        return community.handle(turn, _offer)
    if step == "offer":
        return _on_offer(turn)
    if step == "phone":
        return _on_phone(turn)
    if step == "note":
        return _on_note(turn)
    return start(turn)


def prompt(turn: Turn) -> str:
    step = turn.step
    if step in community.STEPS:
        return community.prompt(turn)
    if step == "phone":
        return _ask_phone(turn)
    if step == "note":
        return _ask_note(turn)
    return _offer(turn)


def _on_offer(turn: Turn) -> Reply:
    kind, number = turn.intent.kind, turn.intent.number
    if (kind is IntentKind.NUMBER and number == 1) or kind is IntentKind.CONFIRM:
        existing = service.open_callback_for(turn.resident)
        if existing is not None:
            return turn.back_to_menu(
                f"您已经登记过回电（{mask_phone(existing.phone)}），工作人员会尽快打给您。")
        turn.goto("phone")
        return _ask_phone(turn)
    if (kind is IntentKind.NUMBER and number == 2) or kind is IntentKind.REDO:
        return turn.back_to_menu("好的。")
    return join("请回复1或2。", _offer(turn))


def _on_phone(turn: Turn) -> Reply:
    phone = _phone_from(turn.intent.text)
    if phone is None:
        return join("号码好像不对，请再说一遍，比如 13800138000。", BACK)
    request = service.request_callback(turn.resident, region_id=turn.resident.community_id,
                                       phone=phone)
    turn.goto("note", callback_id=request.id)
    if turn.elder:
        return join(f"记下了，会打 {mask_phone(phone)} 给您。", _ask_note(turn))
    return join(f"已登记回电（{mask_phone(phone)}），工作人员会在办公时间打给您。",
                _ask_note(turn))


def _on_note(turn: Turn) -> Reply:
    if turn.intent.kind is IntentKind.TEXT or turn.intent.detail:
        request = db.session.get(CallbackRequest, turn.data.get("callback_id"))
        if request is not None:
            service.add_callback_note(request, turn.intent.text)
        return turn.back_to_menu("已经转告工作人员。")
    return turn.back_to_menu("好的。")


flow = Flow(key="human", title="人工", elder_title="找人", intent=IntentKind.HUMAN,
            start=start, handle=handle, prompt=prompt,
            takes_words=lambda turn: turn.step == "note")
