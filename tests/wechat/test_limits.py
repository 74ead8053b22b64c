"""WeChat's size limits: UTF-8 truncation, chunking, template values per key type."""

from datetime import UTC, datetime

import pytest

from app.wechat.limits import (
    TemplateValueError,
    chunks,
    fit_template_value,
    fit_utf8,
    template_key_type,
)


def test_fit_utf8_leaves_short_text_alone():
    assert fit_utf8("你好", 2048) == "你好"


def test_fit_utf8_cuts_on_a_character_boundary_and_marks_the_cut():
    text = "邻" * 700  # 2100 bytes
    fitted = fit_utf8(text, 2048)
    assert len(fitted.encode("utf-8")) <= 2048
    assert fitted.endswith("…")
    assert set(fitted[:-1]) == {"邻"}
    # 2045 bytes of budget hold 681 three-byte characters; the 682nd would be split.
    assert len(fitted) == 682


def test_fit_utf8_handles_four_byte_characters():
    fitted = fit_utf8("a" + "😀" * 10, 12)
    assert fitted == "a😀😀…"


def test_chunks_split_long_text_into_pieces_of_at_most_size():
    assert list(chunks("abcdefg", 3)) == ["abc", "def", "g"]


def test_chunks_of_empty_text_are_none():
    assert list(chunks("", 3)) == []


# --- template and subscribe message values ---------------------------------------------------

@pytest.mark.parametrize("key, key_type", [("thing2", "thing"), ("character_string12",
                                                                   "character_string"),
                                           ("time4", "time"), ("keyword1", None),
                                           ("first", None), ("phrase", "phrase")])
def test_a_data_key_names_its_value_type(key, key_type):
    assert template_key_type(key) == key_type


def test_a_short_thing_is_kept():
    assert fit_template_value("thing1", "路灯损坏") == "路灯损坏"


def test_a_long_thing_is_cut_to_20_characters_ending_in_an_ellipsis():
    fitted = fit_template_value("thing1", "小区东门口的路灯已经坏了三天晚上出门很不方便")
    assert fitted == "小区东门口的路灯已经坏了三天晚上出门很…"
    assert len(fitted) == 20


def test_a_thing_is_put_on_one_line():
    assert fit_template_value("thing1", " 路灯\n损坏\t了 ") == "路灯 损坏 了"


def test_a_phrase_keeps_up_to_five_chinese_characters_only():
    assert fit_template_value("phrase3", "OK: 已受理") == "已受理"
    assert fit_template_value("phrase3", "正在处理中请稍候") == "正在处理中"


def test_a_name_is_cut_to_ten_characters_or_twenty_latin_letters():
    assert fit_template_value("name1", "欧阳一二三四五六七八九") == "欧阳一二三四五六七八"
    assert fit_template_value("name1", "Alexandra Christina Smith") == "Alexandra Christina "


def test_a_character_string_keeps_ascii_symbols_letters_and_digits():
    assert fit_template_value("character_string1", "SSP-20261124-0007（第二次）") == \
        "SSP-20261124-0007"
    assert len(fit_template_value("character_string1", "A" * 40)) == 32


def test_a_number_keeps_digits_and_the_decimal_point():
    assert fit_template_value("number1", "共 12.5 件") == "12.5"


@pytest.mark.parametrize("value", ["2026-11-24T02:05:00+00:00", "2026-11-24T10:05:00",
                                   datetime(2026, 11, 24, 2, 5, tzinfo=UTC)])
def test_a_time_is_written_in_china_time(value):
    assert fit_template_value("time4", value) == "2026年11月24日 10:05"


def test_a_date_has_no_hour():
    assert fit_template_value("date2", "2026-11-24T18:00:00+00:00") == "2026年11月25日"


def test_a_time_already_written_for_people_is_kept():
    assert fit_template_value("time4", "2026年11月24日 10:05") == "2026年11月24日 10:05"


def test_an_untyped_key_is_kept_as_short_as_a_thing():
    assert len(fit_template_value("keyword1", "长" * 50)) == 20


@pytest.mark.parametrize("key, value", [("phrase1", "OK"), ("number1", "无"), ("thing1", "  "),
                                        ("thing1", None), ("time1", 12)])
def test_a_value_with_nothing_valid_left_is_an_error(key, value):
    with pytest.raises(TemplateValueError):
        fit_template_value(key, value)
