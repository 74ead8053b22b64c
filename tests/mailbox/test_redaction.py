"""Masking personal details for the public Q&A."""

import pytest

from app.mailbox.redaction import mask_private


@pytest.mark.parametrize("text, expected", [
    ("请打我电话13812345678", "请打我电话【电话】"),
    ("手机 138 1234 5678 谢谢", "手机 【电话】 谢谢"),
    ("+86-138-1234-5678", "【电话】"),
    ("+8613812345678", "【电话】"),
    ("１３８１２３４５６７８", "【电话】"),
    ("座机028-86661234", "座机【电话】"),
    ("(028)8666 1234", "【电话】"),
    ("（028）86661234", "【电话】"),
    ("028-8666-1234", "【电话】"),
])
def test_phone_numbers_are_masked(text, expected):
    assert mask_private(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("身份证510104198001011234", "身份证【证件号】"),
    ("证件号51010419800101123X。", "证件号【证件号】。"),
    ("卡号6222 0212 3456 7890 123", "卡号【号码】"),
    ("微信：wxid_abc123", "微信：【联系方式】"),
    ("QQ号 12345678", "QQ号 【联系方式】"),
    ("邮箱 zhang.gl@qq.com", "邮箱 【邮箱】"),
])
def test_id_numbers_accounts_and_handles_are_masked(text, expected):
    assert mask_private(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("我住3栋2单元501", "我住【门牌】"),
    ("3号楼2单元501室漏水", "【门牌】漏水"),
    ("家住3-2-501", "家住【门牌】"),
    ("家住3－2－501", "家住【门牌】"),
    ("住三单元502", "住【门牌】"),
    ("1102室的住户", "【门牌】的住户"),
    ("锦华路12号附3号", "锦华路【门牌】"),
    ("小区5栋门口的路灯", "小区【门牌】门口的路灯"),
])
def test_house_numbers_and_addresses_are_masked(text, expected):
    assert mask_private(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("我叫王秀英，想反映", "我叫【姓名】，想反映"),
    ("联系人：陈建华", "联系人：【姓名】"),
    ("李先生说", "【姓名】说"),
    ("对面的赵阿姨", "对面的【姓名】"),
])
def test_names_the_text_gives_away_are_masked(text, expected):
    assert mask_private(text) == expected


def test_given_names_are_masked_wherever_they_occur():
    assert mask_private("我是张桂兰，张桂兰的儿子也住这里", names=["张桂兰"]) == (
        "我是【姓名】，【姓名】的儿子也住这里")


def test_a_longer_given_name_is_masked_before_a_shorter_one_inside_it():
    assert mask_private("Grace Li 和 Grace", names=["Grace", "Grace Li"]) == "【姓名】 和 【姓名】"


def test_one_character_names_are_not_masked():
    assert mask_private("王家的狗", names=["王"]) == "王家的狗"


@pytest.mark.parametrize("text", [
    "2026-11-24 上午九点",
    "花了1500元修了3个月",
    "拨打12345热线",
    "我叫了物业三次",
    "三楼的灯坏了",
])
def test_ordinary_numbers_and_words_are_kept(text):
    assert mask_private(text) == text
