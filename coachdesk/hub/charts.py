"""Trend charts drawn by hand from a `figures.Trend`: one layout (axes, ticks, lines and gap marks,
in y-down coordinates), drawn as inline SVG for the dashboard and as reportlab shapes for the PDF.

A suppressed ("*") or unknown value is a gap in the line with a mark on the month's axis, never a
point at 0: a chart that dipped to 0 where a figure was hidden would tell the reader something
false. A point between two gaps is still drawn, as its marker."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from coachdesk.hub.disclosure import SUPPRESSED
from coachdesk.hub.figures import Trend, short_month_and_year
from coachdesk.hub.html import Markup, el, join

# Dark enough on white for text-sized marks (WCAG AA); the second line is also dashed and square,
# so the two never depend on colour alone.
COLOURS = ("#1d70b8", "#b1321f")
DASHES = ("", "6 4")
GAP_SUPPRESSED = "*"
GAP_UNKNOWN = "?"
_MAX_X_LABELS = 12


@dataclass
class Line:
    colour: str
    dash: str
    square: bool
    segments: list[list[tuple[float, float]]] = field(default_factory=list)  # two points or more
    points: list[tuple[float, float]] = field(default_factory=list)  # every drawn value's marker


@dataclass
class Layout:
    width: float
    height: float
    plot: tuple[float, float, float, float]  # left, top, right, bottom
    y_ticks: list[tuple[float, str]]
    x_labels: list[tuple[float, str, str]]  # x, month, the year under the first month and each January
    lines: list[Line]
    gap_marks: list[tuple[float, str]]  # x, "*" or "?"
    legend: list[tuple[str, str, str, bool]]  # label, colour, dash, square
    title: str


def nice_ceiling(top: int) -> tuple[int, int]:
    """An axis top at or above `top` and its tick step: 1, 2 or 5 × 10^k, the smallest that needs
    at most 5 steps (55 -> 60 in steps of 20; 200 -> 200 in steps of 50)."""
    if top <= 0:
        return 5, 1
    exponent = math.floor(math.log10(top))
    for power in range(max(0, exponent - 1), exponent + 2):
        for base in (1, 2, 5):
            step = base * 10**power
            if math.ceil(top / step) <= 5:
                return step * math.ceil(top / step), step
    raise AssertionError("unreachable: 10^(exponent+1) always fits")  # pragma: no cover


def layout(trend: Trend, width: float = 460, height: float = 250) -> Layout:
    legend_rows = 1 if len(trend.series) > 1 else 0
    left, top, right, bottom = 52.0, 34.0 + 20 * legend_rows, width - 14.0, height - 38.0
    values = [v for s in trend.series for v in s.values if isinstance(v, int)]
    axis_top, step = nice_ceiling(max(values, default=0))
    n = len(trend.months)

    def x_at(i: int) -> float:
        return (left + right) / 2 if n == 1 else left + 8 + i * (right - left - 16) / (n - 1)

    def y_at(v: int) -> float:
        return bottom - (bottom - top) * v / axis_top

    y_ticks = [(y_at(t), f"{t:,}") for t in range(0, axis_top + 1, step)]
    every = max(1, math.ceil(n / _MAX_X_LABELS))
    x_labels = [(x_at(i), *short_month_and_year(p, i == 0)) for i, p in enumerate(trend.months) if i % every == 0]
    lines: list[Line] = []
    gap_marks: dict[int, str] = {}
    for k, series in enumerate(trend.series):
        line = Line(COLOURS[k % 2], DASHES[k % 2], square=k % 2 == 1)
        run: list[tuple[float, float]] = []
        for i, value in enumerate(series.values):
            if isinstance(value, int):
                point = (x_at(i), y_at(value))
                run.append(point)
                line.points.append(point)
                continue
            # An unknown mark wins over a suppressed one: it is the stronger warning.
            mark = GAP_SUPPRESSED if value == SUPPRESSED else GAP_UNKNOWN
            if gap_marks.get(i) != GAP_UNKNOWN:
                gap_marks[i] = mark
            if len(run) > 1:
                line.segments.append(run)
            run = []
        if len(run) > 1:
            line.segments.append(run)
        lines.append(line)
    legend = [(s.label, COLOURS[k % 2], DASHES[k % 2], k % 2 == 1) for k, s in enumerate(trend.series)]
    return Layout(
        width,
        height,
        (left, top, right, bottom),
        y_ticks,
        x_labels,
        lines,
        sorted((x_at(i), mark) for i, mark in gap_marks.items()),
        legend if legend_rows else [],
        trend.title,
    )


def gap_note(trend: Trend) -> str | None:
    """The sentence under a chart with gaps: what the marks on its axis mean."""
    suppressed, unknown = trend.gaps
    parts = []
    if suppressed:
        parts.append(f"{GAP_SUPPRESSED} a figure suppressed by disclosure control ({suppressed})")
    if unknown:
        parts.append(f"{GAP_UNKNOWN} a figure unknown or not reported ({unknown})")
    if not parts:
        return None
    return "Gaps in the line: " + "; ".join(parts) + ". They are not zeros."


def describe(trend: Trend) -> str:
    """A text alternative for the chart (screen readers; the table below carries every figure)."""
    return f"{trend.title}, monthly, {len(trend.months)} months; the figures are in the table below."


# -- SVG -------------------------------------------------------------------------------------------


def _n(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _marker(x: float, y: float, line: Line) -> Markup:
    if line.square:
        return el("rect", x=_n(x - 3.5), y=_n(y - 3.5), width="7", height="7", fill=line.colour)
    return el("circle", cx=_n(x), cy=_n(y), r="3.8", fill=line.colour)


def svg(trend: Trend, width: float = 460, height: float = 250) -> Markup:
    """The chart as inline SVG (presentation attributes only: the page's CSP allows no inline style)."""
    lay = layout(trend, width, height)
    left, _top, right, bottom = lay.plot
    parts: list[Markup] = [el("title", lay.title)]
    parts.append(el("text", lay.title, x=_n(left - 44), y="20", class_="chart-title"))
    for i, (label, colour, dash, square) in enumerate(lay.legend):
        x = left + i * 150
        y = 40
        line_attrs = {"stroke-dasharray": dash} if dash else {}
        parts.append(
            el(
                "line",
                x1=_n(x),
                y1=_n(y),
                x2=_n(x + 26),
                y2=_n(y),
                stroke=colour,
                **{"stroke-width": "3"},
                **line_attrs,
            )
        )
        parts.append(_marker(x + 13, y, _legend_line(colour, square)))
        parts.append(el("text", label, x=_n(x + 32), y=_n(y + 4.5), class_="chart-legend"))
    for y, label in lay.y_ticks:
        parts.append(el("line", x1=_n(left), y1=_n(y), x2=_n(right), y2=_n(y), stroke="#d0d3d6"))
        parts.append(el("text", label, x=_n(left - 8), y=_n(y + 4), class_="chart-axis", **{"text-anchor": "end"}))
    parts.append(el("line", x1=_n(left), y1=_n(bottom), x2=_n(right), y2=_n(bottom), stroke="#505a5f"))
    for x, label, year in lay.x_labels:
        parts.append(el("text", label, x=_n(x), y=_n(bottom + 17), class_="chart-axis", **{"text-anchor": "middle"}))
        if year:
            parts.append(el("text", year, x=_n(x), y=_n(bottom + 32), class_="chart-axis", **{"text-anchor": "middle"}))
    for x, mark in lay.gap_marks:
        parts.append(el("text", mark, x=_n(x), y=_n(bottom - 5), class_="chart-gap", **{"text-anchor": "middle"}))
    for line in lay.lines:
        extra = {"stroke-dasharray": line.dash} if line.dash else {}
        for segment in line.segments:
            points = " ".join(f"{_n(x)},{_n(y)}" for x, y in segment)
            parts.append(
                el(
                    "polyline",
                    points=points,
                    fill="none",
                    stroke=line.colour,
                    **{"stroke-width": "2.5", "stroke-linejoin": "round"},
                    **extra,
                )
            )
        parts.extend(_marker(x, y, line) for x, y in line.points)
    return el(
        "svg",
        join(parts),
        xmlns="http://www.w3.org/2000/svg",
        viewBox=f"0 0 {_n(lay.width)} {_n(lay.height)}",
        role="img",
        class_="chart",
        **{"aria-label": describe(trend)},
    )


def _legend_line(colour: str, square: bool) -> Line:
    return Line(colour, "", square)
