"""The programme report as a PDF (reportlab): a title block, then for all practices together and for
each practice a table of the key measures by month and the four trend charts. Landscape A4, large
plain type, page numbers, and "not for publication" on every page of an unpublishable summary.

Everything shown comes from the `Summary` it is given, already through disclosure control: a
suppressed figure is "*", an unknown one "unknown", a month nobody reported for the practice "–",
and a chart leaves a gap (with a mark and a note) where a table says "*" or "unknown"."""

from __future__ import annotations

import io
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import resources
from typing import Any

from reportlab.graphics.shapes import Circle, Drawing, Line, PolyLine, Rect, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from coachdesk.hub import charts
from coachdesk.hub.figures import (
    KEY_MEASURES,
    NOT_REPORTED,
    Trend,
    month_label,
    practice_title,
    range_label,
    rule_sentence,
    shown_text,
    trends,
)
from coachdesk.hub.summary import ALL, Summary

REGULAR = "CoachDeskHubSans"
BOLD = "CoachDeskHubSans-Bold"
PAGE = landscape(A4)
MARGIN = 15 * mm
# The frame inside the margins keeps 6 pt of padding on each side: tables are as wide as the text.
CONTENT_WIDTH = PAGE[0] - 2 * MARGIN - 12
INK = colors.HexColor("#0b0c0c")
GREY = colors.HexColor("#505a5f")
LINE = colors.HexColor("#b1b4b6")
PALE = colors.HexColor("#f3f2f1")
WARNING = colors.HexColor("#d4351c")
_font_lock = threading.Lock()


@dataclass(frozen=True)
class ReportContext:
    """What the summary itself does not know: the programme's name and its practices' names (from
    the policy file, when the operator gives one), and when the report was made."""

    programme: str | None = None
    practice_names: Mapping[str, str] = field(default_factory=dict)
    generated_at: datetime | None = None


def _register_fonts() -> None:
    # The Noto Sans files shipped in coachdesk/resources (package data, read as files: the hub keeps
    # to the domain's code and its own), embedded as subsets so the report prints the same anywhere.
    with _font_lock:
        if REGULAR in pdfmetrics.getRegisteredFontNames():
            return
        folder = resources.files("coachdesk.resources").joinpath("fonts")
        pdfmetrics.registerFont(TTFont(REGULAR, str(folder.joinpath("NotoSans-Regular.ttf"))))
        pdfmetrics.registerFont(TTFont(BOLD, str(folder.joinpath("NotoSans-Bold.ttf"))))


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=REGULAR, fontSize=12, leading=16, textColor=INK)
    return {
        "body": base,
        "title": ParagraphStyle("title", base, fontName=BOLD, fontSize=30, leading=36, spaceAfter=6),
        "subtitle": ParagraphStyle("subtitle", base, fontSize=20, leading=26, spaceAfter=14),
        "h1": ParagraphStyle("h1", base, fontName=BOLD, fontSize=22, leading=28, spaceAfter=8),
        "h2": ParagraphStyle("h2", base, fontName=BOLD, fontSize=15, leading=20, spaceBefore=10, spaceAfter=6),
        "banner": ParagraphStyle("banner", base, fontName=BOLD, fontSize=20, leading=26, textColor=colors.white),
        "th": ParagraphStyle("th", base, fontName=BOLD, fontSize=10, leading=12.5, alignment=TA_RIGHT),
        "th_left": ParagraphStyle("th_left", base, fontName=BOLD, fontSize=10.5, leading=13),
        "label": ParagraphStyle("label", base, fontName=BOLD),
        "note": ParagraphStyle("note", base, fontSize=10, leading=13, textColor=GREY),
    }


def render_pdf(summary: Summary, context: ReportContext | None = None) -> bytes:
    context = context or ReportContext()
    _register_fonts()
    styles = _styles()
    generated = (context.generated_at or datetime.now(UTC)).astimezone(UTC)
    out = io.BytesIO()
    title = "CoachDesk programme report"
    doc = SimpleDocTemplate(
        out,
        pagesize=PAGE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + 6 * mm,
        title=f"{title}, {range_label(summary.period_from, summary.period_to)}",
        author="coachdesk-hub",
        subject=f"Disclosure control {summary.rule.text}" + (f"; {summary.label}" if summary.label else ""),
        creator="coachdesk-hub",
    )
    story: list[Any] = _title_block(summary, context, generated, styles)
    practices = sorted(summary.practices, key=lambda code: (code != ALL, code))
    if not practices:
        story.append(
            Paragraph(
                "No figures: no laptop has sent a bundle for these months"
                + (f" for practice {_esc(summary.practice)}." if summary.practice else "."),
                styles["h2"],
            )
        )
    for code in practices:
        story.append(PageBreak())
        story += _practice_section(summary, code, context.practice_names, styles)
    footer = _Footer(summary, generated)
    doc.build(story, canvasmaker=footer.canvas_class())
    return out.getvalue()


