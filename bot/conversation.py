"""Reading one message in its dialog and choosing the answer.

In this order:
1. "0" or "继续" while pages of a long reply are unread: the next page.
2. What works on every screen: "绑定 123456", "长辈模式" / "普通模式".
3. A tap on the custom menu or a msgmenu item: read from the main menu (it may start a flow).
4. An active flow: 0/返回 leaves it; the phrase of another flow switches to that flow (unless the
   phrase leads content and the step collects words: then it is content); an empty voice
   recognition gets "没听清" and the step's question again; anything else is the flow's.
5. The main menu: numbers start flows (0 is 帮助, and 返回 on the help page), phrases start flows,
   greetings and "菜单" get the menu,
   "继续" resumes a flow that timed out, a photo starts the flow that takes photos, everything
   else gets a kind word and the menu.

Every reply is paged (bot/text.py split_reply; elder mode pages sooner) and the unread pages
kept in the dialog.
"""

from __future__ import annotations

import logging

from sqlalchemy.exc import IntegrityError

from app import ratelimit
from app.accounts import service as accounts
from app.errors import RateLimited, ServiceError
from app.extensions import db
from bot import dialogs, flows, menus
from bot.flows import Flow, Reply
from bot.intents import Intent, IntentKind
from bot.menus import join
from bot.text import DEFAULT_LIMIT_BYTES, split_reply
from bot.turn import Turn

log = logging.getLogger(__name__)

# Elder mode: about 150 Chinese characters a page, one phone screen in large type.
ELDER_LIMIT_BYTES = 480
BIND_ATTEMPTS_PER_HOUR = 5
_FLOW_KINDS = frozenset({IntentKind.REPORT, IntentKind.PROGRESS, IntentKind.LETTER,
                         IntentKind.VOTE, IntentKind.HUMAN})


def answer(turn: Turn) -> Reply:
    """The reply to the turn's message (first page of it), with the dialog updated."""
    dialog = turn.dialog
    intent = turn.intent
    if dialog.pages and (_is_number(intent, 0) or intent.kind is IntentKind.CONTINUE):
        return _next_page(turn)
    dialog.pages = []
    return _first_page(turn, _respond(turn))


def welcome(turn: Turn) -> Reply:
    """A new (or returning) follower: greeting and the main menu."""
    turn.dialog.pages = []
    return _first_page(turn, menus.main_menu_reply(turn, menus.welcome_text(turn.elder)))


def _first_page(turn: Turn, reply: Reply) -> Reply:
    if not reply:
        return reply
    limit = ELDER_LIMIT_BYTES if turn.elder else DEFAULT_LIMIT_BYTES
    pages = split_reply(reply, limit_bytes=limit)
    turn.dialog.pages = pages[1:]
    return pages[0]


def _next_page(turn: Turn) -> Reply:
    pages = list(turn.dialog.pages)
    page = pages.pop(0)
    turn.dialog.pages = pages
    return page


def _is_number(intent: Intent, number: int) -> bool:
    return intent.kind is IntentKind.NUMBER and intent.number == number


def _respond(turn: Turn) -> Reply:
    if turn.dialog.flow is not None and flows.by_key(turn.dialog.flow) is None:
        dialogs.end_flow(turn.dialog)  # a flow that no longer exists (renamed in a release)
    kind = turn.intent.kind
    if kind is IntentKind.BIND:
        return _bind(turn)
    if kind in (IntentKind.ELDER_MODE, IntentKind.STANDARD_MODE):
        return _switch_mode(turn, kind is IntentKind.ELDER_MODE)
    if turn.message.kind == "tap":
        return _main_level(turn)
    flow = _active_flow(turn)
    if flow is not None:
        return _in_flow(turn, flow)
    return _main_level(turn)


def _active_flow(turn: Turn) -> Flow | None:
    if dialogs.is_active(turn.dialog, turn.now):
        return flows.by_key(turn.dialog.flow)
    return None


# --- inside a flow --------------------------------------------------------------------------

def _in_flow(turn: Turn, flow: Flow) -> Reply:
    intent = turn.intent
    if intent.kind is IntentKind.BACK or _is_number(intent, 0):
        return turn.back_to_menu("好的，回到菜单。" if not turn.elder else "")
    other = flows.by_intent(intent.kind) if intent.kind in _FLOW_KINDS else None
    # "我要反映一下楼道灯坏了" while writing a letter is what the letter says, not a new report.
    words_wanted = bool(intent.detail) and flow.takes_words(turn)
    if other is not None and other.key != flow.key and not words_wanted:
        return _start(turn, other)
    if intent.kind is IntentKind.EMPTY and turn.message.kind == "voice":
        return join(_not_heard(turn), flow.prompt(turn))
    turn.dialog.flow_updated_at = turn.now
    return _guarded(turn, flow.handle)


def _start(turn: Turn, flow: Flow) -> Reply:
    dialogs.start_flow(turn.dialog, flow.key, turn.now)
    return _guarded(turn, flow.start)


