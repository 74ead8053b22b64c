"""The bot's intent parser: typed text, menu taps and voice Recognition read the same way."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.intents import Intent, IntentKind, normalize, parse, parse_choices, parse_menu_key

K = IntentKind

UTTERANCES: list[tuple[str | None, IntentKind, int | None]] = [
    # --- typed numbers ------------------------------------------------------------------------
    ("1", K.NUMBER, 1),
    ("１", K.NUMBER, 1),
    (" 2 ", K.NUMBER, 2),
    ("３", K.NUMBER, 3),
    ("12", K.NUMBER, 12),
    ("１２", K.NUMBER, 12),
    ("20", K.NUMBER, 20),
    ("0", K.NUMBER, 0),
    ("０", K.NUMBER, 0),
    ("2.", K.NUMBER, 2),
    ("2、", K.NUMBER, 2),
    ("（3）", K.NUMBER, 3),
    ("①", K.NUMBER, 1),
    ("第2项", K.NUMBER, 2),
    ("2号", K.NUMBER, 2),
    ("２号", K.NUMBER, 2),
    ("选2", K.NUMBER, 2),
    ("选项2", K.NUMBER, 2),
    ("第 2 个", K.NUMBER, 2),
    ("4个", K.NUMBER, 4),
    # --- Chinese numerals, typed or spoken ----------------------------------------------------
    ("一", K.NUMBER, 1),
    ("二", K.NUMBER, 2),
    ("两个", K.NUMBER, 2),
    ("俩", K.NUMBER, 2),
    ("幺", K.NUMBER, 1),
    ("零", K.NUMBER, 0),
    ("〇", K.NUMBER, 0),
    ("洞", K.NUMBER, 0),
    ("十", K.NUMBER, 10),
    ("十一", K.NUMBER, 11),
    ("十五", K.NUMBER, 15),
    ("二十", K.NUMBER, 20),
    ("第十二个", K.NUMBER, 12),
    ("第二个", K.NUMBER, 2),
    ("第一", K.NUMBER, 1),
    ("二号", K.NUMBER, 2),
    ("选二", K.NUMBER, 2),
    ("第三项", K.NUMBER, 3),
    ("二号选项", K.NUMBER, 2),
    ("我选第二个", K.NUMBER, 2),
    ("我选第二十个", K.NUMBER, 20),
    ("我投第五个", K.NUMBER, 5),
    ("就第三个吧", K.NUMBER, 3),
    # --- voice Recognition: trailing "。", fillers, politeness ----------------------------------
    ("二。", K.NUMBER, 2),
    ("幺。", K.NUMBER, 1),
    ("嗯，二", K.NUMBER, 2),
    ("嗯，我选第三个。", K.NUMBER, 3),
    ("呃，第一个吧。", K.NUMBER, 1),
    ("那个，选四。", K.NUMBER, 4),
    ("好的，第二个。", K.NUMBER, 2),
    ("谢谢，二", K.NUMBER, 2),
    ("一号啊。", K.NUMBER, 1),
    ("第七个选项。", K.NUMBER, 7),
    ("我要选第十八个。", K.NUMBER, 18),
    ("好的[抱拳]", K.CONFIRM, None),
    # --- REPORT -------------------------------------------------------------------------------
    ("我要反映问题", K.REPORT, None),
    ("反映问题", K.REPORT, None),
    ("我要反映一下", K.REPORT, None),
    ("我想反映个情况。", K.REPORT, None),
    ("随手拍", K.REPORT, None),
    ("报事", K.REPORT, None),
    ("我要报事", K.REPORT, None),
    ("报修", K.REPORT, None),
    ("我要报修。", K.REPORT, None),
    ("投诉", K.REPORT, None),
    ("我要投诉", K.REPORT, None),
    ("举报", K.REPORT, None),
    ("我有个问题要反映", K.REPORT, None),
    ("你好，我要报修", K.REPORT, None),
    ("怎么报修", K.REPORT, None),
    ("我要反映一下3号楼的路灯坏了", K.REPORT, None),
    ("投诉物业乱收费", K.REPORT, None),
    ("举报不文明养狗", K.REPORT, None),
    # --- PROGRESS -----------------------------------------------------------------------------
    ("查进度", K.PROGRESS, None),
    ("我想查一下进度", K.PROGRESS, None),
    ("麻烦帮我查一下进度。", K.PROGRESS, None),
    ("进度", K.PROGRESS, None),
    ("我的报事", K.PROGRESS, None),
    ("我的反映", K.PROGRESS, None),
    ("进展", K.PROGRESS, None),
    ("办得怎么样了", K.PROGRESS, None),
    ("我反映的问题怎么样了？", K.PROGRESS, None),
    ("有结果了吗", K.PROGRESS, None),
    ("处理好了没有", K.PROGRESS, None),
    ("查一下我的报事进度", K.PROGRESS, None),
    # --- LETTER -------------------------------------------------------------------------------
    ("写信", K.LETTER, None),
    ("我要写信", K.LETTER, None),
    ("信箱", K.LETTER, None),
    ("书记信箱", K.LETTER, None),
    ("留言", K.LETTER, None),
    ("我要留言。", K.LETTER, None),
    ("给书记写信", K.LETTER, None),
    ("我想写信给书记", K.LETTER, None),
    ("我要给书记写信，小区停车太乱了", K.LETTER, None),
    # --- VOTE ---------------------------------------------------------------------------------
    ("投票", K.VOTE, None),
    ("我要投票", K.VOTE, None),
    ("表决", K.VOTE, None),
    ("参加投票", K.VOTE, None),
    ("看看投票", K.VOTE, None),
    ("投一票", K.VOTE, None),
    ("怎么投票？", K.VOTE, None),
    # --- HUMAN --------------------------------------------------------------------------------
    ("人工", K.HUMAN, None),
    ("转人工", K.HUMAN, None),
    ("人工客服", K.HUMAN, None),
    ("客服", K.HUMAN, None),
    ("找人", K.HUMAN, None),
    ("打电话", K.HUMAN, None),
    ("工作人员", K.HUMAN, None),
    ("我要找工作人员", K.HUMAN, None),
    ("请帮我转人工。", K.HUMAN, None),
    ("有人吗？", K.HUMAN, None),
    # --- BACK ---------------------------------------------------------------------------------
    ("返回", K.BACK, None),
    ("退出", K.BACK, None),
    ("回主菜单", K.BACK, None),
    ("主菜单", K.BACK, None),
    ("算了", K.BACK, None),
    ("算了吧。", K.BACK, None),
    ("不要了", K.BACK, None),
    ("不用了", K.BACK, None),
    ("取消", K.BACK, None),
    ("不弄了", K.BACK, None),
    # --- CONTINUE -----------------------------------------------------------------------------
    ("继续", K.CONTINUE, None),
    ("继续。", K.CONTINUE, None),
    ("下一页", K.CONTINUE, None),
    ("还有吗", K.CONTINUE, None),
    ("接着说", K.CONTINUE, None),
    # --- CONFIRM ------------------------------------------------------------------------------
    ("确认", K.CONFIRM, None),
    ("确定。", K.CONFIRM, None),
    ("对", K.CONFIRM, None),
    ("对的", K.CONFIRM, None),
    ("对对对", K.CONFIRM, None),
    ("是的", K.CONFIRM, None),
    ("好的", K.CONFIRM, None),
    ("好的好的", K.CONFIRM, None),
    ("嗯，好的。", K.CONFIRM, None),
    ("可以", K.CONFIRM, None),
    ("没问题", K.CONFIRM, None),
    ("行", K.CONFIRM, None),
    ("OK", K.CONFIRM, None),
    ("ｏｋ", K.CONFIRM, None),
    ("就这样吧", K.CONFIRM, None),
    # --- REDO ---------------------------------------------------------------------------------
    ("重来", K.REDO, None),
    ("不对", K.REDO, None),
    ("不对，重新说", K.REDO, None),
    ("错了", K.REDO, None),
    ("说错了。", K.REDO, None),
    ("重新", K.REDO, None),
    ("重新开始", K.REDO, None),
    ("不是", K.REDO, None),
    # --- HELP ---------------------------------------------------------------------------------
    ("帮助", K.HELP, None),
    ("菜单", K.HELP, None),
    ("你好", K.HELP, None),
    ("您好！", K.HELP, None),
    ("在吗", K.HELP, None),
    ("在吗？", K.HELP, None),
    ("怎么用", K.HELP, None),
    ("这个怎么用啊", K.HELP, None),
    # --- ELDER_MODE / STANDARD_MODE ------------------------------------------------------------
    ("长辈模式", K.ELDER_MODE, None),
    ("打开长辈模式", K.ELDER_MODE, None),
    ("切换到长辈版。", K.ELDER_MODE, None),
    ("我要用大字版", K.ELDER_MODE, None),
    ("老年模式", K.ELDER_MODE, None),
    ("普通模式", K.STANDARD_MODE, None),
    ("关闭长辈模式", K.STANDARD_MODE, None),
    ("退出长辈模式", K.STANDARD_MODE, None),
    ("恢复标准版", K.STANDARD_MODE, None),
    # --- BIND ---------------------------------------------------------------------------------
    ("绑定 123456", K.BIND, None),
    ("绑定码：123456", K.BIND, None),
    ("我的绑定码是654321。", K.BIND, None),
    ("绑定一二三四五六", K.BIND, None),
    ("我要绑定", K.BIND, None),
    # --- EMPTY: nothing usable ----------------------------------------------------------------
    (None, K.EMPTY, None),
    ("", K.EMPTY, None),
    ("   ", K.EMPTY, None),
    ("。。", K.EMPTY, None),
    ("？", K.EMPTY, None),
    ("……", K.EMPTY, None),
    ("嗯", K.EMPTY, None),
    ("嗯嗯。", K.EMPTY, None),
    ("啊？", K.EMPTY, None),
    ("那个……就是……", K.EMPTY, None),
    ("我想", K.EMPTY, None),
    ("我要", K.EMPTY, None),
    ("[微笑]", K.EMPTY, None),
    # --- TEXT: descriptions and addresses, numerals included ----------------------------------
    ("路灯坏了三天了", K.TEXT, None),
    ("3号楼门口有垃圾", K.TEXT, None),
    ("3号楼", K.TEXT, None),
    ("二楼楼道灯不亮", K.TEXT, None),
    ("一楼", K.TEXT, None),
    ("幸福路12号", K.TEXT, None),
    ("我住3号楼2单元502", K.TEXT, None),
    ("5栋电梯坏了", K.TEXT, None),
    ("两个路灯坏了", K.TEXT, None),
    ("第二个路灯不亮", K.TEXT, None),
    ("三个垃圾桶都满了。", K.TEXT, None),
    ("小区东门那个井盖没了", K.TEXT, None),
    ("楼下有人乱停车，堵住消防通道了。", K.TEXT, None),
    ("下水道堵了", K.TEXT, None),
    ("好多垃圾没人清", K.TEXT, None),
    ("对面楼在装修很吵", K.TEXT, None),
    ("行人道上有坑", K.TEXT, None),
    ("要修路灯", K.TEXT, None),
    ("是不是要交钱", K.TEXT, None),
    ("3号楼路灯坏了我要投诉", K.TEXT, None),
    ("投诉了三次都没人管", K.TEXT, None),
    ("反映过好几次了", K.TEXT, None),
    ("投诉电话多少", K.TEXT, None),
    ("投诉不管用", K.TEXT, None),
    ("13800138000", K.TEXT, None),
    ("1234", K.TEXT, None),
    ("1.5", K.TEXT, None),
    ("1 2", K.TEXT, None),
    ("一二", K.TEXT, None),
    ("两十", K.TEXT, None),
    ("谢谢", K.TEXT, None),
    ("谢谢你们", K.TEXT, None),
    ("对不对", K.TEXT, None),
    ("可以吗", K.TEXT, None),
    ("等一下", K.TEXT, None),
    ("楼下网吧", K.TEXT, None),
    ("明天上午十点来修", K.TEXT, None),
    ("二十二栋后面", K.TEXT, None),
    ("长辈", K.TEXT, None),
    ("123456", K.TEXT, None),
]


@pytest.mark.parametrize(("utterance", "kind", "number"), UTTERANCES)
def test_parse_reads_utterance(utterance, kind, number):
    intent = parse(utterance)

    assert (intent.kind, intent.number) == (kind, number)


def test_the_table_covers_every_kind_with_many_real_utterances():
    assert len(UTTERANCES) >= 130
    assert {kind for _, kind, _ in UTTERANCES} == set(IntentKind)


CHINESE_ONE_TO_TWENTY = [
    "零", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十",
    "十一", "十二", "十三", "十四", "十五", "十六", "十七", "十八", "十九", "二十",
]  # fmt: skip


FULL_WIDTH_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")


@pytest.mark.parametrize("value", range(21))
@pytest.mark.parametrize(
    "form", ["{}", "{}。", "第{}个", "第{}项", "选{}", "{}号", "我选第{}个。", "嗯，{}"]
)
def test_every_poll_option_up_to_twenty_is_understood_in_every_form(value, form):
    full_width = str(value).translate(FULL_WIDTH_DIGITS)
    for numeral in (str(value), full_width, CHINESE_ONE_TO_TWENTY[value]):
        utterance = form.format(numeral)
        assert parse(utterance) == Intent(
            IntentKind.NUMBER, number=value, text=normalize(utterance)
        ), utterance


def test_zero_is_a_number_for_the_flow_to_interpret_not_back():
    assert parse("0") == Intent(IntentKind.NUMBER, number=0, text="0")
    assert parse("回复0").kind is IntentKind.NUMBER


def test_number_carries_no_number_for_other_kinds():
    assert parse("我要投票").number is None


# --- the normalized text and the detail --------------------------------------------------------


def test_text_is_the_normalized_utterance_for_every_kind():
    for utterance in ("嗯，我选第三个。", "我要投票。", "路灯坏了，晚上很黑。"):
        assert parse(utterance).text == normalize(utterance)


def test_free_text_keeps_the_residents_words_and_inner_punctuation():
    assert parse(" 3号楼门口有垃圾，好几天了。").text == "3号楼门口有垃圾，好几天了"


def test_report_phrase_followed_by_a_description_carries_the_description():
    intent = parse("我要反映一下，3号楼的路灯坏了。")

    assert intent == Intent(
        IntentKind.REPORT, text="我要反映一下，3号楼的路灯坏了", detail="3号楼的路灯坏了"
    )


def test_report_detail_skips_the_connecting_words():
    assert parse("我要反映个问题，就是垃圾没人收").detail == "垃圾没人收"


def test_letter_phrase_followed_by_a_message_carries_the_message():
    assert parse("写信给书记说电梯老是坏").detail == "电梯老是坏"


def test_bare_phrase_has_no_detail():
    assert parse("我要反映问题").detail == ""


def test_phrase_followed_by_a_single_character_is_not_a_description():
    assert parse("投诉他").kind is IntentKind.TEXT


def test_phrase_inside_a_sentence_is_not_matched():
    assert parse("楼上漏水我想投诉").kind is IntentKind.TEXT


def test_narration_after_a_report_word_stays_text():
    assert parse("反映的问题还没人来").kind is IntentKind.TEXT


# --- normalize ---------------------------------------------------------------------------------


def test_normalize_of_none_is_empty():
    assert normalize(None) == ""


def test_normalize_makes_full_width_digits_and_letters_half_width():
    assert normalize("３号楼ＡＢ座") == "3号楼AB座"


def test_normalize_strips_punctuation_at_both_ends():
    assert normalize("……二。") == "二"
    assert normalize("!?（3）") == "3"


def test_normalize_keeps_punctuation_inside_as_written():
    assert normalize("路灯坏了，晚上很黑！") == "路灯坏了，晚上很黑"


def test_normalize_collapses_whitespace_and_drops_invisible_characters():
    assert normalize("\u3000路灯\u200b  坏了\n\t三天 ") == "路灯 坏了 三天"


def test_normalize_strips_leading_hesitations_and_politeness():
    assert normalize("嗯，那个，请帮我查进度") == "查进度"
    assert normalize("呃呃我想写信") == "写信"


def test_normalize_strips_trailing_particles():
    assert normalize("快来修一下吧。") == "快来修"
    assert normalize("好的啦～") == "好的"


def test_normalize_keeps_le_because_it_carries_meaning():
    assert normalize("路灯坏了。") == "路灯坏了"
    assert normalize("算了") == "算了"


def test_normalize_keeps_words_that_only_look_like_fillers():
    assert normalize("楼下网吧") == "楼下网吧"
    assert normalize("麻烦事太多") == "麻烦事太多"


def test_normalize_drops_wechat_emoji_codes_at_the_edges():
    assert normalize("[玫瑰][玫瑰]谢谢书记[抱拳]") == "谢谢书记"


def test_normalize_keeps_a_bracketed_number():
    assert normalize("[二]") == "二"


def test_normalize_of_only_punctuation_and_fillers_is_empty():
    assert normalize("嗯……啊？") == ""


def test_bind_carries_the_code_typed_or_spoken():
    assert parse("绑定 123456").detail == "123456"
    assert parse("绑定码：０１２３４５").detail == "012345"
    assert parse("嗯，绑定幺二三四五六。").detail == "123456"


def test_bind_without_a_code_has_no_detail():
    assert parse("绑定").detail == ""


def test_bind_with_a_wrong_length_code_still_carries_it_for_the_bot_to_refuse():
    intent = parse("绑定12345")

    assert (intent.kind, intent.detail) == (IntentKind.BIND, "12345")


# --- menu taps ---------------------------------------------------------------------------------


def test_menu_key_named_after_a_kind_gives_that_kind():
    assert parse_menu_key("REPORT") == Intent(IntentKind.REPORT)
    assert parse_menu_key("vote") == Intent(IntentKind.VOTE)


def test_other_menu_keys_are_read_as_text():
    assert parse_menu_key("写信").kind is IntentKind.LETTER
    assert parse_menu_key("number").kind is IntentKind.TEXT
    assert parse_menu_key(None).kind is IntentKind.EMPTY


# --- properties --------------------------------------------------------------------------------


def test_intent_is_immutable():
    with pytest.raises(dataclasses.FrozenInstanceError):
        parse("1").kind = IntentKind.TEXT  # type: ignore[misc]


@given(st.text(max_size=200))
def test_parse_reads_any_text_without_error_and_consistently(text):
    intent = parse(text)

    assert intent.text == normalize(text)
    assert (intent.number is not None) == (intent.kind is IntentKind.NUMBER)
    assert (intent.kind is IntentKind.EMPTY) >= (normalize(text) == "")
    assert not intent.detail or intent.kind in (IntentKind.REPORT, IntentKind.LETTER,
                                                 IntentKind.BIND)


@given(st.text(max_size=200))
def test_normalize_is_idempotent(text):
    assert normalize(normalize(text)) == normalize(text)


def test_a_long_message_is_parsed():
    description = "楼道里堆满了杂物，" * 2000

    assert parse(description).kind is IntentKind.TEXT


# --- several numbers in one answer ----------------------------------------------------------------

@pytest.mark.parametrize(("said", "numbers"), [
    ("1 3", [1, 3]), ("1、3", [1, 3]), ("1,3", [1, 3]), ("１ ３", [1, 3]), ("一和三", [1, 3]),
    ("选第一个和第三个", [1, 3]), ("嗯，1 3。", [1, 3]), ("1和3还有5", [1, 3, 5]), ("2", [2]),
    ("第二个", [2]),
])
def test_several_numbers_are_read_in_the_order_said(said, numbers):
    assert parse_choices(said) == numbers


@pytest.mark.parametrize("said", ["3号楼2单元", "红色和蓝色", "", "嗯", "1 和蓝色"])
def test_anything_but_numbers_is_not_a_list_of_choices(said):
    assert parse_choices(said) is None


def test_parse_still_reads_several_numbers_as_text():
    assert parse("1 3").kind is IntentKind.TEXT
