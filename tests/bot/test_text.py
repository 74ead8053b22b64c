"""Reply text: CDATA-safe, paged within WeChat's byte limit, short numbered menus."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from hypothesis import given
from hypothesis import strategies as st
from wechatpy.replies import TextReply

from bot.text import escape_cdata, numbered_menu, split_reply

PROMPT = "（回复0继续）"


def _in_cdata_envelope(text: str) -> str:
    """Parse text placed in a CDATA section the way wechatpy 1.8.18 renders a reply."""
    document = f"<xml><Content><![CDATA[{text}]]></Content></xml>"
    return ET.fromstring(document).findtext("Content")


# --- escape_cdata ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["]]>", "您说的是：a]]>b", "]]]]>>", "]]>]]>", "<a href='x'>&amp;</a>", "末尾]]", "]]", "]>"],
)
def test_escaped_text_parses_back_to_itself_inside_cdata(text):
    assert _in_cdata_envelope(escape_cdata(text)) == text


def test_unescaped_cdata_end_breaks_the_xml():
    with pytest.raises(ET.ParseError):
        _in_cdata_envelope("a]]>b")


def test_escaped_text_survives_a_wechatpy_text_reply():
    reply = TextReply(source="gh_123", target="oUSER", content=escape_cdata("收到：]]><x>"))

    assert ET.fromstring(reply.render()).findtext("Content") == "收到：]]><x>"


def test_escape_drops_characters_xml_cannot_carry():
    assert _in_cdata_envelope(escape_cdata("路灯\x00坏了\x1b")) == "路灯坏了"


def test_escape_leaves_ordinary_text_unchanged():
    text = "回复1 报事\n回复0返回\t（谢谢）"

    assert escape_cdata(text) == text


# Control characters aside (the test above covers them), any text must come back as it was.
XML_TEXT = st.text(
    alphabet=st.one_of(
        st.sampled_from("]>[<&"), st.characters(exclude_categories=("Cc", "Cs", "Cn"))
    )
)


@given(XML_TEXT)
def test_any_escaped_text_parses_back_to_itself_inside_cdata(text):
    assert _in_cdata_envelope(escape_cdata(text)) == text


# --- split_reply -------------------------------------------------------------------------------


def _bodies(pages: list[str], prompt: str = PROMPT) -> list[str]:
    return [page.removesuffix("\n" + prompt) for page in pages[:-1]] + pages[-1:]


def _without_whitespace(text: str) -> str:
    return "".join(text.split())


LONG_CHINESE = "３号楼的路灯坏了，晚上出门很不方便，请尽快派人来修。" * 120


def test_short_reply_is_a_single_unchanged_page():
    assert split_reply("您好，请回复数字：\n1 报事\n回复0返回") == [
        "您好，请回复数字：\n1 报事\n回复0返回"
    ]


def test_reply_exactly_at_the_limit_is_a_single_page():
    text = "好" * 600  # 1800 bytes

    assert split_reply(text) == [text]


def test_long_chinese_reply_pages_fit_the_byte_budget():
    pages = split_reply(LONG_CHINESE)

    assert len(pages) > 1
    assert all(len(page.encode("utf-8")) <= 1800 for page in pages)


def test_every_page_but_the_last_ends_with_the_prompt():
    pages = split_reply(LONG_CHINESE)

    assert all(page.endswith("\n" + PROMPT) for page in pages[:-1])
    assert PROMPT not in pages[-1]


def test_no_text_is_lost_or_added_across_pages():
    pages = split_reply(LONG_CHINESE)

    assert "".join(_bodies(pages)) == LONG_CHINESE


def test_custom_limit_and_prompt_are_respected():
    pages = split_reply(LONG_CHINESE, limit_bytes=500, more_prompt="回复0看下一页")

    assert all(len(page.encode("utf-8")) <= 500 for page in pages)
    assert all(page.endswith("\n回复0看下一页") for page in pages[:-1])


def test_default_budget_stays_below_wechats_2048_byte_limit():
    assert all(len(page.encode("utf-8")) < 2048 for page in split_reply("字" * 5000))


def test_pages_end_at_a_line_break_when_there_is_one():
    lines = [
        f"{number} 号投票：小区停车位改造方案第{number}稿，请大家提意见。" for number in range(60)
    ]
    text = "\n".join(lines)

    pages = split_reply(text, limit_bytes=600)

    for body in _bodies(pages):
        assert all(line in lines for line in body.split("\n"))
    assert "\n".join(_bodies(pages)) == text


def test_pages_end_at_a_sentence_when_there_is_no_line_break():
    text = "楼道里堆了很多杂物，存在消防隐患。" * 50

    pages = split_reply(text, limit_bytes=400)

    assert all(body.endswith("。") for body in _bodies(pages)[:-1])


def test_a_closing_quote_stays_with_its_sentence():
    text = "居民说：“路灯不亮。”" * 100

    pages = split_reply(text, limit_bytes=300)

    assert all(body.endswith("。”") for body in _bodies(pages)[:-1])


def test_an_early_line_break_does_not_waste_a_page():
    text = "通知\n" + "本周六上午九点在小区广场召开居民议事会欢迎大家参加" * 40

    first_body = _bodies(split_reply(text, limit_bytes=600))[0]

    assert len(first_body.encode("utf-8")) > 300


def test_text_without_boundaries_is_cut_between_characters():
    text = "🏠" * 1000  # 4 bytes each

    pages = split_reply(text, limit_bytes=103)

    assert all(len(page.encode("utf-8")) <= 103 for page in pages)
    assert "".join(_bodies(pages)) == text


def test_a_limit_too_small_for_the_prompt_is_refused():
    with pytest.raises(ValueError):
        split_reply("很长的回复" * 100, limit_bytes=20)


@given(
    text=st.text(alphabet=st.sampled_from("路灯坏了好a1 \n。，！🏠”"), max_size=3000),
    limit_bytes=st.integers(min_value=30, max_value=2048),
)
def test_any_text_is_paged_within_budget_without_losing_text(text, limit_bytes):
    pages = split_reply(text, limit_bytes=limit_bytes)

    assert all(len(page.encode("utf-8")) <= limit_bytes for page in pages)
    assert all(page.endswith("\n" + PROMPT) for page in pages[:-1])
    assert _without_whitespace("".join(_bodies(pages))) == _without_whitespace(text)


# --- numbered_menu -----------------------------------------------------------------------------


def test_menu_numbers_items_and_ends_with_the_way_back():
    menu = numbered_menu("请回复数字：", ["随手拍报事", "查进度", "写信给书记"])

    assert menu == "请回复数字：\n1 随手拍报事\n2 查进度\n3 写信给书记\n回复0返回"


def test_menu_takes_five_items():
    menu = numbered_menu("请选择", ["一", "二", "三", "四", "五"])

    assert menu.splitlines()[1:6] == ["1 一", "2 二", "3 三", "4 四", "5 五"]


def test_menu_with_more_than_five_items_is_refused():
    with pytest.raises(ValueError):
        numbered_menu("请选择", ["选项"] * 6)


def test_menu_without_items_is_refused():
    with pytest.raises(ValueError):
        numbered_menu("请选择", [])


def test_menu_with_an_empty_item_is_refused():
    with pytest.raises(ValueError):
        numbered_menu("请选择", ["报事", "  "])


def test_menu_keeps_each_item_on_one_line():
    assert numbered_menu("", ["小区停车\n改造方案"], footer="") == "1 小区停车 改造方案"


def test_menu_uses_a_custom_footer():
    assert numbered_menu("投票", ["同意"], footer="回复0继续").endswith("\n回复0继续")


def test_a_later_menu_page_numbers_on_from_the_earlier_one():
    assert numbered_menu("更多：", ["类别6", "类别7"], start=6) == "更多：\n6 类别6\n7 类别7\n回复0返回"
