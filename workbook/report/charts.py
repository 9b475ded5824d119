"""Hand-written SVG charts of one measure over time.

One picture per measure: single days as small grey dots, the weekly value
(the average of the days, or for a yes/no measure the share of days with a
yes) as a bold line with its first and latest values labelled, and the
target as a dashed line with the side that meets it lightly shaded. Weeks
without entries leave a gap in the line instead of a made-up slope. Text uses
the theme font when it is there and a plain sans-serif otherwise; nothing is
loaded from anywhere.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Callable
from dataclasses import dataclass
from html import escape

from workbook.render import colours

WIDTH, HEIGHT = 480, 250
LEFT, RIGHT, TOP, BOTTOM = 44, 72, 60, 32
FONT = "'Atkinson Hyperlegible', 'Helvetica Neue', Arial, sans-serif"


@dataclass(frozen=True)
class ChartTexts:
    """The words a chart draws, in the report's language (the caller translates them)."""

    week: Callable[[int], str] = lambda n: f"Wk {n}"  # an x label when no date is known
    target: Callable[[str], str] = lambda value: f"target {value}"
    empty: str = "Nothing filled in yet"
    number: Callable[[float], str] | None = None  # with the language's decimal mark


def _nice_top(value: float) -> float:
    """A round number at or above ``value`` for the top of the y axis."""
    if value <= 0:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude  # pragma: no cover


def _ticks(low: float, high: float) -> list[float]:
    """Four to six round values from ``low`` to ``high``, whatever the range: the step is
    a 1, 2, 2.5 or 5 times a power of ten, so the work does not grow with the values."""
    span = high - low
    if not math.isfinite(span) or span <= 0:
        return [low]
    magnitude = 10 ** max(0, math.floor(math.log10(span / 5)))  # whole steps, at least 1
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if span / (m * magnitude) <= 5)
    first = math.ceil(low / step) * step
    count = int((high + step * 1e-9 - first) // step) + 1
    return [first + i * step for i in range(max(0, min(count, 12)))]


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".") if value != int(value) else f"{int(value)}"


def _frame(title: str, subtitle: str, description: str) -> list[str]:
    """The start of every chart: its accessible name and description, a white ground, the
    title and the subtitle."""
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" aria-labelledby="t d" '
        f'font-family="{FONT}">',
        f'<title id="t">{escape(title)}</title>',
        f'<desc id="d">{escape(description or subtitle)}</desc>',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
        f'<text x="{LEFT - 36}" y="22" font-size="17" font-weight="700" '
        f'fill="#1d1d1d">{escape(title)}</text>',
        f'<text x="{LEFT - 36}" y="42" font-size="13" fill="#5a6369">{escape(subtitle)}</text>',
    ]


def _value_label(x: float, y: float, label: str, accent: str) -> list[str]:
    """A value written over the chart: a white halo first, then the text, so it reads over
    lines and dots (not paint-order, which WeasyPrint ignores)."""
    common = f'x="{x:.1f}" y="{y:.1f}" font-size="14" font-weight="700" text-anchor="middle"'
    return [
        f'<text {common} fill="#ffffff" stroke="#ffffff" stroke-width="4" '
        f'stroke-linejoin="round" aria-hidden="true">{label}</text>',
        f'<text {common} fill="{accent}">{label}</text>',
    ]


def _lines(segments: list[list[tuple[float, float]]], accent: str) -> list[str]:
    """The bold line through each run of points (a gap between runs: no made-up slope)."""
    out = []
    for segment in segments:
        if len(segment) > 1:
            path = " ".join(
                f"{'M' if i == 0 else 'L'}{px:.1f},{py:.1f}" for i, (px, py) in enumerate(segment)
            )
            out.append(
                f'<path d="{path}" fill="none" stroke="{accent}" stroke-width="3" '
                f'stroke-linejoin="round" stroke-linecap="round"/>'
            )
    return out


