"""`flask bot sync-menu` and `flask bot chat`: the official account's menu, and talking to the
bot from a terminal through the real /wechat endpoint."""

from __future__ import annotations

import click
import requests
from flask import current_app
from flask.cli import with_appcontext

from app.wechat.errors import WeChatError
from app.wechat.gateway import get_gateway
from bot.intents import IntentKind
from bot.pusher import WeChatPusher

TOP_BUTTON_MAX_BYTES = 16
SUB_BUTTON_MAX_BYTES = 60
MAX_TOP_BUTTONS = 3
MAX_SUB_BUTTONS = 5

# CLICK keys are IntentKind values: bot.intents.parse_menu_key reads a tap as the same intent as
# the typed or spoken phrase, so the bot needs no second table of keys.
MENU = {"button": [
    {"type": "click", "name": "随手拍", "key": IntentKind.REPORT.value},
    {"type": "click", "name": "查进度", "key": IntentKind.PROGRESS.value},
    {"name": "更多", "sub_button": [
        {"type": "click", "name": "写信给社区", "key": IntentKind.LETTER.value},
        {"type": "click", "name": "参与投票", "key": IntentKind.VOTE.value},
        {"type": "click", "name": "联系工作人员", "key": IntentKind.HUMAN.value},
        {"type": "click", "name": "长辈模式", "key": IntentKind.ELDER_MODE.value},
        {"type": "click", "name": "使用帮助", "key": IntentKind.HELP.value},
    ]},
]}


def check_menu(menu: dict) -> None:
    """Raise ValueError where the menu breaks WeChat's limits (reference/wechat.md §2.2)."""
    buttons = menu["button"]
    if not 1 <= len(buttons) <= MAX_TOP_BUTTONS:
        raise ValueError(f"a menu has 1 to {MAX_TOP_BUTTONS} top buttons")
    for button in buttons:
        if len(button["name"].encode("utf-8")) > TOP_BUTTON_MAX_BYTES:
            raise ValueError(f"top button {button['name']!r} is over {TOP_BUTTON_MAX_BYTES} bytes")
        subs = button.get("sub_button", [])
        if len(subs) > MAX_SUB_BUTTONS:
            raise ValueError(f"{button['name']!r} has over {MAX_SUB_BUTTONS} sub-buttons")
        for sub in subs:
            if len(sub["name"].encode("utf-8")) > SUB_BUTTON_MAX_BYTES:
                raise ValueError(f"sub-button {sub['name']!r} is over {SUB_BUTTON_MAX_BYTES} bytes")


@click.group("bot", help="The official-account bot.")
def bot_group():
    pass


@bot_group.command("sync-menu")
@with_appcontext
def sync_menu_command():
    """Create the official account's custom menu (three buttons) through the WeChat gateway."""
    check_menu(MENU)
    try:
        get_gateway().create_menu(MENU)
    except WeChatError as exc:
        raise click.ClickException(f"WeChat refused the menu: {exc}") from exc
    click.echo("menu created: " + " | ".join(button["name"] for button in MENU["button"]))


CHAT_HELP = """Type what a resident would send. Commands:
  voice:<words>        a voice message whose Recognition is <words> ("voice:" = not recognised)
  image                a photo
  location:<lat>,<lng>[,<label>]
  click:<key>          a custom-menu tap (report, progress, letter, vote, human, elder_mode, help)
  menu:<n>             a tap on item n of a msgmenu (bizmsgmenuid 100+n)
  subscribe | unsubscribe
  again                send the previous push again (a WeChat retry)
  quit
Customer-service messages (msgmenu, later answers) are not replies: they appear in the server's
log ("would send …") with the console gateway, or in the fake WeChat's records when the server
runs with WECHAT_API_BASE pointing at tests/fakes/wechat_server.py."""


def build_push(pusher: WeChatPusher, line: str, mode: str):
    """The push a chat line stands for (see CHAT_HELP), or None for an unknown command."""
    command, _, rest = line.partition(":")
    command = command.strip().lower()
    if line.strip().lower() in ("subscribe", "unsubscribe"):
        return pusher.event(line.strip().lower(), mode=mode)
    if line.strip().lower() == "image":
        return pusher.image(mode=mode)
    if command == "voice" and _:
        return pusher.voice(rest, mode=mode)
    if command == "location" and _:
        parts = [part.strip() for part in rest.split(",")]
        try:
            lat, lng = float(parts[0]), float(parts[1])
        except (IndexError, ValueError):
            return None
        return pusher.location(lat, lng, ",".join(parts[2:]), mode=mode)
    if command == "click" and _:
        return pusher.click(rest.strip(), mode=mode)
    if command == "menu" and _ and rest.strip().isdigit():
        number = int(rest.strip())
        return pusher.text(f"{number}", bizmsgmenuid=str(100 + number), mode=mode)
    return pusher.text(line, mode=mode)


@bot_group.command("chat")
@click.option("--url", default="http://127.0.0.1:5000/wechat", show_default=True,
              help="The running app's /wechat endpoint.")
@click.option("--encrypt", is_flag=True, help="Safe mode (needs WECHAT_OA_APP_ID and _AES_KEY).")
@click.option("--openid", default="oCHAT-developer", show_default=True,
              help="The follower you play.")
@with_appcontext
def chat_command(url, encrypt, openid):
    """Talk to the bot as a follower: signed (and encrypted) pushes, exactly as WeChat sends."""
    config = current_app.config
    if not config.get("WECHAT_OA_TOKEN"):
        raise click.ClickException("set WECHAT_OA_TOKEN (the same value as the running app)")
    if encrypt and not (config.get("WECHAT_OA_APP_ID") and config.get("WECHAT_OA_AES_KEY")):
        raise click.ClickException("--encrypt needs WECHAT_OA_APP_ID and WECHAT_OA_AES_KEY")
    pusher = WeChatPusher(config["WECHAT_OA_TOKEN"], appid=config.get("WECHAT_OA_APP_ID"),
                          aes_key=config.get("WECHAT_OA_AES_KEY"), openid=openid)
    mode = "aes" if encrypt else "plain"
    click.echo(CHAT_HELP)
    previous = None
    session = requests.Session()
    while True:
        try:
            line = click.prompt("你", prompt_suffix="> ", default="", show_default=False)
        except (EOFError, click.Abort):
            break
        if line.strip().lower() in ("quit", "exit"):
            break
        push = previous if line.strip().lower() == "again" and previous else \
            build_push(pusher, line, mode)
        if push is None:
            click.echo("? unknown command; see the list above")
            continue
        previous = push
        try:
            response = session.post(push.url(url), data=push.body, timeout=10,
                                    headers={"Content-Type": "text/xml"})
        except requests.RequestException as exc:
            click.echo(f"! cannot reach {url}: {exc}")
            continue
        if response.status_code != 200:
            click.echo(f"! HTTP {response.status_code}: {response.text[:200]}")
            continue
        text = pusher.reply_text(response.content, push)
        click.echo(f"机器人> {text}" if text else "机器人> (success: no passive reply)")


commands = [bot_group]
