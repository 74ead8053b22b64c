"""The bot's fixed screens: main menu, help, welcome, in standard and elder wording.

The main menu is plain numbered text in the passive reply. When BOT_USE_MSGMENU is set it is a
msgmenu instead (tappable lines, reference/wechat.md §2.3), sent by a job as a customer-service
message; WeChat refuses msgmenu with 40200 on subscription and test accounts, and then the job
sends the text menu and records that the account cannot use msgmenu, so later menus are text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite

from app import clock
from app.extensions import db
from bot import flows
from bot.models import BotSetting
from bot.text import numbered_menu

if TYPE_CHECKING:
    from bot.turn import Turn

MSGMENU_REFUSED = "msgmenu_refused"
# msgmenu item ids: numeric (WeChat echoes only numeric ids back), 100 + the menu number.
_MSGMENU_ID_BASE = 100
HELP_NUMBER = 0


def main_menu_text(elder: bool) -> str:
    items = [flow.elder_title if elder else flow.title for flow in flows.main_menu()]
    if elder:
        return numbered_menu("请说数字：", items, footer="0 帮助")
    return numbered_menu("请回复数字，也可以直接说话：", items, footer="0 帮助")


def help_text(elder: bool) -> str:
    if elder:
        return "\n".join([
            "说数字就行，比如说“二”。",
            "说“返回”回到菜单。",
            "说“普通模式”看详细说明。",
            "回复0返回",
        ])
    return "\n".join([
        "使用说明：",
        "· 回复数字选择，也可以发语音，比如说“二”或者“查进度”。",
        "· 随时回复0返回菜单；隔了一阵再来，说“继续”接着办。",
        "· 想要字少一些，说“长辈模式”；说“普通模式”换回来。",
        "· 在小程序“我的”里取得绑定码，发“绑定 123456”，两边的信息就连通了。",
        "回复0返回",
    ])


def welcome_text(elder: bool) -> str:
    if elder:
        return "欢迎您！有事就跟我说。"
    return ("欢迎关注！在这里可以随手拍反映问题、查进度、给社区写信、参与投票。"
            "打字、说话都可以。")


def msgmenu_enabled() -> bool:
    if not current_app.config.get("BOT_USE_MSGMENU"):
        return False
    return db.session.get(BotSetting, MSGMENU_REFUSED) is None


def record_msgmenu_refused() -> None:
    """Remember, for every process, that this account cannot send msgmenu. Commits."""
    insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" \
        else sqlite.insert
    db.session.execute(insert(BotSetting.__table__)
                       .values(key=MSGMENU_REFUSED, value="40200", updated_at=clock.now())
                       .on_conflict_do_nothing(index_elements=["key"]))
    db.session.commit()


def msgmenu_items(elder: bool) -> list[tuple[str, str]]:
    items = [(str(_MSGMENU_ID_BASE + number), f"{number} {flow.elder_title if elder else flow.title}")
             for number, flow in enumerate(flows.main_menu(), start=1)]
    items.append((str(_MSGMENU_ID_BASE + HELP_NUMBER), f"{HELP_NUMBER} 帮助"))
    return items


def number_of_msgmenu_item(item_id: str | None) -> int | None:
    """The main-menu number a tapped msgmenu item stands for (bizmsgmenuid), else None."""
    if not item_id or not item_id.strip().isdigit():
        return None
    number = int(item_id) - _MSGMENU_ID_BASE
    return number if 0 <= number <= len(flows.main_menu()) else None


def main_menu_reply(turn: Turn, lead: str = "") -> str | None:
    """Show the main menu after `lead`: as text in the reply, or as a msgmenu sent by a job."""
    turn.dialog.screen = "menu"
    if msgmenu_enabled():
        from bot import jobs as bot_jobs

        turn.enqueue(bot_jobs.send_main_menu, turn.openid, turn.elder)
        return lead or None
    return join(lead, main_menu_text(turn.elder))


def join(*parts: str) -> str:
    """Reply pieces, one per line, skipping empty ones."""
    return "\n".join(part for part in parts if part)