def measure_chart(
    *,
    title: str,
    subtitle: str,
    kind: str,
    weekly: dict[int, float],
    daily: list[tuple[int, float]],
    weeks: int,
    low: float | None,
    high: float | None,
    target: dict | None,
    accent: str,
    week_labels: dict[int, str] | None = None,
    description: str = "",
    texts: ChartTexts = ChartTexts(),
) -> str:
    """The SVG text of one chart. ``weekly`` maps week → value; ``daily`` holds (day, value)."""
    accent = colours.readable_on(accent, colours.LIGHT_BACKGROUND)
    number = texts.number or _fmt
    weeks = max(weeks, max(weekly, default=1), 1)
    percent = kind == "yes-no"
    values = list(weekly.values()) + [v for _, v in daily]
    if target:
        values.append(target["value"])
    y_low: float = 0 if low is None else low
    y_high: float
    if percent:
        y_low, y_high = 0, 100
    elif high is not None:
        y_high = high
    else:
        y_high = _nice_top(max(values, default=1) * 1.1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(week_position: float) -> float:
        """0.5 is the middle of week 1."""
        return LEFT + plot_w * (week_position / weeks)

    def y(value: float) -> float:
        return TOP + plot_h * (1 - (value - y_low) / (y_high - y_low or 1))

    out = _frame(title, subtitle, description)
    # target zone and line
    if target and not percent:
        t_y = y(min(max(target["value"], y_low), y_high))
        zone_top, zone_bottom = (
            (t_y, TOP + plot_h) if target["direction"] == "lower" else (TOP, t_y)
        )
        out.append(
            f'<rect x="{LEFT}" y="{zone_top:.1f}" width="{plot_w}" '
            f'height="{max(zone_bottom - zone_top, 0):.1f}" fill="#2e8540" '
            f'fill-opacity="0.08"/>'
        )
    # grid and y labels
    for tick in _ticks(y_low, y_high):
        ty = y(tick)
        out.append(
            f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{ty:.1f}" y2="{ty:.1f}" '
            f'stroke="#e3e7ea" stroke-width="1"/>'
        )
        label = f"{number(tick)}%" if percent else number(tick)
        out.append(
            f'<text x="{LEFT - 8}" y="{ty + 4:.1f}" font-size="13" fill="#5a6369" '
            f'text-anchor="end">{label}</text>'
        )
    out.append(
        f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{TOP + plot_h}" '
        f'y2="{TOP + plot_h}" stroke="#9aa5ab" stroke-width="1"/>'
    )
    # x labels: every week when there is room, else every other or every fourth
    every = 1 if weeks <= 10 else 2 if weeks <= 20 else 4
    for week in range(1, weeks + 1):
        tx = x(week - 0.5)
        if week > 1:
            out.append(
                f'<line x1="{x(week - 1):.1f}" x2="{x(week - 1):.1f}" '
                f'y1="{TOP + plot_h}" y2="{TOP + plot_h + 4}" stroke="#9aa5ab"/>'
            )
        if (week - 1) % every == 0:
            label = (week_labels or {}).get(week) or texts.week(week)
            out.append(
                f'<text x="{tx:.1f}" y="{TOP + plot_h + 18}" font-size="13" '
                f'fill="#5a6369" text-anchor="middle">{escape(label)}</text>'
            )
    if target and not percent:
        t_y = y(min(max(target["value"], y_low), y_high))
        out.append(
            f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{t_y:.1f}" y2="{t_y:.1f}" '
            f'stroke="#2e8540" stroke-width="1.5" stroke-dasharray="6 4"/>'
        )
        out.append(
            f'<text x="{LEFT + plot_w + 6}" y="{t_y + 4:.1f}" font-size="13" '
            f'font-weight="700" fill="#2e6b38">'
            f"{escape(texts.target(number(target['value'])))}</text>"
        )
    # single days
    for day, value in daily:
        dx = x((day - 1) / 7 + 1 / 14)
        dv = 100 * value if percent else value
        out.append(
            f'<circle cx="{dx:.1f}" cy="{y(dv):.1f}" r="2.3" fill="#7d8a92" fill-opacity="0.75"/>'
        )
    # weekly values
    ordered = sorted(weekly.items())
    if percent:
        bar = plot_w / weeks * 0.56
        for week, value in ordered:
            bx = x(week - 0.5) - bar / 2
            out.append(
                f'<rect x="{bx:.1f}" y="{y(value):.1f}" width="{bar:.1f}" '
                f'height="{TOP + plot_h - y(value):.1f}" rx="2" fill="{accent}" '
                f'fill-opacity="0.85"/>'
            )
    else:
        segments: list[list[tuple[float, float]]] = []
        previous = None
        for week, value in ordered:
            point = (x(week - 0.5), y(value))
            if previous is None or week != previous + 1:
                segments.append([])
            segments[-1].append(point)
            previous = week
        out += _lines(segments, accent)
        for week, value in ordered:
            out.append(
                f'<circle cx="{x(week - 0.5):.1f}" cy="{y(value):.1f}" r="4.5" '
                f'fill="#ffffff" stroke="{accent}" stroke-width="2.5"/>'
            )
    # first and latest values
    if ordered:
        marks = [ordered[0]] if len(ordered) == 1 else [ordered[0], ordered[-1]]
        for week, value in marks:
            label = f"{number(round(value))}%" if percent else number(round(value, 1))
            if percent:  # above its bar; the top margin has room for 100%
                ly = y(value) - 6
            else:
                ly = y(value) - 11
                near_target = target and abs(ly - 4 - y(target["value"])) < 10
                if ly < TOP - 4 or near_target:
                    ly = y(value) + 21
            out += _value_label(x(week - 0.5), ly, label, accent)
    else:
        out.append(
            f'<text x="{LEFT + plot_w / 2}" y="{TOP + plot_h / 2}" font-size="13" '
            f'fill="#5a6369" text-anchor="middle">{escape(texts.empty)}</text>'
        )
    out.append("</svg>")
    return "\n".join(out) + "\n"


def week_labels(
    start: datetime.date | None, weeks: int, format_day: Callable[[datetime.date], str]
) -> dict[int, str]:
    """Week → the date its first day falls on, when the start is known."""
    if start is None:
        return {}
    return {
        w: format_day(start + datetime.timedelta(days=7 * (w - 1))) for w in range(1, weeks + 1)
    }


#: Band stripes, lightest first: told apart by their labels, not by colour alone.
BAND_FILLS = ("#f3f5f6", "#e6eaec")


def score_chart(
    *,
    title: str,
    subtitle: str,
    totals: list[float | None],
    labels: list[str],
    low: float,
    high: float,
    bands: list[tuple[float, float, str]],
    caseness: float | None,
    caseness_text: str,
    accent: str,
    description: str = "",
    texts: ChartTexts = ChartTexts(),
) -> str:
    """The SVG text of one questionnaire's totals over its administrations: the bands
    as labelled stripes, the caseness cut-off as a dashed line, each total a point
    (an administration without a total leaves a gap)."""
    accent = colours.readable_on(accent, colours.LIGHT_BACKGROUND)
    number = texts.number or _fmt
    count = max(len(totals), 1)
    right = 128 if bands else RIGHT  # room for the band names
    plot_w, plot_h = WIDTH - LEFT - right, HEIGHT - TOP - BOTTOM
    span = (high - low) or 1

    def x(index: int) -> float:
        return LEFT + plot_w * ((index + 0.5) / count)

    def y(value: float) -> float:
        return TOP + plot_h * (1 - (min(max(value, low), high) - low) / span)

    out = _frame(title, subtitle, description)
    for index, (band_low, band_high, label) in enumerate(bands):
        top, bottom = y(band_high), y(band_low)
        out.append(
            f'<rect x="{LEFT}" y="{top:.1f}" width="{plot_w}" '
            f'height="{max(bottom - top, 0.5):.1f}" fill="{BAND_FILLS[index % 2]}"/>'
        )
        if bottom - top >= 11:
            out.append(
                f'<text x="{LEFT + plot_w + 6}" y="{(top + bottom) / 2 + 4:.1f}" '
                f'font-size="11" fill="#444c52">{escape(label[:22])}</text>'
            )
    for tick in _ticks(low, high):
        out.append(
            f'<text x="{LEFT - 8}" y="{y(tick) + 4:.1f}" font-size="13" fill="#5a6369" '
            f'text-anchor="end">{number(tick)}</text>'
        )
    out.append(
        f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{TOP + plot_h}" '
        f'y2="{TOP + plot_h}" stroke="#9aa5ab" stroke-width="1"/>'
    )
    if caseness is not None:
        cy = y(caseness)
        out.append(
            f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{cy:.1f}" y2="{cy:.1f}" '
            f'stroke="#a4262c" stroke-width="1.5" stroke-dasharray="6 4"/>'
        )
        out.append(
            f'<text x="{LEFT + 4}" y="{cy - 5:.1f}" font-size="12" font-weight="700" '
            f'fill="#a4262c">{escape(caseness_text)}</text>'
        )
    every = 1 if count <= 8 else 2 if count <= 16 else 4
    for index, label in enumerate(labels):
        if index % every == 0:
            out.append(
                f'<text x="{x(index):.1f}" y="{TOP + plot_h + 18}" font-size="13" '
                f'fill="#5a6369" text-anchor="middle">{escape(label)}</text>'
            )
    segments: list[list[tuple[float, float]]] = [[]]
    for index, total in enumerate(totals):
        if total is None:
            segments.append([])
        else:
            segments[-1].append((x(index), y(total)))
    out += _lines(segments, accent)
    shown = [(index, total) for index, total in enumerate(totals) if total is not None]
    for index, total in shown:
        out.append(
            f'<circle cx="{x(index):.1f}" cy="{y(total):.1f}" r="4.5" fill="#ffffff" '
            f'stroke="{accent}" stroke-width="2.5"/>'
        )
        ly = y(total) - 11 if y(total) - 11 > TOP - 4 else y(total) + 21
        out += _value_label(x(index), ly, number(total), accent)
    if not shown:
        out.append(
            f'<text x="{LEFT + plot_w / 2}" y="{TOP + plot_h / 2}" font-size="13" '
            f'fill="#5a6369" text-anchor="middle">{escape(texts.empty)}</text>'
        )
    out.append("</svg>")
    return "\n".join(out) + "\n"
