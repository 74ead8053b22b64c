"""WeChat's size limits: UTF-8 truncation and chunking."""

from app.wechat.limits import chunks, fit_utf8


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