def _guarded(turn: Turn, step) -> Reply:
    """Run a flow step; a service's refusal is answered with its message and undone.

    The savepoint is handled by hand, not as a context manager: a step may commit the push's
    transaction on purpose (Turn.call_committing), which ends the savepoint early.
    """
    savepoint = db.session.begin_nested()
    try:
        reply = step(turn)
    except ServiceError as exc:
        if savepoint.is_active:
            savepoint.rollback()
        db.session.refresh(turn.dialog)
        return join(exc.message, "回复0返回")
    if savepoint.is_active:
        savepoint.commit()
    return reply


# --- the main menu ---------------------------------------------------------------------------

def _main_level(turn: Turn) -> Reply:
    dialog, intent, message = turn.dialog, turn.intent, turn.message
    notice = ""
    if dialogs.is_resumable(dialog, turn.now) and intent.kind is not IntentKind.CONTINUE:
        if not dialog.paused:
            title = _title(turn, flows.by_key(dialog.flow))
            notice = f"上次的「{title}」已经超时。说“继续”可以接着办。"
            dialog.paused = True
    elif dialog.flow is not None and not dialogs.is_active(dialog, turn.now) \
            and not dialogs.is_resumable(dialog, turn.now):
        dialogs.end_flow(dialog)

    if message.kind == "image":
        flow = flows.photo_flow()
        if flow is not None:
            return _start(turn, flow)
        return join(notice, menus.main_menu_reply(turn, "收到您的照片了。"))
    if message.kind == "location":
        return join(notice, menus.main_menu_reply(turn, "收到您的位置了。"))
    if message.kind == "other":
        return join(notice, menus.main_menu_reply(
            turn, "暂时只能看懂文字、语音、照片和位置。"))

    kind = intent.kind
    if kind is IntentKind.NUMBER:
        if intent.number == menus.HELP_NUMBER:
            if dialog.screen == "help":
                return join(notice, menus.main_menu_reply(turn))
            return join(notice, _help(turn))
        flow = flows.by_number(intent.number)
        if flow is not None:
            return _start(turn, flow)
        return join(notice, menus.main_menu_reply(turn, "没有这个选项。"))
    if kind in _FLOW_KINDS:
        return _start(turn, flows.by_intent(kind))
    if kind is IntentKind.CONTINUE:
        if dialogs.is_resumable(dialog, turn.now):
            return _resume(turn)
        return menus.main_menu_reply(turn, "没有要继续的事。")
    if kind is IntentKind.HELP:
        # "你好", "菜单", "怎么用": the menu is the answer; 0 on it opens the instructions.
        lead = "您好！" if turn.elder else "您好！回复0看使用说明。"
        return join(notice, menus.main_menu_reply(turn, lead))
    if kind is IntentKind.BACK:
        if dialog.flow is not None:
            dialogs.end_flow(dialog)
        return menus.main_menu_reply(turn)
    if kind is IntentKind.EMPTY and message.kind == "voice":
        return join(notice, menus.main_menu_reply(turn, _not_heard(turn)))
    if kind is IntentKind.TEXT:
        lead = "没看懂您的意思。" if not turn.elder else "没听懂。"
        return join(notice, menus.main_menu_reply(turn, lead))
    return join(notice, menus.main_menu_reply(turn))


def _resume(turn: Turn) -> Reply:
    dialog = turn.dialog
    flow = flows.by_key(dialog.flow)
    dialog.paused = False
    dialog.flow_updated_at = turn.now
    return join(f"接着上次的「{_title(turn, flow)}」：", flow.prompt(turn))


def _help(turn: Turn) -> str:
    turn.dialog.screen = "help"
    return menus.help_text(turn.elder)


def _title(turn: Turn, flow: Flow | None) -> str:
    if flow is None:
        return ""
    return flow.elder_title if turn.elder else flow.title


def _not_heard(turn: Turn) -> str:
    if turn.elder:
        return "没听清，请再说一遍。"
    return "抱歉，没听清您说的话。请再说一遍，或者直接打字、回复数字。"


# --- on every screen --------------------------------------------------------------------------

def _bind(turn: Turn) -> Reply:
    code = turn.intent.detail
    if not code:
        return join("在小程序“我的”页面点“绑定公众号”，会得到6位数字的绑定码。",
                    "把它发给我，比如：绑定 123456", "回复0返回")
    try:
        ratelimit.hit(f"bot-bind:{turn.openid}", limit=BIND_ATTEMPTS_PER_HOUR,
                      window_seconds=3600, message="绑定码试了太多次，请一小时后再试。")
        with db.session.begin_nested():
            resident = accounts.bind_official_account(turn.openid, code)
    except RateLimited as exc:
        return join(exc.message, "回复0返回")
    except ServiceError as exc:
        return join(exc.message, "回复0返回")
    except IntegrityError:
        # Rows of the bot-only record that no merge hook moves: refuse rather than lose them.
        log.exception("binding follower %s failed: rows left behind", turn.openid)
        return join("绑定没有成功，请联系社区工作人员处理。", "回复0返回")
    turn.resident = resident
    return menus.main_menu_reply(turn, "绑定成功！小程序和公众号里的信息连通了。")


def _switch_mode(turn: Turn, elder: bool) -> Reply:
    accounts.set_elder_mode(turn.resident, elder)
    if elder:
        lead = "已换成长辈模式，字少一些。说“普通模式”可以换回来。"
    else:
        lead = "已换成普通模式。说“长辈模式”，字会少一些。"
    return menus.main_menu_reply(turn, lead)