def _esc(text: object) -> str:
    """Text for a Paragraph, which reads a little markup: names are never markup."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _title_block(
    summary: Summary, context: ReportContext, generated: datetime, styles: dict[str, ParagraphStyle]
) -> list[Any]:
    story: list[Any] = []
    if summary.label:
        banner = Table(
            [[Paragraph(f"{summary.label.upper()}: exact counts, not disclosure controlled", styles["banner"])]],
            colWidths=[CONTENT_WIDTH],
        )
        banner.setStyle(
            TableStyle(
                [
                    ("BACKGROUND", (0, 0), (-1, -1), WARNING),
                    ("LEFTPADDING", (0, 0), (-1, -1), 12),
                    ("TOPPADDING", (0, 0), (-1, -1), 10),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 12),
                ]
            )
        )
        story += [banner, Spacer(1, 10 * mm)]
    else:
        story.append(Spacer(1, 18 * mm))
    story.append(Paragraph("CoachDesk programme report", styles["title"]))
    if context.programme:
        story.append(Paragraph(_esc(context.programme), styles["subtitle"]))
    story.append(Paragraph(range_label(summary.period_from, summary.period_to), styles["subtitle"]))
    shown = (
        "All practices and each practice"
        if summary.practice is None
        else practice_title(summary.practice, context.practice_names)
    )
    facts = [
        ("Practices", _esc(shown)),
        ("Disclosure rule", f"<b>{_esc(summary.rule.text)}</b>. {_esc(rule_sentence(summary.rule))}"),
        ("Generated", generated.strftime("%d %B %Y at %H:%M UTC")),
    ]
    table = Table(
        [[Paragraph(k, styles["label"]), Paragraph(v, styles["body"])] for k, v in facts],
        colWidths=[45 * mm, CONTENT_WIDTH - 45 * mm],
    )
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.5, LINE),
                ("TOPPADDING", (0, 0), (-1, -1), 6),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
                ("LEFTPADDING", (0, 0), (0, -1), 0),
            ]
        )
    )
    story += [Spacer(1, 4 * mm), table, Spacer(1, 8 * mm), Paragraph("How to read the figures", styles["h2"])]
    for line in (
        "<b>*</b> a count hidden by disclosure control (a small number that could identify someone).",
        "<b>unknown</b> a count that cannot be known: a coach's laptop withheld a small figure at source, "
        "or a laptop reported the practice without this measure.",
        f"<b>{NOT_REPORTED}</b> no laptop reported the practice that month.",
        "The charts leave a gap where a table shows *, unknown or "
        f"{NOT_REPORTED}, with a mark on the month: a gap is never a zero.",
    ):
        story.append(Paragraph(line, styles["body"]))
        story.append(Spacer(1, 1.5 * mm))
    return story


def _practice_section(
    summary: Summary,
    code: str,
    names: Mapping[str, str],
    styles: dict[str, ParagraphStyle],
) -> list[Any]:
    story: list[Any] = [Paragraph(_esc(practice_title(code, names)), styles["h1"])]
    story.append(Paragraph("Key measures by month", styles["h2"]))
    header = [Paragraph("Month", styles["th_left"])] + [Paragraph(label, styles["th"]) for _, label in KEY_MEASURES]
    rows: list[list[Any]] = [header]
    for month in summary.months:
        if (month, code) in summary.reported:
            cells = [shown_text(summary.value(month, code, measure)) for measure, _ in KEY_MEASURES]
        else:
            cells = [NOT_REPORTED] * len(KEY_MEASURES)
        rows.append([month_label(month), *cells])
    first = 32 * mm
    rest = (CONTENT_WIDTH - first) / len(KEY_MEASURES)
    table = Table(rows, colWidths=[first] + [rest] * len(KEY_MEASURES), repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 1), (-1, -1), REGULAR, 12),
                ("TEXTCOLOR", (0, 1), (-1, -1), INK),
                ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, 0), "BOTTOM"),
                ("BACKGROUND", (0, 0), (-1, 0), PALE),
                ("LEFTPADDING", (1, 0), (-1, 0), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 5),
                ("LINEBELOW", (0, 0), (-1, 0), 1.2, INK),
                ("LINEBELOW", (0, 1), (-1, -1), 0.4, LINE),
                # Tight enough that a year and a half of months fits one landscape page.
                ("TOPPADDING", (0, 1), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 1), (-1, -1), 3),
            ]
        )
    )
    story.append(table)
    story.append(CondPageBreak(150 * mm))
    story.append(Paragraph("Monthly trends", styles["h2"]))
    cells = [_chart_cell(trend, styles) for trend in trends(summary, code)]
    grid = Table([cells[0:2], cells[2:4]], colWidths=[CONTENT_WIDTH / 2] * 2)
    grid.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    story.append(KeepTogether(grid))
    return story


def _chart_cell(trend: Trend, styles: dict[str, ParagraphStyle]) -> list[Any]:
    cell: list[Any] = [drawing(trend)]
    note = charts.gap_note(trend)
    if note:
        cell.append(Paragraph(_esc(note), styles["note"]))
    return cell


def drawing(trend: Trend, width: float = 128 * mm, height: float = 66 * mm) -> Drawing:
    """The chart's layout as reportlab shapes (reportlab's y grows upwards; the layout's down)."""
    lay = charts.layout(trend, width, height)
    left, _top, right, bottom = lay.plot
    d = Drawing(width, height)

    def y(v: float) -> float:
        return height - v

    d.add(String(left - 44, y(20), lay.title, fontName=BOLD, fontSize=13, fillColor=INK))
    for i, (label, colour, dash, square) in enumerate(lay.legend):
        x = left + i * 120
        d.add(
            Line(
                x,
                y(40),
                x + 24,
                y(40),
                strokeColor=colors.HexColor(colour),
                strokeWidth=2.5,
                strokeDashArray=[6, 4] if dash else None,
            )
        )
        d.add(_marker(x + 12, y(40), colour, square))
        d.add(String(x + 30, y(40) - 3.5, label, fontName=REGULAR, fontSize=10, fillColor=INK))
    for ty, label in lay.y_ticks:
        d.add(Line(left, y(ty), right, y(ty), strokeColor=colors.HexColor("#d0d3d6"), strokeWidth=0.6))
        d.add(String(left - 6, y(ty) - 3.5, label, fontName=REGULAR, fontSize=9.5, fillColor=GREY, textAnchor="end"))
    d.add(Line(left, y(bottom), right, y(bottom), strokeColor=GREY, strokeWidth=1))
    for x, label, year in lay.x_labels:
        d.add(String(x, y(bottom + 13), label, fontName=REGULAR, fontSize=9.5, fillColor=GREY, textAnchor="middle"))
        if year:
            d.add(String(x, y(bottom + 24), year, fontName=REGULAR, fontSize=9.5, fillColor=GREY, textAnchor="middle"))
    for x, mark in lay.gap_marks:
        d.add(String(x, y(bottom - 4), mark, fontName=BOLD, fontSize=11, fillColor=GREY, textAnchor="middle"))
    for line in lay.lines:
        colour = colors.HexColor(line.colour)
        for segment in line.segments:
            d.add(
                PolyLine(
                    [c for px, py in segment for c in (px, y(py))],
                    strokeColor=colour,
                    strokeWidth=2.2,
                    strokeDashArray=[6, 4] if line.dash else None,
                    strokeLineJoin=1,
                )
            )
        for px, py in line.points:
            d.add(_marker(px, y(py), line.colour, line.square))
    return d


