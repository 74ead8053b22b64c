"""Which community the resident lives in, asked by the flows that need one before they can go on.

人工 needs the office to call, 写信 the community's mailboxes, 投票 the polls covering it, and a
随手拍 with a spoken address its place. A bot-only resident has no community until they say it:
a flow asks with `ask(turn)`, hands the steps "community" and "community_pick" (`STEPS`) to
`handle(turn, chosen)` and their question to `prompt(turn)`; once a community is chosen it is
recorded on the resident (as the mini-program's profile would) and `chosen(turn)` carries on.

The resident says the name ("和平社区", "我住和平"); several matches are offered by number.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import sqlalchemy as sa

from app.accounts import service as accounts
from app.extensions import db
from app.regions.models import Region, RegionLevel
from bot.flows import Reply
from bot.intents import IntentKind
from bot.menus import join
from bot.text import MAX_MENU_ITEMS, numbered_menu
from bot.turn import Turn

STEPS = ("community", "community_pick")
BACK = "回复0返回"
# What people add to a community's name when they say it.
_NAME_NOISE = re.compile(r"(?:社区|小区|居委会|居委|街道|我住|我家|住在|在)")


def communities_named(words: str) -> list[Region]:
    """Communities whose name contains what the resident said (noise words set aside); at most
    one more than a menu holds, so the caller can tell "too many"."""
    name = _NAME_NOISE.sub("", words)
    if not name:
        return []
    pattern = "%" + name.replace("\\", "").replace("%", "").replace("_", "") + "%"
    return list(db.session.scalars(
        sa.select(Region).where(Region.level == RegionLevel.COMMUNITY, Region.name.like(pattern))
        .order_by(Region.id).limit(MAX_MENU_ITEMS + 1)))


def ask(turn: Turn, lead: str = "") -> str:
    """Go to the community question (with `lead` before it)."""
    turn.goto("community")
    return join(lead, prompt(turn))


def prompt(turn: Turn) -> str:
    if turn.step == "community_pick":
        return _choices(turn)
    if turn.elder:
        return join("您住哪个社区？说名字就行。", BACK)
    return join("请说出或输入您住的社区名字，比如“和平社区”。", BACK)


def handle(turn: Turn, chosen: Callable[[Turn], Reply]) -> Reply:
    """One answer to the community question; `chosen(turn)` once the community is known."""
    if turn.step == "community_pick":
        choices = turn.data.get("choices", [])
        number = turn.intent.number
        if turn.intent.kind is IntentKind.NUMBER and number and 1 <= number <= len(choices):
            return _choose(turn, db.session.get(Region, choices[number - 1]), chosen)
        return join("请回复社区前面的数字。", _choices(turn))
    if turn.intent.kind is not IntentKind.TEXT:
        return join("没听明白社区名字。", prompt(turn))
    found = communities_named(turn.intent.text)
    if not found:
        return join(f"没找到“{turn.intent.text[:20]}”。", prompt(turn))
    if len(found) > MAX_MENU_ITEMS:
        return join("找到好几个，请说全名。", prompt(turn))
    if len(found) == 1:
        return _choose(turn, found[0], chosen)
    turn.goto("community_pick", choices=[region.id for region in found])
    return _choices(turn)


def _choices(turn: Turn) -> str:
    regions = [db.session.get(Region, region_id) for region_id in turn.data.get("choices", [])]
    return numbered_menu("是哪一个社区？", [region.name for region in regions if region],
                         footer=BACK)


def _choose(turn: Turn, community: Region, chosen: Callable[[Turn], Reply]) -> Reply:
    accounts.set_community(turn.resident, community.id)
    db.session.flush()
    db.session.refresh(turn.resident, ["community"])
    return chosen(turn)
