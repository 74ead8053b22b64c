"""Charts drawn on the server as inline SVG: a trend line chart by week and a horizontal bar
chart by category (or by grid, community...).

No script and no library: the SVG goes into the HTML page, so the page's fonts and the 大字
switch apply and nothing is fetched from elsewhere. For screen readers each chart has a <title>
and a <desc> summing it up, and every point and bar its own <title> (also shown on hover).
Colour is never the only signal: each line has its own marker shape and dash pattern, named in
the legend. Show the figures in a table beside a chart for anyone who cannot see it.

Presentation attributes only (fill=, stroke=), never style="": the pages' Content Security
Policy refuses inline styles.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape


@dataclass(frozen=True)
class Series:
    """One line of a trend chart: a name for the legend, one value (or None) per label."""

    name: str
    values: Sequence[float | None]


# Colour (≥ 3:1 against white, as graphics need), marker shape, dash pattern per series.
SERIES_STYLES = [
    ("#0b5394", "circle", ""),
    ("#b45309", "square", "8 4"),
    ("#15803d", "diamond", "2 4"),
    ("#7e22ce", "triangle", "12 4 2 4"),
]
BAR_COLOUR = "#0b5394"
BAR_TRACK = "#eef1f4"
GRID_COLOUR = "#c9d1d9"
TEXT_COLOUR = "#24292f"
EMPTY_TEXT = "暂无数据"


def format_value(value: float | None, unit: str = "") -> str:
    """85 → '85%', 12.345 → '12.3%'; None → '—'."""
    if value is None:
        return "—"
    number = f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"
    return f"{number}{unit}"


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 × 10ⁿ at or above `value` (axis tops read well)."""
    if value <= 0:
        return 1
    exponent = math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        candidate = step * 10 ** exponent
        if candidate >= value:
            return candidate
    return 10 ** (exponent + 1)


def text_width(text: str, font_size: float = 14) -> float:
    """About how wide `text` is drawn at `font_size` px: CJK characters are square, digits
    and Latin letters a little over half as wide."""
    return sum(font_size if ord(char) > 0x2E7F else font_size * 0.62 for char in text)


def _chart_id(title: str, chart_id: str | None) -> str:
    return chart_id or "chart-" + hashlib.sha1(title.encode("utf-8")).hexdigest()[:8]


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _open_svg(chart_id: str, width: int, height: int, title: str, description: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg" id="{chart_id}" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" font-size="14" fill="{TEXT_COLOUR}">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]


def _marker(shape: str, x: float, y: float, colour: str, tip: str, css_class: str = "point") -> str:
    common = f'class="{css_class}" fill="{colour}" stroke="#ffffff" stroke-width="1.5"'
    if shape == "square":
        element = f'<rect {common} x="{_number(x - 5)}" y="{_number(y - 5)}" width="10" height="10"'
    elif shape == "diamond":
        points = f"{_number(x)},{_number(y - 7)} {_number(x + 7)},{_number(y)} " \
                 f"{_number(x)},{_number(y + 7)} {_number(x - 7)},{_number(y)}"
        element = f'<polygon {common} points="{points}"'
    elif shape == "triangle":
        points = f"{_number(x)},{_number(y - 7)} {_number(x + 7)},{_number(y + 6)} " \
                 f"{_number(x - 7)},{_number(y + 6)}"
        element = f'<polygon {common} points="{points}"'
    else:
        element = f'<circle {common} cx="{_number(x)}" cy="{_number(y)}" r="5.5"'
    return f"{element}><title>{escape(tip)}</title></{element.split()[0][1:]}>"