def _marker(x: float, y: float, colour: str, square: bool) -> Circle | Rect:
    fill = colors.HexColor(colour)
    if square:
        return Rect(x - 3, y - 3, 6, 6, fillColor=fill, strokeColor=None)
    return Circle(x, y, 3.2, fillColor=fill, strokeColor=None)


class _Footer:
    """Page furniture drawn after the whole story is laid out, so each page can say "page 2 of 9"."""

    def __init__(self, summary: Summary, generated: datetime) -> None:
        self.left = (
            f"CoachDesk programme report · {range_label(summary.period_from, summary.period_to)} · "
            f"disclosure rule {summary.rule.text} · generated {generated.strftime('%d %b %Y %H:%M UTC')}"
        )
        self.label = summary.label

    def canvas_class(self) -> type[Canvas]:
        footer = self

        class NumberedCanvas(Canvas):
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                super().__init__(*args, **kwargs)
                self._saved_states: list[dict[str, Any]] = []

            def showPage(self) -> None:
                self._saved_states.append(dict(self.__dict__))
                self._startPage()

            def save(self) -> None:
                total = len(self._saved_states)
                for state in self._saved_states:
                    self.__dict__.update(state)
                    footer.draw(self, total)
                    super().showPage()
                super().save()

        return NumberedCanvas

    def draw(self, canvas: Canvas, total: int) -> None:
        width, _ = PAGE
        left, right = MARGIN + 6, width - MARGIN - 6  # in line with the text, inside the frame's padding
        canvas.saveState()
        canvas.setStrokeColor(LINE)
        canvas.line(left, MARGIN + 2 * mm, right, MARGIN + 2 * mm)
        canvas.setFont(REGULAR, 9.5)
        canvas.setFillColor(GREY)
        canvas.drawString(left, MARGIN - 3 * mm, self.left)
        canvas.setFont(BOLD, 10)
        canvas.setFillColor(INK)
        canvas.drawRightString(right, MARGIN - 3 * mm, f"Page {canvas.getPageNumber()} of {total}")
        if self.label:
            canvas.setFillColor(WARNING)
            canvas.setFont(BOLD, 11)
            canvas.drawRightString(right, PAGE[1] - MARGIN + 3 * mm, self.label.upper())
        canvas.restoreState()
