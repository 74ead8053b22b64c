"""Server-side SVG charts: well-formed, one mark per value, labelled for screen readers."""

from __future__ import annotations

import re
from xml.etree import ElementTree

from app.staff.charts import (
    Series,
    bar_chart,
    format_value,
    line_chart,
    nice_ceiling,
    text_width,
)

SVG = "{http://www.w3.org/2000/svg}"
WEEKS = ["10/27", "11/3", "11/10", "11/17", "11/24"]


def parse(markup) -> ElementTree.Element:
    return ElementTree.fromstring(str(markup))


def marks(root, css_class: str) -> list[ElementTree.Element]:
    return [element for element in root.iter() if element.get("class") == css_class]


def test_a_bar_chart_has_one_bar_per_row_in_order_with_its_value():
    root = parse(bar_chart(title="各类别报事数", rows=[("路灯损坏", 12), ("垃圾堆放", 30),
                                                     ("噪音扰民", 0)], unit="件"))
    bars = marks(root, "bar")
    assert [bar.find(f"{SVG}title").text for bar in bars] == [
        "路灯损坏：12件", "垃圾堆放：30件", "噪音扰民：0件"]
    widths = [float(bar.get("width")) for bar in bars]
    assert widths[1] > widths[0] > widths[2] == 0


def test_a_bar_chart_is_named_and_summed_up_for_screen_readers():
    root = parse(bar_chart(title="各网格满意率", rows=[("第一网格", 92.5), ("第二网格", 80)],
                           unit="%", max_value=100, chart_id="grid-rates"))
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "grid-rates-title grid-rates-desc"
    assert root.find(f"{SVG}title").text == "各网格满意率"
    assert root.find(f"{SVG}desc").text == "共 2 项，最高为第一网格（92.5%）"


def test_a_fixed_maximum_keeps_bars_comparable_between_charts():
    root = parse(bar_chart(title="t", rows=[("甲", 50)], max_value=100))
    full = parse(bar_chart(title="t", rows=[("甲", 100)], max_value=100))
    assert float(marks(root, "bar")[0].get("width")) * 2 == float(marks(full, "bar")[0].get("width"))


def test_text_is_escaped():
    root = parse(bar_chart(title="<类别> & 报事", rows=[("<script>", 1)]))
    assert root.find(f"{SVG}title").text == "<类别> & 报事"
    assert marks(root, "bar")[0].find(f"{SVG}title").text == "<script>：1"


def test_an_empty_bar_chart_says_so():
    root = parse(bar_chart(title="t", rows=[]))
    assert marks(root, "bar") == []
    assert "暂无数据" in "".join(root.itertext())


def test_a_line_chart_has_a_point_per_known_value_and_a_line_per_series():
    root = parse(line_chart(title="三率周趋势", labels=WEEKS, unit="%", y_max=100, series=[
        Series("响应率", [90, 95, 97.5, 100, 98]),
        Series("满意率", [80, None, 85, 88, 90]),
    ]))
    assert len(marks(root, "point")) == 9
    lines = marks(root, "line")
    assert len(lines) == 3  # the gap splits 满意率 in two
    tips = [p.find(f"{SVG}title").text for p in marks(root, "point")]
    assert tips[:2] == ["响应率 10/27：90%", "响应率 11/3：95%"]
    assert "满意率 11/3" not in " ".join(tips)


def test_each_series_differs_by_more_than_colour():
    root = parse(line_chart(title="t", labels=WEEKS, series=[
        Series("甲", [1, 2, 3, 4, 5]), Series("乙", [5, 4, 3, 2, 1])]))
    first, second = marks(root, "line")
    assert first.get("stroke") != second.get("stroke")
    assert first.get("stroke-dasharray") != second.get("stroke-dasharray")
    shapes = {p.tag for p in marks(root, "point")}
    assert shapes == {f"{SVG}circle", f"{SVG}rect"}
    assert [t.text for t in root.iter(f"{SVG}text")][-2:] == ["甲", "乙"]  # the legend


def test_points_sit_higher_for_higher_values():
    root = parse(line_chart(title="t", labels=WEEKS[:3], series=[Series("甲", [10, 50, 100])],
                            y_max=100))
    heights = [float(p.get("cy")) for p in marks(root, "point")]
    assert heights[0] > heights[1] > heights[2]


def test_the_latest_week_always_has_its_label():
    labels = [f"第{n}周" for n in range(1, 13)]
    root = parse(line_chart(title="t", labels=labels, series=[Series("甲", list(range(12)))]))
    shown = [t.text for t in root.iter(f"{SVG}text")]
    assert "第12周" in shown and "第11周" not in shown


def test_the_description_gives_the_latest_values():
    root = parse(line_chart(title="t", labels=WEEKS, unit="%", series=[
        Series("解决率", [70, 75, 80, 85, None])]))
    assert root.find(f"{SVG}desc").text == "1 条折线，10/27 至 11/24，共 5 期。解决率最近为85%"


def test_an_empty_line_chart_says_so():
    root = parse(line_chart(title="t", labels=[], series=[]))
    assert marks(root, "point") == [] and "暂无数据" in "".join(root.itertext())


def test_axis_tops_are_round_numbers():
    assert [nice_ceiling(v) for v in (0, 3, 7, 23, 180, 0.4)] == [1, 5, 10, 25, 200, 0.5]


def test_values_are_shown_without_needless_decimals():
    assert [format_value(v, "%") for v in (85, 85.0, 92.345, None)] == ["85%", "85%", "92.3%",
                                                                        "—"]


def test_the_axis_leaves_room_for_the_longest_tick_label():
    narrow = line_chart(title="人数", labels=["11/17"], series=[Series("新注册", [3])], unit="人")
    wide = line_chart(title="三率", labels=["11/17"], series=[Series("响应率", [80])], unit="%",
                      y_max=100)

    def axis_x(svg):
        return float(re.search(r'<line x1="([\d.]+)"', str(svg)).group(1))

    # "100%" is wider than "5人": its axis starts further right, and the label fits left of it.
    assert axis_x(wide) > axis_x(narrow) >= 44
    assert axis_x(wide) - 8 >= text_width("100%")


def test_small_counts_get_whole_number_ticks():
    svg = str(line_chart(title="报事", labels=["11/17", "11/24"], series=[Series("提交", [1, 2])],
                         unit="条"))
    ticks = re.findall(r'text-anchor="end">([^<]+)<', svg)
    assert ticks == ["0条", "1条", "2条", "3条", "4条", "5条"]
