"""/wechat as WeChat uses it: verification, plaintext and safe mode, and every forged request."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
import xmltodict

from app import create_app
from app.accounts.models import Resident
from app.extensions import db
from bot.models import BotDialog, PushReceipt
from bot.pusher import WeChatPusher
from tests.bot.conftest import FOLLOWER

OTHER_AES_KEY = "ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210zyxwvut"


def nothing_stored() -> bool:
    return all(db.session.scalar(sa.select(sa.func.count()).select_from(model)) == 0
               for model in (Resident, BotDialog, PushReceipt))


# --- GET: server verification ------------------------------------------------------------------

def test_verification_echoes_echostr(client, pusher):
    response = client.get("/wechat", query_string=pusher.verification("5831789"))

    assert response.status_code == 200
    assert response.data == b"5831789"


def test_verification_with_a_wrong_signature_gets_403(client, pusher):
    query = pusher.verification() | {"signature": "0" * 40}

    assert client.get("/wechat", query_string=query).status_code == 403


def test_verification_signed_with_another_token_gets_403(client):
    forger = WeChatPusher("not-our-token")

    assert client.get("/wechat", query_string=forger.verification()).status_code == 403


@pytest.fixture
def unconfigured_client(test_environ):
    environ = {**test_environ, "WECHAT_OA_TOKEN": ""}
    return create_app({"ENVIRON": environ}).test_client()


def test_without_the_official_account_token_the_endpoint_refuses_with_503(unconfigured_client,
                                                                        pusher):
    assert unconfigured_client.get("/wechat", query_string=pusher.verification()).status_code \
        == 503
    push = pusher.text("你好")
    assert unconfigured_client.post(push.url(), data=push.body).status_code == 503


# --- POST: the three modes ---------------------------------------------------------------------

def test_plaintext_push_gets_a_plaintext_text_reply_to_the_follower(chat, pusher):
    push = pusher.text("你好")
    response = chat.send(push)

    assert response.status_code == 200
    reply = xmltodict.parse(response.data)["xml"]
    assert reply["ToUserName"] == FOLLOWER
    assert reply["FromUserName"] == pusher.account
    assert reply["MsgType"] == "text"
    assert "1 随手拍" in reply["Content"]


def test_safe_mode_push_gets_an_encrypted_reply_signed_for_wechat(chat, pusher):
    push = pusher.text("你好", mode="aes")
    response = chat.send(push)

    envelope = xmltodict.parse(response.data)["xml"]
    assert set(envelope) == {"Encrypt", "MsgSignature", "TimeStamp", "Nonce"}
    assert envelope["Nonce"] == push.query["nonce"]
    assert "1 随手拍" in pusher.reply_text(response.data, push)


def test_compatible_mode_push_is_read_from_its_encrypted_copy(chat, pusher):
    push = pusher.text("你好", mode="compatible")

    assert "1 随手拍" in chat.reply(push)


def test_compatible_mode_ignores_plaintext_fields_that_disagree_with_the_signed_copy(chat,
                                                                                   pusher):
    push = pusher.text("5", mode="compatible")
    tampered = push.body.replace(b"<![CDATA[5]]>", b"<![CDATA[1]]>", 1)
    response = chat.client.post(push.url(), data=tampered)

    reply = pusher.reply_text(response.data, push)
    assert "社区名字" in reply  # flow 5 (人工), as signed
    assert "随手拍" not in reply


def test_push_with_nothing_to_answer_gets_success(chat, pusher):
    response = chat.send(pusher.event("VIEW", fields="<EventKey>https://x.cn</EventKey>"))

    assert response.status_code == 200
    assert response.data == b"success"


# --- forged and broken pushes ------------------------------------------------------------------

def test_push_with_a_wrong_signature_gets_403_and_changes_nothing(chat, pusher):
    push = pusher.text("5")
    response = chat.client.post(push.url().replace(push.query["signature"], "f" * 40),
                                data=push.body)

    assert response.status_code == 403
    assert nothing_stored()


def test_push_signed_with_another_token_gets_403_and_changes_nothing(chat, app):
    forger = WeChatPusher("not-our-token", openid=FOLLOWER)
    push = forger.text("5")

    assert chat.send(push).status_code == 403
    assert nothing_stored()


def test_safe_mode_push_with_a_wrong_msg_signature_gets_403_and_changes_nothing(chat, pusher):
    push = pusher.text("5", mode="aes")
    url = push.url().replace(push.query["msg_signature"], "0" * 40)

    assert chat.client.post(url, data=push.body).status_code == 403
    assert nothing_stored()


def test_safe_mode_push_for_another_appid_gets_403_and_changes_nothing(chat, pusher):
    push = pusher.text("5", mode="aes", appid="wxsomebodyelse01")

    assert chat.send(push).status_code == 403
    assert nothing_stored()


def test_safe_mode_push_encrypted_with_another_aes_key_gets_403_and_changes_nothing(chat,
                                                                                  pusher):
    push = pusher.text("5", mode="aes", aes_key=OTHER_AES_KEY)

    assert chat.send(push).status_code == 403
    assert nothing_stored()


def test_safe_mode_body_swapped_under_a_valid_signature_gets_403(chat, pusher):
    first = pusher.text("1", mode="aes")
    second = pusher.text("5", mode="aes")
    response = chat.client.post(first.url(), data=second.body)

    assert response.status_code == 403
    assert nothing_stored()


@pytest.mark.parametrize("body", [
    b"not xml at all",
    b"<xml><FromUserName>oX</FromUserName>",  # unclosed
    b"<xml><ToUserName>gh</ToUserName></xml>",  # no MsgType, no sender
    b"<root><MsgType>text</MsgType></root>",
    b"",
])
def test_malformed_plaintext_push_gets_400_and_changes_nothing(client, pusher, body):
    push = pusher.wrap(body.decode())
    response = client.post(push.url(), data=body)

    assert response.status_code == 400
    assert nothing_stored()


def test_safe_mode_push_without_an_encrypt_element_gets_400(client, pusher):
    push = pusher.text("5", mode="aes")
    response = client.post(push.url(), data=b"<xml><ToUserName>gh</ToUserName></xml>")

    assert response.status_code == 400


def test_decrypted_message_that_is_not_a_message_gets_400(client, pusher):
    push = pusher.wrap("<xml><Nothing>here</Nothing></xml>", mode="aes")

    assert client.post(push.url(), data=push.body).status_code == 400
    assert nothing_stored()


def test_unknown_encrypt_type_gets_400(client, pusher):
    push = pusher.text("5")

    assert client.post(push.url() + "&encrypt_type=rot13", data=push.body).status_code == 400


def test_oversized_push_gets_413_before_it_is_read(client, pusher):
    push = pusher.text("长" * 30_000)

    assert client.post(push.url(), data=push.body).status_code == 413
    assert nothing_stored()


def test_safe_mode_without_appid_and_key_configured_refuses_encrypted_pushes(test_environ,
                                                                          pusher):
    app = create_app({"ENVIRON": {**test_environ, "WECHAT_OA_AES_KEY": ""}})
    push = pusher.text("你好", mode="aes")

    assert app.test_client().post(push.url(), data=push.body).status_code == 403


# --- the reply itself --------------------------------------------------------------------------

def test_reply_echoing_a_cdata_terminator_stays_well_formed_xml(chat, regions):
    chat.say("5")  # 人工 asks a bot-only resident for the community's name, and echoes it
    push = chat.pusher.text("幸福]]><x>社区")
    response = chat.send(push)

    content = xmltodict.parse(response.data)["xml"]["Content"]
    assert "幸福]]><x>" in content


def test_reply_is_within_wechats_passive_reply_size(chat):
    response = chat.send(chat.pusher.text("0"))

    assert len(response.data) < 2048
