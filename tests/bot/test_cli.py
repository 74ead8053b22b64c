"""`flask bot sync-menu` and `flask bot chat`."""

from __future__ import annotations

import threading

import pytest
import xmltodict
from werkzeug.serving import make_server

from bot.cli import MENU, build_push, check_menu
from bot.intents import IntentKind, parse_menu_key
from bot.pusher import WeChatPusher


def test_sync_menu_creates_the_three_button_menu_through_the_gateway(runner, wechat):
    result = runner.invoke(args=["bot", "sync-menu"])

    assert result.exit_code == 0, result.output
    assert wechat.menu == MENU
    assert [button["name"] for button in wechat.menu["button"]] == ["随手拍", "查进度", "更多"]


def test_every_menu_key_is_understood_by_the_intent_parser():
    buttons = [*MENU["button"][:2], *MENU["button"][2]["sub_button"]]

    kinds = [parse_menu_key(button["key"]).kind for button in buttons]

    assert IntentKind.TEXT not in kinds and IntentKind.EMPTY not in kinds
    assert len(set(kinds)) == len(kinds)


def test_menu_respects_wechats_limits():
    check_menu(MENU)


@pytest.mark.parametrize("menu", [
    {"button": [{"type": "click", "name": "我要反映问题", "key": "report"}]},  # > 16 bytes
    {"button": [{"type": "click", "name": "一", "key": "k"}] * 4},
    {"button": [{"name": "更多", "sub_button": [{"type": "click", "name": "子", "key": "k"}] * 6}]},
])
def test_menu_over_wechats_limits_is_refused(menu):
    with pytest.raises(ValueError):
        check_menu(menu)


def test_sync_menu_reports_wechats_refusal(runner, wechat):
    wechat.fail_next("/cgi-bin/menu/create", errcode=40016)

    result = runner.invoke(args=["bot", "sync-menu"])

    assert result.exit_code != 0
    assert "40016" in result.output


# --- the chat REPL -------------------------------------------------------------------------------

@pytest.fixture
def chat_pusher(app):
    return WeChatPusher(app.config["WECHAT_OA_TOKEN"], appid=app.config["WECHAT_OA_APP_ID"],
                        aes_key=app.config["WECHAT_OA_AES_KEY"])


def fields(push) -> dict:
    return xmltodict.parse(push.xml)["xml"]


def test_chat_line_becomes_a_text_push(chat_pusher):
    assert fields(build_push(chat_pusher, "我要找人", "plain"))["Content"] == "我要找人"


def test_chat_voice_command_sets_the_recognition(chat_pusher):
    push = build_push(chat_pusher, "voice:二。", "plain")

    assert (fields(push)["MsgType"], fields(push)["Recognition"]) == ("voice", "二。")


def test_chat_voice_command_without_words_is_an_unrecognised_voice(chat_pusher):
    assert fields(build_push(chat_pusher, "voice:", "plain")).get("Recognition") is None


def test_chat_location_command(chat_pusher):
    push = build_push(chat_pusher, "location:30.654,104.082,和平社区东门", "aes")

    data = fields(push)
    assert (data["Location_X"], data["Location_Y"], data["Label"]) == (
        "30.654", "104.082", "和平社区东门")
    assert push.query["encrypt_type"] == "aes"


def test_chat_location_command_without_numbers_is_unknown(chat_pusher):
    assert build_push(chat_pusher, "location:here", "plain") is None


def test_chat_click_and_msgmenu_commands(chat_pusher):
    click = fields(build_push(chat_pusher, "click:report", "plain"))
    tap = fields(build_push(chat_pusher, "menu:5", "plain"))

    assert (click["Event"], click["EventKey"]) == ("CLICK", "report")
    assert tap["bizmsgmenuid"] == "105"


@pytest.fixture
def live_url(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/wechat"
    server.shutdown()
    thread.join()


@pytest.mark.parametrize("options", [[], ["--encrypt"]])
def test_chat_talks_to_the_running_app_and_prints_its_replies(runner, live_url, options):
    result = runner.invoke(args=["bot", "chat", "--url", live_url, *options],
                           input="你好\nvoice:\nagain\nquit\n")

    assert result.exit_code == 0, result.output
    replies = [line for line in result.output.splitlines() if "机器人>" in line]
    assert len(replies) == 3
    assert "您好！" in replies[0]
    assert "没听清" in replies[1]
    assert replies[2] == replies[1]  # "again" is WeChat's retry: the same reply


def test_chat_says_when_the_app_is_not_running(runner):
    result = runner.invoke(args=["bot", "chat", "--url", "http://127.0.0.1:9/wechat"],
                           input="你好\nquit\n")

    assert "cannot reach" in result.output