def line_chart(*, title: str, labels: Sequence[str], series: Sequence[Series],
               unit: str = "", y_max: float | None = None, chart_id: str | None = None,
               value_format: Callable[[float | None], str] | None = None) -> Markup:
    """A trend chart: one line per series over `labels` (e.g. weeks '11/17'); None is a gap.

    `y_max` fixes the top of the axis (100 for rates in %); otherwise it is the largest value
    rounded up to a readable number.
    """
    show = value_format or (lambda v: format_value(v, unit))
    chart_id = _chart_id(title, chart_id)
    # Small enough to fit a phone without shrinking the text much; it scales up on desktops.
    width, height = 360, 250
    values = [v for s in series for v in s.values if v is not None]
    top_value = y_max if y_max is not None else nice_ceiling(max(values, default=0))
    if y_max is None and top_value < 5 and all(float(v).is_integer() for v in values):
        top_value = 5  # counts: whole-number ticks (0, 1, … 5), never 0.4 of a report
    # Room at the left for the longest tick label ("100%", "25条"), so none is cut off.
    ticks = [show(top_value * step / 5) for step in range(6)]
    left = max(44, 14 + max(text_width(tick) for tick in ticks))
    right, top, bottom = 24, 14, 66
    plot_w, plot_h = width - left - right, height - top - bottom

    def x_at(index: int) -> float:
        return left + (plot_w / 2 if len(labels) == 1 else index * plot_w / (len(labels) - 1))

    def y_at(value: float) -> float:
        return top + plot_h * (1 - min(max(value, 0), top_value) / top_value)

    latest = "；".join(f"{s.name}最近为{show(_last(s.values))}" for s in series)
    description = (f"{len(series)} 条折线，{labels[0]} 至 {labels[-1]}，共 {len(labels)} 期。{latest}"
                   if labels else EMPTY_TEXT)
    parts = _open_svg(chart_id, width, height, title, description)
    if not labels or not values:
        parts.append(f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle">{EMPTY_TEXT}</text>')
        parts.append("</svg>")
        return Markup("".join(parts))

    parts.append('<g class="axis">')
    for step in range(6):
        tick = top_value * step / 5
        y = y_at(tick)
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{_number(y)}" y2="{_number(y)}" '
                     f'stroke="{GRID_COLOUR}" stroke-width="1"/>')
        parts.append(f'<text x="{left - 8}" y="{_number(y + 5)}" text-anchor="end">'
                     f'{escape(show(tick))}</text>')
    every = max(1, math.ceil(len(labels) / 7))
    for index, label in enumerate(labels):
        # Counted from the end, so the latest period always has its label.
        if (len(labels) - 1 - index) % every == 0:
            parts.append(f'<text x="{_number(x_at(index))}" y="{top + plot_h + 24}" '
                         f'text-anchor="middle">{escape(label)}</text>')
    parts.append("</g>")

    for number, line in enumerate(series):
        colour, shape, dash = SERIES_STYLES[number % len(SERIES_STYLES)]
        dash_attribute = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(f'<g class="series" data-series="{escape(line.name)}">')
        for run in _runs(line.values):
            points = " ".join(f"{_number(x_at(i))},{_number(y_at(v))}" for i, v in run)
            parts.append(f'<polyline class="line" points="{points}" fill="none" '
                         f'stroke="{colour}" stroke-width="3"{dash_attribute}/>')
        for index, value in enumerate(line.values):
            if value is not None:
                tip = f"{line.name} {labels[index]}：{show(value)}"
                parts.append(_marker(shape, x_at(index), y_at(value), colour, tip))
        parts.append("</g>")

    # The legend, under the axis: marker and line sample, then the name.
    x, y = left, height - 16
    parts.append('<g class="legend">')
    for number, line in enumerate(series):
        colour, shape, dash = SERIES_STYLES[number % len(SERIES_STYLES)]
        dash_attribute = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(f'<line x1="{x}" x2="{x + 36}" y1="{y}" y2="{y}" stroke="{colour}" '
                     f'stroke-width="3"{dash_attribute}/>')
        parts.append(_marker(shape, x + 18, y, colour, line.name, css_class="legend-mark"))
        parts.append(f'<text x="{x + 44}" y="{y + 5}">{escape(line.name)}</text>')
        x += 56 + 15 * len(line.name)
    parts.append("</g></svg>")
    return Markup("".join(parts))


def bar_chart(*, title: str, rows: Sequence[tuple[str, float]], unit: str = "",
              max_value: float | None = None, chart_id: str | None = None,
              value_format: Callable[[float | None], str] | None = None) -> Markup:
    """A horizontal bar chart, one bar per (label, value) row, in the order given.

    Each label sits above its bar, so long names (网格, categories) are shown whole on a phone.
    `max_value` fixes the full length of a bar (100 for rates in %); otherwise the largest
    value fills it.
    """
    show = value_format or (lambda v: format_value(v, unit))
    chart_id = _chart_id(title, chart_id)
    width, value_w, row_h, bar_h, top = 360, 64, 50, 18, 4
    plot_w = width - value_w
    height = max(top * 2 + row_h * len(rows), 48)
    full = max_value if max_value is not None else max((v for _, v in rows), default=0) or 1
    if rows:
        highest = max(rows, key=lambda row: row[1])
        description = f"共 {len(rows)} 项，最高为{highest[0]}（{show(highest[1])}）"
    else:
        description = EMPTY_TEXT
    parts = _open_svg(chart_id, width, height, title, description)
    if not rows:
        parts.append(f'<text x="{width / 2}" y="{height / 2 + 5}" text-anchor="middle">'
                     f'{EMPTY_TEXT}</text></svg>')
        return Markup("".join(parts))
    for index, (label, value) in enumerate(rows):
        y = top + index * row_h
        length = plot_w * min(max(value, 0), full) / full
        shown = label if len(label) <= 24 else label[:23] + "…"
        parts.append(f'<g class="bar-row"><text x="0" y="{y + 17}">{escape(shown)}'
                     f'<title>{escape(label)}</title></text>')
        parts.append(f'<rect x="0" y="{y + 24}" width="{plot_w}" height="{bar_h}" '
                     f'fill="{BAR_TRACK}"/>')
        parts.append(f'<rect class="bar" x="0" y="{y + 24}" width="{_number(length)}" '
                     f'height="{bar_h}" fill="{BAR_COLOUR}">'
                     f'<title>{escape(label)}：{escape(show(value))}</title></rect>')
        parts.append(f'<text x="{_number(length + 6)}" y="{y + 38}">'
                     f'{escape(show(value))}</text></g>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _last(values: Sequence[float | None]) -> float | None:
    for value in reversed(values):
        if value is not None:
            return value
    return None


def _runs(values: Sequence[float | None]) -> list[list[tuple[int, float]]]:
    """The stretches of consecutive known values (a None breaks the line)."""
    runs: list[list[tuple[int, float]]] = [[]]
    for index, value in enumerate(values):
        if value is None:
            if runs[-1]:
                runs.append([])
        else:
            runs[-1].append((index, value))
    return [run for run in runs if run]
